/**
 * Four eyes: the queue of requests (pending, then recently decided), one request's page with its
 * outcome and the approve / reject (or withdraw) forms, and the issuer's approval policy page.
 */
import type { Bi, Lang } from '../i18n.ts';
import { ChangeTable, noticeText, type ChangeValue } from './actions.tsx';
import { AdminShell, Csrf, Field, Notice, say, StepUpField, type SignedIn } from './shell.tsx';

export type RequestState = 'pending' | 'approved' | 'rejected' | 'expired' | 'withdrawn';

export const STATE_LABEL: Record<RequestState, Bi> = {
  pending: { ja: '承認待ち', en: 'Pending' },
  approved: { ja: '承認済み', en: 'Approved' },
  rejected: { ja: '却下', en: 'Rejected' },
  expired: { ja: '期限切れ', en: 'Expired' },
  withdrawn: { ja: '取り下げ', en: 'Withdrawn' },
};

export interface RequestRow {
  id: number;
  action: Bi;
  /** The cardholder and card, as the helpdesk reads them; null when the target is gone. */
  target: string | null;
  targetHref: string | null;
  requester: string;
  requestedAt: string;
  expiresAt: string;
  reason: string;
  /** The request's input, masked (e.g. the new phone 090-****-5678). */
  summary: string;
  state: RequestState;
  decider: string | null;
  decidedAt: string;
}

function RequestTable({ lang, rows, caption, decided }: { lang: Lang; rows: RequestRow[]; caption: string; decided: boolean }) {
  const t = say(lang);
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t({ ja: '申請', en: 'Request' })}</th>
            <th scope="col">{t({ ja: '操作', en: 'Action' })}</th>
            <th scope="col">{t({ ja: '対象', en: 'Target' })}</th>
            <th scope="col">{t({ ja: '申請者・日時', en: 'Filed by, when' })}</th>
            <th scope="col">{t({ ja: '理由', en: 'Reason' })}</th>
            <th scope="col">{t({ ja: '内容', en: 'Details' })}</th>
            <th scope="col">{decided ? t({ ja: '結果', en: 'Outcome' }) : t({ ja: '期限', en: 'Expires' })}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td>
                <a href={`/admin/requests/${r.id}`}>#{r.id}</a>
              </td>
              <td>{t(r.action)}</td>
              <td>{r.target ? r.targetHref ? <a href={r.targetHref}>{r.target}</a> : r.target : t({ ja: '（削除済み）', en: '(gone)' })}</td>
              <td>
                {r.requester}
                <br />
                <span class="small nowrap">{r.requestedAt}</span>
              </td>
              <td>{r.reason}</td>
              <td>{r.summary || '—'}</td>
              <td>
                {decided ? (
                  <>
                    <span class="request-state">{t(STATE_LABEL[r.state])}</span>
                    {r.decider && <> · {r.decider}</>}
                    <br />
                    <span class="small nowrap">{r.decidedAt}</span>
                  </>
                ) : (
                  <span class="nowrap">{r.expiresAt}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RequestQueuePage(props: { lang: Lang; path: string; site: Bi; me: SignedIn; pending: RequestRow[]; decided: RequestRow[]; policyHref: string | null }) {
  const t = say(props.lang);
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} me={props.me} title={{ ja: '承認待ち', en: 'Approvals' }}>
      <link rel="stylesheet" href="/static/css/helpdesk-actions.css" />
      <div class="requests">
        <h1>{t({ ja: '承認待ちの申請', en: 'Requests waiting for approval' })}</h1>
        {props.policyHref && (
          <p>
            <a href={props.policyHref}>{t({ ja: '承認が必要な操作の設定', en: 'Which actions need approval' })}</a>
          </p>
        )}
        {props.pending.length === 0 ? (
          <p>{t({ ja: '承認待ちの申請はありません。', en: 'No request is waiting.' })}</p>
        ) : (
          <RequestTable lang={props.lang} rows={props.pending} caption={t({ ja: '承認待ちの申請', en: 'Pending requests' })} decided={false} />
        )}
        <h2>{t({ ja: '最近の結果', en: 'Recently decided' })}</h2>
        {props.decided.length === 0 ? (
          <p>{t({ ja: 'まだありません。', en: 'None yet.' })}</p>
        ) : (
          <RequestTable lang={props.lang} rows={props.decided} caption={t({ ja: '最近の結果', en: 'Recently decided' })} decided />
        )}
      </div>
    </AdminShell>
  );
}

export interface RequestPageProps {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  request: RequestRow;
  decisionNote: string | null;
  /** The change it made, when it was carried out. */
  applied?: { before: Record<string, ChangeValue>; after: Record<string, ChangeValue>; notice?: { sms: string; mail: string } };
  /** Approved but not carried out: why. */
  notApplied?: Bi;
  canDecide: boolean;
  /** The signed-in person filed it (and so can withdraw, never decide). */
  own: boolean;
  /** What just happened (after a POST). */
  flash?: { kind: 'success' | 'alert'; text: Bi };
  errors: { code?: boolean };
  note?: string;
}

export function RequestPage(p: RequestPageProps) {
  const t = say(p.lang);
  const r = p.request;
  const pending = r.state === 'pending';
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={{ ja: `申請 #${r.id}`, en: `Request #${r.id}` }}>
      <link rel="stylesheet" href="/static/css/helpdesk-actions.css" />
      <div class="requests narrow">
        <p>
          <a href="/admin/requests" class="back-link">
            {t({ ja: '← 承認待ちの一覧', en: '← All requests' })}
          </a>
        </p>
        <h1>
          {t({ ja: '申請', en: 'Request' })} #{r.id}: {t(r.action)}
        </h1>
        {p.flash && (
          <Notice kind={p.flash.kind}>
            <p>{t(p.flash.text)}</p>
          </Notice>
        )}
        <dl class="facts">
          <div>
            <dt>{t({ ja: '状態', en: 'State' })}</dt>
            <dd class="request-state">{t(STATE_LABEL[r.state])}</dd>
          </div>
          <div>
            <dt>{t({ ja: '対象', en: 'Target' })}</dt>
            <dd>{r.target ? r.targetHref ? <a href={r.targetHref}>{r.target}</a> : r.target : t({ ja: '（削除済み）', en: '(gone)' })}</dd>
          </div>
          <div>
            <dt>{t({ ja: '申請者', en: 'Filed by' })}</dt>
            <dd>
              {r.requester} · {r.requestedAt}
            </dd>
          </div>
          <div>
            <dt>{t({ ja: '期限', en: 'Expires' })}</dt>
            <dd>{r.expiresAt}</dd>
          </div>
          <div>
            <dt>{t({ ja: '理由', en: 'Reason' })}</dt>
            <dd>{r.reason}</dd>
          </div>
          <div>
            <dt>{t({ ja: '内容', en: 'Details' })}</dt>
            <dd>{r.summary || '—'}</dd>
          </div>
          {r.decider && (
            <div>
              <dt>{t({ ja: '判断した人', en: 'Decided by' })}</dt>
              <dd>
                {r.decider} · {r.decidedAt}
              </dd>
            </div>
          )}
          {p.decisionNote && (
            <div>
              <dt>{t({ ja: '判断のメモ', en: 'Decision note' })}</dt>
              <dd>{p.decisionNote}</dd>
            </div>
          )}
        </dl>
        {p.applied && <ChangeTable lang={p.lang} before={p.applied.before} after={p.applied.after} caption={t({ ja: '承認により実行された変更', en: 'What the approval changed' })} />}
        {p.applied?.notice && <p>{noticeText(p.lang, p.applied.notice)}</p>}
        {p.notApplied && (
          <Notice kind="alert">
            <p>
              {t({ ja: '承認されましたが、実行できませんでした：', en: 'Approved, but not carried out: ' })}
              {t(p.notApplied)}
            </p>
          </Notice>
        )}
        {pending && p.own && (
          <>
            <p>{t({ ja: 'ご自分の申請は承認できません。別の担当者の承認を待っています。', en: 'You cannot approve your own request; it waits for another person.' })}</p>
            <form method="post" action={`/admin/requests/${r.id}/withdraw`}>
              <Csrf token={p.me.csrf} />
              <button type="submit" class="secondary">
                {t({ ja: '申請を取り下げる', en: 'Withdraw the request' })}
              </button>
            </form>
          </>
        )}
        {pending && p.canDecide && !p.own && (
          <form method="post" action={`/admin/requests/${r.id}/decide`} class="stack">
            <Csrf token={p.me.csrf} />
            <Field id="note" label={t({ ja: '判断のメモ（任意、監査ログに記録）', en: 'Decision note (optional, kept in the audit log)' })}>
              {(aria) => (
                <textarea {...aria} name="note" rows={2} maxlength={500}>
                  {p.note ?? ''}
                </textarea>
              )}
            </Field>
            <StepUpField lang={p.lang} error={p.errors.code ? t({ ja: 'コードが正しくないか、すでに使われています。', en: 'The code is wrong or was already used.' }) : undefined} />
            <div class="decision-buttons secondary-actions">
              <button type="submit" name="decision" value="approve" class="primary">
                {t({ ja: '承認して実行する', en: 'Approve and carry out' })}
              </button>
              <button type="submit" name="decision" value="reject" class="secondary">
                {t({ ja: '却下する', en: 'Reject' })}
              </button>
            </div>
          </form>
        )}
      </div>
    </AdminShell>
  );
}

export function ApprovalPolicyPage(p: {
  lang: Lang;
  path: string;
  site: Bi;
  me: SignedIn;
  issuer: Bi;
  actions: { id: string; label: Bi; on: boolean; byDefault: boolean }[];
  ttlMinutes: string;
  errors: { ttl?: boolean; code?: boolean };
  saved?: boolean;
}) {
  const t = say(p.lang);
  return (
    <AdminShell lang={p.lang} path={p.path} site={p.site} me={p.me} title={{ ja: '承認が必要な操作', en: 'Actions that need approval' }}>
      <link rel="stylesheet" href="/static/css/helpdesk-actions.css" />
      <div class="narrow">
        <h1>
          {t({ ja: '承認が必要な操作', en: 'Actions that need approval' })}（{t(p.issuer)}）
        </h1>
        {p.saved && (
          <Notice kind="success">
            <p>{t({ ja: '保存しました。', en: 'Saved.' })}</p>
          </Notice>
        )}
        <form method="post" action={p.path.split('?')[0]} class="stack">
          <Csrf token={p.me.csrf} />
          <fieldset class="choice">
            <legend>{t({ ja: '別の担当者の承認を必要とする操作', en: 'Actions that wait for a second person' })}</legend>
            {p.actions.map((a) => (
              <label class="choice-option">
                <input type="checkbox" name={`approve_${a.id}`} value="1" checked={a.on} />
                <span>
                  {t(a.label)}
                  {a.byDefault && <span class="small muted"> {t({ ja: '（初期設定：必要）', en: '(default: on)' })}</span>}
                </span>
              </label>
            ))}
          </fieldset>
          <Field
            id="ttl"
            label={t({ ja: '申請の有効期間（分）', en: 'How long a request waits (minutes)' })}
            hint={t({ ja: '5〜10080分（7日）', en: '5 to 10080 minutes (7 days)' })}
            error={p.errors.ttl ? t({ ja: '5〜10080の整数で入力してください。', en: 'Enter a whole number from 5 to 10080.' }) : undefined}
          >
            {(aria) => <input {...aria} name="ttlMinutes" type="number" min={5} max={10080} required value={p.ttlMinutes} />}
          </Field>
          <StepUpField lang={p.lang} error={p.errors.code ? t({ ja: 'コードが正しくないか、すでに使われています。', en: 'The code is wrong or was already used.' }) : undefined} />
          <button type="submit" class="primary">
            {t({ ja: '保存する', en: 'Save' })}
          </button>
        </form>
      </div>
    </AdminShell>
  );
}

