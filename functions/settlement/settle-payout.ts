/**
 * SettlePayout: the settlement window ended without the payout sweep finding the expected payout (AwaitPayout timed
 * out). Sums what Ozon accrued by now, judges it against the expected payout and alerts on a gap. A posting the
 * sweep settled in the meantime is left as it is.
 */
import { sendAlert } from '#shared/alerts';
import { nowIso } from '#shared/clock';
import { env } from '#shared/config';
import { stepHandler } from '#shared/handler';
import { requireOrder, updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { StepInput, stateOf } from '#shared/steps';
import { refreshExpectedPayout, saleAccrualTypes } from './expected-payout';
import { accrualsOf, payoutRecord, settle } from './rules';
import { emitSettlementLag } from './settlement-lag';

export async function settlePayout(input: StepInput) {
  const order = await requireOrder(input.postingNumber);
  if (order.payout) return { ...stateOf(order), verdict: order.payout.verdict };
  const { posting_accruals } = await ozon().call('accruals', { posting_numbers: [order.postingNumber] });
  // Not known at receipt (Ozon said 0): asked again; still unknown, the sale's accrual type decides.
  const expected = order.expectedPayout ?? (await refreshExpectedPayout(order.postingNumber));
  const result = settle(
    expected,
    accrualsOf(posting_accruals, order.postingNumber),
    env('policy').PAYOUT_TOLERANCE_RUB,
    expected === undefined ? await saleAccrualTypes() : undefined,
  );
  const updated = await updateOrder(order.postingNumber, {
    phase: 'completed',
    accrued: result.actual,
    payout: payoutRecord(result, nowIso()),
  });
  if (result.verdict !== 'missing') emitSettlementLag(updated);
  if (result.verdict === 'missing') {
    await sendAlert(updated, { kind: 'payout_missing', expected: result.expected, currency: order.currency });
  } else if (result.verdict !== 'settled' && result.expected !== undefined) {
    await sendAlert(updated, {
      kind: 'payout_mismatch',
      ...result,
      expected: result.expected,
      currency: order.currency,
    });
  }
  return { ...stateOf(updated), verdict: result.verdict };
}

export const handler = stepHandler(StepInput, settlePayout);
