/**
 * `npm start`: the product on embedded parts. Without Ozon credentials it runs against the Ozon sandbox and
 * creates demo postings; with OZON_CLIENT_ID and OZON_API_KEY (environment or .env) it talks to the real Ozon API,
 * read-only unless --allow-changes.
 */
import { existsSync } from 'node:fs';
import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';
import { getOrder } from '#shared/order-store';
import { lastState, printHistory, summarize } from './report';
import { type Runtime, startRuntime } from './runtime';
import { runScenario, type ScenarioName, type ScenarioRun, scenarioRuntimeOptions } from './scenarios';

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
};
const share = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be between 0 and 1');
  return n;
};

interface RunOptions {
  orders: number;
  speed: number;
  exit: boolean;
  json: boolean;
  rfbsShare: number;
  scenario: ScenarioName;
  language: 'en' | 'ru' | 'zh';
  allowChanges: boolean;
  history?: string;
  timeout: number;
}

async function run(opts: RunOptions, speedIsDefault: boolean) {
  // The mixed scenario waits through days of deadlines; half the default speed keeps steps well inside them.
  if (opts.scenario === 'mixed' && speedIsDefault) opts.speed = 5_000;
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { OZON_CLIENT_ID, OZON_API_KEY } = process.env;
  const real = Boolean(OZON_CLIENT_ID && OZON_API_KEY);
  const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
  const started = performance.now();
  log(
    `ozon-autopilot local: ${real ? `REAL Ozon API (${opts.allowChanges ? 'changes allowed' : 'read-only'})` : 'Ozon sandbox'}, speed ×${opts.speed}`,
  );

  const carrierPlans = new Map<string, { silent?: boolean; transitMs?: number }>();
  const runtime: Runtime = await startRuntime({
    speed: opts.speed,
    sellerLanguage: opts.language,
    ozon: real
      ? {
          mode: 'real',
          clientId: OZON_CLIENT_ID as string,
          apiKey: OZON_API_KEY as string,
          allowChanges: opts.allowChanges,
        }
      : { mode: 'sandbox' },
    ...scenarioRuntimeOptions(opts.scenario, carrierPlans),
  });
  const stop = async (code: number) => {
    await runtime.stop();
    process.exit(code);
  };
  // DynamoDB Local is a separate Java process: stop it on Ctrl-C and on a plain `kill` alike.
  process.once('SIGINT', () => void stop(130));
  process.once('SIGTERM', () => void stop(143));
  log(`started in ${((performance.now() - started) / 1000).toFixed(1)} s; webhook ${runtime.webhookUrl}`);

  let scenario: ScenarioRun | undefined;
  if (!real) {
    scenario = await runScenario(runtime, opts.scenario, opts.orders, opts.rfbsShare, carrierPlans);
    log(`sandbox created ${opts.orders} postings (scenario ${opts.scenario}); Ozon pushes them to the webhook`);
  } else {
    log('polling Ozon for unfulfilled postings; point a tunnel at the webhook to receive pushes');
    await runtime.poll();
  }

  const runStarted = performance.now();
  const terminal = () => [...runtime.engine.executions.values()].filter((e) => e.status !== 'RUNNING').length;
  const progress = setInterval(() => {
    const all = [...runtime.engine.executions.values()];
    const byPhase = new Map<string, number>();
    for (const e of all.filter((x) => x.status === 'RUNNING')) {
      const state = lastState(e) ?? 'starting';
      byPhase.set(state, (byPhase.get(state) ?? 0) + 1);
    }
    const simDate = new Date(runtime.clock.now()).toISOString().slice(0, 16).replace('T', ' ');
    const phases = [...byPhase].map(([k, v]) => `${k} ${v}`).join(', ');
    log(`[${simDate} sim] executions ${all.length}, done ${terminal()}${phases ? ` | ${phases}` : ''}`);
  }, 1000);

  await new Promise<void>((resolve) => {
    if (!opts.exit) return;
    const expected = real ? 0 : opts.orders;
    const check = setInterval(() => {
      const elapsed = (performance.now() - runStarted) / 1000;
      if (
        (runtime.engine.executions.size >= expected && terminal() === runtime.engine.executions.size) ||
        elapsed > opts.timeout
      ) {
        clearInterval(check);
        resolve();
      }
    }, 100);
  });
  if (!opts.exit) {
    log(`serving; webhook ${runtime.webhookUrl}; Ctrl-C to stop`);
    return;
  }
  clearInterval(progress);

  scenario?.stop();
  const summary = summarize(runtime, (performance.now() - started) / 1000);
  const table = new Table({ head: ['final state', 'postings'] });
  for (const [state, count] of Object.entries(summary.byFinalState)) table.push([state, count]);
  log(table.toString());
  const alerts = new Table({ head: ['alert kind', 'count'] });
  for (const [kind, count] of Object.entries(summary.alertsByKind)) alerts.push([kind, count]);
  if (runtime.alerts.length) log(alerts.toString());
  log(
    `${summary.postings} postings in ${summary.elapsedSeconds} s; ${summary.stateTransitions.perPosting} state transitions and ${summary.ozonCalls.perPosting} Ozon calls per posting`,
  );
  for (const e of runtime.engine.executions.values()) {
    if (e.status === 'FAILED' && summary.byFinalState[`failed:${e.error}`])
      log(`failed: ${e.name} ${e.error}: ${e.cause}`);
  }
  if (opts.history) {
    const execution = [...runtime.engine.executions.values()].find((e) => e.name === opts.history);
    if (execution) {
      log(`\nExecution history of ${execution.name}:\n${printHistory(execution)}`);
      log(`Order record: ${JSON.stringify(await getOrder(execution.name), null, 2)}`);
    } else log(`No execution named ${opts.history}`);
  }
  const unfinished = Object.keys(summary.byFinalState).some((s) => s.startsWith('running') || s.startsWith('failed'));
  if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  await stop(unfinished ? 1 : 0);
}

const program = new Command('ozon-autopilot').description(
  'Hands-off Ozon FBS/rFBS order processing, run locally on embedded AWS parts',
);

program
  .command('run', { isDefault: true })
  .description('run the OrderLifecycle workflow locally')
  .option('-n, --orders <n>', 'sandbox postings to create', positiveInt, 10)
  .option('--speed <x>', 'time compression: simulated seconds per real second', positiveInt, 10_000)
  .option('--exit', 'stop when every posting is terminal (otherwise keep serving)', false)
  .option('--json', 'print the final summary as one JSON object on the last line of stdout', false)
  .option('--rfbs-share <0..1>', 'share of sandbox postings shipped rFBS by the seller’s carrier', share, 0.25)
  .addOption(
    new Option('--scenario <name>', 'happy: all goes well; mixed: every exception path at least once')
      .choices(['happy', 'mixed'])
      .default('happy'),
  )
  .addOption(new Option('--language <lang>', 'language of seller alerts').choices(['en', 'ru', 'zh']).default('en'))
  .option('--allow-changes', 'with real Ozon credentials: allow ship, cancel and status changes', false)
  .option('--history <postingNumber>', 'print the execution history and order record of one posting')
  .option('--timeout <seconds>', 'with --exit: give up after this many seconds', positiveInt, 300)
  .action((opts: RunOptions, command: Command) => run(opts, command.getOptionValueSource('speed') === 'default'));

program
  .command('stock')
  .description("add stock through the seller API, as the seller's warehouse system would (wakes postings short of it)")
  .requiredOption('--url <sellerApiUrl>', 'the SellerApiUrl stack output followed by the webhook token')
  .requiredOption('--warehouse <id>', 'Ozon warehouse id', positiveInt)
  .requiredOption('--offer <offerId>', 'your offer_id')
  .requiredOption('--quantity <n>', 'units arriving', positiveInt)
  .action(async (o: { url: string; warehouse: number; offer: string; quantity: number }) => {
    const response = await fetch(`${o.url.replace(/\/$/, '')}/stock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ warehouseId: o.warehouse, offerId: o.offer, quantity: o.quantity }),
    });
    const text = await response.text();
    if (!response.ok) {
      console.error(`Refused (HTTP ${response.status}): ${text}`);
      process.exit(1);
    }
    console.log(`Stock added: ${text}`);
  });

program
  .command('doctor')
  .description('check the Ozon key (roles, expiry), warehouses and push settings; the sandbox without credentials')
  .action(async () => {
    const { doctor } = await import('./doctor');
    process.exitCode = await doctor();
  });

await program.parseAsync();
