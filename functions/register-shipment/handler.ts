import { stepHandler } from '../lib/handler';
import { registerShipment, StepInput } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, registerShipment);
