import { stepHandler } from '../lib/handler';
import { reserveStock, StepInput } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, reserveStock);
