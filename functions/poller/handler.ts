import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../lib/handler';
import { pollOnce } from '../lib/poller';

/** Runs on a schedule (EventBridge Scheduler in AWS, a timer locally). */
export const handler = middy(async () => {
  const report = await pollOnce();
  logger.debug('Poll finished', { ...report });
  return report;
}).use(injectLambdaContext(logger, { resetKeys: true }));
