import { stepHandler } from '../lib/handler';
import { settlePayout, StepInput } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, settlePayout);
