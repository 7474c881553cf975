/**
 * The poller's rating watch, once a day (`RATING_CHECK_HOURS`): Ozon's rating indicators (`/v1/rating/summary`); an
 * indicator that turned WARNING or CRITICAL since the last look is alerted once, with its value, the previous one,
 * and the product's own postings of the days Ozon counts that weigh on it (incidents.ts). Penalty points over the
 * limit are alerted when Ozon first says so. The statuses seen are kept (`RATING`), so a bad indicator is not
 * alerted every day, and again when it gets worse.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { sendAccountAlert } from '#shared/alerts';
import { nowIso } from '#shared/clock';
import { db, keys } from '#shared/db';
import { table } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { incidentPostings } from './incidents';
import { EVIDENCE, formatValue, type Indicator, worsened } from './rules';

export async function watchRating(): Promise<{ indicators: number; alerted: number }> {
  const summary = await ozon().call('ratingSummary', {});
  const indicators: Indicator[] = summary.groups.flatMap((g) =>
    g.items.map((i) => ({
      rating: i.rating,
      name: i.name ?? i.rating,
      status: i.status ?? 'UNKNOWN_STATUS',
      value: i.current_value ?? 0,
      ...(i.past_value !== null && i.past_value !== undefined ? { past: i.past_value } : {}),
      ...(i.value_type ? { valueType: i.value_type } : {}),
    })),
  );
  const { Item } = await db().send(new GetCommand({ TableName: table(), Key: keys.rating(), ConsistentRead: true }));
  const before = (Item?.statuses ?? {}) as Record<string, string>;
  let alerted = 0;
  for (const indicator of worsened(indicators, before)) {
    const evidence = EVIDENCE[indicator.rating];
    const postings = evidence ? await incidentPostings(evidence.kinds, evidence.days) : [];
    const sent = await sendAccountAlert(
      {
        kind: 'rating_warning',
        rating: indicator.rating,
        name: indicator.name,
        status: indicator.status,
        value: formatValue(indicator.value, indicator.valueType),
        ...(indicator.past !== undefined ? { past: formatValue(indicator.past, indicator.valueType) } : {}),
        postings,
      },
      { once: `${indicator.rating}#${indicator.status}#${nowIso().slice(0, 10)}` },
    );
    if (sent) alerted++;
  }
  if (summary.penalty_score_exceeded && !Item?.penaltyExceeded) {
    if (await sendAccountAlert({ kind: 'rating_penalty' }, { once: `penalty#${nowIso().slice(0, 10)}` })) alerted++;
  }
  await db().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...keys.rating(),
        statuses: Object.fromEntries(indicators.map((i) => [i.rating, i.status])),
        penaltyExceeded: summary.penalty_score_exceeded === true,
        at: nowIso(),
      },
    }),
  );
  return { indicators: indicators.length, alerted };
}
