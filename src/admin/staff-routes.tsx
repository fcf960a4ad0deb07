/**
 * /admin/staff: the list (with last sign-in), inviting, and one person's page with disable,
 * re-enable, unlock, reset (re-enrol) and role change. Each change asks for a fresh TOTP code.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Bi } from '../../views/i18n.ts';
import { formatTime } from '../../views/admin/shell.tsx';
import { EnrolmentLinkPage, StaffDetailPage, StaffListPage, StaffNewPage, type InviteError, type InviteForm, type StaffAction, type StaffListItem } from '../../views/admin/staff.tsx';
import { issuerById, listIssuers, type Issuer } from '../issuers/issuer-store.ts';
import { principal, type AdminContext, type AdminEnv } from './http.ts';
import { issuerName, pageBase, signedIn, timeZoneOf } from './page.ts';
import { needs, refuse } from './refuse.tsx';
import { assignableRoles, can, inScope, ROLES, roleNeedsIssuer } from './roles.ts';
import { checkStepUp } from './sign-in.ts';
import { changeRole, disableStaff, enableStaff, inviteStaff, resetSignIn, unlockStaffAccount, type ActingAs } from './staff-actions.ts';
import { isLocked, listStaff, recoveryCodesLeft, staffById, USERNAME_PATTERN, type StaffRole, type StaffRow } from './staff-store.ts';

const inviteSchema = z.object({
  username: z.string().trim().toLowerCase().regex(USERNAME_PATTERN),
  displayName: z.string().trim().min(1).max(60),
  role: z.enum(ROLES as [StaffRole, ...StaffRole[]]),
  issuerId: z.coerce.number().int().positive().optional(),
  code: z.string().max(20).default(''),
});

const actionSchema = z.object({ code: z.string().max(20).default(''), role: z.enum(ROLES as [StaffRole, ...StaffRole[]]).optional() });
const ACTIONS: readonly StaffAction[] = ['disable', 'enable', 'unlock', 'reset', 'role'];

export function staffRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  routes.get('/admin/staff', needs('staff.view'), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const { me: view, issuer } = await signedIn(c);
    const rows = await listStaff(deps.db, me.role === 'platform_admin' ? null : me.issuerId);
    const names = await issuerNames(c);
    return c.html(
      <StaffListPage {...pageBase(c)} me={view} rows={rows.map((r) => listItem(c, r, names, timeZoneOf(issuer)))} canManage={can(principal(me), 'staff.manage')} />,
    );
  });

  routes.get('/admin/staff/new', needs('staff.manage'), async (c) => inviteForm(c, {}, []));

  routes.post(
    '/admin/staff',
    needs('staff.manage'),
    zValidator('form', inviteSchema, async (result, c) => {
      if (result.success) return;
      const errors = result.error.issues.map((i) => String(i.path[0])).map((p): InviteError => (p === 'displayName' ? 'display_name' : p === 'issuerId' ? 'issuer' : (p as InviteError)));
      const raw = result.data as unknown as Record<string, string>;
      return inviteForm(c as unknown as AdminContext, { username: raw.username, displayName: raw.displayName }, errors, 400);
    }),
    async (c) => {
      const deps = c.get('deps');
      const me = c.get('me');
      const form = c.req.valid('form');
      const who = principal(me);
      const values: InviteForm = { username: form.username, displayName: form.displayName, role: form.role, issuerId: form.issuerId };
      if (!assignableRoles(who).includes(form.role)) return inviteForm(c, values, ['role'], 400);
      // An issuer administrator invites into their own issuer; a platform administrator picks one.
      let issuerId: number | null = null;
      if (roleNeedsIssuer(form.role)) {
        issuerId = who.role === 'platform_admin' ? (form.issuerId ?? null) : who.issuerId;
        if (issuerId === null || !(await issuerById(deps.db, issuerId))) return inviteForm(c, values, ['issuer'], 400);
      }
      if (!(await checkStepUp(deps, me, form.code))) return inviteForm(c, values, ['code'], 400);
      const result = await inviteStaff(deps, actingAs(c), { username: form.username, displayName: form.displayName, role: form.role, issuerId });
      if (!result.ok) return inviteForm(c, values, ['username_taken'], 409);
      return c.html(<EnrolmentLinkPage {...pageBase(c)} me={(await signedIn(c)).me} username={result.staff.username} link={result.link} reset={false} />, 201);
    },
  );

  routes.get('/admin/staff/:id{[0-9]+}', needs('staff.view'), async (c) => {
    const target = await visibleStaff(c);
    if (!target) return refuse(c, 'not_found');
    const done = c.req.query('done') as StaffAction | undefined;
    return detail(c, target, ACTIONS.includes(done!) ? { done } : {});
  });

  routes.post('/admin/staff/:id{[0-9]+}/:action{[a-z]+}', needs('staff.manage'), zValidator('form', actionSchema), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const action = c.req.param('action') as StaffAction;
    if (!ACTIONS.includes(action)) return refuse(c, 'not_found');
    const target = await visibleStaff(c);
    if (!target) return refuse(c, 'not_found');
    if (target.id === me.id) return detail(c, target, { error: { action, kind: 'self' } }, 400);
    const form = c.req.valid('form');
    if (action === 'role' && !(form.role && rolesFor(c, target).includes(form.role))) return refuse(c, 'forbidden');
    if (!(await checkStepUp(deps, me, form.code))) return detail(c, target, { error: { action, kind: 'code' } }, 400);
    const by = actingAs(c);
    if (action === 'disable') await disableStaff(deps, by, target);
    else if (action === 'enable') await enableStaff(deps, by, target);
    else if (action === 'unlock') await unlockStaffAccount(deps, by, target);
    else if (action === 'role') await changeRole(deps, by, target, form.role!);
    else {
      const link = await resetSignIn(deps, by, target);
      return c.html(<EnrolmentLinkPage {...pageBase(c)} me={(await signedIn(c)).me} username={target.username} link={link} reset />);
    }
    return c.redirect(`/admin/staff/${target.id}?done=${action}`, 303);
  });

  return routes;
}

/** The staff member named in the URL, if this person may see them (else: as if there were none). */
async function visibleStaff(c: AdminContext): Promise<StaffRow | undefined> {
  const target = await staffById(c.get('deps').db, Number(c.req.param('id')));
  return target && inScope(principal(c.get('me')), target.issuerId) ? target : undefined;
}

/** Roles a person can be moved to: within issuer roles (a platform administrator is invited as one). */
function rolesFor(c: AdminContext, target: StaffRow): readonly StaffRole[] {
  if (target.role === 'platform_admin') return [];
  return assignableRoles(principal(c.get('me'))).filter(roleNeedsIssuer);
}

async function detail(c: AdminContext, target: StaffRow, extra: { done?: StaffAction; error?: { action: StaffAction; kind: 'code' | 'self' } }, status: 200 | 400 = 200) {
  const deps = c.get('deps');
  const me = c.get('me');
  const { me: view, issuer } = await signedIn(c);
  const names = await issuerNames(c);
  const tz = timeZoneOf(issuer);
  const person = { ...listItem(c, target, names, tz), createdAt: formatTime(target.createdAt, c.get('lang'), tz), recoveryCodesLeft: await recoveryCodesLeft(deps.db, target.id) };
  return c.html(
    <StaffDetailPage
      {...pageBase(c)}
      me={view}
      person={person}
      canManage={can(principal(me), 'staff.manage')}
      isSelf={target.id === me.id}
      roles={rolesFor(c, target)}
      {...extra}
    />,
    status,
  );
}

async function inviteForm(c: AdminContext, form: InviteForm, errors: InviteError[], status: 200 | 400 | 409 = 200) {
  const me = c.get('me');
  const who = principal(me);
  const issuers = who.role === 'platform_admin' ? (await listIssuers(c.get('deps').db)).map((i) => ({ id: i.id, name: issuerName(i) })) : null;
  return c.html(<StaffNewPage {...pageBase(c)} me={(await signedIn(c)).me} roles={assignableRoles(who)} issuers={issuers} form={form} errors={errors} />, status);
}

async function issuerNames(c: AdminContext): Promise<Map<number, Bi>> {
  const all: Issuer[] = await listIssuers(c.get('deps').db);
  return new Map(all.map((i) => [i.id, issuerName(i)]));
}

function listItem(c: AdminContext, r: StaffRow, names: Map<number, Bi>, tz: string): StaffListItem {
  const now = c.get('deps').clock.now();
  return {
    id: r.id,
    username: r.username,
    displayName: r.displayName,
    role: r.role,
    issuer: r.issuerId === null ? null : (names.get(r.issuerId) ?? null),
    state: r.status === 'active' && isLocked(r, now) ? 'locked' : r.status,
    lastSignIn: formatTime(r.lastSignInAt, c.get('lang'), tz),
  };
}

function actingAs(c: AdminContext): ActingAs {
  const me = c.get('me');
  return { actor: { type: 'staff', id: me.id, name: me.username }, requestId: c.get('requestId') };
}
