/**
 * The seller's part of returns through the seller API: the answer to a return request the rules left to them, the
 * check of a unit that came back, and the return rules themselves. Answers are kept on the return's record (the
 * first counts); the return's execution reads them at its next look (within the hour) and acts on Ozon.
 */
import * as z from 'zod/mini';
import { refuse } from '#intake/refuse';
import { nowIso } from '#shared/clock';
import { Condition, RequestAnswer, ReturnPolicy } from './return-rules';
import { getReturn, recordSellerInput, setReturnPolicy } from './return-store';

const ReturnId = z.int().check(z.positive());
const Comment = z.string().check(z.minLength(1), z.maxLength(500));

export const RETURN_ACTIONS = {
  returnRequest: z
    .strictObject({
      returnId: ReturnId,
      answer: RequestAnswer,
      /** A partial compensation, in the posting's currency: more than 0 and less than the unit's price. */
      amount: z.optional(z.number().check(z.positive())),
      comment: z.optional(Comment),
      rejectionReasonId: z.optional(z.int()),
    })
    .check(
      z.refine((b) => b.answer !== 'compensate' || b.amount !== undefined, {
        message: 'amount: a compensation needs its amount',
      }),
    ),
  returnCheck: z.strictObject({
    returnId: ReturnId,
    condition: Condition,
    /** rFBS: refund the buyer after the check (true) or reject the return after it (false). */
    refund: z.boolean(),
    comment: z.optional(Comment),
    rejectionReasonId: z.optional(z.int()),
  }),
  returnPolicy: ReturnPolicy,
};

export async function answerReturnRequest(input: z.infer<(typeof RETURN_ACTIONS)['returnRequest']>) {
  const record = await getReturn(input.returnId);
  if (!record) throw refuse(404, `No return ${input.returnId} is followed here`);
  if (record.schema !== 'rfbs') throw refuse(409, `Return ${input.returnId} is an FBS return: there is no request`);
  if (record.decision) throw refuse(409, `Return ${input.returnId} was answered already (${record.decision.answer})`);
  if (input.answer === 'compensate' && (input.amount ?? 0) >= record.price) {
    throw refuse(400, `A compensation must be less than the unit's price ${record.price}: that is "refund"`);
  }
  const kept = await recordSellerInput(input.returnId, 'seller', { ...input, at: nowIso() });
  if (!kept) throw refuse(409, `Return ${input.returnId} has an answer already`);
  return { accepted: true };
}

export async function reportReturnCheck(input: z.infer<(typeof RETURN_ACTIONS)['returnCheck']>) {
  const record = await getReturn(input.returnId);
  if (!record) throw refuse(404, `No return ${input.returnId} is followed here`);
  const kept = await recordSellerInput(input.returnId, 'check', { ...input, at: nowIso() });
  if (!kept) throw refuse(409, `Return ${input.returnId} was checked already`);
  return { accepted: true };
}

export async function replaceReturnPolicy(input: ReturnPolicy) {
  await setReturnPolicy(input);
  return { accepted: true, rules: input.rules.length };
}
