/**
 * Mutual TLS on the Directory Server link.
 *
 * Node: the real entry (`node --import tsx src/entry/node.ts`) with TLS_PORT and MTLS_REQUIRED,
 * certificates made by Debian's openssl for this run: an AReq over HTTPS with a client
 * certificate from the DS CA gets an ARes; without one, with a self-signed one, or with one from
 * another CA it gets Erro 303; the plain port still serves /healthz. Bad TLS settings stop the start
 * with one line naming the variable.
 *
 * Workers: Cloudflare's edge verifies the client certificate and the app reads
 * `request.cf.tlsClientAuth`; here a Request carrying that `cf` object goes through the app.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../scripts/sqld.mjs';
import { DEMO_CARDS } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq } from '../support/areq.ts';
import { createTestApp } from '../support/test-app.ts';

const DEMO_PAN = DEMO_CARDS.find((c) => c.key === 'jcb-otp')!.pan;

// ─── certificates ───────────────────────────────────────────────────────────────

interface Pki {
  dir: string;
  /** Signs the server certificate; the DS trusts it. */
  serverCa: string;
  /** The scheme's DS CA: the only issuer the ACS accepts client certificates from. */
  dsCa: string;
  server: { cert: string; key: string };
  /** Issued by the DS CA. */
  ds: { cert: string; key: string };
  /** Self-signed, claiming to be a DS. */
  selfSigned: { cert: string; key: string };
  /** Issued by the server CA: a real certificate, but not from a DS CA. */
  otherCa: { cert: string; key: string };
}

function openssl(dir: string, ...args: string[]) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-mtls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const ca = (name: string, cn: string) =>
    openssl(dir, 'req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const leaf = (name: string, cn: string, issuer: string, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(dir, 'req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  };
  const client = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';

  ca('server-ca', 'Mamori Test Server CA');
  ca('ds-ca', 'Mamori Test DS CA');
  leaf('server', 'localhost', 'server-ca', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
  leaf('ds', 'Test Directory Server', 'ds-ca', client);
  leaf('other', 'Not a Directory Server', 'server-ca', client);
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'self.key', '-out', 'self.crt', '-days', '2', '-subj', '/CN=Self-signed Directory Server',
    '-addext', 'extendedKeyUsage=clientAuth');

  const pair = (name: string) => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) });
  return {
    dir,
    serverCa: join(dir, 'server-ca.crt'),
    dsCa: join(dir, 'ds-ca.crt'),
    server: pair('server'),
    ds: pair('ds'),
    selfSigned: pair('self'),
    otherCa: pair('other'),
  };
}

// ─── the Node entry as a process ────────────────────────────────────────────────

function startEntry(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const { DATABASE_URL: _d, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/entry/node.ts'], {
    env: { ...inherited, NODE_ENV: 'development', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

interface Answer {
  status: number;
  body: string;
}

/** One HTTPS request on a fresh connection, trusting the server CA, with the given client certificate (or none). */
function httpsCall(port: number, pki: Pki, options: { path: string; method?: string; body?: string; client?: { cert: string; key: string } }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: options.path,
        method: options.method ?? 'GET',
        ca: readFileSync(pki.serverCa),
        cert: options.client && readFileSync(options.client.cert),
        key: options.client && readFileSync(options.client.key),
        agent: false,
        headers: options.body ? { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(options.body) } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function waitUntil(check: () => Promise<boolean>, exited: Promise<unknown>, output: () => string) {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 600; i++) {
    if (gone) throw new Error(`the entry exited before it was ready:\n${output()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the entry did not become ready:\n${output()}`);
}

describe('Node entry with the DS mutual-TLS listener', { timeout: 120_000 }, () => {
  let pki: Pki;
  let entry: ReturnType<typeof startEntry>;
  let port: number;
  let tlsPort: number;

  beforeAll(async () => {
    pki = makePki();
    port = await freePort();
    do tlsPort = await freePort();
    while (tlsPort === port);
    entry = startEntry({
      PORT: String(port),
      TLS_PORT: String(tlsPort),
      TLS_CERT_FILE: pki.server.cert,
      TLS_KEY_FILE: pki.server.key,
      TLS_CLIENT_CA_FILE: pki.dsCa,
      MTLS_REQUIRED: 'true',
      DATABASE_URL: `file:${join(pki.dir, 'db', 'mamori.db')}`,
    });
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, entry.exited, entry.output);
    await waitUntil(async () => (await httpsCall(tlsPort, pki, { path: '/healthz' })).status === 200, entry.exited, entry.output);
  }, 120_000);

  afterAll(async () => {
    if (entry && entry.child.exitCode === null) {
      entry.child.kill('SIGTERM');
      await entry.exited;
    }
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  const postAReq = (client?: { cert: string; key: string }) => {
    const areq = browserAReq({ pan: DEMO_PAN });
    return httpsCall(tlsPort, pki, { path: '/3ds/areq', method: 'POST', body: JSON.stringify(areq), client }).then((answer) => ({ areq, answer }));
  };

  it('answers an AReq from a DS with a certificate from the DS CA with an ARes', async () => {
    const { areq, answer } = await postAReq(pki.ds);
    expect(answer.status).toBe(200);
    const ares = JSON.parse(answer.body);
    expect(ares).toMatchObject({
      messageType: 'ARes',
      threeDSServerTransID: areq.threeDSServerTransID,
      dsTransID: areq.dsTransID,
      transStatus: 'Y',
    });
    expect(ares.acsTransID).toMatch(/^[0-9a-f-]{36}$/);
  });

  // With the reason the TLS layer gave, logged for the operator.
  const refusals: [string, keyof Pki | undefined, string][] = [
    ['no client certificate', undefined, 'no client certificate presented'],
    ['a self-signed client certificate', 'selfSigned', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['a client certificate from a CA that is not a DS CA', 'otherCa', 'SELF_SIGNED_CERT_IN_CHAIN'],
  ];
  for (const [what, client, reason] of refusals) {
    it(`answers an AReq with ${what} with Erro 303`, async () => {
      const { areq, answer } = await postAReq(client ? (pki[client] as { cert: string; key: string }) : undefined);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({
        messageType: 'Erro',
        errorCode: '303',
        errorComponent: 'A',
        errorMessageType: 'AReq',
        errorDetail: 'client certificate',
        threeDSServerTransID: areq.threeDSServerTransID,
        dsTransID: areq.dsTransID,
      });
      // The log line travels on the child's stdout, which may arrive after the HTTP answer.
      const reasons = () =>
        entry.output().split('\n').filter((l) => l.includes('areq refused: no verified DS client certificate')).map((l) => JSON.parse(l).reason);
      await vi.waitFor(() => expect(reasons()).toContain(reason), { timeout: 10_000, interval: 50 });
    });
  }

  it('refuses an AReq on the plain HTTP port with Erro 303, and still answers /healthz there', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/3ds/areq`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(browserAReq({ pan: DEMO_PAN })),
    });
    expect(await res.json()).toMatchObject({ messageType: 'Erro', errorCode: '303' });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('serves the other routes on the TLS port without a client certificate', async () => {
    const page = await httpsCall(tlsPort, pki, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('本人認証サービス');
  });

  it('does not speak TLS 1.1 or older', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: tlsPort, ca: readFileSync(pki.serverCa), minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
      socket.on('secureConnect', () => {
        resolve('connected');
        socket.destroy();
      });
      socket.on('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });
});

describe('Node entry TLS settings', { timeout: 120_000 }, () => {
  let pki: Pki;
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(() => rmSync(pki.dir, { recursive: true, force: true }));

  /** Starts the entry expecting it to stop; returns its exit code and its output. */
  async function failedStart(env: Record<string, string>) {
    const port = await freePort();
    const entry = startEntry({ PORT: String(port), DATABASE_URL: `file:${join(pki.dir, 'fail', 'mamori.db')}`, ...env });
    const code = await entry.exited;
    return { code, lines: entry.output().trim().split('\n').filter((l) => !l.includes('development secrets generated')) };
  }

  const cases: [string, () => Record<string, string>, string][] = [
    ['a missing certificate file', () => ({ TLS_PORT: '9443', TLS_CERT_FILE: join(pki.dir, 'nope.crt'), TLS_KEY_FILE: pki.server.key }),
      'Invalid configuration: TLS_CERT_FILE cannot be read (<dir>/nope.crt: no such file)'],
    ['a key file that is a directory', () => ({ TLS_PORT: '9443', TLS_CERT_FILE: pki.server.cert, TLS_KEY_FILE: pki.dir }),
      'Invalid configuration: TLS_KEY_FILE cannot be read (<dir>: is a directory)'],
    ['a key of another certificate', () => ({ TLS_PORT: '9443', TLS_CERT_FILE: pki.server.cert, TLS_KEY_FILE: pki.ds.key }),
      'Invalid configuration: TLS_KEY_FILE does not belong to the certificate in TLS_CERT_FILE'],
    ['a certificate file that holds a key', () => ({ TLS_PORT: '9443', TLS_CERT_FILE: pki.server.key, TLS_KEY_FILE: pki.server.key }),
      'Invalid configuration: TLS_CERT_FILE is not a PEM certificate'],
    ['a client CA file that holds no certificate', () => ({ TLS_PORT: '9443', TLS_CERT_FILE: pki.server.cert, TLS_KEY_FILE: pki.server.key, TLS_CLIENT_CA_FILE: pki.server.key }),
      'Invalid configuration: TLS_CLIENT_CA_FILE holds no PEM certificate'],
    ['a certificate without TLS_PORT', () => ({ TLS_CERT_FILE: pki.server.cert, TLS_KEY_FILE: pki.server.key }),
      'Invalid configuration: TLS_PORT is required when TLS_CERT_FILE, TLS_KEY_FILE or TLS_CLIENT_CA_FILE is set'],
    ['TLS_PORT without a key', () => ({ TLS_PORT: '9443', TLS_CERT_FILE: pki.server.cert }),
      'Invalid configuration: TLS_KEY_FILE is required when TLS_PORT is set'],
    ['MTLS_REQUIRED without a client CA', () => ({ TLS_PORT: '9443', TLS_CERT_FILE: pki.server.cert, TLS_KEY_FILE: pki.server.key, MTLS_REQUIRED: 'true' }),
      'Invalid configuration: TLS_CLIENT_CA_FILE is required when MTLS_REQUIRED is true (the DS CA certificates that client certificates are checked against)'],
    ['MTLS_REQUIRED without any TLS listener', () => ({ MTLS_REQUIRED: 'true' }),
      'Invalid configuration: MTLS_REQUIRED needs the HTTPS listener on Node: set TLS_PORT, TLS_CERT_FILE, TLS_KEY_FILE and TLS_CLIENT_CA_FILE'],
  ];
  for (const [what, env, line] of cases) {
    it(`stops the start on ${what} with one line naming the variable`, async () => {
      const { code, lines } = await failedStart(env());
      expect(code).toBe(1);
      expect(lines).toEqual([line.replace('<dir>', pki.dir)]);
    });
  }
});

// ─── Workers: the verdict of Cloudflare's edge in request.cf ────────────────────

describe('DS client certificate on Workers (request.cf.tlsClientAuth)', () => {
  type TestApp = Awaited<ReturnType<typeof createTestApp>>;
  const open: TestApp[] = [];
  afterEach(() => {
    while (open.length) open.pop()!.close();
  });

  /** An AReq as workerd hands it to the app: a Request whose `cf` carries the edge's mTLS verdict. */
  function edgeRequest(areq: Record<string, unknown>, tlsClientAuth?: Record<string, string>): Request {
    const body = JSON.stringify(areq);
    const request = new Request('https://acs.test/3ds/areq', {
      method: 'POST',
      // workerd keeps `cf` when the body-limit middleware re-wraps a chunked request; Node's Request would
      // drop it, so the test sends a length and the request is passed on as it is.
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(new TextEncoder().encode(body).length) },
      body,
    });
    Object.defineProperty(request, 'cf', { value: tlsClientAuth ? { colo: 'NRT', tlsClientAuth } : { colo: 'NRT' } });
    return request;
  }

  const verified = { certPresented: '1', certVerified: 'SUCCESS', certIssuerDN: 'CN=Test DS CA', certSubjectDN: 'CN=Test DS' };

  it('lets an AReq through when the edge verified the client certificate', async () => {
    const t = await createTestApp({ seed: true, env: { MTLS_REQUIRED: 'true' } });
    open.push(t);
    const res = await t.app.request(edgeRequest(browserAReq({ pan: DEMO_PAN }), verified));
    expect(await res.json()).toMatchObject({ messageType: 'ARes', transStatus: 'Y' });
  });

  const refused: [string, Record<string, string> | undefined, string][] = [
    ['no certificate was presented', { certPresented: '0', certVerified: 'NONE' }, 'no client certificate presented'],
    ['the certificate failed verification', { certPresented: '1', certVerified: 'FAILED:self signed certificate' }, 'certVerified FAILED:self signed certificate'],
    ['mTLS is not enabled for the host (no tlsClientAuth)', undefined, 'no client certificate check on this connection (plain HTTP, or mTLS not enabled for the host)'],
  ];
  for (const [what, tlsClientAuth, reason] of refused) {
    it(`answers Erro 303 when ${what}`, async () => {
      const t = await createTestApp({ seed: true, env: { MTLS_REQUIRED: 'true' } });
      open.push(t);
      const areq = browserAReq({ pan: DEMO_PAN });
      const res = await t.app.request(edgeRequest(areq, tlsClientAuth));
      expect(await res.json()).toMatchObject({ messageType: 'Erro', errorCode: '303', threeDSServerTransID: areq.threeDSServerTransID });
      const refusal = t.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'areq refused: no verified DS client certificate');
      expect(refusal).toMatchObject({ reason });
    });
  }

  it('ignores the edge verdict when MTLS_REQUIRED is off', async () => {
    const t = await createTestApp({ seed: true });
    open.push(t);
    const res = await t.app.request(edgeRequest(browserAReq({ pan: DEMO_PAN }), { certPresented: '0', certVerified: 'NONE' }));
    expect(await res.json()).toMatchObject({ messageType: 'ARes' });
  });
});
