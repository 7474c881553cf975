/**
 * One execution per posting: named by the posting number (a resume adds `_r<N>`), and the input is nothing but the
 * posting number, so a duplicate push and a poll that both see the posting make one execution.
 */
import { startNamedExecution } from '#shared/aws/sfn';
import { env } from '#shared/config';
import { ConfigError } from '#shared/errors';
import { emitMetric } from '#shared/powertools';

export type StartSource = 'push' | 'poller' | 'resume' | 'split';

export async function startPostingExecution(
  postingNumber: string,
  name: string,
  source: StartSource,
): Promise<'started' | 'exists'> {
  const stateMachineArn = env('workflow').STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new ConfigError('STATE_MACHINE_ARN is not set');
  const started = await startNamedExecution(stateMachineArn, name, { postingNumber });
  if (started === 'started') emitMetric('ExecutionsStarted', 1, { source });
  return started;
}
