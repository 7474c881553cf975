import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { lazyClient } from '../clients';

export const sfnClient = lazyClient(() => new SFNClient({}));

/**
 * Starts the execution of this name, or finds it started: names are how the product makes one execution per
 * posting (OrderLifecycle) and per carriage (Handover), however often it is asked.
 */
export async function startNamedExecution(
  stateMachineArn: string,
  name: string,
  input: unknown,
): Promise<'started' | 'exists'> {
  try {
    await sfnClient().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
  } catch (e) {
    if (e instanceof ExecutionAlreadyExists) return 'exists';
    throw e;
  }
  return 'started';
}
