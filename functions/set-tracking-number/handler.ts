import { stepHandler } from '../lib/handler';
import { setTrackingNumber, StepInput } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, setTrackingNumber);
