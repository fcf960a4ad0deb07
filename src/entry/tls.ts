/**
 * Node's HTTPS listener for the Directory Server link (mutual TLS), beside the plain HTTP one.
 *
 * The listener asks every client for a certificate and checks it against TLS_CLIENT_CA_FILE (the
 * schemes' DS CAs, and only those: Node's public roots are not trusted for clients), but does not
 * drop the connection when the check fails. The app reads the verdict from the socket's `authorized`
 * flag (src/acs/ds-auth.ts), so an AReq without a verified certificate gets a proper Erro 303 and
 * every other route keeps working on the same port.
 *
 * @example
 *   const tls = loadTlsOptions(config); // throws ConfigError naming the variable
 *   if (tls) serveTls({ fetch: app.fetch, port: tls.port, hostname: config.HOST, serverOptions: tls.serverOptions });
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type ServerOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import { serve, type ServerType } from '@hono/node-server';
import { ConfigError, type Config } from '../config.ts';

type TlsConfig = Pick<Config, 'PORT' | 'TLS_PORT' | 'TLS_CERT_FILE' | 'TLS_KEY_FILE' | 'TLS_CLIENT_CA_FILE' | 'MTLS_REQUIRED'>;

export interface TlsListener {
  port: number;
  serverOptions: ServerOptions;
  /** Whether client certificates are asked for and verified (TLS_CLIENT_CA_FILE is set). */
  verifiesClients: boolean;
}

/**
 * Reads and checks the TLS files named in the configuration.
 * Returns undefined when no TLS listener is configured; throws a ConfigError with one line naming
 * the variable when the settings are incomplete or a file is missing, unreadable or not what it should be.
 */
export function loadTlsOptions(config: TlsConfig, read: (path: string) => Buffer = readFileSync): TlsListener | undefined {
  const anySet = config.TLS_PORT !== undefined || config.TLS_CERT_FILE || config.TLS_KEY_FILE || config.TLS_CLIENT_CA_FILE;
  if (!anySet) {
    if (config.MTLS_REQUIRED) {
      throw invalid('MTLS_REQUIRED', 'needs the HTTPS listener on Node: set TLS_PORT, TLS_CERT_FILE, TLS_KEY_FILE and TLS_CLIENT_CA_FILE');
    }
    return undefined;
  }
  if (config.TLS_PORT === undefined) throw invalid('TLS_PORT', 'is required when TLS_CERT_FILE, TLS_KEY_FILE or TLS_CLIENT_CA_FILE is set');
  if (config.TLS_PORT === config.PORT) throw invalid('TLS_PORT', `must differ from PORT (${config.PORT})`);
  if (!config.TLS_CERT_FILE) throw invalid('TLS_CERT_FILE', 'is required when TLS_PORT is set');
  if (!config.TLS_KEY_FILE) throw invalid('TLS_KEY_FILE', 'is required when TLS_PORT is set');
  if (config.MTLS_REQUIRED && !config.TLS_CLIENT_CA_FILE) {
    throw invalid('TLS_CLIENT_CA_FILE', 'is required when MTLS_REQUIRED is true (the DS CA certificates that client certificates are checked against)');
  }

  const cert = readPem('TLS_CERT_FILE', config.TLS_CERT_FILE, read);
  const key = readPem('TLS_KEY_FILE', config.TLS_KEY_FILE, read);
  const ca = config.TLS_CLIENT_CA_FILE ? readPem('TLS_CLIENT_CA_FILE', config.TLS_CLIENT_CA_FILE, read) : undefined;

  const certificate = parse('TLS_CERT_FILE', 'is not a PEM certificate', () => new X509Certificate(cert));
  const privateKey = parse<KeyObject>('TLS_KEY_FILE', 'is not a PEM private key (unencrypted)', () => createPrivateKey(key));
  if (!certificate.checkPrivateKey(privateKey)) throw invalid('TLS_KEY_FILE', 'does not belong to the certificate in TLS_CERT_FILE');
  if (ca) {
    if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) throw invalid('TLS_CLIENT_CA_FILE', 'holds no PEM certificate');
    parse('TLS_CLIENT_CA_FILE', 'is not a list of PEM certificates', () => createSecureContext({ ca }));
  }
  parse('TLS_CERT_FILE', 'cannot be used with TLS_KEY_FILE', () => createSecureContext({ cert, key }));

  return {
    port: config.TLS_PORT,
    verifiesClients: ca !== undefined,
    serverOptions: {
      cert,
      key,
      minVersion: 'TLSv1.2',
      ...(ca
        ? {
            // `ca` replaces Node's public roots: only the DS CAs can vouch for a client.
            ca,
            requestCert: true,
            // Let the handshake finish; the app answers an unverified DS with Erro 303 (ds-auth.ts).
            rejectUnauthorized: false,
          }
        : { requestCert: false }),
    },
  };
}

/** Starts the HTTPS listener with @hono/node-server; the app sees the TLS socket as `c.env.incoming.socket`. */
export function serveTls(
  options: { fetch: Parameters<typeof serve>[0]['fetch']; port: number; hostname?: string; serverOptions: ServerOptions },
  onListening?: (info: { port: number }) => void,
): ServerType {
  return serve(
    { fetch: options.fetch, port: options.port, hostname: options.hostname, createServer, serverOptions: options.serverOptions },
    (info) => onListening?.({ port: info.port }),
  );
}

function readPem(name: string, path: string, read: (path: string) => Buffer): Buffer {
  try {
    return read(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (code ?? 'read failed');
    throw invalid(name, `cannot be read (${path}: ${why})`);
  }
}

function parse<T>(name: string, message: string, fn: () => T): T {
  try {
    return fn();
  } catch {
    throw invalid(name, message);
  }
}

function invalid(name: string, message: string): ConfigError {
  return new ConfigError(`Invalid configuration: ${name} ${message}`);
}
