/**
 * Whether the poll needs Ozon's list of buyers' cancellation requests at all. Only rFBS postings have them, and a
 * request matters only for a posting the product follows (cancellation-requests.ts leaves the others to the
 * cabinet), so the list is asked for while an rFBS posting the product received may still be asked to be cancelled.
 * A seller who ships only FBS saves one Ozon call a poll (bench: 0.05 a posting).
 *
 * ReceivePosting notes each rFBS posting as an end date on the poller's mark item, which the poll reads on every run
 * anyway: no read of its own, and at most one write a day per function instance.
 */
import { onReset } from '#shared/clients';
import { now } from '#shared/clock';
import { env } from '#shared/config';
import { keys, setIfLater } from '#shared/db';

/**
 * How long after its receipt an rFBS posting may still be asked to be cancelled: until delivered, and a
 * cross-border parcel can travel for two months. Generous on purpose: too long costs a list a poll, too short would
 * leave a buyer's request unanswered until Ozon approves it itself.
 */
export const RFBS_FOLLOW_MS = 120 * 24 * 3600_000;
/** A note this much younger than the window is not written again by the same instance. */
const RENOTE_AFTER_MS = 24 * 3600_000;

export const POLLER_MARK = keys.cursor('poller');

let notedUntil = 0;
// The local runtime starts over with an empty table between runs: a note from the last one is gone.
onReset(() => {
  notedUntil = 0;
});

/** Called for each rFBS posting received: the poll follows cancellation requests until `rfbsUntil`. */
export async function noteRfbsFollowed(): Promise<void> {
  const until = now() + RFBS_FOLLOW_MS;
  if (notedUntil > until - RENOTE_AFTER_MS) return;
  // Moves forward only: an instance with an older clock reading cannot shorten another's note.
  await setIfLater(env('table').TABLE_NAME, POLLER_MARK, 'rfbsUntil', until);
  notedUntil = until;
}

/**
 * Whether the poll should list cancellation requests, from the poller's item as the poll read it: its mark (none
 * before the first run) and `rfbsUntil`. An item without `rfbsUntil` was either never written (the first run: the
 * postings it adopts note themselves, so it starts the note at 0) or written by a version before the note (an
 * upgrade: the rFBS postings in flight were received unnoted, so they are followed for the whole window).
 */
export async function rfbsFollowed(mark: number | undefined, rfbsUntil: number | undefined, at: number) {
  if (rfbsUntil !== undefined) return rfbsUntil > at;
  const until = mark === undefined ? 0 : at + RFBS_FOLLOW_MS;
  // Only where there is no note yet: a posting's note written meanwhile stands.
  await setIfLater(env('table').TABLE_NAME, POLLER_MARK, 'rfbsUntil', until);
  return until > at;
}
