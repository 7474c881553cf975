/**
 * Closed-loop admission: a new posting is created whenever fewer than `window` admitted postings are still before
 * hand-over. Ozon allows 50 requests/s per seller and the client keeps to 40, so creating a thousand at once would
 * queue their first calls for minutes of real time — days of compressed time, past every shipment deadline. The
 * window keeps the queue short, and throughput is then what the product sustains, not what the backlog allows.
 * It must still be wide enough not to be the limit itself (throughput ≤ window ÷ the real seconds a posting takes
 * to hand-over), and narrow enough that the one shared process keeps up with simulated time: on 2 cores at ×2000,
 * 64 postings in flight delayed Ozon's status pushes past the assembly's 2 simulated hours (0.4 extra ship per
 * posting, +4 WRU) and got no more throughput than 32, which distorted nothing. The mixed week uses 16: its
 * packing confirmations must arrive within the 2-hour reminder.
 *
 * "Hand-over" is read from the definition, not from state names: a posting is past it once its execution has
 * entered a wait for a tracking number or for delivery (the parcel has left the seller), the label queue, or has
 * ended.
 */
import type { WaitKind } from '#shared/order';
import type { Execution } from '../local/engine';
import { waitStates } from '../local/report';
import type { Runtime } from '../local/runtime';

/** The waits that begin once the parcel has left the seller: what comes after them spends little of Ozon's rate. */
const AFTER_HANDOVER: WaitKind[] = ['tracking', 'delivery'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Admission {
  /** Creates the next posting and returns its number; undefined when there is none left to create. */
  create(): string | undefined;
  /** True once the run is over (every posting where it should be). */
  settled(): boolean;
}

export interface AdmissionResult {
  wallSeconds: number;
  /** Real ms (performance.now) at which each admitted posting was seen past hand-over (out of the window). */
  handedOverAt: Map<string, number>;
  timedOut: boolean;
}

/** The latest execution for a posting (a resume is `<posting>_r<N>`), if it has started. */
export function executionOf(rt: Runtime, postingNumber: string): Execution | undefined {
  const arn = `${rt.stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${postingNumber}`;
  let latest = rt.engine.executions.get(arn);
  for (let r = 1; rt.engine.executions.has(`${arn}_r${r}`); r++) latest = rt.engine.executions.get(`${arn}_r${r}`);
  return latest;
}

/** The definition's states that invoke the function built from `entry`. */
function statesInvoking(rt: Runtime, entry: string): string[] {
  const arn = rt.stack.functions.find((f) => f.entry === entry)?.arn;
  if (!arn) throw new Error(`The stack has no function for ${entry}`);
  const states = (rt.stack.definition.States ?? {}) as Record<string, { Parameters?: { FunctionName?: string } }>;
  const found = Object.entries(states)
    .filter(([, s]) => s.Parameters?.FunctionName === arn)
    .map(([name]) => name);
  if (!found.length) throw new Error(`No state of the definition invokes ${entry}`);
  return found;
}

export async function admit(
  rt: Runtime,
  opts: { window: number; timeoutSeconds: number },
  admission: Admission,
  log: (line: string) => void,
): Promise<AdmissionResult> {
  const handover = waitStates(rt.stack.definition, AFTER_HANDOVER);
  if (!handover.size) throw new Error(`The definition has no wait for ${AFTER_HANDOVER.join(' or ')}`);
  // A posting queued for its label has made its own Ozon calls (the label call is shared by up to 20): counted in
  // the window, it would keep the batcher from filling its batches at the rate postings reach it, as AWS fills them.
  for (const state of statesInvoking(rt, 'functions/fulfilment/pack-and-label.ts')) handover.add(state);
  const beforeHandover = (pn: string) => {
    const e = executionOf(rt, pn);
    if (!e) return true; // the new-posting push has not reached the webhook yet
    if (e.status !== 'RUNNING') return false;
    if (!e.history.some((h) => h.type === 'StateEntered' && handover.has(h.state ?? ''))) return true;
    // PackAndLabel follows the ship at once and waits there for Ozon's assembly: until Ozon has assembled it, the
    // posting still counts, as it did while a wait state of its own (AwaitAssembly) held it before its batch.
    return rt.sandbox?.statusOf(pn) === 'awaiting_packaging';
  };
  const inWindow = new Set<string>();
  const handedOverAt = new Map<string, number>();
  let created = 0;
  let exhausted = false;
  let timedOut = false;
  const started = performance.now();
  let lastLog = started;
  for (;;) {
    for (const pn of inWindow) {
      if (beforeHandover(pn)) continue;
      inWindow.delete(pn);
      handedOverAt.set(pn, performance.now());
    }
    while (!exhausted && inWindow.size < opts.window) {
      const pn = admission.create();
      if (pn === undefined) exhausted = true;
      else {
        inWindow.add(pn);
        created++;
      }
    }
    if (exhausted && admission.settled()) break;
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed > opts.timeoutSeconds) {
      timedOut = true;
      log(`timed out after ${opts.timeoutSeconds} s`);
      break;
    }
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      const running = [...rt.engine.executions.values()].filter((e) => e.status === 'RUNNING').length;
      log(`${elapsed.toFixed(0)} s: admitted ${created}, before hand-over ${inWindow.size}, running ${running}`);
    }
    await sleep(10);
  }
  return { wallSeconds: (performance.now() - started) / 1000, handedOverAt, timedOut };
}

/**
 * Postings per second in steady state: between the 10th and the 90th percentile of the given times, so neither
 * the ramp-up nor the tail counts. The benchmark passes the times postings went past hand-over (confirmed,
 * assembled on Ozon, packed: every per-posting Ozon call made), not the times they completed: an FBS parcel then
 * waits for its carriage's cutoff (once a day) and its transit, which are Ozon's schedule, and completions come in
 * bursts a carriage at a time.
 */
export function steadyThroughput(atMs: number[]): number {
  const t = [...atMs].sort((a, b) => a - b);
  const lo = Math.floor(t.length * 0.1);
  const hi = Math.ceil(t.length * 0.9) - 1;
  const span = ((t[hi] ?? 0) - (t[lo] ?? 0)) / 1000;
  return hi > lo && span > 0 ? (hi - lo) / span : 0;
}
