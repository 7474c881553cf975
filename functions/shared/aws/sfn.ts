import { SFNClient } from '@aws-sdk/client-sfn';
import { lazyClient } from '../clients';

export const sfnClient = lazyClient(() => new SFNClient({}));
