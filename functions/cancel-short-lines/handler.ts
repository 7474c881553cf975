import { stepHandler } from '../lib/handler';
import { cancelShortLines, StepInput } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, cancelShortLines);
