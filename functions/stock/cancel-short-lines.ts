/** CancelShortLines: Ozon cancels only the missing quantities (reason 352); the posting then ships the rest. */
import { sendAlert } from '#shared/alerts';
import { nowIso } from '#shared/clock';
import { NothingToShip } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { orderFromPosting } from '#shared/order';
import { updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { remainingLines } from './rules';
import { currentShortages } from './shortages';

export async function cancelShortLines(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  const { short } = await currentShortages(order);
  const remaining = remainingLines(order.lines, short);
  if (remaining.length === 0) throw new NothingToShip(`No line of ${order.postingNumber} can be shipped`);
  const items = short.map((s) => ({
    sku: order.lines.find((l) => l.offerId === s.offerId)?.sku,
    quantity: s.missing,
  }));
  await ozon().call('cancelProducts', {
    posting_number: order.postingNumber,
    cancel_reason_id: 352,
    cancel_reason_message: 'Product is out of stock',
    items,
  });
  // What Ozon will pay changes with the lines: take the new expected payout from Ozon, not from our arithmetic.
  const { result: posting } = await ozon().call('getPosting', {
    posting_number: order.postingNumber,
    with: { financial_data: true },
  });
  const updated = await updateOrder(order.postingNumber, {
    lines: remaining,
    expectedPayout: orderFromPosting(posting, nowIso()).expectedPayout,
  });
  await sendAlert(updated, {
    kind: 'partial_cancel',
    lines: short.map((s) => ({ offerId: s.offerId, missing: s.missing })),
  });
  return stateOf(updated);
}

export const handler = stepHandler(StepInput, cancelShortLines);
