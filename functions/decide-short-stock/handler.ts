import { stepHandler } from '../lib/handler';
import { decideShortStock, StepInput } from '../lib/lifecycle';

export const handler = stepHandler(StepInput, decideShortStock);
