/**
 * The integration API's errors: one JSON shape for every refusal, `{ error: { code, message,
 * field } }`, with a stable `code` a core system can branch on and the failing `field` (a dotted
 * path into the request body, a header name, or null). The zod schema here is the one the OpenAPI
 * document shows, so the document and the answers cannot drift apart.
 *
 * @example
 *   return apiError(c, 422, 'pan_not_issuer', 'the card number is not in a BIN range of this issuer', 'pan');
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const API_ERROR_CODES = [
  'unauthorized',
  'insufficient_permission',
  'source_not_allowed',
  'malformed_json',
  'unsupported_media_type',
  'payload_too_large',
  'missing_field',
  'invalid_field',
  'pan_luhn',
  'pan_not_issuer',
  'brand_mismatch',
  'pin_required',
  'card_not_found',
  'cardholder_not_found',
  'card_replaced',
  'pan_on_file',
  'idempotency_key_missing',
  'idempotency_key_reused',
  'idempotency_in_progress',
  'not_found',
  'method_not_allowed',
  'internal_error',
  'unavailable',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const ApiErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(API_ERROR_CODES).openapi({ description: 'Stable: branch on this, not on the message.', example: 'pan_luhn' }),
      message: z.string().openapi({ description: 'For the person reading the log (English).', example: 'the card number fails the Luhn check' }),
      field: z.string().nullable().openapi({ description: 'The request field that failed (dotted path in the body, or a header name); null when none.', example: 'pan' }),
    }),
  })
  .openapi('Error');
export type ApiError = z.infer<typeof ApiErrorSchema>;

export function errorBody(code: ApiErrorCode, message: string, field: string | null = null): ApiError {
  return { error: { code, message, field } };
}

export function apiError(c: Context, status: ContentfulStatusCode, code: ApiErrorCode, message: string, field: string | null = null): Response {
  return c.json(errorBody(code, message, field), status);
}

/** The app's body limit on /api/ (src/app.ts calls this so the oversize answer has the API's shape). */
export function apiTooLarge(c: Context, limit: number): Response {
  return apiError(c, 413, 'payload_too_large', `the request body is larger than ${limit} bytes`);
}

/**
 * The first issue of a failed validation as the API's error: a missing value is `missing_field`,
 * anything else `invalid_field` unless the schema named a code of its own (`params.code`, e.g. the
 * Luhn check's `pan_luhn`).
 */
export function fromZodError(error: z.ZodError, target: string, input: unknown): { status: 400 | 422; body: ApiError } {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  if (target === 'header') {
    return { status: 400, body: errorBody('idempotency_key_missing', 'every write carries an Idempotency-Key header (1 to 255 visible characters)', 'Idempotency-Key') };
  }
  const own = issue && issue.code === 'custom' ? (issue.params as { code?: ApiErrorCode } | undefined)?.code : undefined;
  if (own) return { status: 422, body: errorBody(own, issue.message, path || null) };
  const missing = issue?.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
  if (missing) return { status: 400, body: errorBody('missing_field', `${path || 'body'} is required`, path || null) };
  return { status: 400, body: errorBody('invalid_field', issue ? `${path || 'body'}: ${issue.message}` : 'the request body is not valid', path || null) };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
