/** The portal's planned downtime (the issuer's window): the ACS and the challenge keep working. */
import type { MaintenanceWindow } from '../../src/db/schema.ts';
import type { Bi, Lang } from '../i18n.ts';
import { PortalShell, type PortalIssuer } from './shell.tsx';

const DAYS: Bi<string[]> = { ja: ['日', '月', '火', '水', '木', '金', '土'], en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] };

const W = {
  title: { ja: 'ただいまメンテナンス中です', en: 'The member portal is under maintenance' },
  text: {
    ja: '会員ページは定期メンテナンス中のため、ご利用いただけません。ネットショッピングでの本人認証はこの間もご利用いただけます。',
    en: 'The member portal is closed for scheduled maintenance. Authentication of online purchases keeps working meanwhile.',
  },
  window: (w: MaintenanceWindow): Bi => ({
    ja: `メンテナンス時間：毎週 ${w.days.map((d) => DAYS.ja[d]).join('・')}曜日 ${w.start}〜${w.end}`,
    en: `Maintenance: every ${w.days.map((d) => DAYS.en[d]).join(', ')}, ${w.start}–${w.end}`,
  }),
} satisfies Record<string, Bi | ((w: MaintenanceWindow) => Bi)>;

export function MaintenancePage(p: { lang: Lang; issuer: PortalIssuer; window: MaintenanceWindow; path: string }) {
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.title} path={p.path} announce={W.title[p.lang]}>
      <h1>{W.title[p.lang]}</h1>
      <p>{W.text[p.lang]}</p>
      <p>{W.window(p.window)[p.lang]}</p>
    </PortalShell>
  );
}
