/**
 * Ozon faults: a fifth of Ozon's answers are 429 (code 8), 500 or 503 "Circle is open". The client's retries and
 * the state machine's Retry carry every posting through, and the product never sends more than Ozon's 50
 * requests per second, counted by the sandbox in real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { RATE_LIMIT_PER_SECOND } from '../../sandbox/index';
import { endOf, executionsNamed, FULL, lastState, tally, waitUntil } from './helpers';

const POSTINGS = FULL ? 300 : 60;
const HOUR = 3600_000;

let rt: Runtime;
beforeAll(async () => {
  rt = await startRuntime({
    speed: 1000,
    ozon: {
      mode: 'sandbox',
      sandbox: {
        faults: { rateLimit: 0.08, serverError: 0.07, circleOpen: 0.05 },
        timing: { handover: HOUR, transit: 2 * HOUR, settlement: HOUR },
      },
    },
  });
  await seedDemoStock(POSTINGS * 2);
});
afterAll(async () => {
  await rt?.stop();
});

describe(`${POSTINGS} postings while 20% of Ozon's answers are faults`, () => {
  it('every posting completes and no second ever carries more than 50 requests', async () => {
    const postings = Array.from(
      { length: POSTINGS },
      () => rt.sandbox?.createPosting({ schema: 'fbs' }).posting_number ?? '',
    );

    await waitUntil(
      () => postings.every((pn) => executionsNamed(rt, pn).some((e) => e.status !== 'RUNNING')),
      FULL ? 400_000 : 200_000,
      () =>
        JSON.stringify(
          tally(postings, (pn) => {
            const e = executionsNamed(rt, pn)[0];
            return e ? lastState(e) : 'none';
          }),
        ),
    );

    expect(tally(postings, (pn) => endOf(executionsNamed(rt, pn)[0]))).toEqual({ Completed: POSTINGS });
    const calls = rt.sandbox?.calls ?? [];
    const faults = calls.filter((c) => [429, 500, 503].includes(c.status)).length;
    // The faults really happened: roughly a fifth of all calls (the rest of the range is sampling noise).
    expect(faults / calls.length).toBeGreaterThan(0.12);
    expect(rt.sandbox?.maxRequestsPerSecond()).toBeLessThanOrEqual(RATE_LIMIT_PER_SECOND);
    console.info(
      `ozon faults: ${POSTINGS} postings, ${calls.length} Ozon calls, ${faults} faults, max ${rt.sandbox?.maxRequestsPerSecond()} req/s`,
    );
  }, 600_000);
});
