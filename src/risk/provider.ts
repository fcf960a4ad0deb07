/**
 * The seam between the ACS and risk assessment. The ACS gathers the facts of an AReq;
 * a provider turns them into a decision with reasons. The built-in rules live in
 * `simple-rules.ts`; an external scoring service can implement the same interface.
 */
import type { Brand } from '../db/schema.ts';
import type { IssuerSettings } from '../issuers/settings.ts';

export interface RiskInput {
  /** The card's issuer, with the amount thresholds and the velocity limit it chose. */
  issuer: Pick<IssuerSettings, 'code' | 'challengeThresholds' | 'velocityLimitPerHour'>;
  brand: Brand;
  deviceChannel: '01' | '02' | '03';
  messageCategory: '01' | '02';
  /** Amount in minor units and its currency (ISO 4217 numeric), when a purchase. */
  purchaseAmount?: number;
  purchaseCurrency?: string;
  purchaseExponent?: number;
  threeDSRequestorChallengeInd?: string;
  threeRIInd?: string;
  /** AReqs for this card in the last hour, this one included. */
  velocityLastHour: number;
  /** Whether a 3DS Method ran and what it saw. */
  threeDSCompInd?: string;
  browserSeen?: Record<string, unknown>;
  merchantCountryCode?: string;
  mcc?: string;
}

export type RiskDecision = 'frictionless' | 'challenge' | 'reject';

export interface RiskAssessment {
  decision: RiskDecision;
  /** 0 (no risk) … 100. */
  score: number;
  /** Why, in words an issuer's staff can read in the transaction trail. */
  reasons: string[];
  /** When frictionless because the requestor asked not to be challenged (spec: may yield I). */
  exemptionRequested?: boolean;
}

export interface RiskProvider {
  readonly name: string;
  assess(input: RiskInput): Promise<RiskAssessment>;
}
