/**
 * What every console page needs from the request: the language, the path (for the language
 * switch) and, once signed in, who it is with the menu their role allows.
 */
import type { Bi } from '../../views/i18n.ts';
import type { SignedIn } from '../../views/admin/shell.tsx';
import { openReportCount } from '../helpdesk/reports.ts';
import { issuerById, type Issuer } from '../issuers/issuer-store.ts';
import type { AdminContext } from './http.ts';
import { principal } from './http.ts';
import { can } from './roles.ts';

export interface PageBase {
  lang: 'ja' | 'en';
  path: string;
  site: Bi;
}

export function pageBase(c: AdminContext): PageBase {
  const url = new URL(c.req.url);
  url.searchParams.delete('lang');
  const search = url.searchParams.toString();
  return { lang: c.get('lang'), path: `${url.pathname}${search ? `?${search}` : ''}`, site: c.get('site') };
}

export function issuerName(issuer: Pick<Issuer, 'nameJa' | 'nameEn'>): Bi {
  return { ja: issuer.nameJa, en: issuer.nameEn };
}

/** The signed-in person for the page header, with the menu their role allows. */
export async function signedIn(c: AdminContext): Promise<{ me: SignedIn; issuer?: Issuer }> {
  const me = c.get('me');
  const who = principal(me);
  const issuer = me.issuerId === null ? undefined : await issuerById(c.get('deps').db, me.issuerId);
  const path = c.req.path;
  const nav: SignedIn['nav'] = [{ href: '/admin', label: { ja: 'ホーム', en: 'Home' } }];
  if (can(who, 'cardholders.view')) nav.push({ href: '/admin/cardholders', label: { ja: '会員照会', en: 'Cardholders' } });
  if (can(who, 'cardholders.act')) nav.push({ href: '/admin/requests', label: { ja: '承認待ち', en: 'Approvals' } });
  if (can(who, 'reports.view')) {
    // The open count: one indexed count (member_reports_issuer_state) per page.
    const open = await openReportCount(c.get('deps').db, me.issuerId === null ? 'all' : [me.issuerId]);
    nav.push({ href: '/admin/reports', label: { ja: `本人からの申告（${open}）`, en: `Cardholder reports (${open})` } });
  }
  if (can(who, 'transactions.view')) nav.push({ href: '/admin/transactions', label: { ja: '取引履歴', en: 'Transactions' } });
  if (can(who, 'dashboard.view')) nav.push({ href: '/admin/dashboard', label: { ja: 'ダッシュボード', en: 'Dashboard' } });
  if (can(who, 'risk.view')) nav.push({ href: '/admin/risk', label: { ja: 'リスクルール', en: 'Risk rules' } });
  if (can(who, 'cards.import') || can(who, 'cards.export')) nav.push({ href: '/admin/card-data', label: { ja: 'カードデータ', en: 'Card data' } });
  if (can(who, 'bin_ranges.manage')) nav.push({ href: '/admin/bin-ranges', label: { ja: 'BIN範囲', en: 'BIN ranges' } });
  if (can(who, 'api_keys.manage')) nav.push({ href: '/admin/api-keys', label: { ja: 'APIキー', en: 'API keys' } });
  if (can(who, 'staff.view')) nav.push({ href: '/admin/staff', label: { ja: 'スタッフ', en: 'Staff' } });
  if (can(who, 'audit.view')) nav.push({ href: '/admin/audit', label: { ja: '監査ログ', en: 'Audit log' } });
  if (can(who, 'issuers.manage')) nav.push({ href: '/admin/issuers', label: { ja: 'カード会社', en: 'Issuers' } });
  else if (can(who, 'issuer.view') && issuer) nav.push({ href: `/admin/issuers/${issuer.code}`, label: { ja: 'カード会社の設定', en: 'Issuer settings' } });
  for (const item of nav) item.current = item.href === '/admin' ? path === '/admin' : path === item.href || path.startsWith(`${item.href}/`);
  const view = { username: me.username, displayName: me.displayName, role: me.role, issuer: issuer ? issuerName(issuer) : null, csrf: c.get('csrf'), nav };
  return { me: view, issuer };
}

/** The time zone staff read times in: their issuer's, Japan's for the platform. */
export function timeZoneOf(issuer: Issuer | undefined): string {
  return issuer?.timeZone ?? 'Asia/Tokyo';
}
