/**
 * Exactly once: Ozon retries pushes and delivers them out of order. Pushes for many postings — a share of them
 * duplicated, all shuffled — go to the real webhook over HTTP, on top of the sandbox's own pushes. Each posting gets
 * exactly one execution, ends where it should, and every status and date push is in the order's events once.
 * The webhook queues pushes (SQS) for the push processor, so the check waits for the queue's work to show.
 */
import pRetry from 'p-retry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '#shared/event-store';
import { getOrder } from '#shared/order-store';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { endOf, executionsNamed, FBS_WAREHOUSE, FULL, lastState, tally, waitUntil } from './helpers';

const POSTINGS = FULL ? 500 : 200;
const PUSHES = FULL ? 2_000 : 800;
const DUPLICATE_SHARE = 0.3;
const HOUR = 3600_000;

let rt: Runtime;
beforeAll(async () => {
  rt = await startRuntime({
    speed: 1000,
    // Hours instead of days between hand-over, delivery and payout: the same steps, a shorter wait for the test.
    ozon: { mode: 'sandbox', sandbox: { timing: { handover: HOUR, transit: 2 * HOUR, settlement: HOUR } } },
  });
  await seedDemoStock(POSTINGS * 2);
});
afterAll(async () => {
  await rt?.stop();
});

/** A seeded shuffle, so a failure can be replayed. */
function shuffle<T>(xs: T[], seed = 42): T[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

interface Push {
  body: Record<string, unknown>;
  /** What it must leave: `events` events whose key ends with `eventSuffix`, or an execution. */
  expect: { postingNumber: string; eventSuffix?: string; events?: number };
}

describe(`${PUSHES} pushes for ${POSTINGS} postings, ${DUPLICATE_SHARE * 100}% duplicates, shuffled`, () => {
  it('one execution per posting, each Completed, every date push recorded once and no status push as an event', async () => {
    const postings = Array.from(
      { length: POSTINGS },
      () => rt.sandbox?.createPosting({ schema: 'fbs' }).posting_number ?? '',
    );
    const unique: Push[] = [];
    const distinct = Math.round(PUSHES * (1 - DUPLICATE_SHARE));
    for (const [i, pn] of postings.entries()) {
      const p = rt.sandbox?.posting(pn) as { in_process_at: string; analytics_data: { delivery_date_end: string } };
      const base = { posting_number: pn, seller_id: 836123 };
      unique.push({
        body: {
          ...base,
          message_type: 'TYPE_NEW_POSTING',
          in_process_at: p.in_process_at,
          warehouse_id: FBS_WAREHOUSE,
          products: [],
        },
        expect: { postingNumber: pn },
      });
      const at = new Date(p.in_process_at).toISOString();
      unique.push({
        body: {
          ...base,
          message_type: 'TYPE_STATE_CHANGED',
          new_state: 'awaiting_packaging',
          changed_state_date: at,
          warehouse_id: FBS_WAREHOUSE,
        },
        // A pushed status is one conditional write of the order, no event of its own (README "Data").
        expect: { postingNumber: pn, eventSuffix: `#awaiting_packaging#${at}`, events: 0 },
      });
      // The same delivery date again: a real push that changes nothing but must still be recorded.
      if (i < distinct - 2 * POSTINGS) {
        const end = p.analytics_data.delivery_date_end;
        unique.push({
          body: {
            ...base,
            message_type: 'TYPE_DELIVERY_DATE_CHANGED',
            new_delivery_date_begin: end,
            new_delivery_date_end: end,
          },
          expect: { postingNumber: pn, eventSuffix: `delivery_date#${end}`, events: 1 },
        });
      }
    }
    const duplicates = shuffle(unique, 7).slice(0, PUSHES - unique.length);
    const all = shuffle([...unique, ...duplicates]);
    expect(all).toHaveLength(PUSHES);

    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < all.length) {
          const push = all[next++] as Push;
          // As Ozon does: a push whose connection could not even be made (a busy machine) is sent again.
          const res = await pRetry(
            () =>
              fetch(rt.webhookUrl, {
                method: 'POST',
                body: JSON.stringify(push.body),
                headers: { 'content-type': 'application/json' },
              }),
            { retries: 3, minTimeout: 500 },
          );
          await res.arrayBuffer();
          statuses.push(res.status);
        }
      }),
    );
    expect(tally(statuses, String)).toEqual({ 200: PUSHES });

    // Simulated days pass while two reliability files share two cores: room for a slow run, not for a stuck posting
    // (what a posting still running waits for is printed with its order, to tell the two apart).
    const running = () => postings.filter((pn) => !executionsNamed(rt, pn).some((e) => e.status !== 'RUNNING'));
    await waitUntil(
      () => running().length === 0,
      FULL ? 600_000 : 400_000,
      () =>
        JSON.stringify(
          tally(postings, (pn) => {
            const e = executionsNamed(rt, pn)[0];
            return e ? lastState(e) : 'none';
          }),
        ),
    ).catch(async (error: Error) => {
      const stuck = await Promise.all(
        running()
          .slice(0, 5)
          .map((pn) => getOrder(pn)),
      );
      const facts = stuck.map((o) => ({
        pn: o?.postingNumber,
        phase: o?.phase,
        status: o?.status,
        expected: o?.expectedPayout,
        accrued: o?.accrued,
        wait: o?.wait?.on,
        at: new Date(rt.clock.now()).toISOString(),
      }));
      throw new Error(`${error.message}; still running: ${JSON.stringify(facts)}`);
    });

    for (const pn of postings) expect(executionsNamed(rt, pn), pn).toHaveLength(1);
    expect(tally(postings, (pn) => endOf(executionsNamed(rt, pn)[0]))).toEqual({ Completed: POSTINGS });
    const missing: string[] = [];
    for (const push of unique.filter((u) => u.expect.eventSuffix)) {
      const events = await listEvents(push.expect.postingNumber);
      const keys = events.filter((e) => e.key.endsWith(push.expect.eventSuffix as string));
      if (keys.length !== push.expect.events) {
        missing.push(`${push.expect.postingNumber} ${push.expect.eventSuffix} ×${keys.length}`);
      }
    }
    expect(missing).toEqual([]);
  }, 600_000);
});
