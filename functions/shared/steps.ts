/**
 * What every OrderLifecycle step shares: the inputs the state machine passes (zod, checked by `stepHandler`), the
 * small execution state it gets back, and the order lookup that stops a step on a cancelled posting.
 */
import * as z from 'zod/mini';
import { now } from './clock';
import { waitSettings } from './config';
import { type ExecutionState, executionState } from './deadlines';
import { PostingCancelled } from './errors';
import type { Order } from './order';
import { getOrder, requireOrder, updateOrder } from './order-store';
import { isCancelled } from './status';

export const ReceiveInput = z.object({
  postingNumber: z.string().check(z.minLength(1)),
  executionArn: z.optional(z.string()),
});
export const StepInput = z.object({
  postingNumber: z.string().check(z.minLength(1)),
  schema: z.enum(['fbs', 'rfbs']),
  timeouts: z.record(z.string(), z.number()),
});
export type StepInput = z.infer<typeof StepInput>;
export const PostingRef = z.object({ postingNumber: z.string().check(z.minLength(1)) });
export type PostingRef = z.infer<typeof PostingRef>;

/** The execution state after a step: the timeouts of the next waits are computed from the order now. */
export const stateOf = (order: Order): ExecutionState => executionState(order, now(), waitSettings());

/**
 * The order as a step or wait hands it to the next state (`orderSnapshot` in the execution state), without the wait
 * it was read with: the step after decides on it instead of reading it back a moment later.
 */
export const snapshotOf = ({ wait: _wait, ...order }: Order): Order => order;

/**
 * The order for a step that acts on it; a cancelled posting stops the step before its side effect.
 * `consistent: false` is for a step whose decision rests on no write of the step just before it (the fields it
 * needs were written at receipt, and Ozon or a conditional write has the last word): an eventually consistent read
 * is half the read units. An order not found that way may be one just created: it is read again, strongly.
 * `snapshot`: the order the state before handed over (snapshotOf), taken instead of a read when it is this posting's.
 */
export async function activeOrder(
  postingNumber: string,
  options: { consistent?: boolean; snapshot?: Order } = {},
): Promise<Order> {
  const snapshot = options.snapshot?.postingNumber === postingNumber ? options.snapshot : undefined;
  const order =
    snapshot ??
    (options.consistent === false ? await getOrder(postingNumber, { consistent: false }) : undefined) ??
    (await requireOrder(postingNumber));
  // The Catch on PostingCancelled releases the stock.
  if (isCancelled(order.status)) throw new PostingCancelled(`Posting ${postingNumber} is cancelled`);
  return order;
}

/**
 * Counts one more escalation of a kind (a reminder, an overdue alert) on the order; past `max`, the step gives up
 * with the error `giveUp` makes from the number already sent.
 */
export async function escalate(
  order: Order,
  kind: string,
  max: number,
  giveUp: (sent: number) => Error,
): Promise<Order> {
  const count = (order.escalations[kind] ?? 0) + 1;
  if (count > max) throw giveUp(count - 1);
  return updateOrder(order.postingNumber, { escalations: { ...order.escalations, [kind]: count } });
}
