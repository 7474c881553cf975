import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { lazyClient } from '../clients';

const snsClient = lazyClient(() => new SNSClient({}));

export async function publishMessage(input: PublishCommandInput): Promise<void> {
  await snsClient().send(new PublishCommand(input));
}
