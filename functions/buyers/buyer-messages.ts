/**
 * Buyers' messages reach the seller: a `TYPE_NEW_MESSAGE` from a buyer is forwarded as an alert (its text, the
 * posting when the product knows the chat, a reply deadline), recorded on the posting (`lastBuyerMessageAt`: Ozon's
 * 48 h window to write back after the 72 h), and kept as waiting; the poller reminds the seller before Ozon's 24 h
 * (`remindBuyers`), and at 24 h counts it as an incident the rating watch names. The seller replies through the
 * seller API (`replyToBuyer`), or in the cabinet.
 */

import type * as z from 'zod/mini';
import { recordIncident } from '#performance/incidents';
import { sendAccountAlert } from '#shared/alerts';
import { now } from '#shared/clock';
import { env } from '#shared/config';
import { recordEvent } from '#shared/event-store';
import { getOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import type { NewMessagePush } from '#shared/ozon/push';
import { allWaiting, clearWaiting, markReminded, postingOfChat, putWaiting, rememberChat } from './chats';

export const REPLY_CALLBACK = 'POST <seller API>/buyerReply';
/** Ozon's rating counts dialogs with a reply within 24 h (`rating_replied_dialogs_ratio`). */
const REPLY_WINDOW_MS = 24 * 3600_000;
/** Ozon's examples spell the buyer's user type with a Cyrillic "С" once (ozon-api.md §4 Caveats). */
const CUSTOMER = /^[cс]ustomer$/i;

export async function forwardBuyerMessage(push: z.infer<typeof NewMessagePush>): Promise<'forwarded' | 'ignored'> {
  if (push.chat_type !== 'Buyer_Seller' || !CUSTOMER.test(push.user.type)) return 'ignored';
  const text = push.data.join('\n').trim().slice(0, 1000) || '(no text: an image or a file)';
  const postingNumber = (await postingOfChat(push.chat_id)) ?? (await postingFromHistory(push.chat_id));
  const at = new Date(push.created_at).toISOString();
  const replyBy = Date.parse(at) + REPLY_WINDOW_MS;
  await putWaiting({
    chatId: push.chat_id,
    ...(postingNumber ? { postingNumber } : {}),
    messageId: String(push.message_id),
    text,
    at,
    remindAt: new Date(replyBy - env('policy').BUYER_REPLY_REMINDER_HOURS * 3600_000).toISOString(),
    replyBy: new Date(replyBy).toISOString(),
  });
  if (postingNumber) {
    await recordEvent(
      postingNumber,
      `buyer_message#${push.message_id}`,
      { type: 'buyer_message', at, source: 'push' },
      { lastBuyerMessageAt: at },
    );
  }
  // Every message reaches the seller (once each: a redelivered push is the same message).
  await sendAccountAlert(
    {
      kind: 'buyer_message',
      chatId: push.chat_id,
      ...(postingNumber ? { posting: postingNumber } : {}),
      text,
      deadline: new Date(replyBy).toISOString(),
      callbackPath: REPLY_CALLBACK,
    },
    { once: `${push.chat_id}#${push.message_id}` },
  );
  return 'forwarded';
}

/**
 * The posting of a chat the buyer started: its history names the order (Premium Plus only); the order's first
 * posting the product follows is taken. Undefined when Ozon will not say.
 */
async function postingFromHistory(chatId: string): Promise<string | undefined> {
  try {
    const { messages } = await ozon().call('chatHistory', { chat_id: chatId, direction: 'Backward', limit: 5 });
    const orderNumber = messages.find((m) => m.context?.order_number)?.context?.order_number;
    if (!orderNumber) return undefined;
    for (let n = 1; n <= 3; n++) {
      const candidate = `${orderNumber}-${n}`;
      if (await getOrder(candidate, { consistent: false })) {
        await rememberChat(chatId, candidate);
        return candidate;
      }
    }
  } catch {
    // Refused (no Premium Plus) or unavailable: the seller still gets the message, without its posting.
  }
  return undefined;
}

/** The poller's part: a reminder before Ozon's 24 h, and past it an incident the rating counts. */
export async function remindBuyers(): Promise<{ waiting: number; reminded: number }> {
  const t = now();
  let reminded = 0;
  const waiting = await allWaiting();
  for (const w of waiting) {
    if (t >= Date.parse(w.replyBy)) {
      if (w.postingNumber) await recordIncident('buyer_unanswered', w.postingNumber);
      await clearWaiting(w.chatId);
      continue;
    }
    if (t >= Date.parse(w.remindAt) && !w.reminded && (await markReminded(w.chatId))) {
      await sendAccountAlert(
        {
          kind: 'buyer_reply_due',
          chatId: w.chatId,
          ...(w.postingNumber ? { posting: w.postingNumber } : {}),
          text: w.text,
          deadline: w.replyBy,
          callbackPath: REPLY_CALLBACK,
        },
        { once: `${w.chatId}#${w.messageId}#due` },
      );
      reminded++;
    }
  }
  return { waiting: waiting.length, reminded };
}

/** The seller's reply (seller API `buyerReply`): sent in the chat; the chat waits for nothing any more. */
export async function replyToBuyer(chatId: string, text: string): Promise<void> {
  await ozon().call('sendChatMessage', { chat_id: chatId, text });
  await clearWaiting(chatId);
}
