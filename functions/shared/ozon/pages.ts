/**
 * Ozon's cursor-paged posting lists, page by page: the catch-up poll and the carriage's handover check read them.
 */
import { eachLimited } from '#shared/each-limited';
import { ozon } from './client';
import type { V4ListPosting } from './schemas';

/**
 * Every page of a cursor-paged list (`/v4/posting/fbs/unfulfilled/list`, `/v4/posting/fbs/list`), ten postings of a
 * page handled at a time.
 */
export async function eachPosting<N extends 'listUnfulfilled' | 'listPostings'>(
  name: N,
  request: Omit<Record<string, unknown>, 'cursor'>,
  handle: (posting: V4ListPosting) => Promise<void>,
): Promise<number> {
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = await ozon().call(name, { ...request, cursor, limit: 100, sort_dir: 'ASC' });
    seen += page.postings.length;
    await eachLimited(page.postings, handle);
    cursor = page.has_next ? (page.cursor ?? undefined) : undefined;
  } while (cursor);
  return seen;
}
