/**
 * The helpdesk's actions and the four-eyes requests in the console:
 *
 *   GET/POST /admin/actions/:action/:target    one action's form (target "member-12", "card-7", "cardholder-3")
 *   GET      /admin/requests                   the queue of the person's issuer(s)
 *   GET      /admin/requests/:id               one request, its outcome, and its decision forms
 *   POST     /admin/requests/:id/decide        approve (and carry out) or reject: requests.decide, fresh TOTP
 *   POST     /admin/requests/:id/withdraw      the requester takes it back
 *   GET/POST /admin/issuers/:code/approvals    which actions need approval, and how long a request waits
 *
 * A target or request outside the person's issuer answers exactly like a missing one.
 */
import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { ActionPage, type ActionFormErrors, type ActionFormValues, type TargetSummary } from '../../views/admin/actions.tsx';
import { ApprovalPolicyPage, RequestPage, RequestQueuePage, type RequestRow } from '../../views/admin/requests.tsx';
import { formatTime } from '../../views/admin/shell.tsx';
import type { Bi } from '../../views/i18n.ts';
import { appendAudit } from '../admin/audit-log.ts';
import { principal, type AdminContext, type AdminEnv } from '../admin/http.ts';
import { issuerName, pageBase, signedIn, timeZoneOf } from '../admin/page.ts';
import { needs, refuse } from '../admin/refuse.tsx';
import { can, inScope } from '../admin/roles.ts';
import { checkStepUp } from '../admin/sign-in.ts';
import { auditLog } from '../db/schema.ts';
import { CODE_PATTERN, consumeCode } from '../flow/codes.ts';
import { normaliseEntry } from '../flow/entry.ts';
import { valid } from '../flow/flow.ts';
import { sendCode, type SendResult } from '../flow/send.ts';
import { flowStore } from '../flow/store.ts';
import { validated } from '../http/validate.ts';
import { issuerByCode, issuerById, setApprovalPolicy, type Issuer } from '../issuers/issuer-store.ts';
import { forgetIssuerSettings, issuerSettings } from '../issuers/settings.ts';
import { maskPhone } from '../messaging/phone-mask.ts';
import { hitCounters } from '../messaging/rate-limit.ts';
import { applyAction, describeChange, type ChangeValue, loadTarget, parsePhone, parseTargetRef, readPayload, unavailable, type ActionTarget, type Payload } from './actions.ts';
import { appliedRow, approvalRequired, decideRequest, decisionRow, fileRequest, findRequest, listRequests, maskedPayload, safeJson, withdrawRequest, type RequestView } from './approvals.ts';
import { actionSpec, HELPDESK_ACTIONS, type ActionSpec, type HelpdeskAction } from './catalogue.ts';

const text = (max: number) => z.string().max(max).optional().catch(undefined);

/** Every field any action's form has; each action reads its own. A field that is not one short string counts as empty. */
const ActionForm = z.object({
  step: text(10),
  reason: text(2000),
  phone: text(60),
  confirmation: text(20),
  code: text(30),
  flow: text(80),
  kind: text(20),
  optOut: text(5),
});
type ActionFormInput = z.output<typeof ActionForm>;

const DecideForm = z.object({ decision: text(10), note: text(2000), code: text(20) });
const PolicyForm = z.record(z.string(), z.string().max(100).catch(''));

/** How long a test code may be tried, and how many wrong readings a test code allows. */
const PHONE_FLOW_TTL_MS = 10 * 60_000;
const WRONG_CODES_ALLOWED = 5;

export function actionRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  // ─── One action ─────────────────────────────────────────────────────────────

  routes.get('/admin/actions/:action/:target', needs('cardholders.act'), async (c) => {
    const ctx = await actionContext(c);
    if (!ctx) return refuse(c, 'not_found');
    const doneId = Number(c.req.query('done'));
    const done = Number.isSafeInteger(doneId) && doneId > 0 ? await doneRow(c, ctx, doneId) : undefined;
    return page(c, ctx, {}, {}, 200, { done });
  });

  routes.post('/admin/actions/:action/:target', needs('cardholders.act'), validated('form', ActionForm, (c) => refuse(c as unknown as AdminContext, 'csrf')), async (c) => {
    const ctx = await actionContext(c);
    if (!ctx) return refuse(c, 'not_found');
    const deps = c.get('deps');
    const me = c.get('me');
    const form = c.req.valid('form');
    const values: ActionFormValues = { reason: form.reason, phone: form.phone, confirmation: form.confirmation, code: '', flow: form.flow, kind: form.kind, optOut: form.optOut };
    const blocked = unavailable(ctx.spec.id, ctx.target);
    if (blocked) return page(c, ctx, values, {}, 409);

    if (ctx.spec.id === 'change_phone' && form.step === 'send') return sendTestCode(c, ctx, form, values);

    const errors: ActionFormErrors = {};
    const reason = (form.reason ?? '').trim();
    if (!reason) errors.reason = { ja: '理由を入力してください。', en: 'Enter the reason.' };
    else if (reason.length > 500) errors.reason = { ja: '500文字以内で入力してください。', en: 'Use at most 500 characters.' };
    const payload = await payloadOf(c, ctx, form, errors);
    if (!payload || Object.keys(errors).length > 0) return page(c, ctx, values, errors, 400);
    const notNow = unavailable(ctx.spec.id, ctx.target, payload);
    if (notNow) return page(c, ctx, values, { form: notNow }, 409);

    const actor = { id: me.id, name: me.username };
    if (approvalRequired(ctx.issuer, ctx.spec.id)) {
      const filed = await fileRequest(deps, { issuer: ctx.issuer, action: ctx.spec.id, target: ctx.target, payload, reason, requester: actor, httpRequestId: c.get('requestId') });
      if (!filed.ok) {
        return page(c, ctx, values, { form: { ja: 'この操作の申請がすでに承認を待っています。', en: 'A request for this action is already waiting.' } }, 409, { pendingHref: `/admin/requests/${filed.request.id}` });
      }
      return c.redirect(`/admin/requests/${filed.request.id}?filed=1`, 303);
    }
    const applied = await applyAction(deps, { action: ctx.spec.id, target: ctx.target, payload, reason, actor, httpRequestId: c.get('requestId') });
    if (!applied.ok) return page(c, ctx, values, { form: applied.why }, 409);
    // A removed registration has no page to come back to: the outcome is shown here and now.
    if (ctx.spec.id === 'deregister') return page(c, ctx, {}, {}, 200, { done: { ...applied.change, notice: applied.notice } });
    return c.redirect(`${c.req.path}?done=${applied.auditId}`, 303);
  });

  // ─── The queue and one request ──────────────────────────────────────────────

  routes.get('/admin/requests', needs('cardholders.act'), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const { me: view, issuer } = await signedIn(c);
    const { pending, decided } = await listRequests(deps, me.issuerId === null ? null : [me.issuerId]);
    const zone = timeZoneOf(issuer);
    const policyHref = issuer && can(principal(me), 'requests.decide') ? `/admin/issuers/${issuer.code}/approvals` : null;
    return c.html(
      <RequestQueuePage
        {...pageBase(c)}
        me={view}
        pending={await Promise.all(pending.map((r) => requestRow(c, r, zone)))}
        decided={await Promise.all(decided.map((r) => requestRow(c, r, zone)))}
        policyHref={policyHref}
      />,
    );
  });

  routes.get('/admin/requests/:id', needs('cardholders.act'), async (c) => {
    const request = await visibleRequest(c);
    if (!request) return refuse(c, 'not_found');
    const flash: RequestFlash | undefined =
      c.req.query('filed') === '1'
        ? { kind: 'success', text: { ja: '承認を申請しました。別の担当者が承認すると実行されます。', en: 'Filed. It is carried out once another person approves it.' } }
        : undefined;
    return requestPage(c, request, { flash });
  });

  routes.post('/admin/requests/:id/decide', needs('requests.decide'), validated('form', DecideForm, (c) => refuse(c as unknown as AdminContext, 'csrf')), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const request = await visibleRequest(c);
    if (!request) return refuse(c, 'not_found');
    const form = c.req.valid('form');
    const note = (form.note ?? '').trim().slice(0, 500);
    if (request.requestedBy === me.id) {
      return requestPage(c, request, { status: 403, flash: { kind: 'alert', text: { ja: 'ご自分の申請は承認・却下できません。', en: 'You cannot decide your own request.' } } });
    }
    if (form.decision !== 'approve' && form.decision !== 'reject') return requestPage(c, request, { status: 400, note });
    if (!(await checkStepUp(deps, me, form.code))) return requestPage(c, request, { status: 400, note, codeError: true });
    const result = await decideRequest(deps, { request, decision: form.decision, decider: { id: me.id, name: me.username }, note, httpRequestId: c.get('requestId') });
    const fresh = (await findRequest(deps, request.id))!;
    if (!result.ok) {
      const text: Bi =
        result.why === 'expired'
          ? { ja: 'この申請は期限が切れたため、承認できません。', en: 'This request has expired and cannot be approved.' }
          : result.why === 'own_request'
            ? { ja: 'ご自分の申請は承認・却下できません。', en: 'You cannot decide your own request.' }
            : { ja: 'この申請はすでに処理されています。', en: 'This request was already dealt with.' };
      return requestPage(c, fresh, { status: 409, flash: { kind: 'alert', text } });
    }
    const failed = result.state === 'approved' && !result.applied.ok;
    const text: Bi =
      result.state !== 'approved'
        ? { ja: '却下しました。', en: 'Rejected.' }
        : failed
          ? { ja: '承認しましたが、実行できませんでした。', en: 'Approved, but it could not be carried out.' }
          : { ja: '承認し、実行しました。', en: 'Approved and carried out.' };
    return requestPage(c, fresh, { flash: { kind: failed ? 'alert' : 'success', text } });
  });

  routes.post('/admin/requests/:id/withdraw', needs('cardholders.act'), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const request = await visibleRequest(c);
    if (!request) return refuse(c, 'not_found');
    const result = await withdrawRequest(deps, { request, requester: { id: me.id, name: me.username }, httpRequestId: c.get('requestId') });
    const fresh = (await findRequest(deps, request.id))!;
    if (!result.ok) {
      const text: Bi =
        result.why === 'not_own_request'
          ? { ja: '取り下げられるのは申請した本人だけです。', en: 'Only the person who filed it can withdraw it.' }
          : { ja: 'この申請はすでに処理されています。', en: 'This request was already dealt with.' };
      return requestPage(c, fresh, { status: result.why === 'not_own_request' ? 403 : 409, flash: { kind: 'alert', text } });
    }
    return requestPage(c, fresh, { flash: { kind: 'success', text: { ja: '申請を取り下げました。', en: 'Withdrawn.' } } });
  });

  // ─── The issuer's four-eyes policy ──────────────────────────────────────────

  routes.get('/admin/issuers/:code/approvals', needs('requests.decide'), async (c) => {
    const issuer = await visibleIssuer(c);
    if (!issuer) return refuse(c, 'not_found');
    return policyPage(c, issuer, policyOf(issuer), String(issuer.approvalTtlMinutes), {}, 200, c.req.query('saved') === '1');
  });

  routes.post('/admin/issuers/:code/approvals', needs('requests.decide'), validated('form', PolicyForm, (c) => refuse(c as unknown as AdminContext, 'csrf')), async (c) => {
    const deps = c.get('deps');
    const me = c.get('me');
    const issuer = await visibleIssuer(c);
    if (!issuer) return refuse(c, 'not_found');
    const form = c.req.valid('form');
    const wanted = Object.fromEntries(HELPDESK_ACTIONS.map((a) => [a.id, form[`approve_${a.id}`] === '1'])) as Record<HelpdeskAction, boolean>;
    const ttlText = (form.ttlMinutes ?? '').trim();
    const ttl = /^\d{1,5}$/.test(ttlText) ? Number(ttlText) : NaN;
    if (!(ttl >= 5 && ttl <= 10080)) return policyPage(c, issuer, wanted, ttlText, { ttl: true }, 400);
    if (!(await checkStepUp(deps, me, form.code))) return policyPage(c, issuer, wanted, ttlText, { code: true }, 400);
    const before = { policy: policyOf(issuer), ttlMinutes: issuer.approvalTtlMinutes };
    await setApprovalPolicy(deps.db, issuer.id, wanted, ttl, deps.clock.now());
    forgetIssuerSettings(deps.db);
    await appendAudit(deps.db, {
      at: deps.clock.now(),
      actor: { type: 'staff', id: me.id, name: me.username },
      issuerId: issuer.id,
      action: 'issuer.approval_policy',
      target: `issuer:${issuer.id}`,
      detail: { before, after: { policy: wanted, ttlMinutes: ttl } },
      requestId: c.get('requestId'),
    });
    return c.redirect(`/admin/issuers/${issuer.code}/approvals?saved=1`, 303);
  });

  return routes;
}

// ─── Actions: context, input, pages ─────────────────────────────────────────────

interface ActionContext {
  spec: ActionSpec;
  target: ActionTarget;
  issuer: Issuer;
}

/** The action and its target from the URL, if both exist and the target is in the person's issuer. */
async function actionContext(c: AdminContext): Promise<ActionContext | undefined> {
  const spec = actionSpec(c.req.param('action') ?? '');
  const ref = parseTargetRef(c.req.param('target') ?? '');
  if (!spec || !ref || ref.kind !== spec.target) return undefined;
  const db = c.get('deps').db;
  const target = await loadTarget(db, ref.kind, ref.id);
  if (!target || !inScope(principal(c.get('me')), target.issuerId)) return undefined;
  const issuer = await issuerById(db, target.issuerId);
  return issuer && { spec, target, issuer };
}

/** The action's input from the form, with an error beside each field that is wrong. */
async function payloadOf(c: AdminContext, ctx: ActionContext, form: ActionFormInput, errors: ActionFormErrors): Promise<Payload | undefined> {
  switch (ctx.spec.id) {
    case 'change_phone': {
      const phone = parsePhone(form.phone ?? '');
      if (!phone) errors.phone = badPhone;
      const confirmation = form.confirmation === 'other' ? 'other' : form.confirmation === 'sms_code' ? 'sms_code' : undefined;
      if (!confirmation) errors.confirmation = { ja: '確認方法を選んでください。', en: 'Choose how the number was confirmed.' };
      if (!phone || !confirmation) return undefined;
      if (confirmation === 'sms_code') {
        const problem = await checkTestCode(c, ctx, phone, form);
        if (problem) {
          errors.code = problem;
          return undefined;
        }
      }
      return { phone, confirmation };
    }
    case 'block_card':
      if (form.kind !== 'lost' && form.kind !== 'stolen') {
        errors.kind = { ja: '紛失か盗難かを選んでください。', en: 'Choose lost or stolen.' };
        return undefined;
      }
      return { kind: form.kind };
    case 'data_sharing':
      if (form.optOut !== '1' && form.optOut !== '0') {
        errors.optOut = { ja: '停止か再開かを選んでください。', en: 'Choose opt out or opt back in.' };
        return undefined;
      }
      return { optOut: form.optOut === '1' };
    default:
      return {};
  }
}

const badPhone: Bi = { ja: '電話番号の形式が正しくありません（例：090-1234-5678）。', en: 'This is not a phone number (e.g. 090-1234-5678).' };

/** The test code's flow is bound to this registration and this number: a code for another number proves nothing. */
const flowSubject = (target: ActionTarget, phone: string) => `helpdesk:${target.ref}:${phone}`;

async function sendTestCode(c: AdminContext, ctx: ActionContext, form: ActionFormInput, values: ActionFormValues): Promise<Response> {
  const deps = c.get('deps');
  const phone = parsePhone(form.phone ?? '');
  if (!phone) return page(c, ctx, { ...values, confirmation: 'sms_code' }, { phone: badPhone }, 400);
  const store = flowStore(deps);
  const subject = flowSubject(ctx.target, phone);
  const existing = form.flow ? await store.find(form.flow) : undefined;
  const flow = existing && existing.kind === 'phone_verification' && existing.subject === subject && valid(existing, deps.clock) ? existing : await store.create({ kind: 'phone_verification', subject, ttlMs: PHONE_FLOW_TTL_MS });
  const issuer = await issuerSettings(deps, ctx.target.issuerId);
  const result = await sendCode(deps, flow, { phone, phoneStatus: 'verified', cardholderId: ctx.target.cardholder.id, newNumber: true }, {
    issuer,
    purpose: 'helpdesk_test',
    memberId: ctx.target.member?.id,
    compose: (code, minutes) => `【${issuer.sms.name.ja}】確認コード：${code}（${minutes}分間有効）。お電話中の担当者にこの番号をお伝えください。`,
  });
  const me = c.get('me');
  // A text to a number staff typed is a staff action of its own: audited whether or not it went.
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: { type: 'staff', id: me.id, name: me.username },
    issuerId: ctx.target.issuerId,
    action: 'helpdesk.phone_test_sms',
    target: ctx.target.ref,
    detail: { to: maskPhone(phone), outcome: result.outcome, ...(result.refusal ? { refusal: result.refusal } : {}) },
    requestId: c.get('requestId'),
  });
  const next = { ...values, confirmation: 'sms_code', flow: flow.id };
  if (result.outcome === 'sent') return page(c, ctx, next, {}, 200, { codeSentTo: maskPhone(phone) });
  return page(c, ctx, next, { phone: sendProblem(result) }, 409);
}

function sendProblem(result: SendResult): Bi {
  switch (result.outcome) {
    case 'cooldown':
      return { ja: `${result.retryInSeconds ?? 0}秒後に再送できます。`, en: `You can send again in ${result.retryInSeconds ?? 0} s.` };
    case 'limit':
      return { ja: '送信回数の上限に達しました。その他の方法で確認してください。', en: 'No more codes can be sent; confirm by another means.' };
    case 'closed':
      return { ja: '確認の期限が切れました。もう一度送ってください。', en: 'The check expired; send again.' };
    default:
      switch (result.refusal) {
        case 'provisional':
          return { ja: 'カード会社の記録で電話番号が仮登録のため、SMSを送れません。その他の方法で確認してください。', en: 'The issuer’s record marks this cardholder’s phone provisional, so no SMS can be sent; confirm by another means.' };
        case 'not_allowed':
          return { ja: 'この番号にはSMSを送れません（国外の番号など）。', en: 'SMS cannot go to this number (e.g. outside the allowed countries).' };
        case 'rate_limited':
          return { ja: 'この番号へのSMSが多すぎます。しばらくしてから送るか、その他の方法で確認してください。', en: 'Too many SMS to this number; wait, or confirm by another means.' };
        default:
          return { ja: 'SMSを送れませんでした。もう一度お試しください。', en: 'The SMS could not be sent. Try again.' };
      }
  }
}

/** Checks the code the caller read back against the test SMS's flow; undefined when it is right (and the flow is then completed). */
async function checkTestCode(c: AdminContext, ctx: ActionContext, phone: string, form: ActionFormInput): Promise<Bi | undefined> {
  const deps = c.get('deps');
  const store = flowStore(deps);
  const flow = form.flow ? await store.find(form.flow) : undefined;
  if (!flow || flow.kind !== 'phone_verification' || flow.subject !== flowSubject(ctx.target, phone)) {
    return { ja: '先にこの番号へテストSMSを送ってください。', en: 'Send a test SMS to this number first.' };
  }
  if (!valid(flow, deps.clock)) return { ja: '確認の期限が切れました。テストSMSをもう一度送ってください。', en: 'The check expired; send the test SMS again.' };
  const code = normaliseEntry(form.code ?? '');
  if (!CODE_PATTERN.test(code)) return { ja: '6桁の数字を入力してください。', en: 'Enter the 6 digits.' };
  // Wrong readings are counted atomically per flow; past the limit the flow fails and a new SMS is needed.
  const [tries] = await hitCounters(deps.db, [{ key: `helpdesk:phone-code:${flow.id}`, windowMs: 24 * 3_600_000 }], deps.clock.now());
  if (tries > WRONG_CODES_ALLOWED) {
    await store.move(flow, 'failed');
    return { ja: '誤りが多すぎます。テストSMSをもう一度送ってください。', en: 'Too many wrong codes; send the test SMS again.' };
  }
  if ((await consumeCode(deps, flow.id, code)) !== 'consumed') return { ja: 'コードが違います。', en: 'The code does not match.' };
  await store.move(flow, 'completed');
  return undefined;
}

async function doneRow(c: AdminContext, ctx: ActionContext, id: number) {
  const row = await c.get('deps').db.select().from(auditLog).where(and(eq(auditLog.id, id), eq(auditLog.target, ctx.target.ref), eq(auditLog.action, `helpdesk.${ctx.spec.id}`))).get();
  if (!row) return undefined;
  const detail = safeJson(row.detail) as { before?: Record<string, ChangeValue>; after?: Record<string, ChangeValue>; notice?: { sms: string; mail: string } } | undefined;
  return detail && { before: detail.before ?? {}, after: detail.after ?? {}, notice: detail.notice };
}

async function summaryOf(c: AdminContext, target: ActionTarget, issuer?: Issuer): Promise<TargetSummary> {
  const owner = issuer ?? (await issuerById(c.get('deps').db, target.issuerId));
  return {
    holderName: target.cardholder.name,
    customerRef: target.cardholder.customerRef,
    cards: target.cards.map((k) => `${k.brand.toUpperCase()} ${k.first6}******${k.last4}`),
    memberId: target.member?.loginId ?? null,
    issuer: owner ? issuerName(owner) : { ja: '—', en: '—' },
  };
}

async function page(
  c: AdminContext,
  ctx: ActionContext,
  values: ActionFormValues,
  errors: ActionFormErrors,
  status: 200 | 400 | 409 = 200,
  extra: { done?: Awaited<ReturnType<typeof doneRow>>; codeSentTo?: string; pendingHref?: string } = {},
): Promise<Response> {
  const preview = previewPayload(ctx.spec.id, values);
  const change = describeChange(ctx.spec.id, ctx.target, preview);
  const { me } = await signedIn(c);
  return c.html(
    <ActionPage
      {...pageBase(c)}
      me={me}
      action={ctx.spec.id}
      label={ctx.spec.label}
      target={await summaryOf(c, ctx.target, ctx.issuer)}
      backHref={`/admin/cardholders/${ctx.target.cardholder.id}`}
      blocked={unavailable(ctx.spec.id, ctx.target)}
      before={change.before}
      after={change.after}
      needsApproval={approvalRequired(ctx.issuer, ctx.spec.id)}
      values={values}
      errors={errors}
      done={extra.done}
      codeSentTo={extra.codeSentTo}
      pendingHref={extra.pendingHref}
    />,
    status,
  );
}

/** The input as typed so far, for the "what will change" table (nothing is checked here). */
function previewPayload(action: HelpdeskAction, values: ActionFormValues): Payload | undefined {
  if (action === 'change_phone') {
    const phone = parsePhone(values.phone ?? '');
    return phone ? { phone, confirmation: values.confirmation === 'other' ? 'other' : 'sms_code' } : undefined;
  }
  if (action === 'block_card') return values.kind === 'lost' || values.kind === 'stolen' ? { kind: values.kind } : undefined;
  if (action === 'data_sharing') return values.optOut === '1' || values.optOut === '0' ? { optOut: values.optOut === '1' } : undefined;
  return {};
}

// ─── Requests: pages ────────────────────────────────────────────────────────────

type RequestFlash = { kind: 'success' | 'alert'; text: Bi };

async function visibleRequest(c: AdminContext): Promise<RequestView | undefined> {
  const id = Number(c.req.param('id'));
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const request = await findRequest(c.get('deps'), id);
  return request && inScope(principal(c.get('me')), request.issuerId) ? request : undefined;
}

/** One request as the queue and its page show it: names, times in the reader's zone, the input masked. */
async function requestRow(c: AdminContext, r: RequestView, zone: string): Promise<RequestRow> {
  const lang = c.get('lang');
  const ref = parseTargetRef(r.target);
  const target = ref && (await loadTarget(c.get('deps').db, ref.kind, ref.id));
  const payload = safeJson(r.payload);
  const parsed = readPayload(r.action, payload);
  const summary = target && parsed ? summarise(lang, describeChange(r.action, target, parsed).after) : summarise(lang, maskedPayload((payload ?? {}) as Record<string, unknown>));
  const s = target && (await summaryOf(c, target));
  return {
    id: r.id,
    action: actionSpec(r.action)?.label ?? { ja: r.action, en: r.action },
    target: s ? `${s.holderName} · ${s.cards[0] ?? ''}${s.memberId ? ` · ${s.memberId}` : ''}` : null,
    targetHref: target ? `/admin/cardholders/${target.cardholder.id}` : null,
    requester: r.requesterName,
    requestedAt: formatTime(r.requestedAt, lang, zone),
    expiresAt: formatTime(r.expiresAt, lang, zone),
    reason: r.reason,
    summary,
    state: r.state,
    decider: r.deciderName,
    decidedAt: formatTime(r.decidedAt, lang, zone),
  };
}

function summarise(lang: 'ja' | 'en', values: Record<string, unknown>): string {
  const labels: Record<string, Bi> = {
    phone: { ja: '新しい番号', en: 'New number' },
    confirmation: { ja: '確認', en: 'Confirmed by' },
    cardStatus: { ja: 'カード', en: 'Card' },
    dataSharingOptOut: { ja: 'データ提供停止', en: 'Opt out' },
  };
  const shown: Record<string, Bi> = { sms_code: { ja: 'テストSMS', en: 'test SMS' }, other: { ja: 'その他の方法', en: 'other means' }, blocked_lost: { ja: '紛失で停止', en: 'blocked (lost)' }, blocked_stolen: { ja: '盗難で停止', en: 'blocked (stolen)' } };
  return Object.entries(values)
    .filter(([k]) => k in labels)
    .map(([k, v]) => `${labels[k][lang]}: ${typeof v === 'string' ? (shown[v]?.[lang] ?? v) : typeof v === 'boolean' ? (v ? (lang === 'ja' ? 'はい' : 'yes') : lang === 'ja' ? 'いいえ' : 'no') : String(v)}`)
    .join(' / ');
}

async function requestPage(c: AdminContext, request: RequestView, o: { status?: 200 | 400 | 403 | 409; flash?: RequestFlash; note?: string; codeError?: boolean } = {}): Promise<Response> {
  const deps = c.get('deps');
  const me = c.get('me');
  const { me: view, issuer } = await signedIn(c);
  const row = await requestRow(c, request, timeZoneOf(issuer));
  let applied: { before: Record<string, ChangeValue>; after: Record<string, ChangeValue>; notice?: { sms: string; mail: string } } | undefined;
  let notApplied: Bi | undefined;
  if (request.state === 'approved') {
    const done = await appliedRow(deps, request);
    const detail = done && (safeJson(done.detail) as { before?: Record<string, ChangeValue>; after?: Record<string, ChangeValue>; notice?: { sms: string; mail: string } } | undefined);
    if (detail) applied = { before: detail.before ?? {}, after: detail.after ?? {}, notice: detail.notice };
    else notApplied = (await decisionRow(deps, request))?.notApplied ?? { ja: '対象が変わっていたため、変更はありません。', en: 'The target had changed, so nothing was changed.' };
  }
  return c.html(
    <RequestPage
      {...pageBase(c)}
      me={view}
      request={row}
      decisionNote={request.decisionNote}
      applied={applied}
      notApplied={notApplied}
      canDecide={can(principal(me), 'requests.decide')}
      own={request.requestedBy === me.id}
      flash={o.flash}
      errors={{ code: o.codeError }}
      note={o.note}
    />,
    o.status ?? 200,
  );
}

// ─── Policy page ────────────────────────────────────────────────────────────────

async function visibleIssuer(c: AdminContext): Promise<Issuer | undefined> {
  const issuer = await issuerByCode(c.get('deps').db, c.req.param('code') ?? '');
  return issuer && inScope(principal(c.get('me')), issuer.id) ? issuer : undefined;
}

function policyOf(issuer: Issuer): Record<HelpdeskAction, boolean> {
  return Object.fromEntries(HELPDESK_ACTIONS.map((a) => [a.id, approvalRequired(issuer, a.id)])) as Record<HelpdeskAction, boolean>;
}

async function policyPage(c: AdminContext, issuer: Issuer, on: Record<HelpdeskAction, boolean>, ttl: string, errors: { ttl?: boolean; code?: boolean }, status: 200 | 400 = 200, saved = false) {
  const { me } = await signedIn(c);
  return c.html(
    <ApprovalPolicyPage
      {...pageBase(c)}
      me={me}
      issuer={issuerName(issuer)}
      actions={HELPDESK_ACTIONS.map((a) => ({ id: a.id, label: a.label, on: on[a.id], byDefault: a.approvalByDefault }))}
      ttlMinutes={ttl}
      errors={errors}
      saved={saved}
    />,
    status,
  );
}
