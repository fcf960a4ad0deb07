/**
 * Mutual TLS with the Directory Servers. TLS itself ends in front of the app (Cloudflare's edge,
 * or Node's HTTPS listener when TLS_PORT is set); this middleware only reads the verdict:
 * - Workers: `request.cf.tlsClientAuth.certVerified === "SUCCESS"` (enable mTLS for the host in Cloudflare);
 * - Node: the socket's `authorized` flag on the HTTPS listener, which checks the client
 *   certificate against TLS_CLIENT_CA_FILE (the schemes' DS CAs).
 * With MTLS_REQUIRED an AReq without a verified client certificate gets Erro 303 (access denied).
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.ts';
import { buildErro } from '../protocol/errors.ts';

export function clientCertificateVerified(c: Context): boolean {
  const cf = (c.req.raw as Request & { cf?: { tlsClientAuth?: { certVerified?: string } } }).cf;
  if (cf?.tlsClientAuth?.certVerified === 'SUCCESS') return true;
  const socket = (c.env as { incoming?: { socket?: { authorized?: boolean; encrypted?: boolean } } } | undefined)?.incoming?.socket;
  return socket?.encrypted === true && socket.authorized === true;
}

export function requireDsClientCertificate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.get('deps').config.MTLS_REQUIRED || clientCertificateVerified(c)) return next();
    c.get('deps').log.warn('areq refused: no verified DS client certificate', { path: c.req.path });
    const erro = buildErro({ errorCode: '303', errorDetail: 'client certificate', errorMessageType: 'AReq' });
    return c.body(JSON.stringify(erro), 200, { 'content-type': 'application/json; charset=utf-8' });
  };
}
