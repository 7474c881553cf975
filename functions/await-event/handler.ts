import { stepHandler } from '../lib/handler';
import { awaitEvent, WaitInput } from '../lib/lifecycle';

export const handler = stepHandler(WaitInput, awaitEvent);
