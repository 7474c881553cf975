import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { lazyClient } from '../clients';

export const sqsClient = lazyClient(() => new SQSClient({}));

/** Messages to come back after `seconds` instead of the queue's visibility timeout, ten a request (SQS's limit). */
export async function retryIn(QueueUrl: string, receiptHandles: string[], seconds: number): Promise<void> {
  for (let i = 0; i < receiptHandles.length; i += 10) {
    await sqsClient().send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl,
        Entries: receiptHandles.slice(i, i + 10).map((ReceiptHandle, j) => ({
          Id: String(j),
          ReceiptHandle,
          VisibilityTimeout: seconds,
        })),
      }),
    );
  }
}
