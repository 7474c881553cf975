/**
 * After the sale, pure: what a buyer's cancellation request (rFBS, `/v2/conditional-cancellation/list`) means for
 * the posting and how it is answered, and by when.
 */
import type { Order } from '#shared/order';
import { handedOver } from '#shared/status';

export type CancellationRequest = NonNullable<Order['cancellationRequest']>;

/** A request nobody has answered yet: the posting's waits end with CancellationRequested while it is open. */
export const requestOpen = (order: Pick<Order, 'cancellationRequest'>) =>
  order.cancellationRequest !== undefined && order.cancellationRequest.decision === undefined;

export type CancellationAnswer =
  | { answer: 'approve'; by: 'policy' | 'seller' }
  | { answer: 'reject'; by: 'policy' | 'seller'; comment: string }
  | { answer: 'ask' };

/**
 * How a request is answered, from Ozon's status of the posting now:
 * - not handed over yet: approved — nothing has left, the units go back on the shelf;
 * - with the carrier: the seller's own answer if they gave one; else by policy — reject with the comment, or ask the
 *   seller until `answerBy` (the margin before Ozon's auto-approval) and then reject: an approval by default would
 *   make the seller pay the delivery both ways.
 */
export function answerCancellation(
  request: CancellationRequest,
  ozonStatus: string,
  policy: { afterHandover: 'reject' | 'ask'; rejectComment: string },
  answerBy: number | undefined,
  nowMs: number,
): CancellationAnswer {
  if (!handedOver(ozonStatus)) return { answer: 'approve', by: 'policy' };
  if (request.seller) {
    return request.seller.approve
      ? { answer: 'approve', by: 'seller' }
      : { answer: 'reject', by: 'seller', comment: request.seller.comment || policy.rejectComment };
  }
  if (policy.afterHandover === 'ask' && answerBy !== undefined && nowMs < answerBy) return { answer: 'ask' };
  return { answer: 'reject', by: 'policy', comment: policy.rejectComment };
}

/** The product answers this long before Ozon approves the request itself; undefined without Ozon's date. */
export function answerBy(request: Pick<CancellationRequest, 'autoApproveAt'>, marginMs: number): number | undefined {
  const at = request.autoApproveAt ? Date.parse(request.autoApproveAt) : Number.NaN;
  return Number.isNaN(at) ? undefined : at - marginMs;
}
