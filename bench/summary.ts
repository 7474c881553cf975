/**
 * The benchmark's figures from one run's measurement: per posting, the bill (each function's duration at its own
 * memory size), throughput against the Ozon-rate ceiling, cold starts, the targets; and the tables it prints.
 */
import * as path from 'node:path';
import Table from 'cli-table3';
import type { Measured } from '../local/metrics';
import type { ResolvedStack } from '../local/template';
import type { ColdStarts } from './cold-start';
import { type MixedReport, mixedTable } from './mixed';
import { bill, gbSeconds, PRICES } from './prices';
import { judgeTargets, type Target, targetsTable } from './targets';
import type { ProbeResult } from './webhook-probe';

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

export interface RunFacts {
  scenario: 'happy' | 'mixed';
  orders: number;
  settings: Record<string, number>;
  machine: Record<string, string | number>;
  stack: ResolvedStack;
  measured: Measured;
  byFinalState: Record<string, number>;
  wallSeconds: number;
  timedOut: boolean;
  /** Happy runs: postings through hand-over per second in steady state (admission.ts `steadyThroughput`). */
  steadyPostingsPerSecond: number;
  /** The client's limit on Ozon requests per second, as the functions read it. */
  ozonRatePerSecond: number;
  maxOzonRequestsPerSecond: number;
  peakMemoryMb: { node: number; childProcesses: number };
  probe?: ProbeResult;
  coldStart?: ColdStarts | null;
  mixed?: MixedReport;
}

export function summarize(f: RunFacts) {
  const { measured } = f;
  const n = f.orders;
  const per = (x: number) => r2(x / n);
  const executions = measured.executions;
  const transitions = executions.reduce((s, e) => s + e.transitions, 0);
  const writeUnits = measured.dynamo.write + measured.dynamo.refusedWriteEstimate;

  const memoryOf = new Map(f.stack.functions.map((fn) => [path.basename(fn.entry, '.ts'), fn.memorySize]));
  const lambdaByFunction = Object.fromEntries(
    Object.entries(measured.lambda.byFunction).map(([name, use]) => {
      const memoryMb = memoryOf.get(name) ?? Number.NaN;
      return [name, { ...use, memoryMb }];
    }),
  );
  const cost = bill({
    transitions,
    lambdaInvocations: measured.lambda.invocations,
    lambdaByFunction,
    dynamoWriteUnits: writeUnits,
    dynamoReadUnits: measured.dynamo.read,
    snsPublishes: measured.snsPublishes,
  });
  const costPer1000 = Object.fromEntries(Object.entries(cost).map(([k, v]) => [k, r4((v / n) * 1000)]));

  const ozonCallsPerPosting = measured.ozonCalls.total / n;
  const ceiling = ozonCallsPerPosting > 0 ? f.ozonRatePerSecond / ozonCallsPerPosting : Number.POSITIVE_INFINITY;
  const throughput = {
    postingsPerSecond: r2(f.steadyPostingsPerSecond),
    ozonRatePerSecond: f.ozonRatePerSecond,
    ozonCallsPerPosting: r2(ozonCallsPerPosting),
    ceilingPostingsPerSecond: r2(ceiling),
    ratio: r2(f.steadyPostingsPerSecond / ceiling),
    overallPostingsPerSecond: r2(n / f.wallSeconds),
  };

  const targets: Target[] | null =
    f.scenario === 'happy'
      ? judgeTargets({
          ozonCallsPerPosting: r2(ozonCallsPerPosting),
          throughputRatio: throughput.ratio,
          dynamoWriteUnitsPerPosting: per(writeUnits),
          dynamoReadUnitsPerPosting: per(measured.dynamo.read),
          transitionsPerPosting: per(transitions),
          costPer1000: costPer1000.total ?? Number.NaN,
          maxBundleKb: f.coldStart?.maxBundleKb ?? null,
          maxColdStartP50Ms: f.coldStart?.maxP50Ms ?? null,
        })
      : null;

  return {
    scenario: f.scenario,
    orders: n,
    machine: f.machine,
    settings: f.settings,
    byFinalState: f.byFinalState,
    wallSeconds: r2(f.wallSeconds),
    timedOut: f.timedOut,
    throughput: f.scenario === 'happy' ? throughput : null,
    peakMemoryMb: f.peakMemoryMb,
    perPosting: {
      stateTransitions: per(transitions),
      lambdaInvocations: per(measured.lambda.invocations),
      lambdaInvocationsInExecutions: per(executions.reduce((s, e) => s + e.lambdaInvocations, 0)),
      lambdaMs: per(measured.lambda.totalMs),
      ozonCalls: per(measured.ozonCalls.total),
      dynamoReadUnits: per(measured.dynamo.read),
      dynamoWriteUnits: per(writeUnits),
      dynamoWriteUnitsReported: per(measured.dynamo.write),
      dynamoRefusedWriteUnitsEstimated: per(measured.dynamo.refusedWriteEstimate),
      snsPublishes: per(measured.snsPublishes),
      /** Not traceable to one posting (the poller's list calls and index queries, stock-only requests). */
      unattributedOzonCalls: per(measured.unattributed.ozonCalls),
      unattributedDynamoWriteUnits: per(measured.unattributed.dynamoWrite + measured.unattributed.dynamoRefusedWrite),
      unattributedDynamoReadUnits: per(measured.unattributed.dynamoRead),
    },
    maxStatePayloadBytes: Math.max(0, ...executions.map((e) => e.maxPayloadBytes)),
    costPer1000,
    prices: PRICES,
    dynamoByCommand: Object.fromEntries(
      Object.entries(measured.dynamo.byCommand).map(([k, c]) => [
        k,
        {
          requests: per(c.requests),
          read: per(c.read),
          write: per(c.write),
          conditionFailures: per(c.conditionFailures),
        },
      ]),
    ),
    /** Per posting, by the function that made the request, then by command: where the units go. */
    dynamoByFunction: Object.fromEntries(
      Object.entries(measured.dynamo.byFunction).map(([fn, commands]) => [
        fn,
        Object.fromEntries(
          Object.entries(commands).map(([k, c]) => [
            k,
            { requests: per(c.requests), read: per(c.read), write: per(c.write) },
          ]),
        ),
      ]),
    ),
    /** Each function's measured duration (in-process, this machine) and the memory it is deployed with. */
    lambdaByFunction: Object.fromEntries(
      Object.entries(lambdaByFunction).map(([name, use]) => [
        name,
        {
          ...use,
          invocationsPerPosting: per(use.invocations),
          durationCostPer1000: r4(((gbSeconds(use) * PRICES.lambdaGbSecond) / n) * 1000),
        },
      ]),
    ),
    ozon: {
      byPath: measured.ozonCalls.byPath,
      byStatus: measured.ozonCalls.byStatus,
      /** Per posting, by the function that made the call, then by path. */
      byFunction: Object.fromEntries(
        Object.entries(measured.ozonCalls.byFunction).map(([fn, paths]) => [
          fn,
          Object.fromEntries(Object.entries(paths).map(([path, calls]) => [path, per(calls)])),
        ]),
      ),
      maxRequestsPerSecond: f.maxOzonRequestsPerSecond,
    },
    alertsByKind: measured.alertsByKind,
    /** Loopback, with the push processor in the same process; `npm run bench:webhook` measures it alone. */
    webhookAck: f.probe ?? null,
    coldStart: f.coldStart ?? null,
    targets,
    mixed: f.mixed ?? null,
  };
}

export type Summary = ReturnType<typeof summarize>;

/** The tables a run prints (to stderr with --json, so stdout stays one JSON line). */
export function printSummary(s: Summary, log: (line: string) => void) {
  log(`final states: ${JSON.stringify(s.byFinalState)}`);
  const details = new Table({ head: ['per posting', 'value'] });
  for (const [k, v] of Object.entries(s.perPosting)) details.push([k, v]);
  details.push(['largest state payload (bytes)', s.maxStatePayloadBytes]);
  details.push(['wall time (s)', s.wallSeconds]);
  if (s.throughput) {
    const t = s.throughput;
    details.push(['throughput to hand-over, steady state (postings/s)', t.postingsPerSecond]);
    details.push(['throughput, whole run incl. ramp and tail (postings/s)', t.overallPostingsPerSecond]);
    details.push([
      'Ozon-rate ceiling (postings/s)',
      `${t.ceilingPostingsPerSecond} = ${t.ozonRatePerSecond} req/s ÷ ${t.ozonCallsPerPosting} calls`,
    ]);
    details.push(['throughput ÷ ceiling', t.ratio]);
  }
  details.push(['peak RSS node / DynamoDB Local (MB)', `${s.peakMemoryMb.node} / ${s.peakMemoryMb.childProcesses}`]);
  details.push(['Ozon max requests in any second', s.ozon.maxRequestsPerSecond]);
  if (s.webhookAck) {
    const w = s.webhookAck;
    details.push([`webhook ack at ${w.rps} req/s, p50 / p99 (ms)`, `${w.p50Ms} / ${w.p99Ms} (in-process)`]);
  }
  log(details.toString());

  const dynamo = new Table({ head: ['DynamoDB per posting', 'requests', 'RRU', 'WRU', 'refused'] });
  for (const [k, c] of Object.entries(s.dynamoByCommand))
    dynamo.push([k, c.requests, c.read, c.write, c.conditionFailures]);
  log(dynamo.toString());

  const lambda = new Table({
    head: ['function', 'memory MB', 'calls/posting', 'p50 ms', 'p99 ms', 'duration $/1,000 postings'],
  });
  for (const [name, f] of Object.entries(s.lambdaByFunction)) {
    lambda.push([name, f.memoryMb, f.invocationsPerPosting, f.p50Ms, f.p99Ms, f.durationCostPer1000]);
  }
  log(lambda.toString());

  const bill1000 = new Table({ head: ['AWS per 1,000 postings', '$'] });
  for (const [k, v] of Object.entries(s.costPer1000)) bill1000.push([k, v]);
  log(bill1000.toString());

  if (s.coldStart) {
    const cold = new Table({ head: ['function', 'bundle KB', 'init p50 ms', 'init max ms'] });
    for (const [name, c] of Object.entries(s.coldStart.byFunction)) cold.push([name, c.bundleKb, c.p50Ms, c.maxMs]);
    log(cold.toString());
  }
  if (s.mixed) {
    log(mixedTable(s.mixed));
    log(s.mixed.valid ? 'mixed: every posting ended as its path intends' : 'mixed: NOT VALID — see ✗ above');
  }
  if (s.targets) log(targetsTable(s.targets));
}
