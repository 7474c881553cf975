import type { SandboxClock } from './types.js';

/** Real time: now() = Date.now(), schedule() = setTimeout. */
export function realClock(): SandboxClock {
  return {
    now: () => Date.now(),
    schedule(delayMs, fn) {
      const t = setTimeout(fn, Math.max(0, delayMs));
      t.unref?.();
      return () => clearTimeout(t);
    },
  };
}

/**
 * Simulated time running `factor` times faster than real time (e.g. 3600 = one simulated hour per real second).
 * Handy for end-to-end runs of the product against the sandbox.
 */
export function scaledClock(factor: number, start = Date.now()): SandboxClock {
  const realStart = Date.now();
  return {
    now: () => start + (Date.now() - realStart) * factor,
    schedule(delayMs, fn) {
      const t = setTimeout(fn, Math.max(0, delayMs / factor));
      t.unref?.();
      return () => clearTimeout(t);
    },
  };
}

export interface ManualClock extends SandboxClock {
  /** Move simulated time forward, running every task that falls due, in time order. */
  advance(ms: number): void;
  /** Move to the next scheduled task (if any) and run everything due then; returns false if nothing was pending. */
  runNext(): boolean;
  /** Number of pending tasks. */
  pending(): number;
}

/** A clock that only moves when told to (for tests). */
export function manualClock(start = Date.UTC(2026, 0, 15, 9, 0, 0)): ManualClock {
  let now = start;
  let seq = 0;
  const tasks: { at: number; seq: number; fn: () => void }[] = [];
  const runDue = (until: number) => {
    for (;;) {
      tasks.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const t = tasks[0];
      if (!t || t.at > until) break;
      tasks.shift();
      now = Math.max(now, t.at);
      t.fn();
    }
    now = Math.max(now, until);
  };
  return {
    now: () => now,
    schedule(delayMs, fn) {
      const task = { at: now + Math.max(0, delayMs), seq: seq++, fn };
      tasks.push(task);
      return () => {
        const i = tasks.indexOf(task);
        if (i >= 0) tasks.splice(i, 1);
      };
    },
    advance(ms) {
      runDue(now + ms);
    },
    runNext() {
      tasks.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const t = tasks[0];
      if (!t) return false;
      runDue(t.at);
      return true;
    },
    pending: () => tasks.length,
  };
}
