/**
 * `npm start`: the product on embedded parts. Without Ozon credentials it runs against the Ozon sandbox and
 * creates demo postings; with OZON_CLIENT_ID and OZON_API_KEY (environment or .env) it talks to the real Ozon API,
 * read-only unless --allow-changes, and keeps its data in ./.ozon-autopilot/. `npm run resume` resumes a posting
 * that needs attention; `npm run stock` adds stock through the seller API.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { localSource } from '../console/local-source';
import { startConsole } from '../console/server';
import { DataDirError } from './data-dir';
import {
  beginDemo,
  finish,
  isEmpty,
  type Local,
  realCredentials,
  type StartOptions,
  startLocal,
  untilSettled,
} from './run';

const wholeNumber = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
};
const share = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be between 0 and 1');
  return n;
};

interface RunOptions extends StartOptions {
  orders?: number;
  exit: boolean;
  rfbsShare: number;
  history?: string;
  timeout: number;
  consolePort: number;
}

/** The console's port unless told otherwise: one the seller can bookmark (a free one when it is taken). */
const CONSOLE_PORT = 4780;

/** Options `run` and `resume` share. */
function runtimeOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'keep everything on disk here and go on from it (real Ozon API: ./.ozon-autopilot)')
    .option('--speed <x>', 'time compression: simulated seconds per real second', wholeNumber, 10_000)
    .option(
      '--exit',
      'stop when every posting is terminal or waits for you in NeedsAttention (else keep serving)',
      false,
    )
    .option('--json', 'print the final summary as one JSON object on the last line of stdout', false)
    .addOption(new Option('--language <lang>', 'language of seller alerts').choices(['en', 'ru', 'zh']).default('en'))
    .option('--allow-changes', 'with real Ozon credentials: allow ship, cancel and status changes', false)
    .option('--timeout <seconds>', 'with --exit: give up after this many seconds', wholeNumber, 300)
    .option(
      '--console-port <n>',
      `the console's port on 127.0.0.1 (${CONSOLE_PORT}, or a free one when it is taken; 0: a free one)`,
      wholeNumber,
      CONSOLE_PORT,
    );
}

/** The console on the running product (console/): its URL printed, closed before the summary. */
async function openConsole(local: Local, opts: RunOptions) {
  const server = await startConsole({
    source: localSource(local.runtime),
    language: opts.language,
    port: opts.consolePort,
  });
  local.log(`console ${server.url}`);
  return server;
}

async function run(opts: RunOptions, speedIsDefault: boolean) {
  // The mixed and fulfilment scenarios wait through days of deadlines; half the default speed keeps steps well
  // inside them.
  if (opts.scenario !== 'happy' && speedIsDefault) opts.speed = 5_000;
  const local = await startLocal(opts);
  const consoleServer = await openConsole(local, opts);
  // A fresh demo gets 10 postings by default; a data dir that has some goes on with them alone.
  const orders = opts.orders ?? (isEmpty(local.runtime) ? 10 : 0);
  const scenario = await beginDemo(local, opts.scenario, orders, opts.rfbsShare);
  if (!opts.exit) {
    local.log(`serving; webhook ${local.runtime.webhookUrl}; Ctrl-C to stop`);
    return;
  }
  await untilSettled(local, opts.timeout);
  scenario?.stop();
  await consoleServer.close();
  await finish(local, { ...opts, paths: scenario?.paths });
}

async function resume(postingNumber: string, opts: RunOptions) {
  if (!realCredentials() && !opts.dataDir) {
    console.error('Against the sandbox, resume needs the --data-dir of the run the posting is in');
    process.exit(2);
  }
  const local = await startLocal({ ...opts, scenario: 'happy', preassembled: 0 });
  const consoleServer = await openConsole(local, opts);
  const response = await local.runtime.sellerApi('resume', { postingNumber });
  local.log(`resume ${postingNumber}: HTTP ${response.status} ${await response.text()}`);
  if (!response.ok) await local.stop(1);
  if (!opts.exit) {
    local.log('serving; Ctrl-C to stop');
    return;
  }
  await untilSettled(local, opts.timeout);
  await consoleServer.close();
  await finish(local, opts);
}

const program = new Command('ozon-autopilot').description(
  'Hands-off Ozon FBS/rFBS order processing, run locally on embedded AWS parts',
);

runtimeOptions(
  program
    .command('run', { isDefault: true })
    .description('run the OrderLifecycle workflow locally')
    .option(
      '-n, --orders <n>',
      'sandbox postings to create (default 10; 0 when the data dir has postings)',
      wholeNumber,
    )
    .option(
      '--preassembled <n>',
      'sandbox: postings already assembled by hand, never seen by the product',
      wholeNumber,
      0,
    )
    .option('--rfbs-share <0..1>', 'share of sandbox postings shipped rFBS by the seller’s carrier', share, 0.25)
    .addOption(
      new Option(
        '--scenario <name>',
        'happy: all goes well; mixed: every exception path at least once; fulfilment: marking codes, multi-box, a split, approval, every rFBS carrier type; returns: every return path and both sides of a cancellation request',
      )
        .choices(['happy', 'mixed', 'fulfilment', 'returns'])
        .default('happy'),
    )
    .option('--history <postingNumber>', 'print the execution history and order record of one posting'),
).action((opts: RunOptions, command: Command) => run(opts, command.getOptionValueSource('speed') === 'default'));

runtimeOptions(
  program
    .command('resume')
    .description('resume a posting that needs attention (after you fixed its cause), as the seller API does')
    .argument('<postingNumber>', 'the Ozon posting number'),
).action((postingNumber: string, opts: RunOptions) => resume(postingNumber, opts));

program
  .command('stock')
  .description("add stock through the seller API, as the seller's warehouse system would (wakes postings short of it)")
  .requiredOption('--url <sellerApiUrl>', 'the SellerApiUrl stack output (locally: printed by npm start)')
  .option('--key <sellerApiKey>', 'the seller API key (default: env SELLER_API_KEY)')
  .requiredOption('--warehouse <id>', 'Ozon warehouse id', wholeNumber)
  .requiredOption('--offer <offerId>', 'your offer_id')
  .requiredOption('--quantity <n>', 'units arriving', wholeNumber)
  .action(async (o: { url: string; key?: string; warehouse: number; offer: string; quantity: number }) => {
    const key = o.key ?? process.env.SELLER_API_KEY;
    if (!key) {
      console.error('No seller API key: pass --key or set SELLER_API_KEY');
      process.exit(2);
    }
    const response = await fetch(`${o.url.replace(/\/$/, '')}/stock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
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

await program.parseAsync().catch((error: Error) => {
  if (!(error instanceof DataDirError)) throw error;
  console.error(error.message);
  process.exit(2);
});
