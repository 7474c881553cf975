/** The catch-up poller on the compressed clock, as EventBridge Scheduler runs it in AWS. */
import type { CompressedClock } from './clock';

export interface Poller {
  /** One poll now, besides the scheduled ones. */
  poll(): Promise<unknown>;
  stop(): void;
}

export function startPoller(clock: CompressedClock, invoke: () => Promise<unknown>, intervalMs: number): Poller {
  let polling = true;
  let cancel = () => {};
  const loop = () => {
    if (!polling) return;
    invoke()
      .catch((e: Error) => process.env.DEBUG && console.error('poll failed', e))
      .finally(() => {
        // Never more often than every 250 real ms, however compressed the clock.
        if (polling) cancel = clock.schedule(Math.max(intervalMs, clock.speed * 250), loop);
      });
  };
  cancel = clock.schedule(intervalMs, loop);
  return {
    poll: invoke,
    stop() {
      polling = false;
      cancel();
    },
  };
}
