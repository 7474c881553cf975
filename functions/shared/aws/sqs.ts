import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
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
