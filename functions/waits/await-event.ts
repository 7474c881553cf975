/**
 * Every Await* state: stores the task token on the order, then checks whether what it waits for already
 * happened. The execution resumes when someone calls SendTaskSuccess/Failure with this token.
 */
import * as z from 'zod/mini';
import { sendAccountAlert, sendAlert } from '#shared/alerts';
import { now } from '#shared/clock';
import { waitSettings } from '#shared/config';
import { restockDeadline } from '#shared/deadlines';
import { OzonAuthError } from '#shared/errors';
import { recordEvent } from '#shared/event-store';
import { stepHandler } from '#shared/handler';
import { type Order, WaitKind } from '#shared/order';
import { requireOrder, setWait } from '#shared/order-store';
import { currentShortages } from '#stock/shortages';
import { deliverToWait } from './deliver-to-wait';

export const WaitInput = z.object({
  postingNumber: z.string().check(z.minLength(1)),
  waitFor: WaitKind,
  token: z.string().check(z.minLength(1)),
  timeoutSeconds: z.number().check(z.positive()),
  /** NeedsAttention: the error that stopped the posting (Step Functions' `Error` and `Cause`). */
  problem: z.optional(z.string().check(z.maxLength(200))),
  cause: z.optional(z.string()),
});

/**
 * The phase a posting is in while it waits for each kind of event; none where the status itself sets the phase
 * (handed over: in transit — phaseAfterStatus), so the wait writes nothing but itself.
 */
const WAIT_PHASE = {
  restock: 'awaiting_stock',
  approval: undefined,
  packed: 'awaiting_packed',
  marks: 'awaiting_marks',
  assembly: undefined,
  registration: undefined,
  tracking: 'shipping',
  delivery: undefined,
  dispute: undefined,
  payout: 'settling',
  attention: 'needs_attention',
  cancellation: undefined,
  quality: 'awaiting_check',
} as const satisfies Record<WaitKind, Order['phase'] | undefined>;

export async function awaitEvent(input: z.infer<typeof WaitInput>): Promise<{ stored: true }> {
  const t = now();
  // Only the restock wait has a deadline that can move (a cutoff change); only it needs the order first.
  const deadlineAt =
    input.waitFor === 'restock' ? restockDeadline(await requireOrder(input.postingNumber), waitSettings()) : undefined;
  const order = await setWait(
    input.postingNumber,
    {
      on: input.waitFor,
      token: input.token,
      since: new Date(t).toISOString(),
      timeoutAt: new Date(t + input.timeoutSeconds * 1000).toISOString(),
      deadlineAt,
    },
    WAIT_PHASE[input.waitFor],
  );
  if (input.waitFor === 'attention') await alertAttention(order, input.problem ?? 'Unknown', input.cause ?? '');
  // A restock may have come between the failed reservation and this wait (its wake-up found no wait to end): the
  // stock itself says whether to try again now.
  if (input.waitFor === 'restock' && (await currentShortages(order)).short.length === 0) {
    const at = new Date(t).toISOString();
    const { order: restocked } = await recordEvent(
      order.postingNumber,
      `restock#seen#${at}`,
      { type: 'restock', at, source: 'step' },
      { restockedAt: at },
    );
    await deliverToWait(restocked ?? order);
    return { stored: true };
  }
  await deliverToWait(order);
  return { stored: true };
}

export const handler = stepHandler(WaitInput, awaitEvent);

/** The seller hears what stopped the posting and how to resume it; a refused key is an account matter too. */
async function alertAttention(order: Order, problem: string, cause: string) {
  const reason = cause.slice(0, 500);
  await sendAlert(order, { kind: 'needs_attention', problem, cause: reason });
  if (problem === OzonAuthError.name) await sendAccountAlert({ kind: 'ozon_access', message: reason });
}
