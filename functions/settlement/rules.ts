/** Settlement math, pure: is what Ozon accrued for a posting what its financial data promised? */
import { firstRunOfPeriod } from '#shared/deadlines';
import { round2 } from '#shared/order';
import type { AccrualPostingsResponse } from '#shared/ozon/schemas';

export interface Accrual {
  typeId: number;
  amount: number;
}

export type Verdict = 'settled' | 'underpaid' | 'overpaid' | 'missing';

export interface SettlementResult {
  /** Undefined: Ozon never said what it would pay (see `payoutOf`). */
  expected?: number;
  actual: number;
  difference: number;
  verdict: Verdict;
}

/**
 * Accruals arrive in parts (sale, commission, logistics, sometimes days apart); they are summed before judging.
 * Within the tolerance counts as settled: Ozon rounds commissions per line. With no expected payout there is
 * nothing to compare: the posting is paid once Ozon accrued the sale itself (`saleTypes`, the sale's accrual type
 * ids), and a gap is never claimed — a seller alerted on every such posting would stop reading payout alerts.
 */
export function settle(
  expected: number | undefined,
  accruals: Accrual[],
  tolerance: number,
  saleTypes: ReadonlySet<number> = new Set(),
): SettlementResult {
  const actual = accruedTotal(accruals);
  if (expected === undefined) {
    const sold = accruals.some((a) => saleTypes.has(a.typeId));
    return { actual, difference: 0, verdict: sold ? 'settled' : 'missing' };
  }
  const difference = round2(actual - expected);
  let verdict: Verdict;
  if (accruals.length === 0) verdict = 'missing';
  else if (payoutSettled(expected, actual, tolerance)) verdict = 'settled';
  else verdict = difference < 0 ? 'underpaid' : 'overpaid';
  return { expected: round2(expected), actual, difference, verdict };
}

/** The accrual type Ozon books a sale under (ozon-api.md §3.9): the one that says a posting without a figure was paid. */
export const SALE_ACCRUAL_TYPE = 'OperationAgentDeliveredToCustomer';

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
export const payoutSweepDue = firstRunOfPeriod;
