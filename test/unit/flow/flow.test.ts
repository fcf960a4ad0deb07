/** The flow kernel's pure parts: each kind's state machine, `valid`, and how typed entries are normalised. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fakeClock } from '../../../src/clock.ts';
import { CODE_PATTERN, generateCode } from '../../../src/flow/codes.ts';
import { normaliseEntry } from '../../../src/flow/entry.ts';
import { FLOW_MACHINES, openStates, sourcesOf, valid, type FlowKind } from '../../../src/flow/flow.ts';
import { seeded } from '../../support/property.ts';

const KINDS = Object.keys(FLOW_MACHINES) as FlowKind[];

describe('flow machines', () => {
  it('start every kind in "started" (the only open state but for the registration\'s steps), and end in states with no move out', () => {
    expect(openStates('registration')).toEqual(['started', 'card_verified', 'email_sent']);
    for (const kind of KINDS) {
      const machine: Record<string, readonly string[]> = FLOW_MACHINES[kind];
      expect(openStates(kind)[0]).toBe('started');
      if (kind !== 'registration') expect(openStates(kind)).toEqual(['started']);
      for (const targets of Object.values(machine)) for (const to of targets) expect(Object.keys(machine)).toContain(to);
    }
  });

  it('lets a challenge end once, in one of its four endings', () => {
    expect(sourcesOf('challenge', 'succeeded')).toEqual(['started']);
    expect(sourcesOf('challenge', 'started')).toEqual([]);
    expect(FLOW_MACHINES.challenge.succeeded).toEqual([]);
  });

  it('is valid only while open and before its expiry', () => {
    const clock = fakeClock(1_000);
    expect(valid({ kind: 'challenge', state: 'started', expiresAt: 1_001 }, clock)).toBe(true);
    expect(valid({ kind: 'challenge', state: 'started', expiresAt: 1_000 }, clock)).toBe(false);
    expect(valid({ kind: 'challenge', state: 'succeeded', expiresAt: 9_999 }, clock)).toBe(false);
    expect(valid({ kind: 'phone_verification', state: 'completed', expiresAt: 9_999 }, clock)).toBe(false);
  });
});

describe('typed entries', () => {
  const fullWidth = (s: string) => Array.from(s, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join('');

  it('reads the full-width digits a Japanese IME types, and ignores spaces and dashes of any kind', () => {
    expect(normaliseEntry('８０９２８４')).toBe('809284');
    expect(normaliseEntry(' 809-284 ')).toBe('809284');
    expect(normaliseEntry('８０９ー２８４')).toBe('809284');
    expect(normaliseEntry('８０９　２８４')).toBe('809284');
    expect(normaliseEntry('ｄｅｍｏ－ｊｃｂ')).toBe('demojcb');
    expect(normaliseEntry(undefined)).toBe('');
    expect(normaliseEntry(['809284'])).toBe('');
  });

  it('turns every way of typing a code (full-width, grouped, padded) into the code itself', () => {
    const separator = fc.constantFrom('', ' ', '-', '　', 'ー', '－', '‐');
    fc.assert(
      fc.property(fc.stringMatching(/^\d{6}$/), fc.boolean(), fc.array(separator, { minLength: 7, maxLength: 7 }), (code, wide, seps) => {
        const typed = Array.from(wide ? fullWidth(code) : code, (ch, i) => seps[i] + ch).join('') + seps[6];
        const entry = normaliseEntry(typed);
        expect(entry).toBe(code);
        expect(CODE_PATTERN.test(entry)).toBe(true);
      }),
      seeded(200),
    );
  });

  it('draws codes of six digits', () => {
    for (let i = 0; i < 200; i++) expect(generateCode()).toMatch(CODE_PATTERN);
  });
});
