/** The catch-up poller on the compressed clock, as EventBridge Scheduler runs it in AWS. */
import type { CompressedClock } from './clock';

export interface Poller {
  /** One poll now, besides the scheduled ones. */
  poll(): Promise<unknown>;
  /** No more polls; resolves once a poll in flight has ended, before what it calls goes away. */
  stop(): Promise<void>;
}

/** How long (real ms) stopping waits for a poll in flight. */
const STOP_WAIT_MS = 5_000;

export function startPoller(clock: CompressedClock, invoke: () => Promise<unknown>, intervalMs: number): Poller {
  let polling = true;
  let cancel = () => {};
  const inFlight = new Set<Promise<unknown>>();
  const track = () => {
    const run = invoke();
    inFlight.add(run);
    return run.finally(() => inFlight.delete(run));
  };
  const loop = () => {
    if (!polling) return;
    track()
      .catch((e: Error) => process.env.DEBUG && console.error('poll failed', e))
      .finally(() => {
        // Never more often than every 250 real ms, however compressed the clock.
        if (polling) cancel = clock.schedule(Math.max(intervalMs, clock.speed * 250), loop);
      });
  };
  cancel = clock.schedule(intervalMs, loop);
  return {
    poll: track,
    async stop() {
      polling = false;
      cancel();
      // Bounded: a poll stuck on a dead connection must not hold the shutdown.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, STOP_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
