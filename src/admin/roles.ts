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
  | 'issuers.manage'
  /** Look up cardholders, their cards, registrations and history. */
  | 'cardholders.view'
  /** Helpdesk actions on a cardholder (unlock, phone change, block, …), or filing them for approval. */
  | 'cardholders.act'
  /** Approve or reject another person's four-eyes request; edit the issuer's four-eyes policy. */
  | 'requests.decide'
  | 'transactions.view'
  /** CSV export of a transaction search (fresh TOTP, audited). */
  | 'transactions.export'
  | 'dashboard.view'
  /** CSV import of card data, from the console. */
  | 'cards.import'
  /** CSV export of registrations and cards (fresh TOTP, audited). */
  | 'cards.export'
  /** Integration API keys: create and revoke. */
  | 'api_keys.manage'
  /** BIN ranges: add, disable. */
  | 'bin_ranges.manage'
  /** The queue of cardholders' "this was not me" reports (/admin/reports). */
  | 'reports.view'
  /** Close a report with a note. */
  | 'reports.act'
  /** The risk rules console (/admin/risk): read the versions and the draft, test and replay it. */
  | 'risk.view'
  /** Edit the risk draft, publish it, roll back. */
  | 'risk.edit';

export const ROLES: readonly StaffRole[] = ['platform_admin', 'issuer_admin', 'helpdesk', 'auditor'];

/** What an issuer's administrator may do to its own data (a platform administrator, to every issuer's). */
const ISSUER_ADMIN: readonly Permission[] = [
  'staff.view', 'staff.manage', 'audit.view', 'audit.export', 'issuer.view', 'issuer.edit',
  'cardholders.view', 'cardholders.act', 'requests.decide', 'transactions.view', 'transactions.export', 'dashboard.view',
  'cards.import', 'cards.export', 'api_keys.manage', 'bin_ranges.manage', 'reports.view', 'reports.act',
  'risk.view', 'risk.edit',
];

const GRANTS: Record<StaffRole, readonly Permission[]> = {
  platform_admin: [...ISSUER_ADMIN, 'issuers.manage'],
  issuer_admin: ISSUER_ADMIN,
  // The person who answers the cardholder's call: look-up, actions (or requests for them), the trail.
  helpdesk: ['cardholders.view', 'cardholders.act', 'transactions.view', 'dashboard.view', 'reports.view', 'reports.act', 'risk.view'],
  // Reads everything of its issuer; changes nothing but may export what it reads.
  auditor: ['staff.view', 'audit.view', 'audit.export', 'issuer.view', 'cardholders.view', 'transactions.view', 'transactions.export', 'dashboard.view', 'cards.export', 'reports.view', 'risk.view'],
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
