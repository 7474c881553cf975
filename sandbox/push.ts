/**
 * Push (webhook) delivery: POST JSON to the product's URL, 5 s timeout, retries with back-off on the
 * simulated clock, and the push faults (drop / duplicate / random delay).
 */
import type { Rng } from './rng.js';
import type { Faults, SandboxPushRecord } from './types.js';

/** Simulated ms to wait before retry n (1-based). Ozon retries with growing back-off up to 10 min (ozon-api.md §4). */
export const PUSH_RETRY_BACKOFF_MS = [10_000, 60_000, 300_000, 600_000];
export const PUSH_TIMEOUT_MS = 5_000;

export interface PushDeps {
  now(): number;
  schedule(delayMs: number, fn: () => void): void;
  rng: Rng;
  faults: Faults;
  getUrl(): string | undefined;
  records: SandboxPushRecord[];
}

export class PushSender {
  private readonly inflight = new Set<AbortController>();
  private closed = false;

  constructor(private readonly d: PushDeps) {}

  /** Queue a push; never blocks the caller. */
  send(body: Record<string, unknown>) {
    if (this.closed || !this.d.getUrl()) return;
    const { rng, faults } = this.d;
    // draw all fault dice up-front, in a fixed order, so that the sequence is deterministic for a seed
    const drop = rng.chance(faults.dropPush);
    const dup = rng.chance(faults.duplicatePush);
    const delay1 = faults.delayPushMs ? Math.floor(rng.next() * faults.delayPushMs) : 0;
    const delay2 = faults.delayPushMs ? Math.floor(rng.next() * faults.delayPushMs) : 0;
    if (drop) {
      this.d.records.push({ at: Date.now(), simAt: this.d.now(), body, status: 'dropped', attempt: 1 });
      return;
    }
    this.dispatch(body, delay1, 1);
    if (dup) this.dispatch(body, delay2, 1);
  }

  private dispatch(body: Record<string, unknown>, delayMs: number, attempt: number) {
    if (delayMs > 0) this.d.schedule(delayMs, () => void this.attempt(body, attempt));
    else queueMicrotask(() => void this.attempt(body, attempt));
  }

  private async attempt(body: Record<string, unknown>, attempt: number) {
    const url = this.d.getUrl();
    if (this.closed || !url) return;
    const simAt = this.d.now();
    const ac = new AbortController();
    this.inflight.add(ac);
    // the only real-time timer in the sandbox: the HTTP request timeout
    const timer = setTimeout(() => ac.abort(), PUSH_TIMEOUT_MS);
    let status: number | 'error';
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: ac.signal,
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      status = 'error';
    } finally {
      clearTimeout(timer);
      this.inflight.delete(ac);
    }
    if (this.closed) return;
    this.d.records.push({ at: Date.now(), simAt, body, status, attempt });
    if (status !== 200) {
      const backoff = PUSH_RETRY_BACKOFF_MS[attempt - 1];
      if (backoff !== undefined) this.d.schedule(backoff, () => void this.attempt(body, attempt + 1));
    }
  }

  close() {
    this.closed = true;
    for (const ac of this.inflight) ac.abort();
    this.inflight.clear();
  }
}
