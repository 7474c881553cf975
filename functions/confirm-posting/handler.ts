import { stepHandler } from '../lib/handler';
import { confirmPosting, StepInput } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, confirmPosting);
