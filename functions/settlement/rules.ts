/** Settlement math, pure: is what Ozon accrued for a posting what its financial data promised? */
import { round2 } from '#shared/order';
import type { AccrualPostingsResponse } from '#shared/ozon/schemas';

export interface Accrual {
  typeId: number;
  amount: number;
}

export type Verdict = 'settled' | 'underpaid' | 'overpaid' | 'missing';

export interface SettlementResult {
  expected: number;
  actual: number;
  difference: number;
  verdict: Verdict;
}

/**
 * Accruals arrive in parts (sale, commission, logistics, sometimes days apart); they are summed before judging.
 * Within the tolerance counts as settled: Ozon rounds commissions per line.
 */
export function settle(expected: number, accruals: Accrual[], tolerance: number): SettlementResult {
  const actual = accruedTotal(accruals);
  const difference = round2(actual - expected);
  let verdict: Verdict;
  if (accruals.length === 0) verdict = 'missing';
  else if (payoutSettled(expected, actual, tolerance)) verdict = 'settled';
  else verdict = difference < 0 ? 'underpaid' : 'overpaid';
  return { expected: round2(expected), actual, difference, verdict };
}

/** The settlement as the order keeps it: the figures themselves are the order's `expectedPayout` and `accrued`. */
export const payoutRecord = (result: SettlementResult, at: string) => ({
  difference: result.difference,
  verdict: result.verdict,
  at,
});

/** One posting's accruals out of Ozon's answer for many (`/v1/finance/accrual/postings`). */
export function accrualsOf(answer: AccrualPostingsResponse['posting_accruals'], postingNumber: string): Accrual[] {
  return (answer.find((p) => p.posting_number === postingNumber)?.accruals ?? []).map((a) => ({
    typeId: a.type_id,
    amount: Number(a.accrued.amount),
  }));
}

/** What Ozon accrued so far, summed: the one sum the poller and SettlePayout both use. */
export const accruedTotal = (accruals: Accrual[]) => round2(accruals.reduce((sum, a) => sum + a.amount, 0));

/** The one payout rule: within the tolerance counts as paid (Ozon rounds commissions per line). */
export const payoutSettled = (expected: number, accrued: number, tolerance: number) =>
  Math.abs(round2(accrued - expected)) <= tolerance;

/**
 * Whether a poll run sweeps payouts: once per `everyHours` period of the clock (the first run after each period
 * starts), not on every poll — accruals come days after delivery, and each sweep reads every posting waiting for
 * its payout. A first run (no previous one) sweeps.
 */
export function payoutSweepDue(previousRunMs: number | undefined, nowMs: number, everyHours: number): boolean {
  if (previousRunMs === undefined) return true;
  const period = everyHours * 3600_000;
  return Math.floor(nowMs / period) > Math.floor(previousRunMs / period);
}
