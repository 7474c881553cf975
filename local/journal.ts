/**
 * The engine's journal: what a restart needs to go on with every execution. aws-local-stepfunctions has no
 * snapshot of a running execution, so the journal keeps each state entered with its input; a restart runs the
 * execution again from the last one (every step is idempotent by design, so running the current step again is
 * safe). A wait keeps its absolute simulated timeout, so a restarted wait gets the time that was left.
 */
import type { Execution, ExecutionStatus, HistoryEvent } from './execution';

export type JournalEntry =
  | { kind: 'started'; name: string; input: string; at: number }
  | {
      kind: 'event';
      name: string;
      at: number;
      type: string;
      state?: string;
      error?: string;
      cause?: string;
      /** A top-level state's input as it entered: where a restart resumes. */
      input?: unknown;
      invocations?: number;
      maxPayloadBytes?: number;
    }
  | { kind: 'wait'; name: string; at: number; state: string; timeoutAt: number }
  | {
      kind: 'ended';
      name: string;
      at: number;
      status: ExecutionStatus;
      error?: string;
      cause?: string;
      output?: unknown;
      invocations: number;
      maxPayloadBytes: number;
    };

export interface Journal {
  append(entry: JournalEntry): void;
  entries(): JournalEntry[];
  /** Replaces the whole journal (atomically): how it is compacted at start. */
  rewrite?(entries: JournalEntry[]): void;
}

/**
 * The journal without what no restart needs any more: the inputs and waits of executions that ended (their history
 * and counts stay). The states' inputs are most of its size, so a long-running data dir stays small.
 */
export function compact(entries: JournalEntry[]): JournalEntry[] {
  const ended = new Set(entries.filter((e) => e.kind === 'ended').map((e) => e.name));
  return entries.flatMap((e): JournalEntry[] => {
    if (!ended.has(e.name)) return [e];
    if (e.kind === 'wait') return [];
    if (e.kind === 'event' && e.input !== undefined) {
      const { input: _input, ...rest } = e;
      return [rest];
    }
    return [e];
  });
}

/** Where a restarted execution goes on: the last top-level state it entered, with that state's input. */
export interface ResumePoint {
  state: string;
  input: unknown;
  /** The wait that state was in, if it is a callback wait: its absolute simulated timeout. */
  waitTimeoutAt?: number;
}

export interface Replayed {
  execution: Omit<Execution, 'executionArn' | 'done'>;
  /** Undefined for an execution that ended, or that had not entered its first state yet. */
  resumeAt?: ResumePoint;
}

/** Rebuilds every execution from the journal, in the order they started. */
export function replay(entries: JournalEntry[]): Replayed[] {
  const byName = new Map<string, Replayed>();
  for (const entry of entries) {
    if (entry.kind === 'started') {
      byName.set(entry.name, {
        execution: {
          name: entry.name,
          input: entry.input,
          status: 'RUNNING',
          startDate: entry.at,
          history: [],
          transitions: 0,
          lambdaInvocations: 0,
          maxPayloadBytes: Buffer.byteLength(entry.input),
        },
      });
      continue;
    }
    const r = byName.get(entry.name);
    if (!r) continue;
    const e = r.execution;
    if (entry.kind === 'event') {
      const event: HistoryEvent = { at: entry.at, type: entry.type, state: entry.state };
      if (entry.error !== undefined) event.error = entry.error;
      if (entry.cause !== undefined) event.cause = entry.cause;
      e.history.push(event);
      if (entry.type === 'StateEntered') e.transitions++;
      e.lambdaInvocations = Math.max(e.lambdaInvocations, entry.invocations ?? 0);
      e.maxPayloadBytes = Math.max(e.maxPayloadBytes, entry.maxPayloadBytes ?? 0);
      if (entry.type === 'StateEntered' && entry.input !== undefined && entry.state) {
        r.resumeAt = { state: entry.state, input: entry.input };
      }
    } else if (entry.kind === 'wait') {
      if (r.resumeAt?.state === entry.state) r.resumeAt.waitTimeoutAt = entry.timeoutAt;
    } else {
      Object.assign(e, {
        status: entry.status,
        stopDate: entry.at,
        output: entry.output,
        error: entry.error,
        cause: entry.cause,
        lambdaInvocations: entry.invocations,
        maxPayloadBytes: entry.maxPayloadBytes,
      });
      r.resumeAt = undefined;
    }
  }
  return [...byName.values()];
}

/**
 * Holds each task of one execution back until the journal holds its state's entry (or retry), so nothing runs that
 * a restart would not run again. Each run of a task follows exactly one StateEntered or StateRetried event.
 */
export class EntryGate {
  private readonly recordedEntries = new Map<string, number>();
  private readonly waiters: { state: string; resolve: () => void }[] = [];

  /** Resolves once an entry of `state` is journaled that no earlier task of it claimed. */
  entered(state: string): Promise<void> {
    if ((this.recordedEntries.get(state) ?? 0) > 0) {
      this.recordedEntries.set(state, 0);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ state, resolve }));
  }

  /** The journal now holds an entry (or retry) of `state`. */
  recorded(state: string): void {
    const waiter = this.waiters.findIndex((w) => w.state === state);
    if (waiter >= 0) this.waiters.splice(waiter, 1)[0]?.resolve();
    else this.recordedEntries.set(state, (this.recordedEntries.get(state) ?? 0) + 1);
  }
}
