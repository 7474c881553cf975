import { stepHandler } from '../lib/handler';
import { DeliveryProblemInput, reportDeliveryProblem } from '../lib/lifecycle';

export const handler = stepHandler(DeliveryProblemInput, reportDeliveryProblem);
