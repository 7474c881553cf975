import { stepHandler } from '../lib/handler';
import { remindPacking, StepInput } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, remindPacking);
