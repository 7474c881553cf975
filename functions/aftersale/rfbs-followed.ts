/**
 * Whether the poll needs Ozon's list of buyers' cancellation requests at all. Only rFBS postings have them, and a
 * request matters only for a posting the product follows (cancellation-requests.ts leaves the others to the
 * cabinet), so the list is asked for while an rFBS posting the product received may still be asked to be cancelled.
 * A seller who ships only FBS saves one Ozon call a poll (bench: 0.05 a posting).
 *
 * ReceivePosting notes each rFBS posting as an end date on the poller's mark item, which the poll reads on every run
 * anyway: no read of its own, and at most one write a day per function instance.
 */
import { now } from '#shared/clock';
import { pollerNote } from '#shared/poller-notes';

/**
 * How long after its receipt an rFBS posting may still be asked to be cancelled: until delivered, and a
 * cross-border parcel can travel for two months. Generous on purpose: too long costs a list a poll, too short would
 * leave a buyer's request unanswered until Ozon approves it itself.
 */
export const RFBS_FOLLOW_MS = 120 * 24 * 3600_000;

/**
 * `rfbsUntil`. A note this much younger than the window is not written again by the same instance (a day); the
 * first run starts it at 0 (its adopted postings note themselves); after an upgrade the rFBS postings in flight are
 * followed for the whole window.
 */
const rfbsNote = pollerNote('rfbsUntil', { slackMs: 24 * 3600_000, unnotedMs: RFBS_FOLLOW_MS, firstRun: false });

/** Called for each rFBS posting received: the poll follows cancellation requests until `rfbsUntil`. */
export async function noteRfbsFollowed(): Promise<void> {
  await rfbsNote.note(now() + RFBS_FOLLOW_MS);
}

/** Whether the poll should list cancellation requests, from the poller's item as the poll read it. */
export const rfbsFollowed = rfbsNote.due;
