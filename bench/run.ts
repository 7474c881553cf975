/**
 * `npm run bench`: N sandbox postings through the whole OrderLifecycle on the embedded runtime, and what each one
 * cost — state transitions, Lambda invocations and duration, Ozon calls, DynamoDB units as DynamoDB reports them,
 * SNS publishes, the largest state payload — with an AWS bill estimate and the targets next to the figures.
 *
 * Postings are admitted closed-loop: a new one is created whenever fewer than `--window` postings are still
 * before handover. Ozon allows 50 requests/s per seller and the client keeps to 40, so creating a thousand at once
 * would queue their first calls for minutes of real time — days of compressed time, past every shipment deadline.
 * The window keeps the queue short, and throughput is then what the product sustains, not what the backlog allows.
 */
import { cpus } from 'node:os';
import * as path from 'node:path';
import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';
import { build } from 'esbuild';
import { BUNDLING } from '../infra/constructs/autopilot-function';
import { peakMemoryMb, startMeasuring } from '../local/metrics';
import { finalState } from '../local/report';
import { type Runtime, startRuntime } from '../local/runtime';
import { runScenario, scenarioRuntimeOptions } from '../local/scenarios';
import { seedDemoStock } from '../local/seed';
import { resolveStackCached } from '../local/template';
import { bill, PRICES } from './prices';
import { probeWebhook } from './webhook-probe';

const ROOT = path.resolve(import.meta.dirname, '..');

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
};

interface BenchOptions {
  orders: number;
  json: boolean;
  scenario: 'happy' | 'mixed';
  speed: number;
  pollMinutes: number;
  window: number;
  timeout: number;
  probe: boolean;
}

/** States a posting passes before its parcel leaves: the part of the lifecycle that spends the Ozon rate budget. */
const BEFORE_HANDOVER = new Set([
  'ReceivePosting',
  'ReserveStock',
  'ConfirmPosting',
  'AwaitAssembly',
  'PackAndLabel',
  'RegisterShipment',
  'ShipmentBySchema',
]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

async function runPostings(rt: Runtime, opts: BenchOptions, log: (s: string) => void) {
  const sandbox = rt.sandbox;
  if (!sandbox) throw new Error('The benchmark needs the Ozon sandbox');
  const arnOf = (name: string) => `${rt.stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const beforeHandover = new Set<string>();
  const names: string[] = [];
  const stillBeforeHandover = (name: string) => {
    const e = rt.engine.executions.get(arnOf(name));
    if (!e) return true; // the new-posting push has not reached the webhook yet
    if (e.status !== 'RUNNING') return false;
    for (let i = e.history.length - 1; i >= 0; i--) {
      const h = e.history[i];
      if (h?.type === 'StateEntered') return BEFORE_HANDOVER.has(h.state ?? '');
    }
    return true;
  };
  // Counted as executions end rather than by scanning them all on every tick, so the loop stays cheap.
  let done = 0;
  const stopCounting = rt.engine.onExecutionDone(() => {
    done++;
  });
  const started = performance.now();
  let lastLog = started;
  for (;;) {
    for (const name of beforeHandover) if (!stillBeforeHandover(name)) beforeHandover.delete(name);
    while (names.length < opts.orders && beforeHandover.size < opts.window) {
      const { posting_number } = sandbox.createPosting({ schema: 'fbs' });
      names.push(posting_number);
      beforeHandover.add(posting_number);
    }
    if (done >= opts.orders) break;
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed > opts.timeout) {
      log(`timed out after ${opts.timeout} s with ${done} of ${opts.orders} postings done`);
      break;
    }
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      log(`${elapsed.toFixed(0)} s: created ${names.length}, done ${done}, before handover ${beforeHandover.size}`);
    }
    await sleep(10);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  stopCounting();
  return { wallSeconds, names };
}

/** Waits until every named posting's execution has ended. */
async function waitForAll(rt: Runtime, names: string[], opts: BenchOptions, log: (s: string) => void) {
  const started = performance.now();
  const arnOf = (name: string) => `${rt.stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  let lastLog = started;
  for (;;) {
    const done = names.filter((n) => {
      const e = rt.engine.executions.get(arnOf(n));
      return e && e.status !== 'RUNNING';
    }).length;
    if (done === names.length) break;
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed > opts.timeout) {
      log(`timed out after ${opts.timeout} s with ${done} of ${names.length} postings done`);
      break;
    }
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      log(`${elapsed.toFixed(0)} s: done ${done} of ${names.length}`);
    }
    await sleep(100);
  }
  return { wallSeconds: (performance.now() - started) / 1000, names };
}

/** Each function bundled as CDK bundles it (the construct's BUNDLING options), in memory. */
async function bundleSizes() {
  const byFunction: Record<string, number> = {};
  for (const fn of resolveStackCached().functions) {
    const result = await build({
      entryPoints: [path.join(ROOT, fn.entry)],
      bundle: true,
      platform: 'node',
      minify: BUNDLING.minify,
      target: BUNDLING.target,
      format: 'cjs',
      keepNames: BUNDLING.keepNames,
      external: BUNDLING.externalModules,
      write: false,
      logLevel: 'silent',
    });
    const name = fn.entry.replace(/^functions\//, '').replace(/\.ts$/, '');
    byFunction[name] = Math.round(result.outputFiles.reduce((s, f) => s + f.contents.byteLength, 0) / 1024);
  }
  return { maxKb: Math.max(...Object.values(byFunction)), byFunction };
}

async function bench(opts: BenchOptions) {
  const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
  log(
    `bench: ${opts.orders} ${opts.scenario} postings, speed ×${opts.speed}, poll every ${opts.pollMinutes} simulated min, window ${opts.window}, ${cpus().length} cores`,
  );
  const carrierPlans = new Map<string, { silent?: boolean; transitMs?: number }>();
  const rt = await startRuntime({
    speed: opts.speed,
    pollIntervalMs: opts.pollMinutes * 60_000,
    ozon: { mode: 'sandbox' },
    ...scenarioRuntimeOptions(opts.scenario, carrierPlans),
  });
  let measured: Awaited<ReturnType<ReturnType<typeof startMeasuring>['finish']>>;
  let run: Awaited<ReturnType<typeof runPostings>>;
  let probe: Awaited<ReturnType<typeof probeWebhook>> | undefined;
  let maxOzonRps: number;
  try {
    if (opts.scenario === 'happy') {
      // Enough of every product that no posting is short: random postings take 1–2 lines of 1–2 units.
      await seedDemoStock(opts.orders * 2);
      const measuring = startMeasuring(rt);
      run = await runPostings(rt, opts, log);
      measured = await measuring.finish();
    } else {
      // The mixed scenario seeds its own stock and creates every posting at once (its exception cases have
      // timings of their own); measuring starts after it returns, so its seeding is not counted. Its simulated
      // warehouse's packing confirmations go through the product's seller API and are counted as product work.
      const scenario = await runScenario(rt, 'mixed', opts.orders, 0.25, carrierPlans);
      const measuring = startMeasuring(rt);
      run = await waitForAll(rt, [...scenario.paths.keys()], opts, log);
      measured = await measuring.finish();
      scenario.stop();
    }
    maxOzonRps = rt.sandbox?.maxRequestsPerSecond() ?? 0;
    if (opts.probe) probe = await probeWebhook(rt, run.names);
  } finally {
    await rt.stop();
  }
  const bundles = await bundleSizes();
  const memory = peakMemoryMb();

  const n = opts.orders;
  const per = (x: number) => r2(x / n);
  const executions = measured.executions;
  const transitions = executions.reduce((s, e) => s + e.transitions, 0);
  const stepInvocations = executions.reduce((s, e) => s + e.lambdaInvocations, 0);
  const writeUnits = measured.dynamo.write + measured.dynamo.refusedWriteEstimate;
  const usage = {
    transitions,
    lambdaInvocations: measured.lambda.invocations,
    lambdaMs: measured.lambda.totalMs,
    dynamoWriteUnits: writeUnits,
    dynamoReadUnits: measured.dynamo.read,
    snsPublishes: measured.snsPublishes,
  };
  const cost = bill(usage);
  const costPer1000 = Object.fromEntries(Object.entries(cost).map(([k, v]) => [k, r4((v / n) * 1000)]));
  const states = rt.stack.definition.States as Record<string, { Type: string }>;
  const failStates = new Set(
    Object.entries(states)
      .filter(([, s]) => s.Type === 'Fail')
      .map(([k]) => k),
  );
  const byFinalState = executions.reduce<Record<string, number>>((acc, e) => {
    const k = finalState(e, failStates);
    acc[k] = (acc[k] ?? 0) + 1;
    return acc;
  }, {});
  const postingsPerSecond = r2(n / run.wallSeconds);

  const targets = [
    { figure: 'state transitions per posting', target: 12, measured: per(transitions), better: 'lower' },
    { figure: 'DynamoDB write units per posting', target: 8, measured: per(writeUnits), better: 'lower' },
    { figure: 'AWS cost per 1,000 postings ($)', target: 0.3, measured: costPer1000.total ?? 0, better: 'lower' },
    { figure: 'throughput end to end (postings/s)', target: 60, measured: postingsPerSecond, better: 'higher' },
    ...(probe
      ? [{ figure: 'webhook ack p99 at 300 req/s (ms)', target: 20, measured: probe.p99Ms, better: 'lower' }]
      : []),
    { figure: 'largest Lambda bundle (KB, minified)', target: 300, measured: bundles.maxKb, better: 'lower' },
  ].map((t) => {
    const met = t.better === 'lower' ? t.measured <= t.target : t.measured >= t.target;
    const gap = met ? 0 : r2(t.better === 'lower' ? t.measured - t.target : t.target - t.measured);
    return { ...t, met, gap };
  });

  const summary = {
    scenario: opts.scenario,
    orders: n,
    machine: { cores: cpus().length, node: process.version },
    settings: { speed: opts.speed, pollIntervalSimMinutes: opts.pollMinutes, window: opts.window },
    byFinalState,
    wallSeconds: r2(run.wallSeconds),
    postingsPerSecond,
    peakMemoryMb: { node: memory.node, childProcesses: memory.children },
    perPosting: {
      stateTransitions: per(transitions),
      lambdaInvocations: per(measured.lambda.invocations),
      lambdaInvocationsInExecutions: per(stepInvocations),
      lambdaMs: per(measured.lambda.totalMs),
      ozonCalls: per(measured.ozonCalls.total),
      dynamoReadUnits: per(measured.dynamo.read),
      dynamoWriteUnits: per(writeUnits),
      dynamoWriteUnitsReported: per(measured.dynamo.write),
      dynamoRefusedWriteUnitsEstimated: per(measured.dynamo.refusedWriteEstimate),
      snsPublishes: per(measured.snsPublishes),
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
    lambdaByFunction: measured.lambda.byFunction,
    ozon: {
      byPath: measured.ozonCalls.byPath,
      byStatus: measured.ozonCalls.byStatus,
      maxRequestsPerSecond: maxOzonRps,
    },
    alertsByKind: measured.alertsByKind,
    webhookAck: probe ?? null,
    bundleKb: bundles,
    targets,
  };

  const table = new Table({ head: ['figure', 'measured', 'target', ''] });
  for (const t of targets) {
    table.push([
      t.figure,
      t.measured,
      `${t.better === 'lower' ? '≤' : '≥'} ${t.target}`,
      t.met ? 'met' : `MISSED by ${t.gap}`,
    ]);
  }
  const details = new Table({ head: ['per posting', 'value'] });
  for (const [k, v] of Object.entries(summary.perPosting)) details.push([k, v]);
  details.push(['largest state payload (bytes)', summary.maxStatePayloadBytes]);
  details.push(['wall time (s)', summary.wallSeconds]);
  details.push(['peak RSS node / DynamoDB Local (MB)', `${memory.node} / ${memory.children}`]);
  details.push(['Ozon max requests in any second', maxOzonRps]);
  const bill1000 = new Table({ head: ['AWS per 1,000 postings', '$'] });
  for (const [k, v] of Object.entries(costPer1000)) bill1000.push([k, v]);
  const dynamo = new Table({ head: ['DynamoDB per posting', 'requests', 'RRU', 'WRU', 'refused'] });
  for (const [k, c] of Object.entries(summary.dynamoByCommand)) {
    dynamo.push([k, c.requests, c.read, c.write, c.conditionFailures]);
  }
  log(`final states: ${JSON.stringify(byFinalState)}`);
  log(details.toString());
  log(dynamo.toString());
  log(bill1000.toString());
  log(table.toString());
  if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  // Mixed postings end in many legitimate states; only an execution still running or failed is a bad run.
  const unfinished = Object.keys(byFinalState).some((k) => k.startsWith('running') || k.startsWith('failed'));
  process.exit((opts.scenario === 'happy' ? byFinalState.Completed !== n : unfinished) ? 1 : 0);
}

const program = new Command('bench')
  .description('Cost and speed per posting on the embedded runtime')
  .option('-n, --orders <n>', 'postings to run', positiveInt, 1000)
  .option('--json', 'print the results as one JSON object on the last line of stdout', false)
  .addOption(
    new Option(
      '--scenario <name>',
      'happy: FBS postings without exceptions; mixed: every exception path, then happy ones',
    )
      .choices(['happy', 'mixed'])
      .default('happy'),
  )
  .option('--speed <x>', 'simulated seconds per real second', positiveInt, 2000)
  .option('--poll-minutes <m>', 'simulated minutes between catch-up polls', positiveInt, 60)
  .option('--window <n>', 'postings admitted before handover at a time', positiveInt, 16)
  .option('--timeout <seconds>', 'give up after this many real seconds', positiveInt, 900)
  .option('--no-probe', 'skip the webhook acknowledgement probe')
  .action((opts: BenchOptions) => bench(opts));

await program.parseAsync();
