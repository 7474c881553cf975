/** Whether a wait is over, judged from the order record alone. Pure. */

import { payoutSettled } from '#settlement/rules';
import { InArbitration, NotAccepted, PostingCancelled, ShipFailed } from '#shared/errors';
import type { Order, WaitKind } from '#shared/order';
import { DISPUTED, isAssembled, isCancelled } from '#shared/status';

export type WaitOutcome =
  | { outcome: 'pending' }
  | { outcome: 'success' }
  | { outcome: 'failure'; error: string; cause: string };

/**
 * Whether what a wait waits for has happened, judged from the order record alone. The waiting step asks this
 * right after storing its token (an event may have arrived while an earlier step ran); whoever records a new
 * event asks it again. Both sides see each other's write because both are single-item updates.
 */
export function evaluateWait(order: Order, kind: WaitKind, payoutTolerance: number): WaitOutcome {
  // NeedsAttention is ended by the seller or its daily re-check only: a cancellation there is seen by ReceivePosting,
  // so a step that keeps failing on a cancelled posting cannot loop through ReleaseStock without pause.
  if (isCancelled(order.status) && kind !== 'attention') {
    return { outcome: 'failure', error: PostingCancelled.name, cause: `Posting ${order.postingNumber} was cancelled` };
  }
  const since = order.wait?.on === kind ? order.wait.since : '';
  switch (kind) {
    case 'restock':
      return order.restockedAt && order.restockedAt >= since ? { outcome: 'success' } : { outcome: 'pending' };
    case 'packed':
      return order.packedAt ? { outcome: 'success' } : { outcome: 'pending' };
    case 'assembly':
      if (isAssembled(order.status)) return { outcome: 'success' };
      if (order.substatus === 'ship_failed') {
        return { outcome: 'failure', error: ShipFailed.name, cause: 'Ozon reported ship_failed for the assembly' };
      }
      return { outcome: 'pending' };
    case 'tracking':
      return order.trackingNumber ? { outcome: 'success' } : { outcome: 'pending' };
    case 'delivery':
      if (order.status === 'delivered') return { outcome: 'success' };
      if (order.status === 'not_accepted') {
        return { outcome: 'failure', error: NotAccepted.name, cause: 'The sorting centre did not accept the parcel' };
      }
      if (DISPUTED.has(order.status)) {
        return { outcome: 'failure', error: InArbitration.name, cause: `The posting is in ${order.status}` };
      }
      return { outcome: 'pending' };
    case 'dispute':
      return DISPUTED.has(order.status) ? { outcome: 'pending' } : { outcome: 'success' };
    case 'payout':
      // The same rule SettlePayout judges by: a payout within the tolerance ends the wait at once.
      return order.accrued !== undefined && payoutSettled(order.expectedPayout, order.accrued, payoutTolerance)
        ? { outcome: 'success' }
        : { outcome: 'pending' };
    case 'attention':
      return order.resumeRequestedAt && order.resumeRequestedAt >= since
        ? { outcome: 'success' }
        : { outcome: 'pending' };
  }
}
