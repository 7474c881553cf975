/**
 * Records a status seen by anyone (push, poll, step, the seller) once, and hands it to a waiting execution. An
 * older status arriving after a newer one is kept in the history but does not move the order back.
 */
import { getOrder, recordEvent } from '#shared/order-store';
import { deliverToWait } from '#waits/deliver-to-wait';

export async function recordStatus(
  postingNumber: string,
  status: string,
  substatus: string | undefined,
  changedAt: string,
  source: 'push' | 'poll' | 'seller',
  extra: Record<string, unknown> = {},
) {
  const at = new Date(changedAt).toISOString();
  const key = `status#${status}#${substatus ?? ''}#${at}`;
  const current = await getOrder(postingNumber);
  const stale = current !== undefined && current.lastStatusAt > at;
  const patch = stale
    ? extra
    : { status, substatus, lastStatusAt: at, ...(status === 'delivered' ? { deliveredAt: at } : {}), ...extra };
  const result = await recordEvent(postingNumber, key, { type: 'status', status, substatus, at, source }, patch);
  if (result && result !== 'recorded-before-order') await deliverToWait(result);
  return result;
}
