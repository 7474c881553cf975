/**
 * The one source of "now" for domain and handlers. In AWS it is the wall clock; the local runtime swaps in a
 * compressed clock so that hours of Ozon deadlines pass in seconds, and everything that computes a deadline
 * agrees with the sandbox about what time it is.
 */
export interface Clock {
  now(): number;
}

const wallClock: Clock = { now: () => Date.now() };
let current: Clock = wallClock;

export const now = (): number => current.now();
export const nowIso = (): string => new Date(current.now()).toISOString();

/** Used by the local runtime only. */
export function useClock(clock: Clock | undefined): void {
  current = clock ?? wallClock;
}
