/**
 * What `npm start` and `npm run resume` do: start the runtime against the sandbox or the real Ozon API, with or
 * without a data dir, show progress, and with `--exit` stop once every posting is terminal and print a summary.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import Table from 'cli-table3';
import { getReturn } from '#aftersale/return-store';
import { getOrder } from '#shared/order-store';
import { publishableStock, stockDrifted } from '#stock/rules';
import { getStock } from '#stock/stock-store';
import { DEFAULT_PRODUCTS, DEFAULT_WAREHOUSES } from '../sandbox/index';
import type { OzonSandbox } from '../sandbox/types';
import { compressedHandover } from './compressed-handover';
import { DEFAULT_DATA_DIR, masked } from './data-dir';
import {
  afterSaleSettled,
  afterSaleSummary,
  lastState,
  latestByPosting,
  postingOf,
  printHistory,
  summarize,
} from './report';
import { type Runtime, startRuntime } from './runtime';
import { type CarrierPlan, runScenario, type ScenarioName, scenarioRuntimeOptions } from './scenarios';

/** Where `npm start` keeps its data against the real Ozon API when no --data-dir is given. */
export { DEFAULT_DATA_DIR };

export interface StartOptions {
  speed: number;
  json: boolean;
  language: 'en' | 'ru' | 'zh';
  allowChanges: boolean;
  dataDir?: string;
  scenario: ScenarioName;
  preassembled: number;
}

export interface Local {
  runtime: Runtime;
  real: boolean;
  started: number;
  log(line: string): void;
  carrierPlans: Map<string, CarrierPlan>;
  stop(code: number): Promise<never>;
}

/** The real Ozon API's credentials, from the environment or .env; none means the sandbox. */
export function realCredentials(): { clientId: string; apiKey: string } | undefined {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { OZON_CLIENT_ID, OZON_API_KEY } = process.env;
  return OZON_CLIENT_ID && OZON_API_KEY ? { clientId: OZON_CLIENT_ID, apiKey: OZON_API_KEY } : undefined;
}

export async function startLocal(opts: StartOptions): Promise<Local> {
  const credentials = realCredentials();
  const real = credentials !== undefined;
  const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
  const started = performance.now();
  // Against the real Ozon API nothing may be forgotten: the data always stays on disk.
  const dataDir = opts.dataDir ?? (real ? DEFAULT_DATA_DIR : undefined);
  // Ozon's deadlines are real: against the real API time is not compressed.
  const speed = real ? 1 : opts.speed;
  log(
    `ozon-autopilot local: ${real ? `REAL Ozon API (${opts.allowChanges ? 'changes allowed' : 'read-only'})` : 'Ozon sandbox'}, ${real ? 'real time' : `speed ×${speed}`}${dataDir ? `, data in ${dataDir}` : ''}`,
  );
  const carrierPlans = new Map<string, CarrierPlan>();
  const { sandbox: scenarioSandbox, ...scenario } = scenarioRuntimeOptions(opts.scenario, carrierPlans);
  const sandboxRestored = !real && dataDir !== undefined && existsSync(path.join(dataDir, 'sandbox.json'));
  const runtime = await startRuntime({
    speed,
    sellerLanguage: opts.language,
    dataDir,
    ozon: credentials
      ? { mode: 'real', ...credentials, allowChanges: opts.allowChanges }
      : // FBS parcels leave only with their carriage, as at a real drop-off point: the demo's handover day is real.
        {
          mode: 'sandbox',
          sandbox: {
            preassembled: opts.preassembled,
            handoverByCarriage: true,
            ...scenarioSandbox,
            timing: { ...compressedHandover.sandboxTiming, ...scenarioSandbox?.timing },
          },
        },
    ...scenario,
    // The act's lead on the compressed clock (compressed-handover.ts); against the real API the seller's own.
    environment: { ...(real ? {} : compressedHandover.environment), ...scenario.environment },
  });
  const stop = async (code: number): Promise<never> => {
    await runtime.stop();
    process.exit(code);
  };
  // DynamoDB Local is a separate Java process: stop it on Ctrl-C and on a plain `kill` alike.
  process.once('SIGINT', () => void stop(130));
  process.once('SIGTERM', () => void stop(143));
  log(`started in ${((performance.now() - started) / 1000).toFixed(1)} s; webhook ${runtime.webhookUrl}`);
  const keyFile = runtime.dataDir ? `, in ${path.join(runtime.dataDir.path, 'seller-api-key')}` : ', new for this run';
  log(`seller API ${runtime.sellerApiUrl} (key ${masked(runtime.sellerApiKey)}${keyFile})`);
  if (runtime.dataDir && !runtime.dataDir.fresh) {
    log(`data dir ${runtime.dataDir.path}: ${runtime.engine.executions.size} executions, ${runtime.resumed} resumed`);
  }
  if (opts.preassembled && sandboxRestored) {
    log('--preassembled is ignored: the sandbox goes on with the postings in the data dir');
  }
  return { runtime, real, started, log, carrierPlans, stop };
}

/** Creates the demo postings (sandbox) or looks at Ozon at once (real). The demo stock is seeded once per data dir. */
export async function beginDemo(local: Local, scenario: ScenarioName, orders: number, rfbsShare: number) {
  const { runtime, log } = local;
  if (local.real) {
    log('polling Ozon for unfulfilled postings; point a tunnel at the webhook to receive pushes');
    await runtime.poll();
    return undefined;
  }
  const seedStock = !runtime.dataDir?.state.demoStockSeeded;
  const run = await runScenario(runtime, scenario, orders, rfbsShare, local.carrierPlans, { seedStock });
  if (seedStock) runtime.dataDir?.saveState({ demoStockSeeded: true });
  if (orders) log(`sandbox created ${orders} postings (scenario ${scenario}); Ozon pushes them to the webhook`);
  return run;
}

/** True when there is nothing to go on with: no execution, no sandbox posting (a fresh demo). */
export const isEmpty = (runtime: Runtime) =>
  runtime.engine.executions.size === 0 && sandboxPostings(runtime).length === 0;

/** Every posting the sandbox has that the product should follow: the summary must cover each of them. */
function sandboxPostings(runtime: Runtime): string[] {
  const state = runtime.sandbox?.snapshot() as { postings?: { posting_number: string; status: string }[] } | undefined;
  // A posting cancelled before the product saw it is never followed: there is nothing to do for it.
  return (state?.postings ?? []).filter((p) => p.status !== 'cancelled').map((p) => p.posting_number);
}

/** An execution that ended, or waits in NeedsAttention for the seller. */
const parked = (e: Parameters<typeof lastState>[0]) => e.status !== 'RUNNING' || lastState(e) === 'NeedsAttention';

/**
 * Prints progress every second; resolves when every posting is terminal or waits for the seller in NeedsAttention
 * (or after `timeoutSeconds`).
 */
export async function untilSettled(local: Local, timeoutSeconds: number): Promise<void> {
  const { runtime, log } = local;
  const executions = () => [...runtime.engine.executions.values()];
  const progress = setInterval(() => {
    const byPhase = new Map<string, number>();
    for (const e of executions().filter((x) => x.status === 'RUNNING')) {
      const state = lastState(e) ?? 'starting';
      byPhase.set(state, (byPhase.get(state) ?? 0) + 1);
    }
    const simDate = new Date(runtime.clock.now()).toISOString().slice(0, 16).replace('T', ' ');
    const phases = [...byPhase].map(([k, v]) => `${k} ${v}`).join(', ');
    const done = executions().filter((e) => e.status !== 'RUNNING').length;
    log(`[${simDate} sim] executions ${executions().length}, done ${done}${phases ? ` | ${phases}` : ''}`);
  }, 1000);
  const since = performance.now();
  // Settled: every posting ended, or waits for the seller in NeedsAttention (nothing moves it until they act, bar
  // its daily re-check with Ozon).
  const settled = () => {
    const all = executions();
    const followed = new Set(all.map(postingOf));
    return all.every(parked) && sandboxPostings(runtime).every((pn) => followed.has(pn)) && afterSaleSettled(runtime);
  };
  while (!settled() && (performance.now() - since) / 1000 < timeoutSeconds) {
    await new Promise((r) => setTimeout(r, 250));
  }
  clearInterval(progress);
}

/**
 * Ozon's stock (the sandbox's book) against the seller's, by the daily check's rule (stock/rules `stockDrifted`):
 * every offer the seller keeps at a warehouse the sandbox knows.
 */
async function stockDriftOf(sandbox: OzonSandbox): Promise<{ compared: number; drifted: number }> {
  let compared = 0;
  let drifted = 0;
  for (const warehouse of DEFAULT_WAREHOUSES) {
    const local = await getStock(
      warehouse.warehouse_id,
      DEFAULT_PRODUCTS.map((p) => p.offer_id),
    );
    for (const item of local.values()) {
      const ozon = sandbox.stockOf(warehouse.warehouse_id, item.offerId);
      compared++;
      if (stockDrifted(ozon.free, item, publishableStock(item, ozon.reserved))) drifted++;
    }
  }
  return { compared, drifted };
}

/** Prints the summary (tables, or one JSON line with --json) and stops; exit code 1 if a posting is unfinished. */
export async function finish(
  local: Local,
  opts: { json: boolean; history?: string; paths?: Map<string, string> },
): Promise<never> {
  const { runtime, log } = local;
  const summary = summarize(runtime, (performance.now() - local.started) / 1000);
  const afterSale = runtime.sandbox ? await afterSaleSummary(runtime, opts.paths, getReturn) : undefined;
  const table = new Table({ head: ['final state', 'postings'] });
  for (const [state, count] of Object.entries(summary.byFinalState)) table.push([state, count]);
  log(table.toString());
  const alerts = new Table({ head: ['alert kind', 'count'] });
  for (const [kind, count] of Object.entries(summary.alertsByKind)) alerts.push([kind, count]);
  if (runtime.alerts.length) log(alerts.toString());
  log(
    `${summary.postings} postings in ${summary.elapsedSeconds} s; ${summary.stateTransitions.perPosting} state transitions and ${summary.ozonCalls.perPosting} Ozon calls per posting`,
  );
  for (const e of latestByPosting(runtime.engine.executions.values())) {
    if (e.status === 'FAILED' && summary.byFinalState[`failed:${e.error}`])
      log(`failed: ${e.name} ${e.error}: ${e.cause}`);
  }
  if (opts.history) {
    const execution = [...runtime.engine.executions.values()].find((e) => e.name === opts.history);
    if (execution) {
      log(`\nExecution history of ${execution.name}:\n${printHistory(execution)}`);
      log(`Order record: ${JSON.stringify(await getOrder(postingOf(execution)), null, 2)}`);
    } else log(`No execution named ${opts.history}`);
  }
  const stockDrift = runtime.sandbox ? await stockDriftOf(runtime.sandbox) : undefined;
  if (stockDrift) {
    log(
      `stock: ${stockDrift.compared} offers compared with Ozon's figures (the sandbox's), ${stockDrift.drifted} differ`,
    );
  }
  // A posting parked in NeedsAttention is where it should be until the seller acts: not unfinished work.
  const unfinished = Object.keys(summary.byFinalState).some(
    (s) => (s.startsWith('running') && s !== 'running:NeedsAttention') || s.startsWith('failed'),
  );
  if (afterSale && (afterSale.returns.total || afterSale.cancellationRequests.total)) {
    const t = new Table({ head: ['after the sale', 'outcome', 'count'] });
    for (const [k, v] of Object.entries(afterSale.returns.byOutcome)) t.push(['return', k, v]);
    for (const [k, v] of Object.entries(afterSale.cancellationRequests.byOutcome))
      t.push(['cancellation request', k, v]);
    log(t.toString());
    log(
      `returns: ${afterSale.returns.autoApproved} approved by Ozon's deadline (${afterSale.returns.autoApprovedWithoutAlert} without the seller alerted first), ${afterSale.returns.payoutsReversed} payouts reopened`,
    );
  }
  const unfinishedReturns = Object.keys(afterSale?.returns.byOutcome ?? {}).some(
    (o) => o.startsWith('running') || o === 'not_started',
  );
  if (opts.json) process.stdout.write(`${JSON.stringify({ ...summary, stockDrift, ...afterSale })}\n`);
  return local.stop(unfinished || unfinishedReturns ? 1 : 0);
}
