/**
 * CancelShortLines: Ozon cancels only the missing quantities (reason 352); the posting then ships the rest. Ozon is
 * read right before: only a posting the seller may still change is touched, and quantities Ozon already cut (an
 * earlier attempt whose answer was lost) are not cancelled again. Ends by rejoining the lifecycle where Ozon says.
 */

import { itemsOf } from '#buyers/rules';
import { tellBuyer } from '#buyers/tell-buyer';
import { recordOzonStatus } from '#intake/record-status';
import { sendAlert } from '#shared/alerts';
import { NothingToShip } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { payoutOf } from '#shared/order';
import { updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { joinAt, sellerMayCancel } from '#shared/status';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { linesToCancel, remainingLines } from './rules';
import { currentShortages } from './shortages';

export async function cancelShortLines(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  const read = () => ozon().call('getPosting', { posting_number: order.postingNumber, with: { financial_data: true } });
  let { result: posting } = await read();
  if (!sellerMayCancel(posting.status)) {
    const current = (await recordOzonStatus(posting)) ?? order;
    await sendAlert(current, { kind: 'cancel_skipped', status: posting.status });
    return { ...stateOf(current), joinAt: joinAt(posting.status) };
  }
  const { short } = await currentShortages(order);
  const remaining = remainingLines(order.lines, short);
  if (remaining.length === 0) throw new NothingToShip(`No line of ${order.postingNumber} can be shipped`);
  const items = linesToCancel(order.lines, remaining, posting.products);
  if (items.length) {
    await ozon().call('cancelProducts', {
      posting_number: order.postingNumber,
      cancel_reason_id: 352,
      cancel_reason_message: 'Product is out of stock',
      items,
    });
    // What Ozon will pay changes with the lines: take the new expected payout from Ozon, not from our arithmetic.
    ({ result: posting } = await read());
  }
  const updated = await updateOrder(order.postingNumber, {
    lines: remaining,
    expectedPayout: payoutOf(posting),
  });
  await sendAlert(updated, {
    kind: 'partial_cancel',
    lines: short.map((s) => ({ offerId: s.offerId, missing: s.missing })),
  });
  await tellBuyer(updated, 'partial_cancel', { items: itemsOf(order.lines, short) });
  return { ...stateOf(updated), joinAt: joinAt(posting.status) };
}

export const handler = stepHandler(StepInput, cancelShortLines);
