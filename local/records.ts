/**
 * What a run counts for its summary besides executions: the Ozon calls the product made, the metrics the
 * functions emitted and, against the sandbox, every call it received with its posting numbers. With a data dir each
 * is appended to a log as it happens and read back at start, so a summary covers the whole data dir.
 */
import { observeOzonCalls } from '#shared/ozon/client';
import { observeMetrics } from '#shared/powertools';
import type { OzonSandbox } from '../sandbox/index';
import type { CompressedClock } from './clock';
import type { JsonLog } from './data-dir';

export interface OzonCall {
  path: string;
  status: number;
  /** Simulated ms. */
  at?: number;
}

export interface MetricRecord {
  name: string;
  value: number;
  at: number;
}

export interface SandboxCallRecord {
  path: string;
  status: number;
  postingNumbers: string[];
  at: number;
}

export function recordOzonCalls(clock: CompressedClock, log?: JsonLog<OzonCall>) {
  const calls: OzonCall[] = log?.entries() ?? [];
  const stop = observeOzonCalls((c) => {
    const call = { path: c.path, status: c.status, at: clock.now() };
    log?.append(call);
    calls.push(call);
  });
  return { calls, stop };
}

/** Totals by metric name. */
export function recordMetrics(clock: CompressedClock, log?: JsonLog<MetricRecord>) {
  const totals: Record<string, number> = {};
  const add = (m: { name: string; value: number }) => {
    totals[m.name] = (totals[m.name] ?? 0) + m.value;
  };
  for (const m of log?.entries() ?? []) add(m);
  const stop = observeMetrics((m) => {
    const record = { name: m.name, value: m.value, at: clock.now() };
    log?.append(record);
    add(record);
  });
  return { totals, stop };
}

function postingNumbersIn(body: unknown): string[] {
  const value = (body as { posting_number?: unknown } | undefined)?.posting_number;
  return [value].flat().filter((v): v is string => typeof v === 'string');
}

/**
 * Logs every call the sandbox receives. The sandbox answers synchronously once it has recorded a call; the log
 * line is written in a microtask queued as the call is recorded, so it runs before the answer leaves the process.
 */
export function recordSandboxCalls(sandbox: OzonSandbox, clock: CompressedClock, log: JsonLog<SandboxCallRecord>) {
  const calls = sandbox.calls;
  const push = calls.push.bind(calls);
  calls.push = (...items) => {
    for (const call of items) {
      queueMicrotask(() =>
        log.append({
          path: call.path,
          status: call.status,
          postingNumbers: postingNumbersIn(call.body),
          at: clock.now(),
        }),
      );
    }
    return push(...items);
  };
}
