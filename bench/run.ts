/**
 * `npm run bench`: sandbox postings through the whole OrderLifecycle on the embedded runtime, and what each one
 * cost — state transitions, Lambda invocations and duration, Ozon calls, DynamoDB units as DynamoDB reports them,
 * SNS publishes, the largest state payload — with an AWS bill estimate, cold starts and the targets.
 *
 * `happy`: FBS postings without exceptions, admitted closed-loop (admission.ts), then every function's bundle
 * and module init (cold-start.ts), measured after the runtime has stopped so nothing shares the CPU with them.
 * `mixed`: a seller's bad week (local/scenarios.ts): every exception path once, created at once, and well-going
 * postings admitted like the happy ones; the run ends when every posting is where its path ends, and is valid
 * only if each ended as its path intends (mixed.ts).
 */
import { cpus } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SECTIONS } from '#shared/config';
import { compressedHandover } from '../local/compressed-handover';
import type { Execution } from '../local/engine';
import { peakMemoryMb, startMeasuring } from '../local/metrics';
import { failStatesOf, finalState, latestByPosting } from '../local/report';
import { startRuntime } from '../local/runtime';
import { runScenario, scenarioRuntimeOptions } from '../local/scenarios';
import { seedDemoStock } from '../local/seed';
import { type Admission, admit, executionOf, steadyThroughput } from './admission';
import { measureColdStarts } from './cold-start';
import { mixedReport, mixedSettled } from './mixed';
import { printSummary, type RunFacts, summarize } from './summary';
import { probeWebhook } from './webhook-probe';

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
  window?: number;
  timeout: number;
  probe: boolean;
  coldRuns: number;
}

/** Share of the mixed scenario's well-going postings that are rFBS. */
const MIXED_RFBS_SHARE = 0.25;

/** Postings by the state their latest execution ended in (or `running:<state>`). */
function byFinalState(executions: Execution[], definition: Record<string, unknown>) {
  const failStates = failStatesOf(definition);
  return latestByPosting(executions).reduce<Record<string, number>>((acc, e) => {
    const k = finalState(e, failStates);
    acc[k] = (acc[k] ?? 0) + 1;
    return acc;
  }, {});
}

/** The client's Ozon rate as the functions read it: the configuration's variable, or its default. */
const ozonRatePerSecond = () => SECTIONS.ozon.shape.OZON_RATE_PER_SECOND.parse(process.env.OZON_RATE_PER_SECOND);

/** How long the bench's packing batcher collects (real ms): see where it is passed. */
const BENCH_LABEL_WINDOW_MS = 2000;

/**
 * The poll leaves a status change to its push for this many poll intervals. In AWS the grace (10 min) is a hundred
 * times what a push takes to be applied. Here a carriage hands hundreds of parcels over at once and their pushes
 * drain from the local queue in seconds of real time, hours of simulated time at ×2000: with one interval the poll
 * recorded a quarter of the statuses before their pushes, which were then refused — 0.5 write units and 0.25 read
 * units per posting that AWS would not spend (measured: refused writes 0.52 → 0.05 per posting).
 */
const BENCH_PUSH_GRACE_INTERVALS = 4;

/** See admission.ts: wide enough not to cap throughput, narrow enough that the shared CPU keeps simulated time. */
const DEFAULT_WINDOW = { happy: 32, mixed: 16 };

async function bench(options: BenchOptions) {
  const opts = { ...options, window: options.window ?? DEFAULT_WINDOW[options.scenario] };
  const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
  log(
    `bench: ${opts.orders} ${opts.scenario} postings, speed ×${opts.speed}, poll every ${opts.pollMinutes} simulated min, window ${opts.window}, ${cpus().length} cores`,
  );
  const carrierPlans = new Map<string, { silent?: boolean; transitMs?: number }>();
  const { sandbox: scenarioSandbox, ...scenario } = scenarioRuntimeOptions(opts.scenario, carrierPlans);
  const rt = await startRuntime({
    speed: opts.speed,
    pollIntervalMs: opts.pollMinutes * 60_000,
    // FBS parcels leave with their warehouse's carriage at its cutoff, as on Ozon (and as `npm start` runs): the
    // Handover machine's act and label calls are shared by the carriage, and each posting waits for its
    // carriage without a check of its own.
    ozon: {
      mode: 'sandbox',
      sandbox: {
        ...scenarioSandbox,
        handoverByCarriage: true,
        timing: { ...compressedHandover.sandboxTiming, ...scenarioSandbox?.timing },
      },
    },
    // Packing batches filled as AWS fills them (40 requests or the 10 s window): the write units per posting depend
    // on it. Not the full 10 s: compressed ×2000 that is 5.5 simulated hours; 2 s (67 simulated minutes) comes near
    // filling batches of 40 at the rates the bench runs at, as 10 s would in AWS at ~19 postings/s (1 s did for 20).
    labelBatchWindowMs: BENCH_LABEL_WINDOW_MS,
    ...scenario,
    // The act's lead on the compressed clock, as `npm start` has it (local/compressed-handover.ts).
    environment: {
      ...compressedHandover.environment,
      STATUS_PUSH_GRACE_MINUTES: String(opts.pollMinutes * BENCH_PUSH_GRACE_INTERVALS),
      ...scenario.environment,
    },
  });
  let facts: Omit<RunFacts, 'coldStart' | 'peakMemoryMb'>;
  try {
    const sandbox = rt.sandbox;
    if (!sandbox) throw new Error('The benchmark needs the Ozon sandbox');
    const admitting = { window: opts.window, timeoutSeconds: opts.timeout };
    const names: string[] = [];
    let admission: Admission;
    let scenario: Awaited<ReturnType<typeof runScenario>> | undefined;
    if (opts.scenario === 'happy') {
      // Enough of every product that no posting is short: random postings take 1–2 lines of 1–2 units.
      await seedDemoStock(opts.orders * 2);
      admission = {
        create: () => {
          if (names.length >= opts.orders) return undefined;
          names.push(sandbox.createPosting({ schema: 'fbs' }).posting_number);
          return names.at(-1);
        },
        settled: () => names.every((pn) => (executionOf(rt, pn)?.status ?? 'RUNNING') !== 'RUNNING'),
      };
    } else {
      // Seeding and creating the exception cases come before the measurement; the simulated warehouse's packing
      // confirmations and the restock go through the product's seller API and are counted as product work.
      scenario = await runScenario(rt, 'mixed', opts.orders, MIXED_RFBS_SHARE, carrierPlans, { paced: true });
      admission = { create: scenario.createNext, settled: mixedSettled(rt, scenario.paths) };
    }
    const measuring = startMeasuring(rt);
    const run = await admit(rt, admitting, admission, log);
    const measured = await measuring.finish();
    scenario?.stop();
    // The rate the product works through postings: see steadyThroughput.
    const handedOverAt = [...run.handedOverAt.values()];
    facts = {
      scenario: opts.scenario,
      orders: opts.orders,
      settings: { speed: opts.speed, pollIntervalSimMinutes: opts.pollMinutes, window: opts.window },
      machine: { cores: cpus().length, node: process.version },
      stack: rt.stack,
      measured,
      wallSeconds: run.wallSeconds,
      timedOut: run.timedOut,
      steadyPostingsPerSecond: steadyThroughput(handedOverAt),
      ozonRatePerSecond: ozonRatePerSecond(),
      maxOzonRequestsPerSecond: sandbox.maxRequestsPerSecond(),
      // Before the runtime stops: stopping aborts the executions still running (those parked in NeedsAttention).
      byFinalState: byFinalState(measured.executions, rt.stack.definition),
      mixed: scenario ? mixedReport(rt, measured, scenario.paths, scenario.schemas) : undefined,
      probe: opts.probe ? await probeWebhook(rt, [...(scenario?.paths.keys() ?? names)]) : undefined,
    };
  } finally {
    await rt.stop();
  }
  const peak = peakMemoryMb();
  const coldStart =
    opts.scenario === 'happy'
      ? await measureColdStarts({ runs: opts.coldRuns }).catch((e: Error) => {
          log(`cold starts not measured: ${e.message}`);
          return null;
        })
      : undefined;
  const summary = summarize({ ...facts, coldStart, peakMemoryMb: { node: peak.node, childProcesses: peak.children } });
  printSummary(summary, log);
  if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  const valid = summary.mixed ? summary.mixed.valid : summary.byFinalState.Completed === opts.orders;
  process.exit(valid && !summary.timedOut ? 0 : 1);
}

const program = new Command('bench')
  .description('Cost and speed per posting on the embedded runtime')
  .option('-n, --orders <n>', 'postings to run', positiveInt, 1000)
  .option('--json', 'print the results as one JSON object on the last line of stdout', false)
  .addOption(
    new Option(
      '--scenario <name>',
      'happy: FBS postings without exceptions; mixed: every exception path once, the rest well-going',
    )
      .choices(['happy', 'mixed'])
      .default('happy'),
  )
  .option('--speed <x>', 'simulated seconds per real second', positiveInt, 2000)
  .option('--poll-minutes <m>', 'simulated minutes between catch-up polls', positiveInt, 60)
  .option('--window <n>', 'postings admitted before hand-over at a time (default: happy 32, mixed 16)', positiveInt)
  .option('--timeout <seconds>', 'give up after this many real seconds', positiveInt, 900)
  .option('--cold-runs <n>', 'fresh processes per function for the cold starts (happy)', positiveInt, 5)
  .option('--no-probe', 'skip the webhook acknowledgement probe')
  .action((opts: BenchOptions) => bench(opts));

await program.parseAsync();
