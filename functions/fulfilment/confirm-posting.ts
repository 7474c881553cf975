/**
 * ConfirmPosting: asks Ozon to assemble. Ozon assembles asynchronously, so the answer only means "accepted";
 * PackAndLabel's batcher waits for the status before it packs. A second ship answers POSTING_ALREADY_SHIPPED, which
 * is success.
 *
 * The attempts are counted in the execution state (`shipAttempts`), not on the order: the first ship of every
 * posting writes nothing. After `ship_failed` or no word in time, PackAndLabel's Catch brings the state back here
 * with its count; only a second ship writes (the substatus, so the old `ship_failed` does not end the new wait).
 */

import * as z from 'zod/mini';
import { recordOzonStatus } from '#intake/record-status';
import { requireQualityCheck } from '#quality/policy';
import { sendAlert } from '#shared/alerts';
import { policy } from '#shared/config';
import {
  AssemblyDataRequired,
  AwaitingApproval,
  NotPackedYet,
  OzonRequestRejected,
  PostingCancelled,
  ShipRefused,
  ShipsInPackages,
} from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { Order } from '#shared/order';
import { updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { isAssembled, isCancelled } from '#shared/status';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { packagesOf } from './packing-store';
import { MAX_SHIP_ATTEMPTS, shipRefusal } from './rules';

export const ConfirmInput = z.extend(StepInput, {
  shipAttempts: z.optional(z.number().check(z.int())),
  /** The order as ReceivePosting wrote it a moment ago, when ReserveStock had nothing to do in between. */
  orderSnapshot: z.optional(Order),
});
export type ConfirmInput = z.infer<typeof ConfirmInput>;

export async function confirmPosting(input: ConfirmInput) {
  // Nothing here rests on ReserveStock's write just before: the lines are from receipt, and Ozon answers a ship of
  // a posting cancelled a moment ago with a refusal, handled below. With packing confirmation on, the seller's
  // `packed` was written just before: then the read is strong.
  const order = await orderToConfirm(input);
  const attempts = input.shipAttempts ?? 0;
  if (isAssembled(order.status)) return stateOf(order);
  // Ozon has not approved the order yet (a buyer's payment check, say): it refuses a ship until it does.
  if (order.status === 'awaiting_approve') throw new AwaitingApproval(`${order.postingNumber} awaits Ozon's approval`);
  // The seller's policy: the warehouse checks the units first (AwaitQualityCheck; quality/), then packs.
  await requireQualityCheck(order);
  // The seller's policy: the warehouse says "packed" first (AwaitPackedConfirmation), then Ozon is asked.
  if (policy().requirePacked && !order.packedAt) throw new NotPackedYet(`${order.postingNumber} is not packed yet`);
  // Marking codes, customs data or a box count first (PrepareAssembly); a posting without needs never goes there.
  if (order.needs && !order.preparedAt) {
    throw new AssemblyDataRequired(`${order.postingNumber} needs ${order.needs.join(', ')} before assembly`);
  }
  // The seller's packing data puts some units in packages of their own: the posting is split (ShipInPackages).
  const packages = await packagesOf(order.lines);
  if (packages.length > 1) throw new ShipsInPackages(`${order.postingNumber} ships in ${packages.length} packages`);
  if (attempts >= MAX_SHIP_ATTEMPTS) {
    await sendAlert(order, {
      kind: 'ship_refused',
      reason: `assembly failed ${attempts} times`,
      deadline: order.shipmentDate,
    });
    throw new ShipRefused(`Assembly of ${order.postingNumber} failed ${attempts} times`);
  }
  // Shipped before and no word since (the wait timed out): ask Ozon before shipping again — it may have assembled.
  if (attempts > 0) {
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
      packages,
      with: { additional_data: false },
    });
  } catch (e) {
    if (!(e instanceof OzonRequestRejected)) throw e;
    const refusal = shipRefusal(e.ozonMessage);
    if (refusal.kind === 'cancelled') {
      await updateOrder(order.postingNumber, { status: 'cancelled' });
      throw new PostingCancelled(`Ozon says ${order.postingNumber} is already cancelled`);
    }
    // Ozon wants exemplar data the posting's requirements did not show: PrepareAssembly asks Ozon what exactly.
    // Once only: a refusal after Ozon accepted the data is a refusal for the seller to look at, not a loop.
    if (refusal.kind === 'marking_codes' && !order.preparedAt) {
      await updateOrder(order.postingNumber, { needs: [...new Set([...(order.needs ?? []), 'mark' as const])] });
      throw new AssemblyDataRequired(e.message, { cause: e });
    }
    if (refusal.kind === 'refused' || refusal.kind === 'marking_codes') {
      const reason = refusal.kind === 'refused' ? refusal.reason : 'marking codes refused after Ozon accepted them';
      await sendAlert(order, { kind: 'ship_refused', reason, deadline: order.shipmentDate });
      throw new ShipRefused(e.message, { cause: e });
    }
    // already_shipped: accepted by an earlier attempt whose answer was lost; the status check follows.
  }
  const current =
    attempts > 0 ? await updateOrder(order.postingNumber, { phase: 'confirming', substatus: 'ship_requested' }) : order;
  return { ...stateOf(current), shipAttempts: attempts + 1 };
}

/**
 * The order to decide on. Right after receipt (the first ship, no packing confirmation to wait for), the order
 * ReceivePosting wrote and handed over in the state is what a read would return a moment later: no read. Otherwise
 * it is read, strongly when the seller's `packed` was written just before.
 */
function orderToConfirm(input: ConfirmInput): Promise<Order> {
  const firstShip = (input.shipAttempts ?? 0) === 0 && !policy().requirePacked;
  return activeOrder(input.postingNumber, {
    consistent: policy().requirePacked,
    snapshot: firstShip ? input.orderSnapshot : undefined,
  });
}

export const handler = stepHandler(ConfirmInput, confirmPosting);
