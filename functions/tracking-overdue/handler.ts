import { stepHandler } from '../lib/handler';
import { StepInput, trackingOverdue } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, trackingOverdue);
