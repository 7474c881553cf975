/**
 * The queue between Ozon's push and the work it causes. Ozon suspends a push URL that answers slower than 5 s or
 * errs for a day, so the endpoint only validates and enqueues; the push processor does the DynamoDB and Step
 * Functions work, and a failure there is redelivered by SQS (then parked in the dead-letter queue) instead of
 * being an error answer to Ozon.
 */

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { sqsClient } from '#shared/aws/sqs';
import { env } from '#shared/config';
import { logger } from '#shared/handler';
import { PostingPush, type WorkPush } from '#shared/ozon/push';

export async function enqueuePush(push: WorkPush): Promise<void> {
  await sqsClient().send(
    new SendMessageCommand({ QueueUrl: env('pushes').PUSH_QUEUE_URL, MessageBody: JSON.stringify(push) }),
  );
}

const QueuedPush = z.pipe(
  z.pipe(
    z.string(),
    z.transform((s: string, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.issues.push({ code: 'custom', message: 'not JSON', input: s });
        return z.NEVER;
      }
    }),
  ),
  PostingPush,
);

/**
 * Runs `work` for every record with Powertools Batch and reports the failed ones as `batchItemFailures` (the event
 * source mapping has ReportBatchItemFailures on), so one bad push does not redeliver the whole batch. A record that
 * is not a push can never succeed: it is logged and dropped rather than cycled into the dead-letter queue.
 */
export function processPushBatch(event: SQSEvent, work: (push: WorkPush) => Promise<void>): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const record = async (item: SQSRecord) => {
    const parsed = QueuedPush.safeParse(item.body);
    if (!parsed.success) {
      logger.error('Queued push is unreadable; dropped', { messageId: item.messageId, error: parsed.error.message });
      return;
    }
    if (parsed.data.message_type === 'TYPE_PING') return;
    try {
      await work(parsed.data);
    } catch (error) {
      logger.warn('Push processing failed; SQS will redeliver it', {
        messageId: item.messageId,
        ...('posting_number' in parsed.data ? { postingNumber: parsed.data.posting_number } : {}),
        error: error as Error,
      });
      throw error;
    }
  };
  // A batch whose every push failed is still answered per record: SQS redelivers them, nothing is lost or looped.
  return processPartialResponse(event, record, processor, { throwOnFullBatchFailure: false });
}
