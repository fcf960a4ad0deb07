/**
 * What a transaction keeps of its risk decision (transactions.risk_detail, with risk_version): the
 * signals as computed (so a draft rule set can be replayed over past traffic), the rules that
 * matched with their effects, the score and band, the outcome, and what the external provider said.
 * Written by the AReq (src/risk/engine.ts); read by the replay and the admin transaction page.
 * Never shown to the cardholder.
 */
import type { Signals } from './rules/signals.ts';
import type { Assessment } from './rules/rule-set.ts';

export type ProviderStatus = 'answered' | 'unavailable' | 'timeout' | 'breaker_open' | 'opted_out' | 'not_configured';

export interface RiskDetail {
  /** The rule-set version (0: the engine's defaults). */
  version: number;
  signals: Signals;
  assessment: Pick<Assessment, 'outcome' | 'score' | 'band' | 'matched' | 'decidedBy' | 'reasonCode' | 'unknownSignals'>;
  /** The decision in words, as the admin transaction page shows it. */
  explanation: { ja: string; en: string };
  provider: { status: ProviderStatus; score?: number; reasons?: string[]; latencyMs?: number };
}
