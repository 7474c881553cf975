/**
 * Notes on the poller's mark item that tell the poll whether a part of it is needed at all (an Ozon list a run
 * saved): steps write an end date forward-only as they meet the postings that need it, and the poll, which reads
 * the item on every run anyway, compares it with the time. No read of their own, and a step instance writes a note
 * only when it moves it.
 */
import { onReset } from './clients';
import { env } from './config';
import { keys, setIfLater } from './db';

/** The poller's item: its mark (`statusChangesUntil`) and the notes. */
export const POLLER_MARK = keys.cursor('poller');

export interface PollerNote {
  /** Moves the note to `until`, unless this instance wrote one at most `slackMs` earlier than that already. */
  note(until: number): Promise<void>;
  /**
   * Whether the poll's part is needed, from the item as the poll read it: its mark (none before the first run) and
   * the note. No note on the first run: `firstRun` says (the postings it adopts note themselves), and the note
   * starts at 0. No note after an upgrade (a mark written by a version before the note): the postings in flight were
   * met unnoted, so the part runs for `unnotedMs` and the note says so.
   */
  due(mark: number | undefined, noted: number | undefined, at: number): Promise<boolean>;
}

export function pollerNote(attribute: string, options: { slackMs: number; unnotedMs: number; firstRun: boolean }) {
  let notedUntil = 0;
  // The local runtime starts over with an empty table between runs: a note from the last one is gone.
  onReset(() => {
    notedUntil = 0;
  });
  const write = (until: number) => setIfLater(env('table').TABLE_NAME, POLLER_MARK, attribute, until);
  return {
    async note(until) {
      if (notedUntil >= until - options.slackMs) return;
      // Forward only: an instance with an earlier end (an older clock, an earlier date) cannot shorten another's.
      await write(until);
      notedUntil = until;
    },
    async due(mark, noted, at) {
      if (noted !== undefined) return noted > at;
      const until = mark === undefined ? 0 : at + options.unnotedMs;
      // Only where there is no note yet: a posting's note written meanwhile stands.
      await write(until);
      return mark === undefined ? options.firstRun : until > at;
    },
  } satisfies PollerNote;
}
