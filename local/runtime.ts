/**
 * The embedded runtime: the real OrderLifecycle definition and the real handlers, on local DynamoDB, SNS/SQS/S3
 * and a Step Functions API, against the Ozon sandbox or the real Ozon API, on a compressed clock.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { FauxqsServer } from 'fauxqs';
import { useClock } from '#shared/clock';
import { resetClients } from '#shared/clients';
import { observeOzonCalls } from '#shared/ozon/client';
import { type OzonSandbox, type SandboxOptions, startOzonSandbox } from '../sandbox/index';
import { type CompressedClock, compressedClock } from './clock';
import { type Endpoints, startEndpoints } from './endpoints';
import { type Handler, LocalStepFunctions, lambdaContext } from './engine';
import { type EventSource, startSqsEventSource } from './event-source';
import { createTableFromTemplate, LOCAL_CREDENTIALS, type LocalDynamo, startDynamo, startMessaging } from './services';
import { startSfnApi } from './sfn-api';
import { LOCAL_REGION, type ResolvedStack, resolveStackCached } from './template';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface ReceivedAlert {
  kind: string;
  severity: string;
  postingNumber: string;
  subject: string;
  message: string;
  at: number;
}

export type OzonTarget =
  | { mode: 'sandbox'; sandbox?: Partial<Omit<SandboxOptions, 'clock' | 'clientId' | 'apiKey'>> }
  | { mode: 'real'; clientId: string; apiKey: string; allowChanges: boolean; apiUrl?: string };

export interface RuntimeOptions {
  /** Simulated ms per real ms. */
  speed?: number;
  ozon?: OzonTarget;
  /** Simulated interval of the catch-up poller. */
  pollIntervalMs?: number;
  sellerLanguage?: 'en' | 'ru' | 'zh';
  /** Extra environment for the functions (configuration knobs). */
  environment?: Record<string, string>;
  /**
   * Simulated carrier for rFBS: it answers handover alerts with a tracking number, then delivers. `plan` lets a
   * scenario make a carrier silent (no tracking number) or slow for a given posting.
   */
  carrier?:
    | {
        handoverMs: number;
        transitMs: number;
        plan?: (postingNumber: string) => { silent?: boolean; transitMs?: number };
      }
    | false;
  logLevel?: string;
}

export interface Runtime {
  clock: CompressedClock;
  stack: ResolvedStack;
  engine: LocalStepFunctions;
  sandbox?: OzonSandbox;
  webhookUrl: string;
  carrierUrl: string;
  /** Calls the seller API (`tracking`, `delivered`, `packed`, `stock`) as the seller's systems would. */
  sellerApi(action: string, body: unknown): Promise<Response>;
  onAlert(listener: (alert: ReceivedAlert) => void): void;
  alerts: ReceivedAlert[];
  ozonCalls: { path: string; status: number }[];
  /**
   * The queue between the webhook and the push processor (fauxqs), and its dead-letter queue. `drained()` resolves
   * when no push is queued, waiting for redelivery or being processed. `stopProcessing()` stops the push processor
   * for good, so a benchmark measures the acknowledgement alone, as Ozon sees it in AWS (there the processor is
   * another Lambda, not this event loop); queued pushes then stay queued.
   */
  pushQueue: { url: string; deadLetterUrl: string; drained(): Promise<void>; stopProcessing(): Promise<void> };
  invoke(functionFolder: string, event: unknown): Promise<unknown>;
  poll(): Promise<unknown>;
  stop(): Promise<void>;
}

let cachedStack: ResolvedStack | undefined;
const WEBHOOK_TOKEN = 'local-webhook-token-0123456789abcdef';
const SANDBOX_CREDENTIALS = { clientId: '836123', apiKey: 'sandbox-api-key-2f9c1e7a' };

export interface Invocation {
  folder: string;
  /** Real milliseconds the handler ran: what Lambda bills as duration. */
  ms: number;
  failed: boolean;
}
const invocationObservers = new Set<(i: Invocation) => void>();
/** Lets the benchmark count and time every Lambda invocation (steps, webhook, carrier API, poller). */
export function observeInvocations(observer: (i: Invocation) => void): () => void {
  invocationObservers.add(observer);
  return () => invocationObservers.delete(observer);
}
function observed(folder: string, handler: Handler): Handler {
  return async (event, context) => {
    if (invocationObservers.size === 0) return handler(event, context);
    const started = performance.now();
    let failed = true;
    try {
      const result = await handler(event, context);
      failed = false;
      return result;
    } finally {
      const invocation = { folder, ms: performance.now() - started, failed };
      for (const observe of invocationObservers) observe(invocation);
    }
  };
}

async function loadHandlers(stack: ResolvedStack) {
  const byArn = new Map<string, Handler>();
  const byFolder = new Map<string, Handler>();
  for (const fn of stack.functions) {
    const mod = (await import(pathToFileURL(path.join(ROOT, fn.entry)).href)) as { handler: Handler };
    const folder = path.basename(fn.entry, '.ts');
    const handler = observed(folder, mod.handler);
    byArn.set(fn.arn, handler);
    byFolder.set(folder, handler);
  }
  return { byArn, byFolder };
}

/** In-process functions share one process.env: their variables must agree wherever two define the same name. */
function mergedEnvironment(stack: ResolvedStack): Record<string, string> {
  const env: Record<string, string> = {};
  for (const fn of stack.functions) {
    for (const [k, v] of Object.entries(fn.environment)) {
      if (k === 'NODE_OPTIONS') continue;
      if (k in env && env[k] !== v) throw new Error(`Functions disagree on ${k}: ${env[k]} vs ${v}`);
      env[k] = v;
    }
  }
  return env;
}

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const clock = compressedClock(options.speed ?? 1000);
  useClock(clock);
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
    useClock(undefined);
  };
  // DynamoDB Local (a Java process) starts while this process synthesizes the stack.
  const services = Promise.all([startDynamo(LOCAL_REGION), startMessaging(LOCAL_REGION)]);
  services
    .then(([d, m]) =>
      stops.unshift(
        () => d.stop(),
        () => m.stop(),
      ),
    )
    .catch(() => {});
  try {
    cachedStack ??= resolveStackCached();
    const stack = cachedStack;
    const [dynamo, messaging]: [LocalDynamo, FauxqsServer] = await services;
    await createTableFromTemplate(dynamo.client, stack.table.name, stack.table.properties);

    messaging.createTopic(stack.topicName, { region: LOCAL_REGION });
    messaging.createQueue('seller-inbox', { region: LOCAL_REGION });
    messaging.subscribe({ topic: stack.topicName, queue: 'seller-inbox', region: LOCAL_REGION });
    const pushDlq = messaging.createQueue('push-dead-letters', { region: LOCAL_REGION });
    const pushQueue = messaging.createQueue('push-queue', {
      region: LOCAL_REGION,
      attributes: {
        // Real seconds (fauxqs does not know the compressed clock): a failed push comes back quickly.
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: pushDlq.queueArn, maxReceiveCount: 5 }),
      },
    });
    // fauxqs reports a virtual-host style URL; the SDK needs the path style the endpoint serves.
    const queueUrlOf = (name: string) => `${messaging.address}/000000000000/${name}`;

    // Powertools reads its log level when a handler module loads: set it before the first import.
    process.env.POWERTOOLS_LOG_LEVEL = options.logLevel ?? 'ERROR';
    const { byArn, byFolder } = await loadHandlers(stack);
    const engine = new LocalStepFunctions({
      definition: stack.definition,
      stateMachineArn: stack.stateMachineArn,
      handlers: byArn,
      clock,
    });
    stops.push(() => engine.stopAll());
    const sfnApi = await startSfnApi(engine, stack.stateMachineArn);
    stops.push(() => sfnApi.close());

    const ozon = options.ozon ?? { mode: 'sandbox' };
    const env: Record<string, string> = {
      ...mergedEnvironment(stack),
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SNS: messaging.address,
      AWS_ENDPOINT_URL_SQS: messaging.address,
      AWS_ENDPOINT_URL_S3: messaging.address,
      AWS_ENDPOINT_URL_SFN: sfnApi.url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'ERROR',
      POWERTOOLS_DEV: 'true',
      SELLER_LANGUAGE: options.sellerLanguage ?? 'en',
      OZON_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
      PUSH_QUEUE_URL: queueUrlOf('push-queue'),
      // The sandbox pushes from loopback; in AWS only Ozon's networks are allowed (functions/intake/ip.ts).
      WEBHOOK_ALLOWED_CIDRS: '195.34.21.0/24,185.73.192.0/22,91.223.93.0/24,127.0.0.0/8',
      OZON_READ_ONLY: ozon.mode === 'real' && !ozon.allowChanges ? 'true' : 'false',
      ...options.environment,
    };
    Object.assign(process.env, env);
    resetClients();

    const s3 = new S3Client({
      region: LOCAL_REGION,
      endpoint: messaging.address,
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
    });
    await s3.send(new CreateBucketCommand({ Bucket: stack.bucketName }));
    s3.destroy();

    const ozonCalls: { path: string; status: number }[] = [];
    stops.push(observeOzonCalls((c) => ozonCalls.push({ path: c.path, status: c.status })));

    const routes: Record<string, Handler> = {};
    const webhook = byFolder.get('webhook');
    const carrierApi = byFolder.get('seller-api');
    if (!webhook || !carrierApi) throw new Error('The stack has no webhook or seller-api function');
    routes.webhook = webhook;
    routes.carrier = carrierApi;
    const processor = byFolder.get('push-processor');
    if (!processor) throw new Error('The stack has no push-processor function');
    const pushSqs = new SQSClient({
      region: LOCAL_REGION,
      endpoint: messaging.address,
      credentials: LOCAL_CREDENTIALS,
    });
    const pushSource: EventSource = startSqsEventSource({
      client: pushSqs,
      queueUrl: queueUrlOf('push-queue'),
      queueArn: pushQueue.queueArn,
      region: LOCAL_REGION,
      handler: processor,
      functionName: 'push-processor',
    });
    stops.push(async () => {
      await pushSource.stop();
      pushSqs.destroy();
    });
    const endpoints: Endpoints = await startEndpoints(routes);
    stops.push(() => endpoints.close());
    const webhookUrl = `${endpoints.url}/webhook/${WEBHOOK_TOKEN}`;
    const carrierUrl = `${endpoints.url}/carrier/${WEBHOOK_TOKEN}`;

    let sandbox: OzonSandbox | undefined;
    if (ozon.mode === 'sandbox') {
      sandbox = await startOzonSandbox({
        ...SANDBOX_CREDENTIALS,
        seed: 7,
        ...ozon.sandbox,
        // A courier picks FBS parcels up hours after assembly, not minutes.
        timing: { handover: 8 * 3600_000, ...ozon.sandbox?.timing },
        clock,
        pushUrl: webhookUrl,
      });
      stops.push(() => sandbox?.close());
      Object.assign(process.env, {
        // The sandbox's faults are random, not a real per-second window: retry at once (see ozon/client.ts).
        OZON_RETRY_BACKOFF_MS: '5-50',
        OZON_API_URL: sandbox.url,
        OZON_CLIENT_ID: SANDBOX_CREDENTIALS.clientId,
        OZON_API_KEY: SANDBOX_CREDENTIALS.apiKey,
      });
    } else {
      Object.assign(process.env, {
        OZON_RETRY_BACKOFF_MS: '200-2000',
        OZON_API_URL: ozon.apiUrl ?? 'https://api-seller.ozon.ru',
        OZON_CLIENT_ID: ozon.clientId,
        OZON_API_KEY: ozon.apiKey,
      });
    }
    resetClients();

    const invoke = async (folder: string, event: unknown) => {
      const handler = byFolder.get(folder);
      if (!handler) throw new Error(`No function ${folder}`);
      return handler(event, lambdaContext(`arn:aws:lambda:local:000000000000:function:${folder}`));
    };

    // The catch-up poller on the compressed clock, as EventBridge Scheduler runs it in AWS.
    let polling = true;
    const pollEvery = options.pollIntervalMs ?? 30 * 60_000;
    const poll = () => invoke('poller', {});
    const pollLoop = () => {
      if (!polling) return;
      poll()
        .catch((e: Error) => process.env.DEBUG && console.error('poll failed', e))
        .finally(() => {
          if (polling) cancelPoll = clock.schedule(Math.max(pollEvery, clock.speed * 250), pollLoop);
        });
    };
    let cancelPoll = clock.schedule(pollEvery, pollLoop);
    stops.push(() => {
      polling = false;
      cancelPoll();
    });

    // The seller's inbox: every alert, as an SQS subscriber of the alerts topic would see it.
    const alerts: ReceivedAlert[] = [];
    const listeners: ((a: ReceivedAlert) => void)[] = [];
    const sqs = new SQSClient({ region: LOCAL_REGION, endpoint: messaging.address, credentials: LOCAL_CREDENTIALS });
    const queueUrl = `${messaging.address}/000000000000/seller-inbox`;
    let reading = true;
    const readInbox = (async () => {
      while (reading) {
        const { Messages = [] } = await sqs
          .send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))
          .catch(() => ({ Messages: [] }));
        for (const m of Messages) {
          const envelope = JSON.parse(m.Body ?? '{}') as {
            Subject?: string;
            Message?: string;
            MessageAttributes?: Record<string, { Value: string }>;
          };
          const attr = (k: string) => envelope.MessageAttributes?.[k]?.Value ?? '';
          const alert = {
            kind: attr('kind'),
            severity: attr('severity'),
            postingNumber: attr('postingNumber'),
            subject: envelope.Subject ?? '',
            message: envelope.Message ?? '',
            at: clock.now(),
          };
          alerts.push(alert);
          for (const l of listeners) l(alert);
        }
        if (Messages.length) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
            }),
          );
        } else {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    })();
    stops.push(async () => {
      reading = false;
      await readInbox;
      sqs.destroy();
    });

    const sellerApi = (action: string, body: unknown) =>
      fetch(`${carrierUrl}/${action}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    if (options.carrier !== false) {
      const carrier = options.carrier ?? { handoverMs: 2 * 3600_000, transitMs: 24 * 3600_000 };
      listeners.push((alert) => {
        if (alert.kind !== 'rfbs_handover') return;
        const postingNumber = alert.postingNumber;
        const plan = carrier.plan?.(postingNumber) ?? {};
        if (plan.silent) return;
        clock.schedule(carrier.handoverMs, () => {
          void sellerApi('tracking', { postingNumber, trackingNumber: `CN${postingNumber.replace(/\D/g, '')}` }).then(
            () =>
              clock.schedule(
                plan.transitMs ?? carrier.transitMs,
                () => void sellerApi('delivered', { postingNumber }).catch(() => {}),
              ),
          );
        });
      });
    }

    return {
      clock,
      stack,
      engine,
      sandbox,
      webhookUrl,
      carrierUrl,
      sellerApi,
      onAlert: (listener) => listeners.push(listener),
      alerts,
      ozonCalls,
      pushQueue: {
        url: queueUrlOf('push-queue'),
        deadLetterUrl: queueUrlOf('push-dead-letters'),
        drained: async () => {
          const pending = () => {
            const q = messaging.inspectQueue('push-queue')?.messages;
            return (q?.ready.length ?? 0) + (q?.delayed.length ?? 0) + (q?.inflight.length ?? 0);
          };
          while (pending() > 0 || pushSource.busy() > 0) await new Promise((r) => setTimeout(r, 10));
        },
        stopProcessing: () => pushSource.stop(),
      },
      invoke,
      poll,
      stop,
    };
  } catch (error) {
    await services.catch(() => {});
    await stop();
    throw error;
  }
}
