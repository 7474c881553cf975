import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/handler';
import { sweepDeadlines } from '#waits/deadline-sweep';
import { pollOnce } from './catch-up';

/** Runs on a schedule (EventBridge Scheduler in AWS, a timer locally). */
export const handler = middy(async () => {
  const report = await pollOnce();
  const deadlines = await sweepDeadlines();
  logger.debug('Poll finished', { ...report, ...deadlines });
  return { ...report, ...deadlines };
}).use(injectLambdaContext(logger, { resetKeys: true }));
