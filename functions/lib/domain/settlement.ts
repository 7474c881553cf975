/** Settlement math, pure: is what Ozon accrued for a posting what its financial data promised? */
import { round2 } from './order';

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
  const actual = round2(accruals.reduce((sum, a) => sum + a.amount, 0));
  const difference = round2(actual - expected);
  let verdict: Verdict;
  if (accruals.length === 0) verdict = 'missing';
  else if (Math.abs(difference) <= tolerance) verdict = 'settled';
  else verdict = difference < 0 ? 'underpaid' : 'overpaid';
  return { expected: round2(expected), actual, difference, verdict };
}
