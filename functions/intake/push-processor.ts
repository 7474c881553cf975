/**
 * Applies queued Ozon pushes (SQS event source, ReportBatchItemFailures): starts executions and records status
 * changes. A failed push is reported back and redelivered; after five receives SQS moves it to the dead-letter queue.
 */
import type { SQSEvent } from 'aws-lambda';
import { withPowertools } from '#shared/handler';
import { applyPush } from './apply-push';
import { processPushBatch } from './push-queue';

export const handler = withPowertools((event: SQSEvent) => processPushBatch(event, applyPush));
