import { stepHandler } from '../lib/handler';
import { packAndLabel, StepInput } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, packAndLabel);
