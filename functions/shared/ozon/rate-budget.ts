/**
 * One Ozon rate budget per Client-Id, shared by every Lambda instance. Ozon allows 50 requests/s per seller account
 * and a per-instance limiter overruns it as soon as a burst scales out (issue 8: two instances, 36% answered 429).
 * Each second of the account has a counter in DynamoDB: a call takes a ticket with one atomic `ADD`, and the ticket
 * says when in that second it may go — ticket n waits for slot ⌊(n−1)/per-slot⌋ of ten 100 ms slots. A full second
 * sends the call on to the next. Any 1-second window then holds at most 11 slots' worth (44 at 40/s), under 50; a
 * 429 from Ozon fills the next second for everyone.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { env } from '../config';
import { db, keys } from '../db';
import { OzonRateLimited } from '../errors';

const SLOTS_PER_SECOND = 10;
const SLOT_MS = 1000 / SLOTS_PER_SECOND;
/** How many seconds ahead a call may book before it gives up and lets the state machine retry later. */
const MAX_AHEAD_SECONDS = 5;
const TTL_SECONDS = 120;

/** Seconds this instance found full: the next call starts after them instead of asking for each again. */
let fullUntil = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes `amount` tickets of one second of the account; returns the last ticket's number. */
async function ticket(clientId: string, second: number, amount: number): Promise<number> {
  const { Attributes } = await db().send(
    new UpdateCommand({
      TableName: env('table').TABLE_NAME,
      Key: keys.rateSlot(clientId, second),
      UpdateExpression: 'ADD n :amount SET expiresAt = :ttl',
      ExpressionAttributeValues: { ':amount': amount, ':ttl': second + TTL_SECONDS },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(Attributes?.n ?? 0);
}

interface Waiter {
  resolve: (at: number) => void;
  reject: (error: Error) => void;
}
/** Calls of this instance waiting for a place, per account; one ticket request at a time serves them all. */
const waiting = new Map<string, Waiter[]>();
const serving = new Set<string>();

/** Waits for a place in the account's budget. Real time: Ozon counts real seconds, whatever the product's clock. */
export async function takeRateBudget(clientId: string): Promise<void> {
  for (;;) {
    const at = await new Promise<number>((resolve, reject) => {
      const queue = waiting.get(clientId) ?? [];
      waiting.set(clientId, queue);
      queue.push({ resolve, reject });
      if (!serving.has(clientId)) void serve(clientId, queue);
    });
    const wait = at - Date.now();
    if (wait > 0) await sleep(wait);
    // Woken after its slot ended (a busy CPU delays timers; a 256 MB Lambda has a fraction of one): sent now, the
    // call would land in a later slot on top of that slot's own. It takes a new place instead.
    if (Date.now() < at + SLOT_MS) return;
  }
}

/**
 * Takes places for every waiting call of this instance with one `ADD` (so DynamoDB sees one write per instance at a
 * time, not one per call however many are offered), and hands each its slot. A place whose slot ended before the
 * ticket came back is dropped: sending then would add the call to a later slot on top of that slot's own.
 */
async function serve(clientId: string, queue: Waiter[]): Promise<void> {
  serving.add(clientId);
  const rate = env('ozon').OZON_RATE_PER_SECOND;
  const perSlot = Math.max(1, Math.floor(rate / SLOTS_PER_SECOND));
  const perSecond = perSlot * SLOTS_PER_SECOND;

  try {
    while (queue.length > 0) {
      const now = Math.floor(Date.now() / 1000);
      const second = Math.max(now, fullUntil);
      if (second >= now + MAX_AHEAD_SECONDS) {
        const error = new OzonRateLimited(`The Ozon rate budget of ${clientId} is booked ${MAX_AHEAD_SECONDS} s ahead`);
        for (const w of queue.splice(0)) w.reject(error);
        break;
      }
      const wanted = Math.min(queue.length, perSecond);
      const last = await ticket(clientId, second, wanted);
      for (let n = last - wanted + 1; n <= Math.min(last, perSecond) && queue.length > 0; n++) {
        const at = second * 1000 + Math.floor((n - 1) / perSlot) * SLOT_MS;
        if (Date.now() >= at + SLOT_MS) continue;
        queue.shift()?.resolve(at);
      }
      if (last >= perSecond) fullUntil = Math.max(fullUntil, second + 1);
    }
  } catch (error) {
    for (const w of queue.splice(0)) w.reject(error as Error);
  } finally {
    serving.delete(clientId);
  }
}

/** Ozon answered 429: the whole account skips the next second, not just this call. */
export async function backOffAccount(clientId: string): Promise<void> {
  const next = Math.floor(Date.now() / 1000) + 1;
  await ticket(clientId, next, env('ozon').OZON_RATE_PER_SECOND);
  fullUntil = Math.max(fullUntil, next + 1);
}
