/**
 * Local AWS services: Amazon's DynamoDB Local (Java) and fauxqs (SNS, SQS, S3), with the stack's table, topic,
 * queues and bucket in them, and the environment that points the AWS SDK at them.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { ensureTable, LOCAL_CREDENTIALS, type LocalDynamo, startDynamo } from './dynamo-local';
import { startSqsEventSource } from './event-source';
import type { Handler } from './tasks';
import { LOCAL_REGION, type ResolvedStack } from './template';

export { LOCAL_CREDENTIALS };

export const SELLER_INBOX = 'seller-inbox';
export const PUSH_QUEUE = 'push-queue';
export const LABEL_QUEUE = 'label-queue';
const LABEL_DEAD_LETTERS = 'label-dead-letters';
export const PUSH_DEAD_LETTERS = 'push-dead-letters';

export interface Services {
  dynamo: LocalDynamo;
  messaging: FauxqsServer;
  /** fauxqs reports a virtual-host style URL; the SDK needs the path style the endpoint serves. */
  queueUrlOf(name: string): string;
  pushQueueArn: string;
  labelQueueArn: string;
  /** False when the table was already in the data dir. */
  tableCreated: boolean;
  /** What points the AWS SDK at these services. */
  environment: Record<string, string>;
  stop(): Promise<void>;
}

export function startMessaging(region: string): Promise<FauxqsServer> {
  return startFauxqs({ port: 0, logger: false, host: '127.0.0.1', defaultRegion: region });
}

export interface StartedServices {
  /** Creates the stack's table, topic, queues and bucket. */
  provision(stack: ResolvedStack): Promise<Services>;
  stop(): Promise<void>;
}

/**
 * Starts both services at once. DynamoDB Local (a JVM) takes seconds to start, which the caller spends
 * synthesizing the stack before it provisions the stack's resources.
 */
export async function startServices(dbPath?: string): Promise<StartedServices> {
  const [d, m] = await Promise.allSettled([startDynamo(LOCAL_REGION, dbPath), startMessaging(LOCAL_REGION)]);
  if (d.status === 'rejected' || m.status === 'rejected') {
    if (d.status === 'fulfilled') await d.value.stop();
    if (m.status === 'fulfilled') await m.value.stop();
    throw d.status === 'rejected' ? d.reason : (m as PromiseRejectedResult).reason;
  }
  const stop = async () => {
    await d.value.stop();
    await m.value.stop();
  };
  return { provision: (stack) => provision(stack, d.value, m.value, stop), stop };
}

async function provision(
  stack: ResolvedStack,
  dynamo: LocalDynamo,
  messaging: FauxqsServer,
  stop: () => Promise<void>,
): Promise<Services> {
  try {
    const tableCreated = await ensureTable(dynamo.client, stack.table.name, stack.table.properties);
    messaging.createTopic(stack.topicName, { region: LOCAL_REGION });
    messaging.createQueue(SELLER_INBOX, { region: LOCAL_REGION });
    messaging.subscribe({ topic: stack.topicName, queue: SELLER_INBOX, region: LOCAL_REGION });
    // A work queue and its dead-letter queue after five receives, as in the stack. Visibility in real seconds
    // (fauxqs does not know the compressed clock).
    const workQueue = (name: string, deadLetterName: string, visibilitySeconds: number) => {
      const deadLetters = messaging.createQueue(deadLetterName, { region: LOCAL_REGION });
      return messaging.createQueue(name, {
        region: LOCAL_REGION,
        attributes: {
          VisibilityTimeout: String(visibilitySeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetters.queueArn, maxReceiveCount: 5 }),
        },
      });
    };
    // A failed push comes back quickly.
    const pushQueue = workQueue(PUSH_QUEUE, PUSH_DEAD_LETTERS, 1);
    // Longer than a batch takes on a loaded machine: a batch seen again while it is still being processed would be
    // packed twice. A failed one comes back sooner (LABEL_RETRY_SECONDS).
    const labelQueue = workQueue(LABEL_QUEUE, LABEL_DEAD_LETTERS, 30);
    const s3 = new S3Client({
      region: LOCAL_REGION,
      endpoint: messaging.address,
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
    });
    // fauxqs keeps no objects across restarts: labels and packing lists are made again from Ozon and the order.
    await s3.send(new CreateBucketCommand({ Bucket: stack.bucketName }));
    s3.destroy();
    return {
      dynamo,
      messaging,
      queueUrlOf: (name) => `${messaging.address}/000000000000/${name}`,
      pushQueueArn: pushQueue.queueArn,
      labelQueueArn: labelQueue.queueArn,
      tableCreated,
      environment: {
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SNS: messaging.address,
        AWS_ENDPOINT_URL_SQS: messaging.address,
        AWS_ENDPOINT_URL_S3: messaging.address,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        PUSH_QUEUE_URL: `${messaging.address}/000000000000/${PUSH_QUEUE}`,
        LABEL_QUEUE_URL: `${messaging.address}/000000000000/${LABEL_QUEUE}`,
        LABEL_RETRY_SECONDS: '1',
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface PushQueue {
  url: string;
  deadLetterUrl: string;
  /** Resolves when no push is queued, waiting for redelivery or being processed. */
  drained(): Promise<void>;
  /** Stops the push processor for good; queued pushes then stay queued. */
  stopProcessing(): Promise<void>;
  stop(): Promise<void>;
}

/** The push processor on the push queue, as Lambda's SQS event source mapping runs it in AWS. */
export function startPushProcessing(services: Services, processor: Handler): PushQueue {
  const { messaging } = services;
  const client = new SQSClient({ region: LOCAL_REGION, endpoint: messaging.address, credentials: LOCAL_CREDENTIALS });
  const source = startSqsEventSource({
    client,
    queueUrl: services.queueUrlOf(PUSH_QUEUE),
    queueArn: services.pushQueueArn,
    region: LOCAL_REGION,
    handler: processor,
    functionName: 'push-processor',
  });
  const pending = () => {
    const q = messaging.inspectQueue(PUSH_QUEUE)?.messages;
    return (q?.ready.length ?? 0) + (q?.delayed.length ?? 0) + (q?.inflight.length ?? 0);
  };
  return {
    url: services.queueUrlOf(PUSH_QUEUE),
    deadLetterUrl: services.queueUrlOf(PUSH_DEAD_LETTERS),
    drained: async () => {
      while (pending() > 0 || source.busy() > 0) await new Promise((r) => setTimeout(r, 10));
    },
    stopProcessing: () => source.stop(),
    async stop() {
      await source.stop();
      client.destroy();
    },
  };
}

/**
 * The label batcher on the label queue, as Lambda's SQS event source runs it in AWS: batches of up to 20,
 * gathered for a moment (AWS: 10 s; here 300 real ms, minutes on the compressed clock).
 */
export function startLabelBatching(
  services: Services,
  batcher: Handler,
  batching: { batchSize: number; windowMs: number },
): { stop(): Promise<void> } {
  const client = new SQSClient({
    region: LOCAL_REGION,
    endpoint: services.messaging.address,
    credentials: LOCAL_CREDENTIALS,
  });
  const source = startSqsEventSource({
    client,
    queueUrl: services.queueUrlOf(LABEL_QUEUE),
    queueArn: services.labelQueueArn,
    region: LOCAL_REGION,
    handler: batcher,
    functionName: 'label-batch',
    batchSize: batching.batchSize,
    batchWindowMs: batching.windowMs,
    concurrency: 2,
  });
  return {
    async stop() {
      await source.stop();
      client.destroy();
    },
  };
}
