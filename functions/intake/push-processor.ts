import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '#shared/handler';
import { processPushBatch } from './push-queue';
import { applyPush } from './pushes';

/**
 * Applies queued Ozon pushes (SQS event source, ReportBatchItemFailures): starts executions and records status
 * changes. A failed push is reported back and redelivered; after five receives SQS moves it to the dead-letter queue.
 */
export const handler = middy(
  async (event: SQSEvent): Promise<SQSBatchResponse> => processPushBatch(event, applyPush),
).use(injectLambdaContext(logger, { resetKeys: true }));
