/** Runs `work` for every item, `limit` at a time: postings are independent, and a run must stay short. */
export async function eachLimited<T>(items: T[], work: (item: T) => Promise<void>, limit = 10): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
