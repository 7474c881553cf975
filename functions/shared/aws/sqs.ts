import { ChangeMessageVisibilityBatchCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { lazyClient } from '../clients';

export const sqsClient = lazyClient(() => new SQSClient({}));

/**
 * Messages to come back after `seconds` instead of the queue's visibility timeout, ten a request (SQS's limit). Every
 * request is tried (one refused does not keep the others' messages waiting the full timeout); the first refusal is
 * thrown after them.
 */
export async function retryIn(QueueUrl: string, receiptHandles: string[], seconds: number): Promise<void> {
  const requests: Promise<unknown>[] = [];
  for (let i = 0; i < receiptHandles.length; i += 10) {
    const request = sqsClient().send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl,
        Entries: receiptHandles.slice(i, i + 10).map((ReceiptHandle, j) => ({
          Id: String(j),
          ReceiptHandle,
          VisibilityTimeout: seconds,
        })),
      }),
    );
    requests.push(request);
  }
  const refused = (await Promise.allSettled(requests)).find((r) => r.status === 'rejected');
  if (refused) throw refused.reason;
}

/**
 * Messages sent again as new ones, `seconds` from now (ten a request, SQS's limit): unlike a retry, the receive
 * count starts afresh. Every request is tried; returns the indexes of the bodies SQS did not take.
 */
export async function sendLater(QueueUrl: string, bodies: string[], seconds: number): Promise<number[]> {
  const refused: number[] = [];
  const requests: Promise<void>[] = [];
  for (let i = 0; i < bodies.length; i += 10) {
    const chunk = bodies.slice(i, i + 10);
    const request = sqsClient()
      .send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: chunk.map((MessageBody, j) => ({ Id: String(j), MessageBody, DelaySeconds: seconds })),
        }),
      )
      .then(
        (answer) => {
          for (const f of answer.Failed ?? []) refused.push(i + Number(f.Id));
        },
        () => {
          refused.push(...chunk.map((_, j) => i + j));
        },
      );
    requests.push(request);
  }
  await Promise.all(requests);
  return refused.sort((a, b) => a - b);
}
