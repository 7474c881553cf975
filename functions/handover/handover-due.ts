/**
 * Whether the poll needs Ozon's carriage list at all. A carriage is planned for the FBS postings the product follows,
 * before their shipment date; once the latest of those dates has passed there is nothing to plan, and the hourly list
 * (one or two Ozon calls) is skipped until the next FBS posting comes (bench: the days after the last carriage).
 *
 * ReceivePosting notes each FBS posting's shipment date, and a moved date (TYPE_CUTOFF_DATE_CHANGED: a parcel left
 * out of its carriage goes with a later one) is noted too, as the end of that day on the poller's mark item, which
 * the poll reads on every run anyway: no read of its own, and one write a day per function instance.
 */
import { POLLER_MARK } from '#aftersale/rfbs-followed';
import { onReset } from '#shared/clients';
import { now } from '#shared/clock';
import { env } from '#shared/config';
import { setIfLater } from '#shared/db';

const DAY_MS = 24 * 3600_000;
/**
 * After an upgrade (a poller item written before the note existed), the FBS postings in flight were received
 * unnoted: their carriages are planned this long, well past any shipment date Ozon gives a posting in progress.
 */
export const UNNOTED_PLAN_MS = 7 * DAY_MS;

let notedUntil = 0;
// The local runtime starts over with an empty table between runs: a note from the last one is gone.
onReset(() => {
  notedUntil = 0;
});

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
  const until = handoverNeededUntil(shipmentDate, now());
  if (notedUntil >= until) return;
  // Moves forward only: a posting with an earlier date cannot shorten another's note.
  await setIfLater(env('table').TABLE_NAME, POLLER_MARK, 'handoverUntil', until);
  notedUntil = until;
}

/**
 * Whether the poll should plan carriages, from the poller's item as the poll read it: its mark (none before the
 * first run) and `handoverUntil`. No note on the first run: it plans (the postings it adopts note themselves) and
 * starts the note at 0; no note after an upgrade: the postings in flight are planned for UNNOTED_PLAN_MS.
 */
export async function handoverDue(mark: number | undefined, handoverUntil: number | undefined, at: number) {
  if (handoverUntil !== undefined) return handoverUntil > at;
  const until = mark === undefined ? 0 : at + UNNOTED_PLAN_MS;
  // Only where there is no note yet: a posting's note written meanwhile stands.
  await setIfLater(env('table').TABLE_NAME, POLLER_MARK, 'handoverUntil', until);
  return mark === undefined || until > at;
}
