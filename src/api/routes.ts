/**
 * The integration API under /api/v1, for issuers' core systems: each route declared once with
 * createRoute (its zod schemas validate the request and write the OpenAPI document), behind its
 * API-key permission (auth.ts), and for writes behind the Idempotency-Key (idempotency.ts). Every
 * refusal is the API's JSON error (errors.ts), also for a body that is not JSON, a wrong content
 * type and an unknown route.
 *
 * @example
 *   curl -X POST https://acs.example/api/v1/cards/block -H 'Authorization: Bearer mamori_…' \
 *     -H 'Idempotency-Key: 6c0f…' -H 'Content-Type: application/json' -d '{"pan":"…","reason":"stolen"}'
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { ApiPermission } from '../db/schema.ts';
import { isDatabaseDeadline } from '../db/deadline.ts';
import { bodyLimit } from '../http/body-limit.ts';
import { authorize, type ApiContext, type ApiEnv } from './auth.ts';
import { changePhone, registrationStatus, reissue, setStatus, upsertCard, type Outcome } from './card-operations.ts';
import { apiError, ApiErrorSchema, apiTooLarge, fromZodError } from './errors.ts';
import { once } from './idempotency.ts';
import { describeApi, OPENAPI_PATH, SECURITY_SCHEME } from './openapi.ts';
import {
  BlockRequest,
  CardChangeResponse,
  CardRequest,
  CardUpsertRequest,
  CardUpsertResponse,
  IdempotencyHeaders,
  PhoneRequest,
  PhoneResponse,
  RegistrationStatusResponse,
  ReissueRequest,
  ReissueResponse,
} from './schemas.ts';

/** A card record is well under 2 KiB. */
export const API_BODY_LIMIT = 32 * 1024;

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const failure = (description: string) => json(ApiErrorSchema, description);

/** The refusals every authenticated route may give. */
const COMMON_ERRORS = {
  400: failure('The body is not JSON, or a field is missing or invalid (`malformed_json`, `missing_field`, `invalid_field`, `idempotency_key_missing`).'),
  401: failure('No API key, or an unknown or revoked one (`unauthorized`).'),
  403: failure('The key lacks the permission, or is used from an address it is not allowed from (`insufficient_permission`, `source_not_allowed`).'),
  413: failure('The body is too large (`payload_too_large`).'),
  415: failure('The body is not `application/json` (`unsupported_media_type`).'),
} as const;
const WRITE_ERRORS = {
  ...COMMON_ERRORS,
  409: failure('The card was replaced by a reissue, a number is on file already, or a request with this Idempotency-Key is still running (`card_replaced`, `pan_on_file`, `idempotency_in_progress`).'),
  422: failure('A card number fails the Luhn check or is not in a BIN range of this issuer, a brand does not match, or the Idempotency-Key was used for another request (`pan_luhn`, `pan_not_issuer`, `brand_mismatch`, `pin_required`, `idempotency_key_reused`).'),
} as const;

interface Spec<Body extends z.ZodType> {
  method: 'put' | 'post';
  path: string;
  operation: string;
  permission: ApiPermission;
  tag: 'cards' | 'cardholders';
  summary: string;
  description: string;
  body: Body;
  responses: Record<number, ReturnType<typeof json>>;
  write: boolean;
}

function route<Body extends z.ZodType>(spec: Spec<Body>) {
  return createRoute({
    method: spec.method,
    path: spec.path,
    operationId: spec.operation,
    tags: [spec.tag],
    summary: spec.summary,
    description: spec.description,
    security: [{ [SECURITY_SCHEME]: [] }],
    middleware: [authorize(spec.operation, spec.permission)] as const,
    request: {
      ...(spec.write ? { headers: IdempotencyHeaders } : {}),
      body: { required: true, content: { 'application/json': { schema: spec.body } } },
    },
    responses: { ...spec.responses, ...(spec.write ? WRITE_ERRORS : { ...COMMON_ERRORS, 422: WRITE_ERRORS[422] }) },
  });
}

const upsertRoute = route({
  method: 'put',
  path: '/api/v1/cards',
  operation: 'upsertCard',
  permission: 'cards.write',
  tag: 'cards',
  summary: 'Create or update a cardholder and a card',
  description: 'Puts the cardholder (by customer number) and the card (by number) on file as the core system holds them: the whole record, as a CSV import row states it (an optional field left out is cleared). Sending the same record again changes nothing (`unchanged`). A card replaced by a reissue stays replaced.',
  body: CardUpsertRequest,
  responses: { 200: json(CardUpsertResponse, 'Updated, or unchanged.'), 201: json(CardUpsertResponse, 'Created.') },
  write: true,
});

const blockRoute = route({
  method: 'post',
  path: '/api/v1/cards/block',
  operation: 'blockCard',
  permission: 'cards.write',
  tag: 'cards',
  summary: 'Block a card (lost, stolen, blocked)',
  description: 'The next AReq for the card, on every process and isolate, is answered R/10 (lost, stolen) or R/12 (blocked).',
  body: BlockRequest,
  responses: { 200: json(CardChangeResponse, 'Blocked (or already was).'), 404: failure('No card of this issuer has this number (`card_not_found`).') },
  write: true,
});

const reissueRoute = route({
  method: 'post',
  path: '/api/v1/cards/reissue',
  operation: 'reissueCard',
  permission: 'cards.write',
  tag: 'cards',
  summary: 'Reissue a card (old number → new number)',
  description: 'The new number joins the old card’s account; the old card becomes `replaced` (its AReqs answer N/06); the registration keeps what the issuer’s REISSUE_POLICY says.',
  body: ReissueRequest,
  responses: { 200: json(ReissueResponse, 'Reissued.'), 404: failure('No card of this issuer has the old number (`card_not_found`).') },
  write: true,
});

const closeRoute = route({
  method: 'post',
  path: '/api/v1/cards/close',
  operation: 'closeCard',
  permission: 'cards.write',
  tag: 'cards',
  summary: 'Close a card',
  description: 'The next AReq for the card is answered R/12.',
  body: CardRequest,
  responses: { 200: json(CardChangeResponse, 'Closed (or already was).'), 404: failure('No card of this issuer has this number (`card_not_found`).') },
  write: true,
});

const phoneRoute = route({
  method: 'post',
  path: '/api/v1/cardholders/phone',
  operation: 'changePhone',
  permission: 'cards.write',
  tag: 'cardholders',
  summary: 'Change the phone number on file',
  description: 'The number the issuer holds for the cardholder (used to confirm registrations), and whether it is only provisional (never texted).',
  body: PhoneRequest,
  responses: { 200: json(PhoneResponse, 'Changed (or already was).'), 404: failure('No cardholder of this issuer has this customer number (`cardholder_not_found`).') },
  write: true,
});

const statusRoute = route({
  method: 'post',
  path: '/api/v1/cards/status',
  operation: 'cardStatus',
  permission: 'cards.read',
  tag: 'cards',
  summary: 'Read a card’s status and registration',
  description: 'A read, sent as POST so the card number stays out of the URL (URLs get logged). Needs no Idempotency-Key.',
  body: CardRequest,
  responses: { 200: json(RegistrationStatusResponse, 'The card and its 3-D Secure registration.'), 404: failure('No card of this issuer has this number (`card_not_found`).') },
  write: false,
});

const ROUTES = [upsertRoute, blockRoute, reissueRoute, closeRoute, phoneRoute, statusRoute];

export function apiRoutes(): OpenAPIHono<ApiEnv> {
  const api = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const { status, body } = fromZodError(result.error, result.target, (result as { data?: unknown }).data);
      return c.json(body, status);
    },
  });
  describeApi(api);
  // Its bodies are a card record at most: a far lower limit than the app's for machine routes.
  api.use('/api/*', bodyLimit({ maxSize: () => API_BODY_LIMIT, onError: (c, limit) => apiTooLarge(c, limit) }));

  const apply = (c: ApiContext, body: unknown, run: () => Promise<Outcome>) =>
    once(c, body, async () => {
      const outcome = await run();
      c.set('apiAudit', outcome.audit);
      return outcome;
    });
  const issuerOf = (c: ApiContext) => c.get('apiKey').issuerId;

  api.openapi(upsertRoute, (c) => {
    const body = c.req.valid('json');
    return apply(c, body, () => upsertCard(c.get('deps'), issuerOf(c), body)) as never;
  });
  api.openapi(blockRoute, (c) => {
    const body = c.req.valid('json');
    return apply(c, body, () => setStatus(c.get('deps'), issuerOf(c), body)) as never;
  });
  api.openapi(reissueRoute, (c) => {
    const body = c.req.valid('json');
    return apply(c, body, () => reissue(c.get('deps'), issuerOf(c), body)) as never;
  });
  api.openapi(closeRoute, (c) => {
    const body = c.req.valid('json');
    return apply(c, body, () => setStatus(c.get('deps'), issuerOf(c), { ...body, reason: 'closed' })) as never;
  });
  api.openapi(phoneRoute, (c) => {
    const body = c.req.valid('json');
    return apply(c, body, () => changePhone(c.get('deps'), issuerOf(c), body)) as never;
  });
  api.openapi(statusRoute, async (c) => {
    const outcome = await registrationStatus(c.get('deps'), issuerOf(c), c.req.valid('json'));
    c.set('apiAudit', outcome.audit);
    return c.json(outcome.body as never, outcome.status as 200) as never;
  });

  // Anything else under /api/ answers in the API's shape: a known path with another method 405.
  const known = new Map<string, string[]>([[OPENAPI_PATH, ['GET', 'HEAD']]]);
  for (const r of ROUTES) known.set(r.path, [...(known.get(r.path) ?? []), r.method.toUpperCase()]);
  const unknown = (c: ApiContext) => {
    const allowed = known.get(c.req.path);
    if (allowed) {
      c.header('Allow', allowed.join(', '));
      return apiError(c, 405, 'method_not_allowed', `${c.req.method} is not allowed here; use ${allowed.join(' or ')}`);
    }
    return apiError(c, 404, 'not_found', 'there is no such API route');
  };
  api.all('/api', unknown);
  api.all('/api/*', unknown);

  api.onError((error, c) => {
    if (error instanceof HTTPException && error.status === 415) return apiError(c, 415, 'unsupported_media_type', 'the body must be application/json', null);
    if (error instanceof HTTPException && error.status === 400) return apiError(c, 400, 'malformed_json', 'the body is not valid JSON', null);
    if (error instanceof HTTPException && error.status === 413) return apiError(c, 413, 'payload_too_large', 'the request body is too large', null);
    const deps = c.get('deps');
    if (isDatabaseDeadline(error)) return apiError(c, 503, 'unavailable', 'the database did not answer in time; retry with the same Idempotency-Key');
    deps.log.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, error });
    return apiError(c, 500, 'internal_error', `something went wrong (request ${c.get('requestId')}); retry with the same Idempotency-Key`);
  });
  return api;
}
