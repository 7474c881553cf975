/**
 * The embedded runtime: the real OrderLifecycle definition and the real handlers, on local DynamoDB, SNS/SQS/S3
 * and a Step Functions API, against the Ozon sandbox or the real Ozon API, on a compressed clock. With a data dir
 * everything is kept on disk (data-dir.ts) and a restart goes on with every execution where it stopped.
 */
import { createHash } from 'node:crypto';
import { resetClients } from '#shared/clients';
import { useClock } from '#shared/clock';
import { OZON_PUSH_CIDRS } from '#shared/config';
import type { OzonSandbox } from '../sandbox/index';
import { type CarrierOptions, startCarrier } from './carrier';
import { type CompressedClock, compressedClock } from './clock';
import { type DataDir, type LogName, newSellerApiKey, openDataDir } from './data-dir';
import { startEndpoints } from './endpoints';
import { LocalStepFunctions } from './engine';
import { loadFunctions, mergedEnvironment } from './functions';
import { type ReceivedAlert, startInbox } from './inbox';
import { connectOzon, type OzonTarget, ownerOf } from './ozon-target';
import { startPoller } from './poller';
import { type OzonCall, recordMetrics, recordOzonCalls } from './records';
import { type PushQueue, SELLER_INBOX, startLabelBatching, startPushProcessing, startServices } from './services';
import { startSfnApi } from './sfn-api';
import { type ResolvedStack, resolveStackCached } from './template';

export type { Invocation } from './functions';
export { observeInvocations } from './functions';
export type { ReceivedAlert } from './inbox';
export type { OzonTarget } from './ozon-target';

export interface RuntimeOptions {
  /** Simulated ms per real ms. */
  speed?: number;
  ozon?: OzonTarget;
  /** Keep everything on disk here, and go on from what is there (see data-dir.ts). Without it a run starts fresh. */
  dataDir?: string;
  /** Simulated interval of the catch-up poller. */
  pollIntervalMs?: number;
  sellerLanguage?: 'en' | 'ru' | 'zh';
  /** Extra environment for the functions (configuration knobs). */
  environment?: Record<string, string>;
  /** The simulated rFBS carrier (carrier.ts), on by default against the sandbox (never against the real API). */
  carrier?: CarrierOptions | false;
  logLevel?: string;
  /**
   * How long (real ms) the label batcher collects requests before it runs with fewer than a full batch (the
   * deployed batch size, read from the stack). 300 ms by default: a test's or a demo's posting is not held.
   */
  labelBatchWindowMs?: number;
}

export interface Runtime {
  clock: CompressedClock;
  stack: ResolvedStack;
  /** OrderLifecycle's engine: one execution per posting. */
  engine: LocalStepFunctions;
  /** Every state machine's engine by name (OrderLifecycle, Handover). */
  engines: Map<string, LocalStepFunctions>;
  sandbox?: OzonSandbox;
  dataDir?: DataDir;
  /** Executions that were running when the data dir's last run stopped, and go on in this one. */
  resumed: number;
  webhookUrl: string;
  /** The seller API (`<url>/<action>`), authorised by `authorization: Bearer <sellerApiKey>`. */
  sellerApiUrl: string;
  sellerApiKey: string;
  /** Calls the seller API (`tracking`, `delivered`, `packed`, `stock`, `resume`) as the seller's systems would. */
  sellerApi(action: string, body: unknown): Promise<Response>;
  onAlert(listener: (alert: ReceivedAlert) => void): void;
  alerts: ReceivedAlert[];
  ozonCalls: OzonCall[];
  /** Totals of every metric the functions emitted, by name. */
  metrics: Record<string, number>;
  /**
   * The queue between the webhook and the push processor (fauxqs), and its dead-letter queue. `drained()` resolves
   * when no push is queued, waiting for redelivery or being processed. `stopProcessing()` stops the push processor
   * for good, so a benchmark measures the acknowledgement alone, as Ozon sees it in AWS (there the processor is
   * another Lambda, not this event loop); queued pushes then stay queued.
   */
  pushQueue: Omit<PushQueue, 'stop'>;
  invoke(functionFolder: string, event: unknown): Promise<unknown>;
  poll(): Promise<unknown>;
  stop(): Promise<void>;
}

let cachedStack: ResolvedStack | undefined;
const WEBHOOK_TOKEN = 'local-webhook-token-0123456789abcdef';
/** How often (real ms) the simulated time is saved to the data dir, besides every journal line. */
const SAVE_CLOCK_MS = 250;
/** The catch-up poll's simulated interval unless told otherwise. */
const DEFAULT_POLL_INTERVAL_MS = 30 * 60_000;
/** How long the local label batcher collects requests unless told otherwise: a posting moves on quickly. */
const QUICK_BATCH_WINDOW_MS = 300;

/** The data dir's clock goes on from the latest time it recorded; against the real Ozon, never behind the wall. */
function startClock(speed: number, dataDir: DataDir | undefined, ozon: OzonTarget): CompressedClock {
  const saved = dataDir?.lastSimulatedTime() ?? 0;
  if (!saved) return compressedClock(speed);
  return compressedClock(speed, ozon.mode === 'real' ? Math.max(saved, Date.now()) : saved);
}

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const ozonTarget = options.ozon ?? { mode: 'sandbox' };
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s();
    useClock(undefined);
  };
  const dataDir = options.dataDir ? openDataDir(options.dataDir, ownerOf(ozonTarget)) : undefined;
  if (dataDir) stops.push(() => dataDir.close());
  const clock = startClock(options.speed ?? 1000, dataDir, ozonTarget);
  useClock(clock);
  // DynamoDB Local (a Java process) starts while this process synthesizes the stack.
  const servicesStarting = startServices(dataDir?.file('dynamodb'));
  let servicesStopRegistered = false;
  try {
    cachedStack ??= resolveStackCached();
    const stack = cachedStack;
    const started = await servicesStarting;
    stops.push(() => started.stop());
    servicesStopRegistered = true;
    const services = await started.provision(stack);

    // Powertools reads these when a handler module loads: set them before the first import.
    process.env.POWERTOOLS_LOG_LEVEL = options.logLevel ?? 'ERROR';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    // The logger may be loaded already (the bench and tests import the metrics observers first), at Powertools'
    // default level: its INFO lines would go to stdout, where `--json` prints the figures.
    const { logger } = await import('#shared/powertools');
    logger.setLogLevel((options.logLevel ?? 'ERROR').toUpperCase() as Parameters<typeof logger.setLogLevel>[0]);
    const functions = await loadFunctions(stack);
    // One engine per state machine; OrderLifecycle's keeps the journal name it always had.
    const engines = new Map(
      stack.machines.map((m, i) => [
        m.arn,
        new LocalStepFunctions({
          definition: m.definition,
          stateMachineArn: m.arn,
          handlers: functions.byArn,
          clock,
          journal: dataDir?.log(i === 0 ? 'executions' : (`executions-${m.name}` as LogName)),
        }),
      ]),
    );
    const engine = engines.get(stack.stateMachineArn) as LocalStepFunctions;
    const stopEngines = async () => {
      for (const e of engines.values()) await e.stopAll();
    };
    stops.push(stopEngines);
    const sfnApi = await startSfnApi(engines);
    stops.push(() => sfnApi.close());

    const pushQueue = startPushProcessing(services, functions.required('push-processor'));
    stops.push(() => pushQueue.stop());
    const deployed = stack.eventSources['functions/fulfilment/label-batch.ts'];
    if (!deployed) throw new Error('The stack has no SQS event source for fulfilment/label-batch');
    const labelBatching = startLabelBatching(services, functions.required('label-batch'), {
      batchSize: deployed.batchSize,
      windowMs: options.labelBatchWindowMs ?? QUICK_BATCH_WINDOW_MS,
    });
    stops.push(() => labelBatching.stop());
    const endpoints = await startEndpoints({
      webhook: functions.required('webhook'),
      seller: functions.required('seller-api'),
    });
    stops.push(() => endpoints.close());
    const webhookUrl = `${endpoints.url}/webhook/${WEBHOOK_TOKEN}`;
    const sellerApiUrl = `${endpoints.url}/seller`;
    const sellerApiKey = dataDir?.sellerApiKey() ?? newSellerApiKey();

    // Everything but Ozon first: a sandbox restored from the data dir may push at once.
    Object.assign(process.env, {
      ...mergedEnvironment(stack),
      ...services.environment,
      AWS_ENDPOINT_URL_SFN: sfnApi.url,
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'ERROR',
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      // Every function runs in this one process: its own limiter is the whole account's (see rate-budget.ts).
      OZON_RATE_BUDGET: 'instance',
      SELLER_LANGUAGE: options.sellerLanguage ?? 'en',
      OZON_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
      // In AWS a custom resource computes it; the template only names that resource's attribute.
      PUSH_TOKEN_SHA256: createHash('sha256').update(WEBHOOK_TOKEN).digest('hex'),
      SELLER_API_KEY: sellerApiKey,
      // The sandbox pushes from loopback; in AWS only Ozon's networks are allowed (functions/intake/ip.ts).
      WEBHOOK_ALLOWED_CIDRS: `${OZON_PUSH_CIDRS},127.0.0.0/8`,
      // A push's real milliseconds in the queue are simulated minutes on the compressed clock (hours when a carriage
      // hands hundreds over at once): the poll leaves a status change to its push for one poll interval.
      STATUS_PUSH_GRACE_MINUTES: String(Math.max(10, (options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS) / 60_000)),
      ...options.environment,
    });
    resetClients();
    const ozonCalls = recordOzonCalls(clock, dataDir?.log('ozon-calls'));
    stops.push(ozonCalls.stop);
    const metrics = recordMetrics(clock, dataDir?.log('metrics'));
    stops.push(metrics.stop);
    if (dataDir) {
      const save = setInterval(() => dataDir.saveState({ simulatedNow: clock.now() }), SAVE_CLOCK_MS);
      stops.push(() => {
        clearInterval(save);
        dataDir.saveState({ simulatedNow: clock.now() });
      });
    }

    const ozon = await connectOzon(ozonTarget, { clock, pushUrl: webhookUrl, dataDir });
    stops.push(() => ozon.stop());
    // Stopped before Ozon goes: a label batch or a push in flight still reaches it, instead of failing on a closed
    // port (their own stops above run again later, harmlessly).
    stops.push(async () => {
      await labelBatching.stop();
      await pushQueue.stopProcessing();
    });
    Object.assign(process.env, ozon.environment, options.environment);
    resetClients();

    const poller = startPoller(
      clock,
      () => functions.invoke('poller', {}),
      options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    );
    stops.push(() => poller.stop());
    const inbox = startInbox({
      endpoint: services.messaging.address,
      queueUrl: services.queueUrlOf(SELLER_INBOX),
      clock,
      log: dataDir?.log('alerts'),
    });
    stops.push(() => inbox.stop());

    const sellerApi = (action: string, body: unknown) =>
      fetch(`${sellerApiUrl}/${action}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sellerApiKey}` },
      });
    // A demo actor: against the real Ozon API the seller's own carrier reports, never a simulated one.
    if (options.carrier !== false && ozonTarget.mode === 'sandbox') {
      const carrier = startCarrier(
        clock,
        sellerApi,
        options.carrier ?? { handoverMs: 2 * 3600_000, transitMs: 24 * 3600_000 },
      );
      stops.push(() => carrier.stop());
    }

    // Stopping begins with the executions, before anything they use goes away.
    stops.push(stopEngines);
    // Last: a resumed step may call anything above.
    const resumed = [...engines.values()].reduce((n, e) => n + e.resumeAll(), 0);
    // Pushes that were queued when the last run stopped are gone (fauxqs keeps nothing): look at Ozon at once.
    if (dataDir && !dataDir.fresh) void poller.poll().catch(() => {});

    return {
      clock,
      stack,
      engine,
      engines: new Map(stack.machines.map((m) => [m.name, engines.get(m.arn) as LocalStepFunctions])),
      sandbox: ozon.sandbox,
      dataDir,
      resumed,
      webhookUrl,
      sellerApiUrl,
      sellerApiKey,
      sellerApi,
      onAlert: inbox.onAlert,
      alerts: inbox.alerts,
      ozonCalls: ozonCalls.calls,
      metrics: metrics.totals,
      pushQueue,
      invoke: functions.invoke,
      poll: poller.poll,
      stop,
    };
  } catch (error) {
    if (!servicesStopRegistered) await servicesStarting.then((s) => s.stop()).catch(() => {});
    await stop();
    throw error;
  }
}
