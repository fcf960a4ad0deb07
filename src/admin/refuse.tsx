/** The console's refusals: 403 (role, CSRF) and 404 (missing, or outside the person's issuer), as pages. */
import type { MiddlewareHandler } from 'hono';
import { RefusalPage, type Refusal } from '../../views/admin/home.tsx';
import { principal, type AdminContext, type AdminEnv } from './http.ts';
import { pageBase, signedIn } from './page.ts';
import { can, type Permission } from './roles.ts';

export async function refuse(c: AdminContext, kind: Refusal): Promise<Response> {
  const me = c.get('me') ? (await signedIn(c)).me : undefined;
  return c.html(<RefusalPage {...pageBase(c)} me={me} kind={kind} />, kind === 'not_found' ? 404 : 403);
}

/** A route's permission: 403 with the console's page unless the person's role grants it. */
export function needs(permission: Permission): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (!can(principal(c.get('me')), permission)) return refuse(c, 'forbidden');
    await next();
  };
}
