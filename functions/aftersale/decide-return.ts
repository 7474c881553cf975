/**
 * DecideReturn (rFBS): answers a buyer's return request before Ozon approves it itself. Ozon's request is read on
 * every attempt, and nothing is sent that Ozon does not offer for it now. A rule decides (refund a defect or a cheap
 * unit at once, take back for a check), or the seller's answer through the seller API; otherwise the seller is
 * asked once and the step looks again hourly (`ReturnAwaitingSeller`). Past the seller's time the seller hears that
 * Ozon will approve it, and the step waits for Ozon's decision (`ReturnAwaitingOzon`). Answered in the cabinet or
 * by Ozon: recorded as Ozon's, and the return goes on where Ozon says.
 */

import { tellBuyer } from '#buyers/tell-buyer';
import { sendReturnAlert } from '#shared/alerts';
import { now, nowIso } from '#shared/clock';
import { env } from '#shared/config';
import { ReturnAwaitingOzon, ReturnAwaitingSeller } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { getOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import type { RfbsReturn } from '#shared/ozon/schemas';
import { actionOf, decideRequest, type RequestAnswer, type RequestDecision, rfbsStage } from './return-rules';
import {
  type Next,
  offered,
  out,
  ReturnInput,
  readRfbs,
  recordOf,
  rfbsFacts,
  SELLER_RETURN_CALLBACK,
} from './return-steps';
import { type ReturnRecord, returnPolicy, updateReturn } from './return-store';

const NEXT_AFTER: Record<RequestAnswer, Next> = {
  approve: 'parcel',
  refund: 'refund',
  compensate: 'refund',
  reject: 'closed',
};

export async function decideReturn(input: ReturnInput) {
  const r = await readRfbs(input.returnId);
  const record = await recordOf(input, rfbsFacts(r));
  const linked = { ...record, executionArn: input.executionArn };
  const stage = rfbsStage(r.state?.state);
  if (stage !== 'request') {
    // Answered in the cabinet, or approved by Ozon at its deadline: the return goes on where Ozon says.
    const answer: RequestAnswer = stage === 'rejected' ? 'reject' : stage === 'refunded' ? 'refund' : 'approve';
    if (!record.decision) {
      await updateReturn(record.returnId, { decision: { answer, by: 'ozon', at: nowIso() } });
      await sendReturnAlert(linked, {
        kind: 'return_answered',
        answer,
        by: 'ozon',
        offerId: record.offerId,
        reason: record.reason,
      });
    }
    return out(input, stage === 'in_transit' || stage === 'back' ? 'parcel' : NEXT_AFTER[answer]);
  }
  const answerBy = Date.parse(record.answerBy ?? record.createdAt);
  const decision: RequestDecision = env('ozon').OZON_READ_ONLY
    ? // Read-only: the product answers nothing on Ozon; the seller answers in the cabinet.
      { answer: now() < answerBy ? 'ask' : 'leave' }
    : decideRequest(
        { offerId: record.offerId, price: record.price, reasonId: record.reasonId, isDefect: record.isDefect },
        await returnPolicy(),
        record.seller,
        answerBy,
        now(),
      );
  const actions = offered(r);
  // What Ozon does not offer for the request now is never sent: the seller answers in the cabinet instead.
  const chosen = isAnswer(decision) && actions.has(actionOf(decision.answer)) ? decision : undefined;
  if (!chosen) {
    if (now() < answerBy) {
      await sendReturnAlert(linked, {
        kind: 'return_request',
        offerId: record.offerId,
        reason: record.reason,
        price: record.price,
        currency: record.currency,
        photos: r.client_photo.slice(0, 10),
        deadline: record.deadline ?? '',
        callbackPath: SELLER_RETURN_CALLBACK,
      });
      throw new ReturnAwaitingSeller(`The seller decides return ${record.returnId} of ${record.postingNumber}`);
    }
    await sendReturnAlert(linked, {
      kind: 'return_unanswered',
      offerId: record.offerId,
      reason: record.reason,
      deadline: record.deadline ?? '',
    });
    throw new ReturnAwaitingOzon(`Return ${record.returnId} is Ozon's to decide at ${record.deadline}`);
  }
  await act(r, record, chosen);
  await updateReturn(record.returnId, { decision: { answer: chosen.answer, by: chosen.by, at: nowIso() } });
  await sendReturnAlert(linked, {
    kind: 'return_answered',
    answer: chosen.answer,
    by: chosen.by,
    offerId: record.offerId,
    reason: record.reason,
    ...(chosen.amount !== undefined ? { amount: chosen.amount } : {}),
  });
  const order = await getOrder(record.postingNumber, { consistent: false });
  if (order) await tellBuyer(order, 'return_decided', { decision: DECISION_TEXT[chosen.answer](chosen) });
  return out(input, NEXT_AFTER[chosen.answer]);
}

/** What the buyer is told of each answer (Russian, as every buyer message). */
const DECISION_TEXT: Record<RequestAnswer, (d: { amount?: number; comment?: string }) => string> = {
  approve: () => 'заявка одобрена, отправьте, пожалуйста, товар для проверки — способ указан в заявке',
  refund: () => 'заявка одобрена, деньги вернутся автоматически, товар оставьте себе',
  compensate: (d) => `мы предлагаем компенсацию ${d.amount ?? ''} ₽, товар остаётся у вас`,
  reject: (d) => `заявка отклонена${d.comment ? `: ${d.comment}` : ''}`,
};

const isAnswer = (d: RequestDecision): d is Extract<RequestDecision, { by: string }> => 'by' in d;

/** The answer on Ozon: a rejection names a reason Ozon offers and a comment (required for -1). */
async function act(
  r: RfbsReturn,
  record: ReturnRecord,
  decision: { answer: RequestAnswer; amount?: number; comment?: string; rejectionReasonId?: number },
) {
  const body: Record<string, unknown> = { return_id: record.returnId, id: actionOf(decision.answer) };
  if (decision.answer === 'reject') {
    body.rejection_reason_id = decision.rejectionReasonId ?? r.rejection_reason[0]?.id;
    body.comment = decision.comment ?? env('policy').RETURN_REJECT_COMMENT;
  }
  if (decision.answer === 'compensate') body.compensation_amount = decision.amount;
  await ozon().call('rfbsReturnAction', body);
}

export const handler = stepHandler(ReturnInput, decideReturn);
