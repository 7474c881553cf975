/** Whether a wait is over, judged from the order record alone. Pure. */

import { requestOpen } from '#aftersale/rules';
import { payoutSettled } from '#settlement/rules';
import {
  CancellationRequested,
  CarrierRegistrationFailed,
  InArbitration,
  NotAccepted,
  PostingCancelled,
  QualityCheckFailed,
  ShipFailed,
} from '#shared/errors';
import { type Order, WaitKind } from '#shared/order';
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
  // A buyer's cancellation request is answered first, wherever the posting waits (not while it waits for the seller
  // in NeedsAttention, nor once it only waits for its money).
  if (requestOpen(order) && kind !== 'attention' && kind !== 'payout' && kind !== 'cancellation') {
    return {
      outcome: 'failure',
      error: CancellationRequested.name,
      cause: `The buyer asked to cancel ${order.postingNumber}: ${order.cancellationRequest?.reason ?? ''}`,
    };
  }
  switch (kind) {
    case 'cancellation':
      // The seller answered (seller API), or someone else did (Ozon): DecideCancellationRequest acts on it.
      return order.cancellationRequest?.seller || !requestOpen(order) ? { outcome: 'success' } : { outcome: 'pending' };
    case 'restock':
      return order.restockedAt && order.restockedAt >= since ? { outcome: 'success' } : { outcome: 'pending' };
    case 'approval':
      return order.status === 'awaiting_approve' ? { outcome: 'pending' } : { outcome: 'success' };
    case 'packed':
      return order.packedAt ? { outcome: 'success' } : { outcome: 'pending' };
    case 'quality':
      // Passed: ConfirmPosting goes on; failed: QualityCheckFailed writes the unit off and reserves another.
      if (order.qualityCheck?.result === 'passed') return { outcome: 'success' };
      if (order.qualityCheck?.result === 'failed') {
        return {
          outcome: 'failure',
          error: QualityCheckFailed.name,
          cause: `Quality check failed: ${order.qualityCheck.offerId ?? ''} ${order.qualityCheck.reason ?? ''}`.trim(),
        };
      }
      return { outcome: 'pending' };
    case 'marks':
      // New data from the seller since the wait began: PrepareAssembly sends it.
      return order.assemblyDataAt && order.assemblyDataAt >= since ? { outcome: 'success' } : { outcome: 'pending' };
    case 'registration':
      if (order.substatus === 'posting_registration_error') {
        return {
          outcome: 'failure',
          error: CarrierRegistrationFailed.name,
          cause: 'Ozon could not register the parcel with the carrier',
        };
      }
      return order.status === 'awaiting_registration' ? { outcome: 'pending' } : { outcome: 'success' };
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
      // Without an expected payout only the sweep can judge (by the accrual types it reads from Ozon).
      return order.accrued !== undefined &&
        order.expectedPayout !== undefined &&
        payoutSettled(order.expectedPayout, order.accrued, payoutTolerance)
        ? { outcome: 'success' }
        : { outcome: 'pending' };
    case 'attention':
      return order.resumeRequestedAt && order.resumeRequestedAt >= since
        ? { outcome: 'success' }
        : { outcome: 'pending' };
  }
}

/**
 * Whether a status write may end the posting's wait, judged from the order before and after it. Every write that
 * changes some wait's outcome hands its order to the wait (recordStatus) and a wait stored later reads the order
 * itself (setWait), so a write that leaves every outcome as it was has nothing new for the wait and need not read
 * it: `delivering` after `awaiting_deliver`, for one. A write that repeats the status before it (a redelivered push
 * whose first delivery may have failed halfway) may: it is handed over again.
 */
export function statusMayEndWait(before: Order, after: Order, payoutTolerance: number): boolean {
  if (before.status === after.status && before.substatus === after.substatus) return true;
  const verdict = (order: Order, kind: WaitKind) => {
    const outcome = evaluateWait({ ...order, wait: undefined }, kind, payoutTolerance);
    return outcome.outcome === 'failure' ? outcome.error : outcome.outcome;
  };
  return WaitKind.options.some((kind) => verdict(before, kind) !== verdict(after, kind));
}
