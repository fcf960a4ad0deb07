/**
 * /admin/api-keys: an issuer's integration API keys ('api_keys.manage'). The list (prefix,
 * permissions, sources, created, last used, revoked) with the form that makes a key; the new key
 * shown once; one key's page with its revocation. Making and revoking ask a fresh TOTP code and
 * are audited ('api_key.create', 'api_key.revoke', in keys.ts). A key of another issuer answers
 * exactly like a missing one.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiKeyCreatedPage, ApiKeyPage, ApiKeysPage, type ApiKeyItem, type KeyForm, type KeyFormError } from '../../views/admin/api-keys.tsx';
import { formatTime } from '../../views/admin/shell.tsx';
import type { Bi } from '../../views/i18n.ts';
import { principal, type AdminContext, type AdminEnv } from '../admin/http.ts';
import { issuerName, pageBase, signedIn, timeZoneOf } from '../admin/page.ts';
import { needs, refuse } from '../admin/refuse.tsx';
import { inScope } from '../admin/roles.ts';
import { checkStepUp } from '../admin/sign-in.ts';
import type { ApiPermission } from '../db/schema.ts';
import { issuerById, listIssuers } from '../issuers/issuer-store.ts';
import { apiKeyById, createApiKey, listApiKeys, parseSources, revokeApiKey, type ApiKeyRow } from './keys.ts';

const asList = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
const createForm = z.object({
  name: z.string().max(200).default(''),
  permissions: z.preprocess(asList, z.array(z.string().max(20)).max(5)),
  sources: z.string().max(2000).default(''),
  issuerId: z.string().max(12).optional(),
  code: z.string().max(20).default(''),
});
const revokeForm = z.object({ code: z.string().max(20).default('') });

export function apiKeyRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  routes.get('/admin/api-keys', needs('api_keys.manage'), async (c) => listPage(c, {}, [], undefined, 200, c.req.query('done') === 'revoked' ? 'revoked' : undefined));

  routes.post(
    '/admin/api-keys',
    needs('api_keys.manage'),
    zValidator('form', createForm, (r, c) => (r.success ? undefined : listPage(c as unknown as AdminContext, {}, ['name'], undefined, 400))),
    async (c) => {
      const deps = c.get('deps');
      const me = c.get('me');
      const raw = c.req.valid('form');
      const permissions = raw.permissions.filter((p): p is ApiPermission => p === 'cards.read' || p === 'cards.write');
      const form: KeyForm = { name: raw.name, permissions, sources: raw.sources, issuerId: raw.issuerId ? Number(raw.issuerId) : undefined };
      const errors: KeyFormError[] = [];
      const name = raw.name.trim();
      if (name.length < 1 || name.length > 60) errors.push('name');
      if (permissions.length === 0 || permissions.length !== raw.permissions.length) errors.push('permissions');
      const sources = parseSources(raw.sources);
      if (!sources.ok) errors.push('sources');
      // An issuer's administrator makes keys of their own issuer; a platform administrator picks one.
      const issuerId = me.issuerId ?? form.issuerId ?? null;
      const issuer = issuerId !== null && Number.isInteger(issuerId) ? await issuerById(deps.db, issuerId) : undefined;
      if (!issuer) errors.push('issuer');
      if (errors.length) return listPage(c, form, errors, sources.ok ? undefined : sources.bad, 400);
      if (!(await checkStepUp(deps, me, raw.code))) return listPage(c, form, ['code'], undefined, 400);
      const made = await createApiKey(
        deps,
        { issuerId: issuer!.id, name, permissions: [...new Set(permissions)].sort(), sources: sources.ok ? sources.sources : [], createdBy: me.id },
        { actor: { type: 'staff', id: me.id, name: me.username }, requestId: c.get('requestId') },
      );
      const { me: view, issuer: own } = await signedIn(c);
      return c.html(<ApiKeyCreatedPage {...pageBase(c)} me={view} apiKey={made.key} item={item(c, made.row, new Map([[issuer!.id, issuerName(issuer!)]]), timeZoneOf(own))} />, 201);
    },
  );

  routes.get('/admin/api-keys/:id{[0-9]+}', needs('api_keys.manage'), async (c) => {
    const row = await visibleKey(c);
    if (!row) return refuse(c, 'not_found');
    return keyPage(c, row);
  });

  routes.post('/admin/api-keys/:id{[0-9]+}/revoke', needs('api_keys.manage'), zValidator('form', revokeForm), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const row = await visibleKey(c);
    if (!row) return refuse(c, 'not_found');
    if (row.revokedAt !== null) return c.redirect('/admin/api-keys?done=revoked', 303);
    if (!(await checkStepUp(deps, me, c.req.valid('form').code))) return keyPage(c, row, true);
    await revokeApiKey(deps, row, { actor: { type: 'staff', id: me.id, name: me.username }, requestId: c.get('requestId') });
    return c.redirect('/admin/api-keys?done=revoked', 303);
  });

  return routes;
}

/** The key named in the URL, if this person's issuer holds it (else: as if there were none). */
async function visibleKey(c: AdminContext): Promise<ApiKeyRow | undefined> {
  const row = await apiKeyById(c.get('deps').db, Number(c.req.param('id')));
  return row && inScope(principal(c.get('me')), row.issuerId) ? row : undefined;
}

async function listPage(c: AdminContext, form: KeyForm, errors: KeyFormError[], badSource?: string, status: 200 | 400 = 200, done?: 'revoked') {
  const deps = c.get('deps');
  const me = c.get('me');
  const { me: view, issuer } = await signedIn(c);
  const names = await issuerNames(c);
  const rows = await listApiKeys(deps.db, me.role === 'platform_admin' ? null : me.issuerId);
  const platform = me.role === 'platform_admin';
  const issuers = platform ? [...names].map(([id, name]) => ({ id, name })) : null;
  return c.html(
    <ApiKeysPage
      {...pageBase(c)}
      me={view}
      keys={rows.map((r) => item(c, r, names, timeZoneOf(issuer)))}
      showIssuer={platform}
      issuers={issuers}
      form={form}
      errors={errors}
      badSource={badSource}
      done={done}
    />,
    status,
  );
}

async function keyPage(c: AdminContext, row: ApiKeyRow, codeError = false) {
  const { me: view, issuer } = await signedIn(c);
  return c.html(<ApiKeyPage {...pageBase(c)} me={view} item={item(c, row, await issuerNames(c), timeZoneOf(issuer))} codeError={codeError} />, codeError ? 400 : 200);
}

async function issuerNames(c: AdminContext): Promise<Map<number, Bi>> {
  return new Map((await listIssuers(c.get('deps').db)).map((i) => [i.id, issuerName(i)]));
}

function item(c: AdminContext, r: ApiKeyRow, names: Map<number, Bi>, tz: string): ApiKeyItem {
  const lang = c.get('lang');
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    issuer: names.get(r.issuerId) ?? null,
    permissions: r.permissions,
    sources: r.allowedSources,
    createdAt: formatTime(r.createdAt, lang, tz),
    lastUsedAt: formatTime(r.lastUsedAt, lang, tz),
    revokedAt: r.revokedAt === null ? null : formatTime(r.revokedAt, lang, tz),
  };
}
