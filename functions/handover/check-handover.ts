/**
 * CheckHandover: an hour after the carriage's cutoff, which of its parcels did not leave. One Ozon list for the
 * whole carriage (its delivery method's postings still `awaiting_deliver` with a shipment date up to the cutoff)
 * instead of a look per posting: each parcel found is alerted `handover_missed` once per shipment date, with what
 * lateness costs, and its order remembers it (`handoverMissedFor`). The parcels' own executions go on waiting for
 * delivery; Ozon moves a missed parcel to a later carriage (its push is recorded), and the stall SLA watches it.
 * Runs after an act was made and after the seller was left to make it: either way the parcels are the seller's.
 */
import * as z from 'zod/mini';
import { lateCost } from '#fulfilment/rules';
import { sendAlert } from '#shared/alerts';
import { now } from '#shared/clock';
import { HandoverNotDue } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { getOrder, updateOrder } from '#shared/order-store';
import { eachPosting } from '#shared/ozon/pages';
import { Carriage, handoverCheckAt } from './rules';

/** How far back a parcel may have missed its carriage and still be listed (an earlier carriage's miss). */
const MISSED_LOOKBACK_MS = 7 * 24 * 3600_000;

export const CheckInput = z.extend(Carriage, {
  /** Set when the act could not be made (AlertHandoverProblem ran): the execution ends LeftToSeller. */
  error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

export async function checkHandover(input: z.infer<typeof CheckInput>) {
  const checkAt = handoverCheckAt(input);
  if (now() < checkAt)
    throw new HandoverNotDue(`The carriage's parcels are looked at from ${new Date(checkAt).toISOString()}`);
  const cutoff = Date.parse(input.cutoffAt);
  const missed: string[] = [];
  await eachPosting(
    'listUnfulfilled',
    {
      filter: {
        cutoff_from: new Date(cutoff - MISSED_LOOKBACK_MS).toISOString(),
        cutoff_to: input.cutoffAt,
        statuses: ['awaiting_deliver'],
        delivery_method_ids: [input.deliveryMethodId],
      },
    },
    async (posting) => {
      const order = await getOrder(posting.posting_number);
      // A posting the product does not follow is not its to alert; one already alerted for this date is done.
      const missedDate = new Date(posting.shipment_date ?? input.cutoffAt).toISOString();
      if (!order || order.handoverMissedFor === missedDate) return;
      await sendAlert(order, { kind: 'handover_missed', deadline: missedDate, cost: lateCost(order) });
      await updateOrder(order.postingNumber, { handoverMissedFor: missedDate });
      missed.push(order.postingNumber);
    },
  );
  return { ...input, missed: missed.length, leftToSeller: input.error !== undefined };
}

export const handler = stepHandler(CheckInput, checkHandover);
