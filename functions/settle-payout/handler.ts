import { stepHandler } from '../lib/handler';
import { StepInput, settlePayout } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, settlePayout);
