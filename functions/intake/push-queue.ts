/**
 * The queue between Ozon's push and the work it causes. Ozon suspends a push URL that answers slower than 5 s or
 * errs for a day, so the endpoint only validates and enqueues; the push processor does the DynamoDB and Step
 * Functions work, and a failure there is redelivered by SQS (then parked in the dead-letter queue) instead of
 * being an error answer to Ozon.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { sqsClient } from '#shared/clients';
import { ConfigError } from '#shared/errors';
import { logger } from '#shared/handler';
import { PostingPush, type WorkPush } from '#shared/ozon/push';

function queueUrl(): string {
  const url = process.env.PUSH_QUEUE_URL;
  if (!url) throw new ConfigError('PUSH_QUEUE_URL is not set');
  return url;
}

export async function enqueuePush(push: WorkPush): Promise<void> {
  await sqsClient().send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: JSON.stringify(push) }));
}

const QueuedPush = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
  })
  .pipe(PostingPush);

/**
 * Runs `work` for every record and reports the failed ones as `batchItemFailures` (the Lambda event source mapping
 * has ReportBatchItemFailures on), so one bad push does not redeliver the whole batch. A record that is not a push
 * can never succeed: it is logged and dropped rather than cycled into the dead-letter queue.
 */
export async function processPushBatch(
  event: SQSEvent,
  work: (push: WorkPush) => Promise<void>,
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const parsed = QueuedPush.safeParse(record.body);
    if (!parsed.success) {
      logger.error('Queued push is unreadable; dropped', { messageId: record.messageId, error: parsed.error.message });
      continue;
    }
    if (parsed.data.message_type === 'TYPE_PING') continue;
    try {
      await work(parsed.data);
    } catch (error) {
      logger.warn('Push processing failed; SQS will redeliver it', {
        messageId: record.messageId,
        postingNumber: parsed.data.posting_number,
        error: error as Error,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
