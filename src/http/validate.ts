/**
 * Form and JSON bodies checked with zod through @hono/zod-validator, with the route's own answer
 * for a body that does not pass (a plain 400, an Erro, the form again with its messages). A body
 * that cannot be read at all (malformed multipart, broken JSON) gets that same answer, with one
 * issue at the root, rather than Hono's plain-text 400. The handler then reads the parsed value
 * with `c.req.valid('form')` (or `'json'`); `onInvalid` also gets the body as it came, to show a
 * form again as typed.
 *
 * @example
 *   route.post('/3ds/method', validated('form', MethodForm, (c) => c.text('invalid threeDSMethodData', 400)), (c) => {
 *     const { threeDSMethodData } = c.req.valid('form');
 *   })
 */
import { zValidator } from '@hono/zod-validator';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import type { AppEnv } from '../deps.ts';

export function validated<T extends z.ZodType, Target extends 'form' | 'json'>(
  target: Target,
  schema: T,
  onInvalid: (c: Context<AppEnv>, error: z.core.$ZodError, input: Record<string, unknown>) => Response | Promise<Response>,
) {
  // The validator's hook sees a generic context; these routes all run in the app's.
  const check = zValidator(target, schema, (result, c) =>
    result.success ? undefined : onInvalid(c as unknown as Context<AppEnv>, result.error, asRecord(result.data)),
  );
  const guarded: typeof check = async (c, next) => {
    let reached = false;
    try {
      return await check(c, () => ((reached = true), next()));
    } catch (error) {
      // Only the validator's own refusal of an unreadable body, never an error from the handler.
      if (reached || !(error instanceof HTTPException) || error.status !== 400) throw error;
      const unreadable = new z.ZodError([{ code: 'custom', path: [], message: `the ${target} body could not be read`, input: undefined }]);
      return onInvalid(c as unknown as Context<AppEnv>, unreadable, {});
    }
  };
  return guarded;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
