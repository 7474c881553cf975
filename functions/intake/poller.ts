/** Runs on a schedule (EventBridge Scheduler in AWS, a timer locally): the catch-up poll, then the deadline sweep. */
import { logger, withPowertools } from '#shared/handler';
import { sweepDeadlines } from '#waits/deadline-sweep';
import { pollOnce } from './catch-up';

export const handler = withPowertools(async () => {
  const report = await pollOnce();
  const deadlines = await sweepDeadlines();
  logger.debug('Poll finished', { ...report, ...deadlines });
  return { ...report, ...deadlines };
});
