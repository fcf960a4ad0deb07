/**
 * The seam between the ACS and risk assessment. The ACS gathers the facts of an AReq;
 * a provider turns them into a decision with reasons. The built-in rules live in
 * `simple-rules.ts`; an external scoring service can implement the same interface.
 */
import type { Brand } from '../db/schema.ts';
import type { IssuerSettings } from '../issuers/settings.ts';
import type { RiskDetail } from './detail.ts';
import type { Signals } from './rules/signals.ts';

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
  /** Every signal of this AReq (src/risk/signals-from-areq.ts), provider signals aside. */
  signals?: Signals;
  /** What the rule engine needs besides (src/risk/engine.ts): the issuer, the AReq for the external provider, the opt-out. */
  facts?: { issuer: IssuerSettings; areq: Record<string, unknown>; acsTransID: string; messageVersion: string; optedOut: boolean };
}

export type RiskDecision = 'frictionless' | 'challenge' | 'reject' | 'informational';

export interface RiskAssessment {
  decision: RiskDecision;
  /** 0 (no risk) … 100. */
  score: number;
  /** Why, in words an issuer's staff can read in the transaction trail. */
  reasons: string[];
  /** When frictionless because the requestor asked not to be challenged (spec: may yield I). */
  exemptionRequested?: boolean;
  /** transStatusReason for a reject (default 11, suspected fraud). */
  reasonCode?: string;
  /** The rule engine's record of the decision (transactions.risk_detail; its version: risk_version). */
  detail?: RiskDetail;
}

export interface RiskProvider {
  readonly name: string;
  assess(input: RiskInput): Promise<RiskAssessment>;
}
