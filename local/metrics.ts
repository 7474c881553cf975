/**
 * What a run consumed, measured from the inside: DynamoDB units as DynamoDB reports them, every Lambda invocation
 * with its duration, Ozon calls, SNS publishes (the seller's alerts), and the engine's per-execution counts.
 * A measurement covers only what happens between `startMeasuring` and `finish`, so a benchmark can seed stock
 * before and inspect results after without its own requests showing up in the figures.
 *
 * Units and Ozon calls are also attributed to postings: a DynamoDB request to the posting numbers in its keys
 * (`POSTING#<n>`), an Ozon call to the posting numbers in its body (from the sandbox's request log), shared
 * equally when there are several. What names no posting (the poller's list calls and index queries, stock-only
 * writes) stays unattributed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readdirSync, readFileSync } from 'node:fs';
import { db, observeDynamoCapacity } from '#shared/db';
import { observeOzonCalls } from '#shared/ozon/client';
import type { Execution } from './engine';
import { type Invocation, observeInvocations, runningFunction } from './functions';
import type { Runtime } from './runtime';

export interface CommandUnits {
  requests: number;
  read: number;
  write: number;
  /** Writes refused by their condition (or cancelled transactions): billed, but DynamoDB returns no figure. */
  conditionFailures: number;
}

export interface FunctionUse {
  invocations: number;
  failed: number;
  totalMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** What can be traced to one posting (or to none: `Measured.unattributed`). */
export interface PostingUse {
  ozonCalls: number;
  ozonByPath: Record<string, number>;
  dynamoRead: number;
  dynamoWrite: number;
  /** Estimated, as `Measured.dynamo.refusedWriteEstimate`. */
  dynamoRefusedWrite: number;
}

export interface Measured {
  executions: Execution[];
  /** By posting number; the Ozon share needs the sandbox (its request log), DynamoDB works against either. */
  byPosting: Map<string, PostingUse>;
  unattributed: PostingUse;
  dynamo: {
    read: number;
    write: number;
    /** Estimated units of refused conditional writes: 1 per item, 2 per item in a transaction (item ≤ 1 KB). */
    refusedWriteEstimate: number;
    byCommand: Record<string, CommandUnits>;
    /** By the function that made the request (`outside` for the runtime's own), then by command. */
    byFunction: Record<string, Record<string, CommandUnits>>;
  };
  lambda: { invocations: number; totalMs: number; byFunction: Record<string, FunctionUse> };
  ozonCalls: {
    total: number;
    byPath: Record<string, number>;
    byStatus: Record<string, number>;
    /** By the function that made the call, then by path. */
    byFunction: Record<string, Record<string, number>>;
  };
  snsPublishes: number;
  alertsByKind: Record<string, number>;
}

const emptyUse = (): PostingUse => ({
  ozonCalls: 0,
  ozonByPath: {},
  dynamoRead: 0,
  dynamoWrite: 0,
  dynamoRefusedWrite: 0,
});

/** The posting numbers a request's keys and values name (`POSTING#<n>`), each once. */
const requestPostings = new AsyncLocalStorage<string[]>();
function postingsInRequest(input: unknown): string[] {
  try {
    return [...new Set([...JSON.stringify(input).matchAll(/POSTING#([\w-]+)/g)].map((m) => m[1] as string))];
  } catch {
    return []; // a value JSON cannot show (a BigInt): the request stays unattributed
  }
}

/** The posting numbers an Ozon request body names, at any depth (`posting_number`, `posting_numbers`, ...). */
function postingsInBody(body: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(body)) for (const x of body) postingsInBody(x, found);
  else if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) {
      if (!/posting_numbers?$/.test(k)) postingsInBody(v, found);
      else for (const n of [v].flat()) if (typeof n === 'string') found.add(n);
    }
  }
  return found;
}

const ATTRIBUTION_MIDDLEWARE = 'benchPostingOfRequest';

const percentile = (sorted: number[], p: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) : 0;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export interface Measuring {
  /**
   * Stops counting and returns the figures for the executions started since `startMeasuring`. Alerts reach the
   * seller's inbox through SQS a moment after their publish, so they are read after `drainMs` more.
   */
  finish(drainMs?: number): Promise<Measured>;
}

export function startMeasuring(runtime: Runtime): Measuring {
  const executionsBefore = new Set(runtime.engine.executions.keys());
  const ozonBefore = runtime.ozonCalls.length;
  const alertsBefore = runtime.alerts.length;
  const sandboxBefore = runtime.sandbox?.calls.length ?? 0;
  const byCommand: Record<string, CommandUnits> = {};
  const byPosting = new Map<string, PostingUse>();
  const unattributed = emptyUse();
  const useOf = (pn: string) => {
    const use = byPosting.get(pn) ?? emptyUse();
    byPosting.set(pn, use);
    return use;
  };
  let refusedWriteEstimate = 0;
  const byFunctionCommand: Record<string, Record<string, CommandUnits>> = {};
  const stopDynamo = observeDynamoCapacity((u) => {
    const fn = runningFunction() ?? 'outside';
    const ofFunction = byFunctionCommand[fn] ?? {};
    byFunctionCommand[fn] = ofFunction;
    const counterIn = (by: Record<string, CommandUnits>): CommandUnits => {
      const c = by[u.command] ?? { requests: 0, read: 0, write: 0, conditionFailures: 0 };
      by[u.command] = c;
      return c;
    };
    for (const c of [counterIn(byCommand), counterIn(ofFunction)]) {
      c.requests++;
      c.read += u.read;
      c.write += u.write;
      if (u.conditionFailed) c.conditionFailures++;
    }
    let refused = 0;
    if (u.conditionFailed) {
      const perItem = u.command.startsWith('Transact') ? 2 : 1;
      refused = perItem * (u.items ?? 1);
      refusedWriteEstimate += refused;
    }
    const postings = requestPostings.getStore() ?? [];
    for (const use of postings.length ? postings.map(useOf) : [unattributed]) {
      const share = 1 / Math.max(1, postings.length);
      use.dynamoRead += u.read * share;
      use.dynamoWrite += u.write * share;
      use.dynamoRefusedWrite += refused * share;
    }
  });
  // Outermost on the product's DynamoDB client: the capacity hook above reports inside the request's context, so
  // the observer learns which postings the request was for. Gone with the client if the runtime resets it.
  const dynamoStack = db().middlewareStack;
  dynamoStack.add((next) => (args) => requestPostings.run(postingsInRequest(args.input), () => next(args)), {
    step: 'initialize',
    priority: 'high',
    name: ATTRIBUTION_MIDDLEWARE,
    override: true,
  });
  const ozonByFunction: Record<string, Record<string, number>> = {};
  const stopOzon = observeOzonCalls((call) => {
    const fn = runningFunction() ?? 'outside';
    ozonByFunction[fn] ??= {};
    ozonByFunction[fn][call.path] = (ozonByFunction[fn][call.path] ?? 0) + 1;
  });
  const durations = new Map<string, { ms: number[]; failed: number }>();
  const stopInvocations = observeInvocations((i: Invocation) => {
    const d = durations.get(i.folder) ?? { ms: [], failed: 0 };
    d.ms.push(i.ms);
    if (i.failed) d.failed++;
    durations.set(i.folder, d);
  });

  return {
    async finish(drainMs = 300) {
      stopDynamo();
      stopOzon();
      dynamoStack.remove(ATTRIBUTION_MIDDLEWARE);
      stopInvocations();
      const calls = runtime.ozonCalls.slice(ozonBefore);
      for (const call of runtime.sandbox?.calls.slice(sandboxBefore) ?? []) {
        const postings = [...postingsInBody(call.body)];
        for (const use of postings.length ? postings.map(useOf) : [unattributed]) {
          const share = 1 / Math.max(1, postings.length);
          use.ozonCalls += share;
          use.ozonByPath[call.path] = (use.ozonByPath[call.path] ?? 0) + share;
        }
      }
      await new Promise((r) => setTimeout(r, drainMs));
      const executions = [...runtime.engine.executions.entries()]
        .filter(([arn]) => !executionsBefore.has(arn))
        .map(([, e]) => e);
      const byFunction: Record<string, FunctionUse> = {};
      for (const [folder, d] of [...durations].sort(([a], [b]) => a.localeCompare(b))) {
        const sorted = [...d.ms].sort((a, b) => a - b);
        byFunction[folder] = {
          invocations: sorted.length,
          failed: d.failed,
          totalMs: round(
            sorted.reduce((s, x) => s + x, 0),
            1,
          ),
          p50Ms: round(percentile(sorted, 0.5)),
          p99Ms: round(percentile(sorted, 0.99)),
        };
      }
      const alerts = runtime.alerts.slice(alertsBefore);
      const countBy = <T>(xs: T[], key: (x: T) => string) =>
        xs.reduce<Record<string, number>>((acc, x) => {
          acc[key(x)] = (acc[key(x)] ?? 0) + 1;
          return acc;
        }, {});
      const fns = Object.values(byFunction);
      const commands = Object.values(byCommand);
      return {
        executions,
        byPosting,
        unattributed,
        dynamo: {
          read: round(commands.reduce((s, c) => s + c.read, 0)),
          write: round(commands.reduce((s, c) => s + c.write, 0)),
          refusedWriteEstimate,
          byCommand,
          byFunction: byFunctionCommand,
        },
        lambda: {
          invocations: fns.reduce((s, f) => s + f.invocations, 0),
          totalMs: round(
            fns.reduce((s, f) => s + f.totalMs, 0),
            1,
          ),
          byFunction,
        },
        ozonCalls: {
          total: calls.length,
          byPath: countBy(calls, (c) => c.path),
          byStatus: countBy(calls, (c) => String(c.status)),
          byFunction: ozonByFunction,
        },
        // Every alert is one SNS publish; the runtime's inbox is an SQS queue subscribed to the topic.
        snsPublishes: alerts.length,
        alertsByKind: countBy(alerts, (a) => a.kind),
      };
    },
  };
}

/**
 * Peak resident memory in MB of this process and of the processes it started (DynamoDB Local's JVM), from the
 * kernel's high-water mark (VmHWM), so a short spike between samples is not missed. Linux only; elsewhere the
 * children count as 0.
 */
export function peakMemoryMb(): { node: number; children: number } {
  const node = Math.round(process.resourceUsage().maxRSS / 1024);
  let children = 0;
  try {
    const parentOf = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // The command name in field 2 may contain spaces; the parent pid is the second field after its ')'.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        parentOf.set(Number(entry), ppid);
      } catch {
        // The process ended while the directory was read.
      }
    }
    const descends = (pid: number): boolean => {
      for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) {
        if (p === process.pid) return true;
      }
      return false;
    };
    for (const pid of parentOf.keys()) {
      if (!descends(pid)) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      children += kb / 1024;
    }
  } catch {
    // No /proc: not Linux.
  }
  return { node, children: Math.round(children) };
}
