import { stepHandler } from '../lib/handler';
import { checkTracking, StepInput } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, checkTracking);
