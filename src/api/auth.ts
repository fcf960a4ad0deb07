/**
 * Who calls the integration API, and what they may do: `Authorization: Bearer <key>`, the key
 * found by its hash (keys.ts), not revoked, used from an allowed source address (the client
 * address by the app's one rule, http/client-ip.ts) and holding the route's permission. Every
 * call is audited once it is answered: actor 'system' named `api:<key prefix>`, the key's issuer,
 * action `api.<operation>`, what it touched and how it ended (never a card number in the clear).
 *
 * @example
 *   route middleware: [authorize('block', 'cards.write')]
 *   handler: c.set('apiAudit', { target: `card:${id}`, detail: { status: 'blocked_stolen' } })
 */
import type { Context, MiddlewareHandler } from 'hono';
import { appendAudit } from '../admin/audit-log.ts';
import type { ApiPermission } from '../db/schema.ts';
import type { AppEnv } from '../deps.ts';
import { clientIp } from '../http/client-ip.ts';
import { apiError } from './errors.ts';
import { findApiKey, sourceAllowed, touchApiKey, type ApiKeyRow } from './keys.ts';

export type ApiEnv = {
  Variables: AppEnv['Variables'] & {
    apiKey: ApiKeyRow;
    /** What the call touched, for its audit row (set by the handler). */
    apiAudit?: { target?: string | null; detail?: Record<string, unknown> };
  };
};
export type ApiContext = Context<ApiEnv>;

/** One answer for every credential that does not work, whatever the reason (the audit row keeps it). */
const UNAUTHORIZED = 'the API key is missing, unknown or revoked';

export function authorize(operation: string, permission: ApiPermission): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const deps = c.get('deps');
    const now = deps.clock.now();
    const presented = /^Bearer\s+(\S{1,200})\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const key = presented ? await findApiKey(deps.db, presented) : undefined;
    if (!key || key.revokedAt !== null) {
      await auditRefusal(c, operation, key, key ? 'revoked' : presented ? 'unknown_key' : 'no_key');
      c.header('WWW-Authenticate', 'Bearer realm="mamori-api"');
      return apiError(c, 401, 'unauthorized', UNAUTHORIZED, 'Authorization');
    }
    const ip = clientIp(c as unknown as Context<AppEnv>);
    if (!sourceAllowed(key.allowedSources, ip)) {
      await auditRefusal(c, operation, key, 'source_not_allowed', { source: ip ?? null });
      return apiError(c, 403, 'source_not_allowed', 'this API key may not be used from this address', null);
    }
    if (!key.permissions.includes(permission)) {
      await auditRefusal(c, operation, key, 'insufficient_permission', { needs: permission });
      return apiError(c, 403, 'insufficient_permission', `this API key lacks the permission ${permission}`, null);
    }
    c.set('apiKey', key);
    await touchApiKey(deps.db, key.id, now);
    await next();
    await auditCall(c, operation, key);
  };
}

async function auditCall(c: ApiContext, operation: string, key: ApiKeyRow): Promise<void> {
  const deps = c.get('deps');
  const audit = c.get('apiAudit') ?? {};
  const status = c.res.status;
  const code = status >= 400 ? await errorCodeOf(c.res) : undefined;
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: actorOf(key),
    issuerId: key.issuerId,
    action: `api.${operation}`,
    target: audit.target ?? null,
    detail: { apiKeyId: key.id, status, ...(code ? { code } : {}), ...(c.res.headers.get('idempotent-replayed') ? { replayed: true } : {}), ...audit.detail },
    requestId: c.get('requestId'),
  });
}

async function auditRefusal(c: ApiContext, operation: string, key: ApiKeyRow | undefined, reason: string, extra: Record<string, unknown> = {}): Promise<void> {
  const deps = c.get('deps');
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: key ? actorOf(key) : { type: 'system', name: 'api' },
    issuerId: key?.issuerId ?? null,
    action: `api.${operation}.refused`,
    target: key ? `api_key:${key.id}` : null,
    detail: { reason, ...extra },
    requestId: c.get('requestId'),
  });
}

export function actorOf(key: Pick<ApiKeyRow, 'prefix'>) {
  return { type: 'system' as const, name: `api:${key.prefix}` };
}

async function errorCodeOf(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.clone().json()) as { error?: { code?: string } };
    return body.error?.code;
  } catch {
    return undefined;
  }
}
