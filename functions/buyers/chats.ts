/**
 * Buyer chats: which posting each chat is about (`CHAT#<id>`, written when the product starts one, or found from the
 * chat's history), and the buyers' messages waiting for the seller's reply (`BUYER_WAITING`, one item per chat: the
 * message, when to remind, by when Ozon counts the reply — its rating counts dialogs answered within 24 h).
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { now } from '#shared/clock';
import { db, keys, queryAll } from '#shared/db';
import { table } from '#shared/order-store';

const KEEP_DAYS = 180;

export async function rememberChat(chatId: string, postingNumber: string): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: table(),
      Item: { ...keys.chat(chatId), postingNumber, expiresAt: Math.floor(now() / 1000) + KEEP_DAYS * 86_400 },
    }),
  );
}

export async function postingOfChat(chatId: string): Promise<string | undefined> {
  const { Item } = await db().send(new GetCommand({ TableName: table(), Key: keys.chat(chatId) }));
  return Item?.postingNumber ? String(Item.postingNumber) : undefined;
}

export const Waiting = z.object({
  chatId: z.string(),
  postingNumber: z.optional(z.string()),
  messageId: z.string(),
  text: z.string(),
  at: z.string(),
  remindAt: z.string(),
  replyBy: z.string(),
  reminded: z.optional(z.boolean()),
});
export type Waiting = z.infer<typeof Waiting>;

/** The chat's latest unanswered message (a newer one replaces it: the seller answers the conversation). */
export async function putWaiting(w: Waiting): Promise<void> {
  await db().send(new PutCommand({ TableName: table(), Item: { ...keys.buyerWaiting(w.chatId), ...w } }));
}

export async function allWaiting(): Promise<Waiting[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.buyerWaiting('').pk },
    ConsistentRead: true,
  });
  return items.flatMap((i) => {
    const parsed = Waiting.safeParse(i);
    return parsed.success ? [parsed.data] : [];
  });
}

/** Marks the reminder sent; false when another poll sent it first (or the seller replied meanwhile). */
export async function markReminded(chatId: string): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.buyerWaiting(chatId),
        UpdateExpression: 'SET reminded = :t',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(reminded)',
        ExpressionAttributeValues: { ':t': true },
      }),
    );
    return true;
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

/** The seller replied (or Ozon's window passed): nothing waits in this chat any more. */
export async function clearWaiting(chatId: string): Promise<void> {
  await db().send(new DeleteCommand({ TableName: table(), Key: keys.buyerWaiting(chatId) }));
}
