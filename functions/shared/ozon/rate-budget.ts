/**
 * One Ozon rate budget per Client-Id, shared by every Lambda instance. Ozon allows 50 requests/s per seller account
 * and a per-instance limiter overruns it as soon as a burst scales out (issue 8: two instances, 36% answered 429).
 * The budget is a row of 100 ms slots in DynamoDB, each admitting `rate / 10` calls through a conditional `ADD`:
 * any 1-second window then holds at most 11 slots' worth (44 at 40/s), under Ozon's 50. A call claims the first
 * slot with room — possibly a little ahead — and waits for it; a 429 from Ozon fills the next second for everyone.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { env } from '../config';
import { db, keys } from '../db';
import { OzonRateLimited } from '../errors';

const SLOT_MS = 100;
/** How far ahead a call may book before it gives up and lets the state machine retry later. */
const MAX_AHEAD_SLOTS = 50;
const TTL_SECONDS = 120;

/** Slots this instance found full recently: the next call starts looking after them instead of re-trying each. */
let fullUntil = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function claim(clientId: string, slot: number, amount: number, limit: number): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: env('table').TABLE_NAME,
        Key: keys.rateSlot(clientId, slot),
        UpdateExpression: 'ADD n :amount SET expiresAt = :ttl',
        ConditionExpression: 'attribute_not_exists(n) OR n < :limit',
        ExpressionAttributeValues: {
          ':amount': amount,
          ':limit': limit,
          ':ttl': Math.floor((slot * SLOT_MS) / 1000) + TTL_SECONDS,
        },
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/** Waits for a place in the account's budget. Real time: Ozon counts real seconds, whatever the product's clock. */
export async function takeRateBudget(clientId: string): Promise<void> {
  const perSlot = Math.max(1, Math.floor(env('ozon').OZON_RATE_PER_SECOND / (1000 / SLOT_MS)));
  const now = Math.floor(Date.now() / SLOT_MS);
  for (let slot = Math.max(now, fullUntil); slot < now + MAX_AHEAD_SLOTS; slot++) {
    if (await claim(clientId, slot, 1, perSlot)) {
      const wait = slot * SLOT_MS - Date.now();
      if (wait > 0) await sleep(wait);
      return;
    }
    fullUntil = slot + 1;
  }
  throw new OzonRateLimited(`The Ozon rate budget of ${clientId} is booked ${MAX_AHEAD_SLOTS * SLOT_MS} ms ahead`);
}

/** Ozon answered 429: the whole account slows down for a second, not just this call. */
export async function backOffAccount(clientId: string): Promise<void> {
  const perSlot = Math.max(1, Math.floor(env('ozon').OZON_RATE_PER_SECOND / (1000 / SLOT_MS)));
  const now = Math.floor(Date.now() / SLOT_MS);
  const slots = Array.from({ length: 1000 / SLOT_MS }, (_, i) => now + 1 + i);
  await Promise.all(slots.map((slot) => claim(clientId, slot, perSlot, Number.MAX_SAFE_INTEGER)));
  fullUntil = Math.max(fullUntil, now + 1 + slots.length);
}
