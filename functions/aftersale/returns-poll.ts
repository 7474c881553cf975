/**
 * The poller's part of returns (Ozon pushes none): the rFBS return requests (`/v2/returns/rfbs/list`) and FBS
 * returns (`/v1/returns/list`) of the lookback, each started as a ReturnLifecycle execution named by its posting and
 * id — asked again on every run, started once. A return that comes back from a cancelled FBS posting
 * (`type: Cancellation`) is the posting's own: its execution put the units back.
 */
import { startNamedExecution } from '#shared/aws/sfn';
import { now } from '#shared/clock';
import { env } from '#shared/config';
import { ozon } from '#shared/ozon/client';
import { emitMetric } from '#shared/powertools';
import { returnExecutionName } from './return-rules';
import type { ReturnInput } from './return-steps';

/** Returns created within this window are looked at; an execution already started is simply found. */
export const RETURNS_LOOKBACK_MS = 3 * 24 * 3600_000;
/** Ozon's page sizes (rFBS: the docs' example's 1000; FBS: at most 500); the bound stops a misbehaving cursor. */
const RFBS_PAGE = 1000;
const FBS_PAGE = 500;
const MAX_PAGES = 20;

export async function followReturns(): Promise<{ seen: number; started: number }> {
  const from = new Date(now() - RETURNS_LOOKBACK_MS).toISOString();
  const found: ReturnInput[] = [];
  let lastId = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { returns } = await ozon().call('rfbsReturns', {
      filter: { created_at: { from } },
      limit: RFBS_PAGE,
      ...(lastId ? { last_id: lastId } : {}),
    });
    for (const r of returns) found.push({ returnId: r.return_id, schema: 'rfbs', postingNumber: r.posting_number });
    const next = returns.at(-1)?.return_id ?? 0;
    if (returns.length < RFBS_PAGE || !next || next === lastId) break;
    lastId = next;
  }
  lastId = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await ozon().call('fbsReturns', {
      filter: { logistic_return_date: { time_from: from }, return_schema: 'FBS' },
      limit: FBS_PAGE,
      ...(lastId ? { last_id: lastId } : {}),
    });
    for (const r of answer.returns) {
      if (r.type !== 'Cancellation') found.push({ returnId: r.id, schema: 'fbs', postingNumber: r.posting_number });
    }
    const next = answer.returns.at(-1)?.id ?? 0;
    if (!answer.has_next || !next || next === lastId) break;
    lastId = next;
  }
  let started = 0;
  const arn = env('returns').RETURN_MACHINE_ARN;
  for (const r of found) {
    const name = returnExecutionName(r.postingNumber, r.returnId);
    if ((await startNamedExecution(arn, name, r)) === 'started') started++;
  }
  if (started) emitMetric('ReturnsStarted', started);
  return { seen: found.length, started };
}
