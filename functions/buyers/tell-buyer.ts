/**
 * Tells a posting's buyer what happened, in Russian, at most once per posting and moment (claimed on the order
 * before sending, given back only when the send failed for a reason a retry can fix), and only where Ozon's chat
 * rule allows it. Where the buyer cannot be told (the rule, read-only mode, Ozon's refusal), the seller hears so
 * (`buyer_not_told`) with the text, to send another way.
 */
import { sendAlert } from '#shared/alerts';
import { now, nowIso } from '#shared/clock';
import { env } from '#shared/config';
import { OzonAuthError, OzonRequestRejected } from '#shared/errors';
import { claimOnce, releaseOnce } from '#shared/event-store';
import type { Order } from '#shared/order';
import { ozon } from '#shared/ozon/client';
import { emitMetric } from '#shared/powertools';
import { rememberChat } from './chats';
import { chatOpen, type Moment, messagesOf, render } from './rules';

export type Told = 'sent' | 'already' | 'not_allowed' | 'refused';

export async function tellBuyer(order: Order, moment: Moment, vars: Record<string, string> = {}): Promise<Told> {
  const key = `buyer_${moment}`;
  if (!(await claimOnce(order.postingNumber, key, nowIso()))) return 'already';
  const policy = env('policy');
  const text = render(messagesOf(policy.BUYER_MESSAGES, policy.BUYER_STALL_MESSAGE)[moment], {
    posting: order.postingNumber,
    ...vars,
  });
  const open = env('ozon').OZON_READ_ONLY
    ? { open: false as const, why: 'read-only mode: the product sends nothing on Ozon' }
    : chatOpen(order, now());
  if (!open.open) {
    await sendAlert(order, { kind: 'buyer_not_told', moment, reason: open.why, text });
    return 'not_allowed';
  }
  try {
    const { chat_id } = (await ozon().call('startChat', { posting_number: order.postingNumber })).result;
    // The buyer's answer comes as a push naming the chat alone: which posting it is about is kept.
    await rememberChat(chat_id, order.postingNumber);
    await ozon().call('sendChatMessage', { chat_id, text });
  } catch (e) {
    // Ozon's refusal stands (a retry would be refused the same); anything else is tried again by the step. Chats
    // with buyers are for Premium Plus and Premium Pro sellers only (docs/52-premium.md): Ozon's answer to anyone
    // else is an access refusal, which must not stop the posting — a broken key shows in every other call.
    if (e instanceof OzonRequestRejected || e instanceof OzonAuthError) {
      const reason = e instanceof OzonRequestRejected ? e.ozonMessage : `${e.message} (chats need Premium Plus or Pro)`;
      await sendAlert(order, { kind: 'buyer_not_told', moment, reason, text });
      return 'refused';
    }
    await releaseOnce(order.postingNumber, key);
    throw e;
  }
  emitMetric('BuyerMessagesSent', 1, { moment });
  return 'sent';
}
