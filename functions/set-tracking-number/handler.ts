import { stepHandler } from '../lib/handler';
import { StepInput, setTrackingNumber } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, setTrackingNumber);
