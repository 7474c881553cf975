/**
 * LeaveReturn: the return's execution gives up following it — no answer from Ozon or the seller within the steps'
 * retries, or an error no retry fixes. The seller hears what is left to do, and the execution ends LeftToSeller: a
 * return never ends in a Fail the seller cannot act on.
 */
import * as z from 'zod/mini';
import { sendReturnAlert } from '#shared/alerts';
import { stepHandler } from '#shared/handler';
import { out, ReturnInput } from './return-steps';
import { getReturn } from './return-store';

/** What ran out, in the seller's words (the error's class name says which wait it was). */
const WHY: Record<string, string> = {
  ReturnAwaitingSeller: 'you did not answer the request and Ozon did not decide it either',
  ReturnAwaitingOzon: 'Ozon did not decide the request',
  ReturnInTransit: 'the parcel did not come back within the time the product waits',
  ReturnNotCollected: 'the parcel was not collected from the drop-off point',
  ReturnAwaitingCheck: 'you did not report the check of the returned unit',
  PostingNotSettled: "the posting's payout was never settled, so the refund could not be checked",
  RefundNotBooked: "the refund never showed in Ozon's finance data",
};

export const LeaveInput = z.extend(ReturnInput, {
  error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

export async function leaveReturn(input: z.infer<typeof LeaveInput>) {
  const record = await getReturn(input.returnId);
  const name = input.error?.Error ?? 'Unknown';
  const reason = WHY[name] ?? `${name}: ${(input.error?.Cause ?? '').slice(0, 300)}`;
  await sendReturnAlert(
    { returnId: input.returnId, postingNumber: input.postingNumber, executionArn: input.executionArn },
    { kind: 'return_left', offerId: record?.offerId ?? '', reason },
  );
  return out(input, 'closed');
}

export const handler = stepHandler(LeaveInput, leaveReturn);
