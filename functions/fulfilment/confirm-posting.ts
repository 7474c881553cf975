/**
 * ConfirmPosting: asks Ozon to assemble. Ozon assembles asynchronously, so the answer only means "accepted";
 * AwaitAssembly waits for the status. A second ship answers POSTING_ALREADY_SHIPPED, which is success.
 */
import { recordOzonStatus } from '#intake/record-status';
import { sendAlert } from '#shared/alerts';
import { policy } from '#shared/config';
import { MarkingCodesRequired, NotPackedYet, OzonRequestRejected, PostingCancelled, ShipRefused } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { isAssembled, isCancelled } from '#shared/status';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { MAX_SHIP_ATTEMPTS, shipRefusal } from './rules';

export async function confirmPosting(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  if (isAssembled(order.status)) return stateOf(order);
  // The seller's policy: the warehouse says "packed" first (AwaitPackedConfirmation), then Ozon is asked.
  if (policy().requirePacked && !order.packedAt) throw new NotPackedYet(`${order.postingNumber} is not packed yet`);
  if (order.shipAttempts >= MAX_SHIP_ATTEMPTS) {
    await sendAlert(order, {
      kind: 'ship_refused',
      reason: `assembly failed ${order.shipAttempts} times`,
      deadline: order.shipmentDate,
    });
    throw new ShipRefused(`Assembly of ${order.postingNumber} failed ${order.shipAttempts} times`);
  }
  // Shipped before and no word since (the wait timed out): ask Ozon before shipping again — it may have assembled.
  if (order.shipAttempts > 0) {
    const { result: posting } = await ozon().call('getPosting', { posting_number: order.postingNumber });
    if (isAssembled(posting.status) || isCancelled(posting.status)) {
      const current = (await recordOzonStatus(posting)) ?? order;
      if (isCancelled(posting.status)) throw new PostingCancelled(`Ozon says ${order.postingNumber} is cancelled`);
      return stateOf(current);
    }
  }
  try {
    await ozon().call('ship', {
      posting_number: order.postingNumber,
      packages: [{ products: order.lines.map((l) => ({ product_id: l.sku, quantity: l.qty })) }],
      with: { additional_data: false },
    });
  } catch (e) {
    if (!(e instanceof OzonRequestRejected)) throw e;
    const refusal = shipRefusal(e.ozonMessage);
    if (refusal.kind === 'cancelled') {
      await updateOrder(order.postingNumber, { status: 'cancelled' });
      throw new PostingCancelled(`Ozon says ${order.postingNumber} is already cancelled`);
    }
    if (refusal.kind === 'marking_codes') {
      await sendAlert(order, { kind: 'marking_codes_required', deadline: order.shipmentDate });
      throw new MarkingCodesRequired(e.message, { cause: e });
    }
    if (refusal.kind === 'refused') {
      await sendAlert(order, { kind: 'ship_refused', reason: refusal.reason, deadline: order.shipmentDate });
      throw new ShipRefused(e.message, { cause: e });
    }
    // already_shipped: accepted by an earlier attempt whose answer was lost; the status check follows.
  }
  const updated = await updateOrder(order.postingNumber, {
    phase: 'confirming',
    shipAttempts: order.shipAttempts + 1,
    substatus: 'ship_requested',
  });
  return stateOf(updated);
}

export const handler = stepHandler(StepInput, confirmPosting);
