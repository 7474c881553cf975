import { ChangeMessageVisibilityBatchCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { lazyClient } from '../clients';

export const sqsClient = lazyClient(() => new SQSClient({}));

/**
 * One request per ten entries (SQS's batch limit), all sent at once and all waited for: one refused does not keep
 * the others' messages waiting. Each chunk's outcome with the index of its first entry.
 */
async function inTens<T, R>(entries: T[], send: (chunk: T[]) => Promise<R>) {
  const chunks = Array.from({ length: Math.ceil(entries.length / 10) }, (_, c) => entries.slice(c * 10, c * 10 + 10));
  const settled = await Promise.allSettled(chunks.map(send));
  return settled.map((result, c) => ({ result, offset: c * 10, size: chunks[c]?.length ?? 0 }));
}

/**
 * Messages to come back after `seconds` instead of the queue's visibility timeout. Every request is tried; the
 * first refusal is thrown after them.
 */
export async function retryIn(QueueUrl: string, receiptHandles: string[], seconds: number): Promise<void> {
  const outcomes = await inTens(receiptHandles, (chunk) =>
    sqsClient().send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl,
        Entries: chunk.map((ReceiptHandle, j) => ({ Id: String(j), ReceiptHandle, VisibilityTimeout: seconds })),
      }),
    ),
  );
  const refused = outcomes.find((o) => o.result.status === 'rejected')?.result;
  if (refused?.status === 'rejected') throw refused.reason;
}

/**
 * Messages sent again as new ones, `seconds` from now: unlike a retry, the receive count starts afresh. Every
 * request is tried; returns the indexes of the bodies SQS did not take.
 */
export async function sendLater(QueueUrl: string, bodies: string[], seconds: number): Promise<number[]> {
  const outcomes = await inTens(bodies, (chunk) =>
    sqsClient().send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: chunk.map((MessageBody, j) => ({ Id: String(j), MessageBody, DelaySeconds: seconds })),
      }),
    ),
  );
  return outcomes.flatMap(({ result, offset, size }) =>
    result.status === 'rejected'
      ? Array.from({ length: size }, (_, j) => offset + j)
      : (result.value.Failed ?? []).map((f) => offset + Number(f.Id)).sort((a, b) => a - b),
  );
}
