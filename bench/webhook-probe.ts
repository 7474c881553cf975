import type { Runtime } from '../local/runtime';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r2 = (x: number) => Math.round(x * 100) / 100;

export interface ProbeResult {
  requests: number;
  rps: number;
  achievedRps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
}

/**
 * Webhook acknowledgement latency over loopback at a fixed request rate: status pushes for finished postings (one
 * conditional write each, the common push), sent on a schedule rather than one after another so a slow answer
 * does not lower the offered load.
 */
export async function probeWebhook(rt: Runtime, postings: string[], rps = 300, seconds = 3): Promise<ProbeResult> {
  const latencies: number[] = [];
  let errors = 0;
  const sends: Promise<void>[] = [];
  const total = rps * seconds;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rps;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const body = {
      message_type: 'TYPE_STATE_CHANGED',
      posting_number: postings[i % postings.length],
      new_state: 'posting_delivered',
      changed_state_date: new Date(Date.UTC(2020, 0, 1, 0, 0, i)).toISOString(),
      warehouse_id: 1020000075732000,
      seller_id: 836123,
    };
    const t = performance.now();
    sends.push(
      fetch(rt.webhookUrl, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      })
        .then(async (res) => {
          await res.arrayBuffer();
          latencies.push(performance.now() - t);
          if (res.status !== 200) errors++;
        })
        .catch(() => {
          errors++;
        }),
    );
  }
  await Promise.all(sends);
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) => r2(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
  return {
    requests: total,
    rps,
    achievedRps: r2(total / ((performance.now() - started) / 1000)),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: r2(sorted.at(-1) ?? 0),
    errors,
  };
}
