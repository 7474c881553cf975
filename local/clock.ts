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

export function compressedClock(speed: number, start = Date.now()): CompressedClock {
  if (!(speed >= 1)) throw new Error(`--speed must be at least 1, got ${speed}`);
  const realStart = performance.now();
  const timers = new Set<NodeJS.Timeout>();
  return {
    speed,
    now: () => Math.floor(start + (performance.now() - realStart) * speed),
    toReal: (simMs) => Math.max(0, simMs / speed),
    schedule(delayMs, fn) {
      const t = setTimeout(
        () => {
          timers.delete(t);
          fn();
        },
        Math.max(0, delayMs / speed),
      );
      timers.add(t);
      return () => {
        clearTimeout(t);
        timers.delete(t);
      };
    },
  };
}
