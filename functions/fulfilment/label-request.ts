/**
 * What PackAndLabel hands the label batcher through the label queue: the task token its state waits on and the
 * order as it was, which carries everything the batch needs (warehouse, lines, whether units are reserved) and
 * the dates the execution state after it is computed from — no read of the order on the way.
 */
import * as z from 'zod/mini';
import { Order } from '#shared/order';

export const LabelRequest = z.object({ token: z.string().check(z.minLength(1)), order: Order });
export type LabelRequest = z.infer<typeof LabelRequest>;
