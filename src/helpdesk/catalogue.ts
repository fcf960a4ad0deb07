/**
 * The helpdesk's actions on a cardholder's data, in one list: what each acts on, its name on
 * pages, and whether the issuer's four-eyes policy asks for approval unless the issuer set
 * otherwise (issue: on for phone changes and deregistration, off for unlock).
 * actions.ts carries them out; approvals.ts files and decides the requests.
 */
import type { Bi } from '../../views/i18n.ts';
import type { HelpdeskAction } from '../db/schema.ts';

export type { HelpdeskAction };

/** What an action's target names: a registration (member), a card, or the cardholder. */
export type TargetKind = 'member' | 'card' | 'cardholder';

export interface ActionSpec {
  id: HelpdeskAction;
  target: TargetKind;
  label: Bi;
  /** Four eyes unless the issuer's policy says otherwise. */
  approvalByDefault: boolean;
}

export const HELPDESK_ACTIONS: readonly ActionSpec[] = [
  { id: 'unlock', target: 'member', label: { ja: 'ロック解除', en: 'Unlock' }, approvalByDefault: false },
  { id: 'change_phone', target: 'member', label: { ja: '認証用電話番号の変更', en: 'Change OTP phone' }, approvalByDefault: true },
  { id: 'mark_phone_provisional', target: 'member', label: { ja: '電話番号を仮登録にする', en: 'Mark phone provisional' }, approvalByDefault: false },
  { id: 'send_password_reset', target: 'member', label: { ja: 'パスワード再設定メールの送信', en: 'Send password-reset mail' }, approvalByDefault: false },
  { id: 'switch_to_sms', target: 'member', label: { ja: 'SMS認証への切り替え', en: 'Switch to SMS OTP' }, approvalByDefault: false },
  { id: 'block_card', target: 'card', label: { ja: 'カードの利用停止（紛失・盗難）', en: 'Block card (lost or stolen)' }, approvalByDefault: false },
  { id: 'deregister', target: 'member', label: { ja: '登録の解除', en: 'Deregister' }, approvalByDefault: true },
  { id: 'data_sharing', target: 'cardholder', label: { ja: '不正検知サービスへのデータ提供（停止・再開）', en: 'Data sharing with fraud detection (opt out / in)' }, approvalByDefault: false },
];

export function actionSpec(id: string): ActionSpec | undefined {
  return HELPDESK_ACTIONS.find((a) => a.id === id);
}

/** Whether this issuer wants a second person's approval for the action. */
export function needsApproval(policy: Partial<Record<HelpdeskAction, boolean>>, action: HelpdeskAction): boolean {
  return policy[action] ?? actionSpec(action)!.approvalByDefault;
}

/** The URL of an action's form, as the cardholder page links it: /admin/actions/unlock/member-12. */
export function actionPath(action: HelpdeskAction, target: TargetKind, id: number): string {
  return `/admin/actions/${action}/${target}-${id}`;
}
