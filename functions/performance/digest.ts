/**
 * The weekly digest (the poller, every DIGEST_EVERY_HOURS): the seller's own figures of the last 7 days from the
 * product's records (incidents.ts: late confirmations, missed carriages, seller cancellations, late deliveries,
 * buyers left waiting, stalled parcels, payout gaps, failed quality checks) and Ozon's analytics per SKU
 * (`/v1/analytics/data`, one call: revenue and ordered units for every seller; views, conversion, cancellations and
 * returns with Premium Plus). The seller's plan is not asked for: the richer query is tried until Ozon refuses it
 * once (kept in `DIGEST`), then the free one is used — and the digest says what the plan leaves out.
 *
 * Ozon answers analytics once a minute: the one call is made without retries, and a digest Ozon answered with its
 * rate limit is tried again at the next hour's poll (the period is kept only once the digest went out), so a poll is
 * never held waiting for that minute.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { sendAccountAlert } from '#shared/alerts';
import { now, nowIso } from '#shared/clock';
import { env } from '#shared/config';
import { db, keys } from '#shared/db';
import { OzonAuthError, OzonRateLimited, OzonRequestRejected } from '#shared/errors';
import { table } from '#shared/order-store';
import { OzonClient } from '#shared/ozon/client';
import { logger } from '#shared/powertools';
import { incidentCounts } from './incidents';
import {
  type AnalyticsPlan,
  DIGEST_METRICS,
  DIGEST_SKUS,
  lastDays,
  missingWithoutPremium,
  offersWithMostIncidents,
  type SkuFigures,
  skuFigures,
} from './rules';

const DAYS = 7;

/** Ozon's answer that the metrics need Premium Plus (403 code 7, or a refusal that says so). */
const needsPremium = (e: unknown) =>
  (e instanceof OzonAuthError || e instanceof OzonRequestRejected) && /premium/i.test(e.message);

type DigestState = { period?: number; plan?: AnalyticsPlan };

const readState = async (): Promise<DigestState> =>
  ((await db().send(new GetCommand({ TableName: table(), Key: keys.digest(), ConsistentRead: true }))).Item ??
    {}) as DigestState;
const saveState = (state: DigestState) =>
  db().send(new PutCommand({ TableName: table(), Item: { ...keys.digest(), ...state, at: nowIso() } }));

/**
 * The poller's hourly look: the digest of the period that began, once. The first look ever only starts the count
 * (a digest of a week the product did not see would be all zeros).
 */
export async function sendWeeklyDigest(): Promise<{ sent: boolean; due: boolean }> {
  const period = Math.floor(now() / (env('policy').DIGEST_EVERY_HOURS * 3_600_000));
  const state = await readState();
  if (state.period === undefined) {
    await saveState({ ...state, period });
    return { sent: false, due: false };
  }
  if (state.period >= period) return { sent: false, due: false };
  const result = await sendDigestNow(state);
  if (result.rateLimited) return { sent: false, due: true };
  await saveState({ plan: result.plan, period });
  return { sent: result.sent, due: true };
}

/** The digest of the last 7 days, now. `rateLimited`: Ozon's analytics minute was taken; nothing was sent. */
export async function sendDigestNow(
  state?: DigestState,
): Promise<{ sent: boolean; plan: AnalyticsPlan; skus: number; rateLimited?: true }> {
  const days = lastDays(now(), DAYS);
  const from = days.at(-1) as string;
  const to = days[0] as string;
  const known = state ?? (await readState());
  let plan: AnalyticsPlan = known.plan === 'free' ? 'free' : 'premium_plus';
  let skus: SkuFigures[] | undefined;
  let unavailable: string | undefined;
  const query = (p: AnalyticsPlan) =>
    new OzonClient({ attempts: 1 }).call('analytics', {
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
    if (e instanceof OzonRateLimited) return { sent: false, plan, skus: 0, rateLimited: true };
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
  const { counts: incidents, byOffer } = await incidentCounts(DAYS);
  const sent = await sendAccountAlert(
    {
      kind: 'digest',
      from,
      to,
      incidents,
      offers: offersWithMostIncidents(byOffer),
      skus: skus ?? [],
      missing: missingWithoutPremium(plan),
      ...(unavailable ? { unavailable } : {}),
    },
    // Once per hour at most (a retried poll sends nothing twice); the period is hours, never shorter.
    { once: `digest#${nowIso().slice(0, 13)}` },
  );
  // The plan learnt from Ozon's refusal is kept at once: the next digest asks for what the plan allows.
  if (plan !== known.plan) await saveState({ ...known, plan });
  return { sent, plan, skus: skus?.length ?? 0 };
}
