/**
 * SettleReturn: the refund checked against Ozon's finance data. Once the posting's own payout was settled, its
 * accruals are read again (`/v1/finance/accrual/postings`): a net below the settled figure by more than the
 * tolerance reopens the settlement — the order shows the new net and the seller gets `payout_reversed` with both
 * figures. Before the posting is settled, or before the refund is booked, the step looks again later.
 */
import { accrualsOf, accruedTotal } from '#settlement/rules';
import { sendReturnAlert } from '#shared/alerts';
import { nowIso } from '#shared/clock';
import { env } from '#shared/config';
import { PostingNotSettled, RefundNotBooked } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { getOrder, updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { payoutReversal } from './return-rules';
import { out, ReturnInput } from './return-steps';
import { getReturn, updateReturn } from './return-store';

export async function settleReturn(input: ReturnInput) {
  const record = await getReturn(input.returnId);
  if (record?.refund) return out(input, 'closed');
  const order = await getOrder(input.postingNumber);
  // A posting from before the product: there is no settled figure here to reopen.
  if (!order || !record) return out(input, 'closed');
  if (!order.payout || order.accrued === undefined) {
    throw new PostingNotSettled(`${order.postingNumber} is not settled yet: the refund is checked after it`);
  }
  const { posting_accruals } = await ozon().call('accruals', { posting_numbers: [order.postingNumber] });
  const netNow = accruedTotal(accrualsOf(posting_accruals, order.postingNumber));
  const tolerance = env('policy').PAYOUT_TOLERANCE_RUB;
  // The refund is in Ozon's data once the net is below what the sale itself pays.
  const booked = payoutReversal(order.expectedPayout ?? order.accrued, netNow, tolerance);
  if (!booked) throw new RefundNotBooked(`No refund for return ${record.returnId} in Ozon's finance data yet`);
  const at = nowIso();
  // Below the figure the posting was settled at: reopened. (A refund booked before the settlement was in the
  // settled figure already, and its gap was the settlement's own alert.)
  const reversal = payoutReversal(order.accrued, netNow, tolerance);
  if (reversal) {
    await updateOrder(order.postingNumber, {
      accrued: netNow,
      payout: { difference: reversal.difference, verdict: 'reversed', at },
    });
    await sendReturnAlert(
      { ...record, executionArn: input.executionArn },
      { kind: 'payout_reversed', ...reversal, currency: order.currency },
    );
  }
  await updateReturn(record.returnId, { refund: { before: reversal?.before ?? booked.before, after: netNow, at } });
  return out(input, 'closed');
}

export const handler = stepHandler(ReturnInput, settleReturn);
