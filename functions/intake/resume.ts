/**
 * Resuming a posting: one that waits in NeedsAttention continues (the seller fixed what was wrong); one whose
 * execution ended without finishing gets a new execution, named by the posting number with `_r<N>` so it is found
 * by it in the console. Ozon is asked first: a posting Ozon does not know is not resumed.
 */
import { DescribeExecutionCommand, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import { sfnClient } from '#shared/aws/sfn';
import { nowIso } from '#shared/clock';
import { PostingNotFound } from '#shared/errors';
import { getOrder, updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { deliverToWait } from '#waits/deliver-to-wait';
import { refuse } from './refuse';
import { startPostingExecution } from './start-execution';

export async function resumePosting(postingNumber: string) {
  try {
    await ozon().call('getPosting', { posting_number: postingNumber });
  } catch (e) {
    if (e instanceof PostingNotFound) throw refuse(404, `Ozon does not know posting ${postingNumber}`);
    throw e;
  }
  const order = await getOrder(postingNumber);
  if (order?.phase === 'completed' || order?.phase === 'cancelled' || order?.phase === 'split') {
    throw refuse(409, `Posting ${postingNumber} is ${order.phase}: there is nothing to resume`);
  }
  if (order?.wait?.on === 'attention') {
    const updated = await updateOrder(postingNumber, { resumeRequestedAt: nowIso() });
    return { resumed: (await deliverToWait(updated)) === 'success', how: 'continued' };
  }
  if (order?.executionArn && (await isRunning(order.executionArn))) {
    return { resumed: false, how: 'already running', executionArn: order.executionArn };
  }
  const resumes = (order?.escalations.resumes ?? 0) + 1;
  if (order) await updateOrder(postingNumber, { escalations: { ...order.escalations, resumes } });
  const name = order ? `${postingNumber}_r${resumes}` : postingNumber;
  return {
    resumed: (await startPostingExecution(postingNumber, name, 'resume')) === 'started',
    how: 'new execution',
    name,
  };
}

async function isRunning(executionArn: string): Promise<boolean> {
  try {
    const { status } = await sfnClient().send(new DescribeExecutionCommand({ executionArn }));
    return status === 'RUNNING';
  } catch (e) {
    if (e instanceof ExecutionDoesNotExist) return false;
    throw e;
  }
}
