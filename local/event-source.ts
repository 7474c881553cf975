/**
 * A local SQS → Lambda event source mapping: polls a fauxqs queue, invokes the handler with real SQS event records,
 * deletes the records that succeeded and leaves the `batchItemFailures` for redelivery (and, through the queue's
 * redrive policy, the dead-letter queue), the way Lambda's mapping with ReportBatchItemFailures does.
 */
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type Handler, lambdaContext } from './tasks';

export interface EventSourceOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  handler: Handler;
  functionName: string;
  /** Parallel pollers, like Lambda's concurrent batches. */
  concurrency?: number;
  batchSize?: number;
  /** Like the mapping's MaximumBatchingWindowInSeconds: receive until `batchSize` records or this much time. */
  batchWindowMs?: number;
}

export interface EventSource {
  /** Batches being processed right now. */
  busy(): number;
  stop(): Promise<void>;
}

function toRecord(m: Message, o: EventSourceOptions): SQSRecord {
  const attrs = m.Attributes ?? {};
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attrs.ApproximateReceiveCount ?? '1',
      SentTimestamp: attrs.SentTimestamp ?? String(Date.now()),
      SenderId: attrs.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: attrs.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: o.queueArn,
    awsRegion: o.region,
  };
}

export function startSqsEventSource(o: EventSourceOptions): EventSource {
  let running = true;
  // Long polls end at once when stopping instead of after their wait.
  const stopping = new AbortController();
  let busy = 0;
  const context = lambdaContext(`arn:aws:lambda:${o.region}:000000000000:function:${o.functionName}`);

  const worker = async () => {
    while (running) {
      // Long polling, like Lambda's pollers: busy polling an in-process fauxqs would starve the event loop.
      const receive = (max: number, wait: number) =>
        o.client
          .send(
            new ReceiveMessageCommand({
              QueueUrl: o.queueUrl,
              // SQS hands out at most 10 messages a call; a larger batch takes several calls.
              MaxNumberOfMessages: Math.min(10, max),
              WaitTimeSeconds: wait,
              MessageSystemAttributeNames: ['All'],
            }),
            { abortSignal: stopping.signal },
          )
          .then((r) => r.Messages ?? [])
          .catch(() => [] as Message[]);
      const batchSize = o.batchSize ?? 10;
      const Messages = await receive(batchSize, 1);
      if (Messages.length === 0) continue;
      const windowEnds = Date.now() + (o.batchWindowMs ?? 0);
      while (running && Messages.length < batchSize && Date.now() < windowEnds) {
        const more = await receive(batchSize - Messages.length, 0);
        if (more.length) Messages.push(...more);
        else await new Promise((r) => setTimeout(r, 25));
      }
      busy++;
      try {
        const event: SQSEvent = { Records: Messages.map((m) => toRecord(m, o)) };
        let failed = new Set<string>();
        try {
          const response = (await o.handler(event, context)) as SQSBatchResponse | undefined;
          failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch {
          // A thrown error fails the whole batch, as in Lambda.
          failed = new Set(event.Records.map((r) => r.messageId));
        }
        const done = Messages.filter((m) => !failed.has(m.MessageId ?? ''));
        // SQS deletes at most 10 messages a call; a message not deleted comes back, as in AWS.
        for (let i = 0; i < done.length; i += 10) {
          await o.client
            .send(
              new DeleteMessageBatchCommand({
                QueueUrl: o.queueUrl,
                Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? '' })),
              }),
            )
            .catch(() => undefined);
        }
      } finally {
        busy--;
      }
    }
  };
  const workers = Array.from({ length: o.concurrency ?? 4 }, () => worker());

  return {
    busy: () => busy,
    async stop() {
      running = false;
      stopping.abort();
      await Promise.all(workers);
    },
  };
}
