/**
 * Presence rules: when a conditional element must be there, and for dependent elements,
 * when it must not. Used as a zod superRefine by the message schemas.
 */
import type { z } from 'zod';
import { isMissing } from './formats.ts';

export type JsonObject = Record<string, unknown>;

export interface PresenceRule {
  elements: readonly string[];
  /** When these elements must be present and non-empty; a missing one is a 201. */
  requiredIf: (m: JsonObject) => boolean;
  /** Dependent elements that mean nothing otherwise: present when not required is a 203. */
  onlyThen?: true;
}

/** Adds a 201 issue per missing element and a 203 per dependent element sent without its condition. */
export function checkPresence(rules: readonly PresenceRule[], m: JsonObject, ctx: z.RefinementCtx): void {
  for (const rule of rules) {
    const isRequired = rule.requiredIf(m);
    for (const element of rule.elements) {
      if (isRequired && isMissing(m[element])) {
        ctx.addIssue({ code: 'custom', path: [element], message: 'required element missing', params: { errorCode: '201' } });
      } else if (!isRequired && rule.onlyThen && m[element] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [element], message: 'condition for this element not met', params: { errorCode: '203' } });
      }
    }
  }
}

/**
 * Refinement options that make presence rules run even when some element already failed
 * its format, so that one Erro can name every missing element.
 */
export const EVEN_WITH_FORMAT_ERRORS = { when: () => true } as const;

export const oneOf = (value: unknown, codes: readonly string[]): boolean => typeof value === 'string' && codes.includes(value);
export const isPresent = (value: unknown): boolean => !isMissing(value);

/** Leaves out elements a builder was not given, so a message has exactly the elements that apply. */
export function withoutUndefined(message: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(message).filter(([, v]) => v !== undefined));
}
