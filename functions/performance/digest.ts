/**
 * The weekly digest (the poller, every DIGEST_EVERY_HOURS): the seller's own figures of the last 7 days from the
 * product's records (incidents.ts: late confirmations, missed carriages, seller cancellations, late deliveries,
 * buyers left waiting, stalled parcels, payout gaps, failed quality checks) and Ozon's analytics per SKU
 * (`/v1/analytics/data`, one call: revenue and ordered units for every seller; views, conversion, cancellations and
 * returns with Premium Plus). The seller's plan is not asked for: the richer query is tried until Ozon refuses it
 * once (kept in `DIGEST`), then the free one is used — and the digest says what the plan leaves out.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { sendAccountAlert } from '#shared/alerts';
import { now, nowIso } from '#shared/clock';
import { db } from '#shared/db';
import { OzonAuthError, OzonRequestRejected } from '#shared/errors';
import { table } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { logger } from '#shared/powertools';
import { incidentCounts } from './incidents';
import {
  type AnalyticsPlan,
  DIGEST_METRICS,
  DIGEST_SKUS,
  lastDays,
  missingWithoutPremium,
  type SkuFigures,
  skuFigures,
} from './rules';

const DAYS = 7;
const DIGEST_KEY = { pk: 'DIGEST', sk: 'STATE' };

/** Ozon's answer that the metrics need Premium Plus (403 code 7, or a refusal that says so). */
const needsPremium = (e: unknown) =>
  (e instanceof OzonAuthError || e instanceof OzonRequestRejected) && /premium/i.test(e.message);

export async function sendWeeklyDigest(): Promise<{ sent: boolean; plan: AnalyticsPlan; skus: number }> {
  const days = lastDays(now(), DAYS);
  const from = days.at(-1) as string;
  const to = days[0] as string;
  const { Item } = await db().send(new GetCommand({ TableName: table(), Key: DIGEST_KEY, ConsistentRead: true }));
  let plan: AnalyticsPlan = Item?.plan === 'free' ? 'free' : 'premium_plus';
  let skus: SkuFigures[] | undefined;
  let unavailable: string | undefined;
  const query = (p: AnalyticsPlan) =>
    ozon().call('analytics', {
      date_from: from,
      date_to: to,
      metrics: DIGEST_METRICS[p],
      dimension: ['sku'],
      filters: [],
      sort: [{ key: 'revenue', order: 'DESC' }],
      limit: DIGEST_SKUS,
      offset: 0,
    });
  try {
    skus = skuFigures((await query(plan)).result.data, DIGEST_METRICS[plan]);
  } catch (e) {
    if (needsPremium(e) && plan === 'premium_plus') {
      // Ozon allows one call a minute: the free figures come with next week's digest; this one says so.
      plan = 'free';
      unavailable = 'Ozon refused the Premium Plus metrics; revenue and ordered units come with the next digest';
    } else {
      // Ozon is down or refuses for another reason: the product's own figures still go out.
      logger.warn('Analytics could not be read for the digest', { error: e });
      unavailable = e instanceof Error ? e.message.slice(0, 200) : String(e);
    }
  }
  const incidents = await incidentCounts(DAYS);
  const sent = await sendAccountAlert(
    {
      kind: 'digest',
      from,
      to,
      incidents,
      skus: skus ?? [],
      missing: missingWithoutPremium(plan),
      ...(unavailable ? { unavailable } : {}),
    },
    // Once per run of the job (a retried poll sends nothing twice); the period is hours, never shorter.
    { once: `digest#${nowIso().slice(0, 13)}` },
  );
  await db().send(new PutCommand({ TableName: table(), Item: { ...DIGEST_KEY, plan, lastTo: to, at: nowIso() } }));
  return { sent, plan, skus: skus?.length ?? 0 };
}
