/**
 * GET /sandbox/staff (mounted by the sandbox, so never in production): the demo staff for every
 * role, as a page or, with `Accept: application/json`, as
 * `[{ username, password, role, issuer, totpSecret }]`. Seeds them first if they are missing.
 */
import { Hono } from 'hono';
import { accepts } from 'hono/accepts';
import { DemoStaffPage } from '../../views/admin/demo-staff.tsx';
import type { AppEnv } from '../deps.ts';
import { demoStaffList, seedDemoStaff } from './demo-staff.ts';
import { totpCodeAt } from './totp.ts';

export function sandboxStaffRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/sandbox/staff', async (c) => {
    const deps = c.get('deps');
    await seedDemoStaff(deps);
    const rows = await demoStaffList(deps);
    const type = accepts(c, { header: 'Accept', supports: ['text/html', 'application/json'], default: 'text/html' });
    if (type === 'application/json') return c.json(rows);
    const now = deps.clock.now();
    return c.html(<DemoStaffPage rows={rows.map((r) => ({ ...r, codeNow: totpCodeAt(r.totpSecret, now) }))} />);
  });
  return routes;
}
