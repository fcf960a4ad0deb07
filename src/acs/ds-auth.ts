/**
 * Mutual TLS with the Directory Servers. TLS itself ends in front of the app (Cloudflare's edge,
 * or Node's HTTPS listener when TLS_PORT is set: src/entry/tls.ts); this middleware only reads the verdict:
 * - Workers: `request.cf.tlsClientAuth.certVerified === "SUCCESS"` (enable mTLS for the host in Cloudflare);
 * - Node: the socket's `authorized` flag on the HTTPS listener, which checks the client
 *   certificate against TLS_CLIENT_CA_FILE (the schemes' DS CAs).
 * With MTLS_REQUIRED an AReq without a verified client certificate gets Erro 303 (access denied).
 *
 * @example
 *   acsRoutes.post('/3ds/areq', requireDsClientCertificate(), handler)
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.ts';
import { buildErro } from '../protocol/errors.ts';
import { countErro } from '../insight/count-http.ts';

interface CfTlsClientAuth {
  certPresented?: string;
  certVerified?: string;
}
interface NodeTlsSocket {
  encrypted?: boolean;
  authorized?: boolean;
  authorizationError?: Error | string | null;
  getPeerCertificate?: () => object | null;
}

export interface ClientCertificateVerdict {
  verified: boolean;
  /** Why not, for the log: what the TLS layer said, or that nothing checked a certificate. */
  reason?: string;
}

/** Whether the request came over TLS with a client certificate the TLS layer verified, and if not, why. */
export function clientCertificateVerdict(c: Context): ClientCertificateVerdict {
  const cf = (c.req.raw as Request & { cf?: { tlsClientAuth?: CfTlsClientAuth } }).cf;
  if (cf?.tlsClientAuth) {
    const { certVerified, certPresented } = cf.tlsClientAuth;
    if (certVerified === 'SUCCESS') return { verified: true };
    return { verified: false, reason: certPresented === '1' ? `certVerified ${certVerified ?? 'missing'}` : 'no client certificate presented' };
  }
  const socket = (c.env as { incoming?: { socket?: NodeTlsSocket } } | undefined)?.incoming?.socket;
  if (socket?.encrypted !== true) return { verified: false, reason: 'no client certificate check on this connection (plain HTTP, or mTLS not enabled for the host)' };
  if (socket.authorized === true) return { verified: true };
  const presented = Object.keys(socket.getPeerCertificate?.() ?? {}).length > 0;
  if (!presented) return { verified: false, reason: 'no client certificate presented' };
  return { verified: false, reason: String(socket.authorizationError ?? 'client certificate not verified') };
}

export function requireDsClientCertificate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.get('deps').config.MTLS_REQUIRED) return next();
    const verdict = clientCertificateVerdict(c);
    if (verdict.verified) return next();
    c.get('deps').log.warn('areq refused: no verified DS client certificate', { path: c.req.path, reason: verdict.reason });
    const ids = await messageIds(c);
    const erro = buildErro({ errorCode: '303', errorDetail: 'client certificate', errorMessageType: 'AReq', ...ids });
    await countErro(c, erro.errorCode);
    return c.body(JSON.stringify(erro), 200, { 'content-type': 'application/json; charset=utf-8' });
  };
}

/** The version and transaction IDs of the refused message, echoed so the DS can match the Erro (buildErro keeps only UUIDs). */
async function messageIds(c: Context): Promise<{ messageVersion?: unknown; threeDSServerTransID?: unknown; dsTransID?: unknown }> {
  try {
    const body: unknown = JSON.parse(await c.req.text());
    if (!body || typeof body !== 'object') return {};
    const { messageVersion, threeDSServerTransID, dsTransID } = body as Record<string, unknown>;
    return { messageVersion, threeDSServerTransID, dsTransID };
  } catch {
    return {};
  }
}
