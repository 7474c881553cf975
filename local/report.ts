/**
 * What a local run reports: postings by final state, transitions and Ozon calls per posting, alerts and metrics.
 * A posting is reported by its latest execution: `<postingNumber>_r<N>` resumes one that ended badly.
 */
import type { WaitKind } from '#shared/order';
import type { Execution } from './engine';
import type { Runtime } from './runtime';

export interface RunSummary {
  postings: number;
  byFinalState: Record<string, number>;
  byStatus: Record<string, number>;
  alertsByKind: Record<string, number>;
  elapsedSeconds: number;
  stateTransitions: { total: number; perPosting: number; max: number };
  ozonCalls: { total: number; perPosting: number; byPath: Record<string, number> };
  lambdaInvocationsPerPosting: number;
  maxStatePayloadBytes: number;
  /** Executions, resumes included (postings counts each posting once). */
  executions: number;
  /** Totals of the metrics the functions emitted, by name. */
  metrics: Record<string, number>;
}

const RESUME_SUFFIX = /_r(\d+)$/;

/** The posting an execution is for: its name, without the `_r<N>` of a resume. */
export const postingOf = (e: Execution) => e.name.replace(RESUME_SUFFIX, '');

/** Each posting's latest execution: the original, or its latest resume. */
export function latestByPosting(executions: Iterable<Execution>): Execution[] {
  const latest = new Map<string, Execution>();
  const resumeNumber = (e: Execution) => Number(RESUME_SUFFIX.exec(e.name)?.[1] ?? 0);
  for (const e of executions) {
    const seen = latest.get(postingOf(e));
    if (!seen || resumeNumber(e) > resumeNumber(seen)) latest.set(postingOf(e), e);
  }
  return [...latest.values()];
}

/** The state an execution ended in (its last entered state), e.g. Completed, Cancelled, AssemblyRefused. */
export function finalState(e: Execution, failStates: ReadonlySet<string>): string {
  const last = lastState(e) ?? 'none';
  if (e.status === 'RUNNING') return `running:${last}`;
  if (e.status === 'SUCCEEDED' || failStates.has(last)) return last;
  return `failed:${e.error ?? 'unknown'}`;
}

/** The states an execution entered, in order: what the console's graph shows and what AWS bills. */
export const statesEntered = (e: Execution): string[] =>
  e.history.filter((h) => h.type === 'StateEntered').map((h) => h.state ?? '');

export const lastState = (e: Execution): string | undefined => {
  for (let i = e.history.length - 1; i >= 0; i--) {
    const h = e.history[i];
    if (h?.type === 'StateEntered') return h.state ?? '';
  }
  return undefined;
};

type TaskState = { Type: string; Parameters?: { Payload?: { waitFor?: unknown } } };

/**
 * The states that wait (callback pattern) for one of these kinds, read from the definition: every wait passes its
 * kind to the await-event function as `waitFor`, so callers need not know what the states are called.
 */
export function waitStates(definition: Record<string, unknown>, kinds: readonly WaitKind[]): Set<string> {
  const states = (definition.States ?? {}) as Record<string, TaskState>;
  const waitsFor = (s: TaskState) => kinds.includes(s.Parameters?.Payload?.waitFor as WaitKind);
  return new Set(
    Object.entries(states)
      .filter(([, s]) => s.Type === 'Task' && waitsFor(s))
      .map(([name]) => name),
  );
}

/** The definition's Fail states: an execution that ends in one has failed as designed, not crashed. */
export function failStatesOf(definition: Record<string, unknown>): Set<string> {
  const states = (definition.States ?? {}) as Record<string, { Type: string }>;
  return new Set(
    Object.entries(states)
      .filter(([, s]) => s.Type === 'Fail')
      .map(([name]) => name),
  );
}

const countBy = <T>(items: T[], key: (t: T) => string) =>
  items.reduce<Record<string, number>>((acc, t) => {
    const k = key(t);
    acc[k] = (acc[k] ?? 0) + 1;
    return acc;
  }, {});

export function summarize(runtime: Runtime, elapsedSeconds: number): RunSummary {
  const executions = [...runtime.engine.executions.values()];
  const postings = latestByPosting(executions);
  const n = Math.max(1, postings.length);
  const transitions = executions.reduce((s, e) => s + e.transitions, 0);
  const failStates = failStatesOf(runtime.stack.definition);
  return {
    postings: postings.length,
    byFinalState: countBy(postings, (e) => finalState(e, failStates)),
    byStatus: countBy(postings, (e) => e.status),
    alertsByKind: countBy(runtime.alerts, (a) => a.kind),
    elapsedSeconds: Math.round(elapsedSeconds * 100) / 100,
    stateTransitions: {
      total: transitions,
      perPosting: Math.round((transitions / n) * 100) / 100,
      max: Math.max(0, ...executions.map((e) => e.transitions)),
    },
    ozonCalls: {
      total: runtime.ozonCalls.length,
      perPosting: Math.round((runtime.ozonCalls.length / n) * 100) / 100,
      byPath: countBy(runtime.ozonCalls, (c) => c.path),
    },
    lambdaInvocationsPerPosting: Math.round((executions.reduce((s, e) => s + e.lambdaInvocations, 0) / n) * 100) / 100,
    maxStatePayloadBytes: Math.max(0, ...executions.map((e) => e.maxPayloadBytes)),
    executions: executions.length,
    metrics: Object.fromEntries(Object.entries(runtime.metrics).sort(([a], [b]) => a.localeCompare(b))),
  };
}

export function printHistory(e: Execution): string {
  const start = e.history[0]?.at ?? e.startDate;
  return e.history
    .filter((h) => h.type !== 'StateExited')
    .map((h) => {
      const t = `+${((h.at - start) / 3600_000).toFixed(2)}h`.padStart(9);
      return `${t}  ${h.type.padEnd(16)} ${h.state ?? ''}${h.error ? `  ${h.error}: ${h.cause ?? ''}` : ''}`;
    })
    .join('\n');
}

/** Returns and buyers' cancellation requests of a run, by how each ended (the returns and mixed scenarios). */
export interface AfterSaleSummary {
  returns: {
    total: number;
    /** restocked, written_off, utilized, back_to_buyer, refunded, compensated, rejected, left_to_seller, running, not_started */
    byOutcome: Record<string, number>;
    /** By path (scenario runs): posting's path → outcome. */
    byPath?: Record<string, Record<string, number>>;
    /** rFBS requests Ozon (the sandbox) approved itself at its deadline, and those of them the seller was not told of. */
    autoApproved: number;
    autoApprovedWithoutAlert: number;
    payoutsReversed: number;
    stateTransitions: number;
  };
  cancellationRequests: { total: number; byOutcome: Record<string, number> };
}

export const RETURN_MACHINE = 'ReturnLifecycle';

/** Each return the sandbox has, with the product's execution for it (named `<posting>_R<id>`), if started. */
export function returnsOf(runtime: Runtime) {
  const view = runtime.sandbox?.afterSale();
  const executions = [...(runtime.engines.get(RETURN_MACHINE)?.executions.values() ?? [])];
  const returns = [
    ...(view?.rfbsReturns ?? []).map((r) => ({ id: r.return_id, postingNumber: r.posting_number, schema: 'rfbs' })),
    ...(view?.fbsReturns ?? []).map((r) => ({ id: r.id, postingNumber: r.posting_number, schema: 'fbs' })),
  ];
  return returns.map((r) => ({ ...r, execution: executions.find((e) => e.name === `${r.postingNumber}_R${r.id}`) }));
}

/**
 * After the sale: no return still to come from a delivered posting (the sandbox's plan), and every return there is
 * followed by a ReturnLifecycle execution that ended.
 */
export function afterSaleSettled(runtime: Runtime): boolean {
  const view = runtime.sandbox?.afterSale();
  if (!view) return true;
  if (view.plans.some((p) => p.pending.some((t) => t.kind === 'return'))) return false;
  return returnsOf(runtime).every((r) => r.execution && r.execution.status !== 'RUNNING');
}

export async function afterSaleSummary(
  runtime: Runtime,
  paths?: Map<string, string>,
  read: (returnId: number) => Promise<{ unit?: string; decision?: { answer: string } } | undefined> = async () =>
    undefined,
): Promise<AfterSaleSummary> {
  const view = runtime.sandbox?.afterSale();
  const outcomes: { postingNumber: string; outcome: string }[] = [];
  let transitions = 0;
  for (const r of returnsOf(runtime)) {
    transitions += r.execution?.transitions ?? 0;
    const record = await read(r.id);
    const last = r.execution ? lastState(r.execution) : undefined;
    let outcome: string;
    if (!r.execution) outcome = 'not_started';
    else if (r.execution.status === 'RUNNING') outcome = `running:${last}`;
    else if (last === 'ReturnLeftToSeller') outcome = 'left_to_seller';
    else if (record?.unit) outcome = record.unit;
    else
      outcome =
        { refund: 'refunded', compensate: 'compensated', reject: 'rejected' }[record?.decision?.answer ?? ''] ??
        'closed';
    outcomes.push({ postingNumber: r.postingNumber, outcome });
  }
  const alerted = (pn: string) =>
    runtime.alerts.some(
      (a) => a.postingNumber === pn && (a.kind === 'return_request' || a.kind === 'return_unanswered'),
    );
  const auto = (view?.rfbsReturns ?? []).filter((r) => r.autoApproved);
  const byPath: Record<string, Record<string, number>> = {};
  if (paths) {
    for (const o of outcomes) {
      const path = paths.get(o.postingNumber) ?? 'happy';
      byPath[path] ??= {};
      byPath[path][o.outcome] = (byPath[path][o.outcome] ?? 0) + 1;
    }
  }
  return {
    returns: {
      total: outcomes.length,
      byOutcome: countBy(outcomes, (o) => o.outcome),
      ...(paths ? { byPath } : {}),
      autoApproved: auto.length,
      autoApprovedWithoutAlert: auto.filter((r) => !alerted(r.posting_number)).length,
      payoutsReversed: runtime.alerts.filter((a) => a.kind === 'payout_reversed').length,
      stateTransitions: transitions,
    },
    cancellationRequests: {
      total: view?.cancellations.length ?? 0,
      byOutcome: countBy(view?.cancellations ?? [], (c) => c.resolution ?? 'open'),
    },
  };
}
