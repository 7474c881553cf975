/** Shared by the reliability tests: the full-size switch, waiting on the runtime, and reading executions. */
import type { Execution } from '../../local/engine';
import { statesEntered } from '../../local/report';
import type { Runtime } from '../../local/runtime';
import { DEFAULT_WAREHOUSES } from '../../sandbox/index';

/** `RELIABILITY_FULL=1` runs the issue's full sizes; without it the suite runs scaled down to stay quick in CI. */
export const FULL = process.env.RELIABILITY_FULL === '1';

export const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;

/** Polls `check` (real time) until it returns true; fails with `describe()` when the time is up. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const executionsNamed = (rt: Runtime, name: string) =>
  [...rt.engine.executions.values()].filter((e) => e.name === name);

export { statesEntered as statesOf };

export const lastState = (e: Execution) => statesEntered(e).at(-1) ?? '';

/** Counts by key, sorted for readable failure messages. */
export function tally<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Where an execution ended, with the error when it failed, e.g. `Completed` or `PackAndLabel:OzonUnavailable`. */
export const endOf = (e: Execution | undefined) =>
  e ? `${lastState(e)}${e.status === 'FAILED' ? `:${e.error ?? 'unknown'}` : ''}` : 'not started';

/** The most of these times (real ms) that fall within any one second, as the sandbox counts its rate limit. */
export function maxPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[lo] as number) <= (sorted[hi] as number) - 1000) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
