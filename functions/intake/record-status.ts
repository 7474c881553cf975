/**
 * Records a status seen by anyone (push, poll, step) once, and hands it to a waiting execution. An older status
 * arriving after a newer one is kept as an event but does not move the order back, even when both are applied at
 * the same moment (the write is conditional on the status time).
 */
import { nowIso } from '#shared/clock';
import { recordEvent } from '#shared/event-store';
import { cancellationOf } from '#shared/order';
import type { Posting } from '#shared/ozon/schemas';
import { handedOver, isCancelled } from '#shared/status';
import { deliverToWait } from '#waits/deliver-to-wait';

export async function recordStatus(
  postingNumber: string,
  status: string,
  substatus: string | undefined,
  changedAt: string,
  source: 'push' | 'poll' | 'seller',
  extra: Record<string, unknown> = {},
) {
  // A date from the future (a wrong clock, a forged push) must not pin the order above every real status to come.
  const at = new Date(Math.min(Date.parse(changedAt), Date.parse(nowIso()))).toISOString();
  const key = `status#${status}#${substatus ?? ''}#${at}`;
  const patch = {
    status,
    substatus,
    lastStatusAt: at,
    ...(status === 'delivered' ? { deliveredAt: at } : {}),
    // The parcel left the seller: a cancellation from now on leaves no units to put back on the shelf.
    ...(handedOver(status) ? { handedOverAt: at } : {}),
    ...extra,
  };
  const { order } = await recordEvent(postingNumber, key, { type: 'status', status, substatus, at, source }, patch, at);
  // Also for a duplicate: the first delivery of this event may have failed, and a redelivered push must finish it.
  if (order) await deliverToWait(order);
  return order;
}

/** Records what Ozon itself says about the posting now: the confirmation of a push or a seller's report. */
export async function recordOzonStatus(posting: Posting, extra: Record<string, unknown> = {}) {
  return recordStatus(posting.posting_number, posting.status, posting.substatus ?? undefined, nowIso(), 'poll', {
    availableActions: posting.available_actions ?? [],
    ...(isCancelled(posting.status) ? { cancellation: cancellationOf(posting) } : {}),
    ...extra,
  });
}
