/**
 * Who may do what in the console. Every admin route names the permission it needs
 * (`requirePermission` in http.ts), and every look-up by id goes through `inScope`, so that a
 * staff member of one issuer never reaches another issuer's rows, whatever id is in the URL.
 */
import type { StaffRole } from '../db/schema.ts';

export type Permission =
  /** See the staff list and a staff member's page. */
  | 'staff.view'
  /** Invite, disable, re-enable, reset, unlock, change role. */
  | 'staff.manage'
  | 'audit.view'
  | 'audit.export'
  | 'issuer.view'
  | 'issuer.edit'
  /** Create issuers and see every issuer: the platform's own. */
  | 'issuers.manage';

export const ROLES: readonly StaffRole[] = ['platform_admin', 'issuer_admin', 'helpdesk', 'auditor'];

const GRANTS: Record<StaffRole, readonly Permission[]> = {
  platform_admin: ['staff.view', 'staff.manage', 'audit.view', 'audit.export', 'issuer.view', 'issuer.edit', 'issuers.manage'],
  issuer_admin: ['staff.view', 'staff.manage', 'audit.view', 'audit.export', 'issuer.view', 'issuer.edit'],
  // Cardholder look-up, unlock and phone changes arrive with the helpdesk tools; until then the
  // helpdesk has its home page and nothing else.
  helpdesk: [],
  auditor: ['staff.view', 'audit.view', 'audit.export', 'issuer.view'],
};

export interface Principal {
  id: number;
  role: StaffRole;
  /** Null for a platform administrator only. */
  issuerId: number | null;
}

export function can(who: Principal, permission: Permission): boolean {
  return GRANTS[who.role].includes(permission);
}

/** Whether a row of this issuer is visible to this person (platform administrators see all). */
export function inScope(who: Principal, issuerId: number | null): boolean {
  return who.role === 'platform_admin' || (issuerId !== null && who.issuerId === issuerId);
}

/** The roles this person may give: an issuer administrator cannot make platform administrators. */
export function assignableRoles(who: Principal): readonly StaffRole[] {
  return who.role === 'platform_admin' ? ROLES : ROLES.filter((r) => r !== 'platform_admin');
}

export function roleNeedsIssuer(role: StaffRole): boolean {
  return role !== 'platform_admin';
}
