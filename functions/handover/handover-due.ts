/**
 * Whether the poll needs Ozon's carriage list at all. A carriage is planned for the FBS postings the product follows,
 * before their shipment date; once the latest of those dates has passed there is nothing to plan, and the hourly list
 * (one or two Ozon calls) is skipped until the next FBS posting comes (bench: the days after the last carriage).
 *
 * ReceivePosting notes each FBS posting's shipment date, and a moved date (TYPE_CUTOFF_DATE_CHANGED: a parcel left
 * out of its carriage goes with a later one) is noted too, as the end of that day on the poller's mark item, which
 * the poll reads on every run anyway: no read of its own, and one write a day per function instance.
 */
import { now } from '#shared/clock';
import { pollerNote } from '#shared/poller-notes';

const DAY_MS = 24 * 3600_000;
/**
 * After an upgrade (a poller item written before the note existed), the FBS postings in flight were received
 * unnoted: their carriages are planned this long, well past any shipment date Ozon gives a posting in progress.
 */
export const UNNOTED_PLAN_MS = 7 * DAY_MS;

/** `handoverUntil`. The first run plans regardless (it looks at every day of the plan's lead). */
const handoverNote = pollerNote('handoverUntil', { slackMs: 0, unnotedMs: UNNOTED_PLAN_MS, firstRun: true });

/**
 * Until when a posting with this shipment date needs carriages planned: the end of its day (UTC), which also covers
 * a carriage leaving later that day than the date Ozon gives the posting. Without a date, a day from now.
 */
export function handoverNeededUntil(shipmentDate: string | undefined, at: number): number {
  const date = shipmentDate ? Date.parse(shipmentDate) : Number.NaN;
  const from = Number.isNaN(date) ? at + DAY_MS : date;
  return (Math.floor(from / DAY_MS) + 1) * DAY_MS;
}

/** Called for each FBS posting received, and for each moved shipment date: the poll plans until `handoverUntil`. */
export async function noteHandoverDue(shipmentDate: string | undefined): Promise<void> {
  await handoverNote.note(handoverNeededUntil(shipmentDate, now()));
}

/** An FBS posting still to be handed over (Ozon's status): its carriage is still to be planned. */
export const awaitsCarriage = (status: string) => status === 'awaiting_packaging' || status === 'awaiting_deliver';

/**
 * The poll's own note, from the shipment dates its status pass saw: a posting Ozon moved to a later carriage when
 * it was assembled (the status change the pass lists) is noted even when the date's push was lost.
 */
export async function noteHandoverUntil(until: number): Promise<void> {
  await handoverNote.note(until);
}

/** Whether the poll should plan carriages, from the poller's item as the poll read it. */
export const handoverDue = handoverNote.due;
