/**
 * The Ozon connection under the faults Ozon really has: lost, duplicated and reordered pushes, 429/5xx answers,
 * and a key that stops working. One runtime with all transport faults on at once; the postings run side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetClients } from '#shared/clients';
import { listEvents } from '#shared/event-store';
import { getOrder } from '#shared/order-store';
import type { Execution } from '../../local/engine';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { statesEntered, waitForExecution } from './helpers';

const HOUR_MS = 3600_000;
const POLL_INTERVAL_MS = 30 * 60_000;
const POSTINGS = 10;

let rt: Runtime;
let postings: string[];
let executions: Map<string, Execution>;

interface PushBody {
  message_type: string;
  posting_number?: string;
  new_state?: string;
  changed_state_date?: string;
  in_process_at?: string;
}
const pushesOf = (pn: string) =>
  (rt.sandbox?.pushes ?? []).filter((p) => (p.body as PushBody).posting_number === pn && p.attempt === 1);

beforeAll(async () => {
  rt = await startRuntime({
    speed: 10_000,
    pollIntervalMs: POLL_INTERVAL_MS,
    environment: { SETTLEMENT_WINDOW_DAYS: '0.5', PAYOUT_CHECK_HOURS: '0.5' },
    carrier: { handoverMs: 2 * HOUR_MS, transitMs: 6 * HOUR_MS },
    ozon: {
      mode: 'sandbox',
      sandbox: {
        seed: 11,
        // Shorter than the defaults so the file stays fast; pushes delayed longer than the handover overtake each other.
        timing: { handover: 2 * HOUR_MS, transit: 6 * HOUR_MS, settlement: HOUR_MS },
        faults: { dropPush: 0.3, duplicatePush: 0.3, delayPushMs: 5 * HOUR_MS, rateLimit: 0.1, serverError: 0.1 },
      },
    },
  });
  await seedDemoStock(100);
  postings = Array.from(
    { length: POSTINGS },
    (_, i) => rt.sandbox?.createPosting({ schema: i % 4 === 3 ? 'rfbs' : 'fbs' }).posting_number ?? '',
  );
  executions = new Map();
  await Promise.all(postings.map(async (pn) => executions.set(pn, await waitForExecution(rt, pn, 50_000))));
}, 70_000);
afterAll(async () => {
  await rt?.stop();
});

describe('Ozon connection that loses nothing', () => {
  it('every posting completes though 30% of pushes are dropped; the poller starts the missed ones within an interval', async () => {
    const droppedNew = postings.filter((pn) =>
      pushesOf(pn).some((p) => p.status === 'dropped' && (p.body as PushBody).message_type === 'TYPE_NEW_POSTING'),
    );
    const droppedStatus = postings.filter((pn) =>
      pushesOf(pn).some((p) => p.status === 'dropped' && (p.body as PushBody).message_type === 'TYPE_STATE_CHANGED'),
    );

    expect(droppedNew.length).toBeGreaterThan(0);
    expect(droppedStatus.length).toBeGreaterThan(0);
    for (const pn of postings) {
      const execution = executions.get(pn) as Execution;
      expect(execution.status, pn).toBe('SUCCEEDED');
      expect(statesEntered(execution).at(-1), pn).toBe('Completed');
    }
    // Each poll run lists the status changes once; a posting's arrival is one, recorded by the first run that looks
    // past the push grace (10 simulated minutes, a third of the interval): the second run after the drop at the latest.
    const pollStarts = (rt.sandbox?.calls ?? [])
      .filter((c) => c.path === '/v4/posting/fbs/list' && c.status === 200)
      .map((c) => c.at);
    const realOf = (sim: number) => Date.now() - (rt.clock.now() - sim) / rt.clock.speed;
    const recovery = droppedNew.map((pn) => {
      const drop = pushesOf(pn).find((p) => (p.body as PushBody).message_type === 'TYPE_NEW_POSTING');
      const created = Date.parse((drop?.body as PushBody | undefined)?.in_process_at ?? '');
      const started = (executions.get(pn) as Execution).startDate;
      const thirdPollAfter = pollStarts.filter((at) => at > (drop?.at ?? 0))[2] ?? Number.POSITIVE_INFINITY;
      expect(realOf(started), pn).toBeLessThan(thirdPollAfter);
      return started - created;
    });
    // A later push can make up for a lost one; the poller made up for at least one.
    const histories = await Promise.all(droppedStatus.map((pn) => listEvents(pn)));
    expect(histories.some((events) => events.some((e) => e.source === 'poll'))).toBe(true);
    console.info(
      `dropped new-posting pushes: ${droppedNew.length}/${POSTINGS}; poller recovery max ${(Math.max(...recovery) / 60_000).toFixed(1)} simulated min (interval ${POLL_INTERVAL_MS / 60_000})`,
    );
  });

  it('duplicate and out-of-order pushes make one execution per posting and the right final state', async () => {
    const duplicated = postings.filter((pn) => {
      const bodies = pushesOf(pn).map((p) => JSON.stringify(p.body));
      return new Set(bodies).size < bodies.length;
    });
    // The sandbox's random delays may or may not reorder pushes in a given run; send a stale one on purpose too:
    // an "awaiting_deliver" from before delivery, twice, arriving after the posting was delivered.
    const target = postings[0] as string;
    const stale = {
      message_type: 'TYPE_STATE_CHANGED',
      posting_number: target,
      new_state: 'posting_transferring_to_delivery',
      changed_state_date: '2020-01-01T00:00:00Z',
      warehouse_id: 1,
      seller_id: 1,
    };
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(rt.webhookUrl, { method: 'POST', body: JSON.stringify(stale) });
      expect(answer.status).toBe(200);
    }
    await rt.pushQueue.drained();

    expect(duplicated.length).toBeGreaterThan(0);
    // The stale status moved nothing: the order keeps its latest status time (status changes are not events).
    expect(((await getOrder(target))?.lastStatusAt ?? '') > '2020-01-02').toBe(true);
    for (const pn of postings) {
      expect(
        [...rt.engine.executions.values()].filter((e) => e.name === pn),
        pn,
      ).toHaveLength(1);
      const ozonStatus = (rt.sandbox?.posting(pn) as { status?: string } | undefined)?.status;
      expect(ozonStatus, pn).toBe('delivered');
      expect(await getOrder(pn), pn).toMatchObject({ status: 'delivered', phase: 'completed' });
    }
  });

  it('with 20% of Ozon calls answering 429 or 5xx every posting completes and the client stays under 50 requests/s', () => {
    const faulted = (rt.sandbox?.calls ?? []).filter((c) => c.status === 429 || c.status >= 500);

    expect(faulted.length).toBeGreaterThan(10);
    expect(postings.every((pn) => executions.get(pn)?.status === 'SUCCEEDED')).toBe(true);
    expect(rt.sandbox?.maxRequestsPerSecond()).toBeLessThanOrEqual(50);
    console.info(
      `Ozon calls ${rt.sandbox?.calls.length}, faulted ${faulted.length}, max ${rt.sandbox?.maxRequestsPerSecond()} requests/s`,
    );
  });

  it('a refused key gives exactly one critical ozon_access alert and no retry storm', async () => {
    const before = rt.sandbox?.calls.length ?? 0;
    const simStart = rt.clock.now();
    const validKey = process.env.OZON_API_KEY;
    process.env.OZON_API_KEY = 'revoked-key-0000';
    resetClients();
    try {
      // Three polls at once (the schedule, a manual run and a retry, say) race for the one alert.
      const reports = (await Promise.all([rt.poll(), rt.poll(), rt.poll()])) as { accessError?: string }[];
      const deadline = Date.now() + 2_000;
      while (!rt.alerts.some((a) => a.kind === 'ozon_access') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 100));

      const during = (rt.sandbox?.calls ?? []).slice(before);
      const access = rt.alerts.filter((a) => a.kind === 'ozon_access');
      expect(reports.every((r) => r.accessError?.includes('Invalid Api-Key'))).toBe(true);
      expect(access).toHaveLength(1);
      expect(access[0]).toMatchObject({ severity: 'critical', message: expect.stringContaining('Invalid Api-Key') });
      // One refused call per poll and nothing retried; other refused calls can only be scheduled polls meanwhile
      // (a scheduled poll that began before the key changed may still finish a call with the valid key).
      const scheduledPolls = Math.ceil((rt.clock.now() - simStart) / POLL_INTERVAL_MS) + 1;
      const refused = during.filter((c) => c.status === 403);
      expect(refused.length).toBeGreaterThanOrEqual(3);
      expect(refused.length).toBeLessThanOrEqual(3 + scheduledPolls);
    } finally {
      process.env.OZON_API_KEY = validKey;
      resetClients();
    }
  });
});
