/**
 * The figures a payout is judged by when Ozon did not give them at receipt: the expected payout asked again (after
 * delivery Ozon's financial data is usually filled), and the sale's accrual type ids (asked once per container).
 */
import { onReset } from '#shared/clients';
import { payoutOf } from '#shared/order';
import { updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { SALE_ACCRUAL_TYPE } from './rules';

/** Asks Ozon for the posting's expected payout and keeps it on the order while it waits for its payout. */
export async function refreshExpectedPayout(postingNumber: string): Promise<number | undefined> {
  const { result: posting } = await ozon().call('getPosting', {
    posting_number: postingNumber,
    with: { financial_data: true },
  });
  const expected = payoutOf(posting);
  if (expected !== undefined) {
    await updateOrder(
      postingNumber,
      { expectedPayout: expected },
      { expression: 'phase = :settling', values: { ':settling': 'settling' } },
    ).catch((e: Error) => {
      // Settled meanwhile: the figure is only for judging a payout still open.
      if (e.name !== 'ConditionalCheckFailedException') throw e;
    });
  }
  return expected;
}

let saleTypes: Promise<ReadonlySet<number>> | undefined;
onReset(() => {
  saleTypes = undefined;
});

/** The accrual type ids Ozon books a sale under, by name from `/v1/finance/accrual/types`. */
export function saleAccrualTypes(): Promise<ReadonlySet<number>> {
  saleTypes ??= ozon()
    .call('accrualTypes', {})
    .then((r) => new Set(r.accrual_types.filter((t) => t.name === SALE_ACCRUAL_TYPE).map((t) => t.id)))
    .catch((e) => {
      saleTypes = undefined;
      throw e;
    });
  return saleTypes;
}
