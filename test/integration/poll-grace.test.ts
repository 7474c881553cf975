/**
 * The catch-up poll leaves a fresh status change to its push (`STATUS_PUSH_GRACE_MINUTES`): recording it too raced
 * the push still in the queue (a refused write and a read for every posting whose push came second). Every push is
 * lost here, so only the poll can move the posting: it does not record the delivery while it is younger than the
 * grace, and records it at the first poll after — the lost push still made up for, one grace later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrder } from '#shared/order-store';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { until, waitForState } from './helpers';

const MINUTE_MS = 60_000;
const GRACE_MINUTES = 30;

let rt: Runtime;

beforeAll(async () => {
  rt = await startRuntime({
    // 30 simulated minutes are 3 real seconds: far more than a poll takes after the delivery is seen.
    speed: 600,
    // No scheduled poll during the test: the test polls.
    pollIntervalMs: 30 * 24 * 60 * MINUTE_MS,
    environment: { STATUS_PUSH_GRACE_MINUTES: String(GRACE_MINUTES) },
    ozon: {
      mode: 'sandbox',
      sandbox: { timing: { transit: 90 * MINUTE_MS }, faults: { dropPush: 1 } },
    },
  });
  await seedDemoStock(10);
});
afterAll(async () => {
  await rt?.stop();
});

describe('the poll and a status change younger than the push grace', { timeout: 120_000 }, () => {
  it('is left to its push, and recorded by the first poll after the grace when the push was lost', async () => {
    const pn = rt.sandbox?.createPosting({ startAt: 'delivering' }).posting_number ?? '';
    // No push arrives: the poll's look for postings it does not know (not held back by the grace) finds it, and
    // it joins in transit.
    await rt.poll();
    await waitForState(rt, pn, 'AwaitDelivery', 60_000);
    expect((await getOrder(pn))?.status).toBe('delivering');

    const deliveredAt = await until(() => {
      const p = rt.sandbox?.posting(pn) as { status?: string } | undefined;
      return p?.status === 'delivered' ? rt.clock.now() : undefined;
    });
    await rt.poll();
    // Younger than the grace: its push's to deliver, not this poll's.
    expect(rt.clock.now() - deliveredAt).toBeLessThan(GRACE_MINUTES * MINUTE_MS);
    expect((await getOrder(pn))?.status).toBe('delivering');

    await until(() => (rt.clock.now() > deliveredAt + (GRACE_MINUTES + 1) * MINUTE_MS ? true : undefined));
    await rt.poll();
    expect((await getOrder(pn))?.status).toBe('delivered');
    await waitForState(rt, pn, 'AwaitPayout', 30_000);
  });
});
