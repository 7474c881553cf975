/**
 * DecideCancellationRequest: answers a buyer's cancellation request (rFBS) before Ozon approves it itself. Ozon is
 * read first — the request (answered in the cabinet already?) and the posting (handed over yet?) — and nothing is
 * answered on the product's record alone. Not handed over: approved, and the posting ends through ReleaseStock.
 * With the carrier: the seller's answer, or the policy (reject with its comment, or ask the seller and wait until
 * the margin before the deadline). The seller hears every answer; the posting goes on where Ozon says.
 */

import { tellBuyer } from '#buyers/tell-buyer';
import { recordOzonStatus } from '#intake/record-status';
import { sendAlert } from '#shared/alerts';
import { now, nowIso } from '#shared/clock';
import { env } from '#shared/config';
import { CancellationDecisionAsked, CancellationNotApplied, PostingCancelled } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import type { Order } from '#shared/order';
import { updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { isCancelled } from '#shared/status';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { answerBy, answerCancellation, type CancellationRequest } from './rules';

export const CANCELLATION_CALLBACK = 'POST <seller API>/cancellationRequest';

export async function decideCancellationRequest(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  const request = order.cancellationRequest;
  if (!request || request.decision === 'rejected' || request.decision === 'left') return stateOf(order);
  const { result: posting } = await ozon().call('getPosting', { posting_number: order.postingNumber });
  if (isCancelled(posting.status)) {
    await recordOzonStatus(posting);
    throw new PostingCancelled(`Ozon says ${order.postingNumber} is cancelled`);
  }
  // Approved already (by this step): Ozon cancels the posting shortly; looked at again until it has.
  if (request.decision === 'approved') {
    throw new CancellationNotApplied(`Request ${request.id} was approved; ${order.postingNumber} is not cancelled yet`);
  }
  const listed = (
    await ozon().call('cancellationRequests', {
      filters: { posting_number: [order.postingNumber], state: 'ALL' },
      limit: 100,
    })
  ).result.find((r) => r.cancellation_id === request.id);
  const state = listed?.state?.state ?? '';
  if (state !== 'ON_APPROVAL') {
    // Answered in the cabinet, or by Ozon at its deadline: recorded as Ozon's, the posting goes on where Ozon says.
    const decision = /APPROVED/i.test(state) ? 'approved' : 'rejected';
    const updated = await decide(order, request, decision, 'ozon');
    await sendAlert(updated, { kind: 'cancellation_answered', decision, by: 'ozon', reason: request.reason });
    return stateOf(updated);
  }
  if (env('ozon').OZON_READ_ONLY) {
    // Read-only: the product changes nothing on Ozon; the seller answers in the cabinet.
    await sendAlert(order, { kind: 'cancellation_request', reason: request.reason, deadline: request.autoApproveAt });
    return stateOf(await decide(order, request, 'left', 'seller'));
  }
  const policy = env('policy');
  const answer = answerCancellation(
    request,
    posting.status,
    { afterHandover: policy.CANCELLATION_AFTER_HANDOVER, rejectComment: policy.CANCELLATION_REJECT_COMMENT },
    answerBy(request, policy.CANCELLATION_MARGIN_HOURS * 3600_000),
    now(),
  );
  if (answer.answer === 'ask') {
    if (!request.askedAt) {
      await sendAlert(order, {
        kind: 'cancellation_request',
        reason: request.reason,
        deadline: request.autoApproveAt,
        callbackPath: CANCELLATION_CALLBACK,
      });
      await updateOrder(order.postingNumber, { cancellationRequest: { ...request, askedAt: nowIso() } });
    }
    throw new CancellationDecisionAsked(`The seller decides request ${request.id} of ${order.postingNumber}`);
  }
  if (answer.answer === 'approve') {
    await answerOnOzon(order, request, 'approved', answer.by);
    // Ozon cancels the posting on approval: its word ends the posting (ReleaseStock asks again).
    const { result: after } = await ozon().call('getPosting', { posting_number: order.postingNumber });
    if (isCancelled(after.status)) {
      await recordOzonStatus(after);
      throw new PostingCancelled(`Ozon cancelled ${order.postingNumber} on the buyer's request`);
    }
    throw new CancellationNotApplied(
      `Request ${request.id} approved; Ozon has not cancelled ${order.postingNumber} yet`,
    );
  }
  return stateOf(await answerOnOzon(order, request, 'rejected', answer.by, answer.comment));
}

/** The answer on Ozon, then on the order, then to the seller (a retried step finds it answered on Ozon first). */
async function answerOnOzon(
  order: Order,
  request: CancellationRequest,
  decision: 'approved' | 'rejected',
  by: 'policy' | 'seller',
  comment?: string,
): Promise<Order> {
  await ozon().call(decision === 'approved' ? 'approveCancellation' : 'rejectCancellation', {
    cancellation_id: request.id,
    comment: comment ?? '',
  });
  const updated = await decide(order, request, decision, by);
  await sendAlert(updated, {
    kind: 'cancellation_answered',
    decision,
    by,
    reason: request.reason,
    ...(comment ? { comment } : {}),
  });
  // A rejection is explained to the buyer; an approval is Ozon's own cancellation notice (and a cancelled posting's
  // chat may be closed to the seller by then).
  if (decision === 'rejected') {
    await tellBuyer(updated, 'cancellation_decided', {
      decision: `заявка отклонена: ${comment ?? 'заказ уже в доставке'}. Вы можете отказаться от заказа при получении`,
    });
  }
  return updated;
}

function decide(
  order: Order,
  request: CancellationRequest,
  decision: 'approved' | 'rejected' | 'left',
  by: 'policy' | 'seller' | 'ozon',
): Promise<Order> {
  return updateOrder(order.postingNumber, {
    cancellationRequest: { ...request, decision, decidedBy: by, decidedAt: nowIso() },
  });
}

export const handler = stepHandler(StepInput, decideCancellationRequest);
