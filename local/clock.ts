/**
 * A compressed clock: `speed` simulated milliseconds pass per real millisecond. The product (through
 * functions/shared/clock.ts), the Ozon sandbox and the runtime's timers all read this one clock.
 */
export interface CompressedClock {
  readonly speed: number;
  now(): number;
  /** Runs `fn` after `delayMs` simulated milliseconds. */
  schedule(delayMs: number, fn: () => void): () => void;
  /** Real milliseconds for a simulated duration. */
  toReal(simMs: number): number;
}

/** The largest delay a Node timer accepts (2^31 - 1 ms); a longer one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** `start`: the simulated time now, e.g. where a restarted run left off. */
export function compressedClock(speed: number, start = Date.now()): CompressedClock {
  if (!(speed >= 1)) throw new Error(`--speed must be at least 1, got ${speed}`);
  const realStart = performance.now();
  const now = () => Math.floor(start + (performance.now() - realStart) * speed);
  return {
    speed,
    now,
    toReal: (simMs) => Math.max(0, simMs / speed),
    schedule(delayMs, fn) {
      const due = now() + Math.max(0, delayMs);
      let t: NodeJS.Timeout;
      const arm = () => {
        const realMs = Math.max(0, (due - now()) / speed);
        t = setTimeout(realMs > MAX_TIMER_MS ? arm : fn, Math.min(realMs, MAX_TIMER_MS));
      };
      arm();
      return () => clearTimeout(t);
    },
  };
}
