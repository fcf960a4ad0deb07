/**
 * Form and JSON bodies checked with zod through @hono/zod-validator, with the route's own answer
 * for a body that does not pass (a plain 400, an Erro, the form again with its messages). The
 * handler then reads the parsed value with `c.req.valid('form')` (or `'json'`).
 *
 * @example
 *   route.post('/3ds/method', validated('form', MethodForm, (c) => c.text('invalid threeDSMethodData', 400)), (c) => {
 *     const { threeDSMethodData } = c.req.valid('form');
 *   })
 */
import { zValidator } from '@hono/zod-validator';
import type { Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../deps.ts';

export function validated<T extends z.ZodType, Target extends 'form' | 'json'>(
  target: Target,
  schema: T,
  onInvalid: (c: Context<AppEnv>, error: z.core.$ZodError) => Response | Promise<Response>,
) {
  // The validator's hook sees a generic context; these routes all run in the app's.
  return zValidator(target, schema, (result, c) => (result.success ? undefined : onInvalid(c as unknown as Context<AppEnv>, result.error)));
}
