/**
 * A flow is one self-service errand with a beginning and an end, persisted so that any process
 * can serve its next step (Ory Kratos's self-service flows): an id, a kind, a subject (what it is
 * about: for a challenge its acsTransID), a state from its kind's typed set, and an expiry.
 *
 * Each kind's states form a small machine: the moves allowed from each state. A state with no
 * move out is an ending; a flow is open while it is in a state with moves out and not expired.
 */
import type { Clock } from '../clock.ts';
import type { ChallengeState, FlowKind } from '../db/schema.ts';

export type { FlowKind };

/** The moves allowed from each state, per kind. Every kind starts in `started`. */
export const FLOW_MACHINES = {
  challenge: {
    started: ['succeeded', 'failed', 'cancelled', 'expired'],
    succeeded: [],
    failed: [],
    cancelled: [],
    expired: [],
  } satisfies Record<ChallengeState, readonly ChallengeState[]>,
  phone_verification: simpleMachine(),
  // The portal's registration (portal/registration.ts): card proven → member ID, password and
  // address chosen, a code mailed → the code read back creates (or replaces) the member.
  registration: {
    started: ['card_verified', 'failed', 'cancelled', 'expired'],
    card_verified: ['email_sent', 'failed', 'cancelled', 'expired'],
    email_sent: ['completed', 'failed', 'cancelled', 'expired'],
    completed: [],
    failed: [],
    cancelled: [],
    expired: [],
  },
  recovery: simpleMachine(),
  staff_enrolment: simpleMachine(),
  email_verification: simpleMachine(),
} as const satisfies Record<FlowKind, Record<string, readonly string[]>>;

/** started → completed | failed | cancelled | expired: the shape of a flow with one decisive step. */
function simpleMachine() {
  return { started: ['completed', 'failed', 'cancelled', 'expired'], completed: [], failed: [], cancelled: [], expired: [] } as const;
}

export type FlowState<K extends FlowKind = FlowKind> = K extends FlowKind ? keyof (typeof FLOW_MACHINES)[K] & string : never;

export interface Flow<K extends FlowKind = FlowKind> {
  id: string;
  kind: K;
  subject: string;
  state: FlowState<K>;
  /** What the flow gathered so far (e.g. a registration's proven card and chosen member ID); never a secret in the clear. */
  data: Record<string, unknown> | null;
  /** Codes sent in this flow and when the last went (the send slot's cooldown and maximum). */
  sendCount: number;
  lastSentAt: number | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

export const INITIAL_STATE = 'started';

/** The states of this kind that have a move out: a flow in one of them may still take a step. */
export function openStates(kind: FlowKind): string[] {
  const machine: Record<string, readonly string[]> = FLOW_MACHINES[kind];
  return Object.keys(machine).filter((state) => machine[state].length > 0);
}

/** The states of this kind a flow may enter `to` from. */
export function sourcesOf<K extends FlowKind>(kind: K, to: FlowState<K>): string[] {
  const machine: Record<string, readonly string[]> = FLOW_MACHINES[kind];
  return Object.keys(machine).filter((from) => machine[from].includes(to));
}

/** Whether the flow may still take a step now: in an open state and not expired (Kratos's `Valid`). */
export function valid(flow: Pick<Flow, 'kind' | 'state' | 'expiresAt'>, clock: Clock): boolean {
  return flow.expiresAt > clock.now() && openStates(flow.kind).includes(flow.state);
}
