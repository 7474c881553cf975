/**
 * The catch-up poller: what pushes do not cover. Ozon says new-posting pushes can come late and any push can be
 * lost, so each run (1) lists the postings whose status changed since its last run and starts an execution for each
 * the product does not know (a posting's arrival is its first status change) or delivers the change its order does
 * not show yet, and (2) settles the postings waiting for their payout (settlement/payout-sweep.ts: Ozon has no push
 * for finance). The first run, with no mark yet, also lists every unfulfilled posting whatever its age. An access
 * error from Ozon becomes one critical alert.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { followCancellationRequests } from '#aftersale/cancellation-requests';
import { followReturns } from '#aftersale/returns-poll';
import { rfbsFollowed } from '#aftersale/rfbs-followed';
import { remindBuyers } from '#buyers/buyer-messages';
import {
  type CarriageOfPosting,
  carriageOfPosting,
  daysToList,
  HandoverPlan,
  LEGACY_PLAN_MS,
  listed,
  PLAN_NET_EVERY_HOURS,
  seen,
} from '#handover/carriage-plan';
import { planHandovers } from '#handover/plan';
import { sendWeeklyDigest } from '#performance/digest';
import { watchRating } from '#performance/rating';
import { sweepPayouts } from '#settlement/payout-sweep';
import { payoutSweepDue } from '#settlement/rules';
import { sendAccountAlert } from '#shared/alerts';
import { now } from '#shared/clock';
import { env } from '#shared/config';
import { db, setIfLater } from '#shared/db';
import { firstRunOfPeriod } from '#shared/deadlines';
import { OzonAuthError } from '#shared/errors';
import { logger } from '#shared/handler';
import type { Order } from '#shared/order';
import { getOrder } from '#shared/order-store';
import { eachPosting } from '#shared/ozon/pages';
import type { V4ListPosting } from '#shared/ozon/schemas';
import { POLLER_MARK } from '#shared/poller-notes';
import { isCancelled } from '#shared/status';
import { publishMarkedStock, reconcileStock } from '#stock/publish';
import { recordStatus } from './record-status';
import { startPostingExecution } from './start-execution';

const HOUR_MS = 3600 * 1000;
/** How often the legacy planning (after an upgrade) also lists the carriages beyond today's and tomorrow's near ones. */
const HANDOVER_PLAN_AHEAD_EVERY_HOURS = 6;
/** How often the poll looks for new returns: Ozon gives days to answer, and two lists an hour would be ~50 Ozon calls a day for nothing. */
const RETURNS_EVERY_HOURS = 3;
const DAY_MS = 24 * HOUR_MS;
const CUTOFF_LOOKBACK_MS = 7 * DAY_MS;
/** The status pass starts this far before the stored mark: recordStatus deduplicates, a gap would lose a change. */
export const STATUS_OVERLAP_MS = 5 * 60 * 1000;
/** With no mark yet (first run after deploy), look back this far for status changes. */
const FIRST_RUN_LOOKBACK_MS = DAY_MS;
/** `/v4/posting/fbs/list` needs a creation period (`since`/`to`); a posting's life until payout fits in this. */
const POSTING_AGE_MS = 120 * DAY_MS;
/** Statuses the workflow waits on the substatus of, though the status itself stays the same. */
const ACTIONABLE_SUBSTATUS = new Set(['ship_failed']);

export interface PollReport {
  unfulfilledSeen: number;
  executionsStarted: number;
  statusChangesSeen: number;
  statusesDelivered: number;
  payoutsChecked: number;
  payoutsDelivered: number;
  stockPublished?: number;
  stockRefused?: number;
  /** Offers whose figure on Ozon differed from the seller's at the daily check (alerted, published again). */
  stockDrifted?: number;
  /** Buyers' cancellation requests open on Ozon (rFBS), seen by this run. */
  cancellationRequestsOpen?: number;
  /** Returns of the lookback Ozon lists (rFBS requests and FBS returns), and the executions this run started. */
  returnsSeen?: number;
  returnsStarted?: number;
  /** Buyers' messages waiting for the seller's reply. */
  buyersWaiting?: number;
  /** Ozon's rating indicators read by this run's daily look, and the alerts it sent about them. */
  ratingIndicators?: number;
  ratingAlerts?: number;
  digestSent?: boolean;
  /** Carriages whose act is due now, and how many of their Handover executions this run started. */
  handoversDue?: number;
  handoversStarted?: number;
  /** The days whose carriages this run asked Ozon for (`/v2/carriage/delivery/list`). */
  carriageDaysListed?: number;
  /** Ozon's message when it refused the key; the seller got an `ozon_access` alert. */
  accessError?: string;
}

export async function pollOnce(): Promise<PollReport> {
  const report: PollReport = {
    unfulfilledSeen: 0,
    executionsStarted: 0,
    statusChangesSeen: 0,
    statusesDelivered: 0,
    payoutsChecked: 0,
    payoutsDelivered: 0,
  };
  const runAt = now();
  const { mark, rfbsUntil, plan: stored, moved } = await readMark();
  const leadMs = env('policy').HANDOVER_PLAN_HOURS * 3600_000;
  // No plan on an item that has a mark: written by a version before it, so the postings in flight were never seen
  // by a pass that noted their carriages; they are planned the old way (hourly) for a week.
  let plan: HandoverPlan =
    stored ?? HandoverPlan.parse({ legacyUntil: mark === undefined ? 0 : runAt + LEGACY_PLAN_MS });
  let passed = false;
  try {
    // The carriages of the FBS postings the passes see, and of the dates pushes moved: the plan's news.
    const carriages: CarriageOfPosting[] = moved.map((shipmentMs) => ({ shipmentMs }));
    // After the first run the status pass finds new postings too (a grace later than an unfulfilled list would):
    // one list a run instead of two, and each new posting looked up once (bench: −0.07 Ozon calls, −0.5 read units
    // per posting).
    if (mark === undefined) await startUnfulfilled(report, carriages);
    await deliverStatusChanges(report, mark, runAt, carriages);
    passed = true;
    plan = seen(plan, carriages, leadMs);
    if (payoutSweepDue(mark, now(), env('policy').PAYOUT_CHECK_HOURS)) Object.assign(report, await sweepPayouts());
    // Buyers' cancellation requests (rFBS): Ozon pushes none. Only while the product follows an rFBS posting
    // (aftersale/rfbs-followed.ts). A failure here must not stop the rest of the poll.
    if (await rfbsFollowed(mark, rfbsUntil, now())) {
      const requests = await besideThePoll(followCancellationRequests(), 'Cancellation requests could not be read');
      report.cancellationRequestsOpen = requests?.open;
    }
    // Buyers waiting for the seller's reply: reminded before Ozon's 24 h (one query of a small partition).
    const buyers = await besideThePoll(remindBuyers(), 'Buyer reply reminders could not be sent');
    report.buyersWaiting = buyers?.waiting;
    // The seller's standing with Ozon: its rating indicators once a day (RATING_CHECK_HOURS).
    if (firstRunOfPeriod(mark, now(), env('policy').RATING_CHECK_HOURS)) {
      const rating = await besideThePoll(watchRating(), 'The seller rating could not be read');
      report.ratingIndicators = rating?.indicators;
      report.ratingAlerts = rating?.alerted;
    }
    // The seller's weekly digest: their figures and Ozon's analytics per SKU (one analytics call), looked at hourly
    // (one small read): sent once per DIGEST_EVERY_HOURS, tried again the next hour when Ozon's minute was taken.
    if (firstRunOfPeriod(mark, now(), 1)) {
      const digest = await besideThePoll(sendWeeklyDigest(), 'The weekly digest could not be sent');
      report.digestSent = digest?.sent;
    }
    if (firstRunOfPeriod(mark, now(), RETURNS_EVERY_HOURS)) {
      const returns = await besideThePoll(followReturns(), 'Returns could not be read');
      report.returnsSeen = returns?.seen;
      report.returnsStarted = returns?.started;
    }
    // The seller's stock changes Ozon cannot know of (restocks, shortages) that were not published at once, then
    // once a day Ozon's figures read back.
    const stock = await publishMarkedStock();
    report.stockPublished = stock.published;
    report.stockRefused = stock.refused;
    if (firstRunOfPeriod(mark, now(), env('policy').STOCK_CHECK_HOURS)) {
      report.stockDrifted = (await reconcileStock()).drifted;
    }
    // The handover day: a Handover execution for each carriage whose cutoff is near (one per carriage), listed when
    // the pass saw a carriage not planned yet (handover/carriage-plan.ts). Its own failure (Ozon's carriage list
    // unavailable) must not stop the rest of the poll: the days stay pending and the next run lists them again.
    const days = daysToList(plan, now(), leadMs, {
      firstRun: mark === undefined,
      netPeriod: firstRunOfPeriod(mark, now(), PLAN_NET_EVERY_HOURS),
      hourPeriod: firstRunOfPeriod(mark, now(), 1),
      aheadPeriod: firstRunOfPeriod(mark, now(), HANDOVER_PLAN_AHEAD_EVERY_HOURS),
    });
    const handovers = await besideThePoll(planHandovers(days), 'Handover planning failed');
    if (handovers) plan = listed(plan, handovers.listed, now(), leadMs, handovers.failed);
    report.handoversDue = handovers?.due;
    report.handoversStarted = handovers?.started;
    report.carriageDaysListed = handovers?.listed.length;
  } catch (error) {
    // Retrying cannot fix a refused key and a failed run would be retried by the scheduler: alert and end the run.
    if (!(error instanceof OzonAuthError)) throw error;
    report.accessError = error.message;
    const sent = await sendAccountAlert({ kind: 'ozon_access', message: error.message });
    if (sent) logger.error('Ozon refused the key; the seller was alerted', { error });
    else logger.warn('Ozon still refuses the key; alerted within the last hour', { error: error.message });
  }
  // Once the pass went through: the mark and the plan together, after the planning (a run that dies before this is
  // repeated from the same mark, and its pass sees the same postings again).
  if (passed) await writeMark(runAt, plan, moved);
  return report;
}

/** Starts an execution for a posting the product has no order for, unless it is cancelled (nothing to follow). */
async function follow(posting: V4ListPosting, report: PollReport) {
  if (isCancelled(posting.status) || (await getOrder(posting.posting_number, { consistent: false }))) return;
  if ((await startPostingExecution(posting.posting_number, posting.posting_number, 'poller')) === 'started') {
    report.executionsStarted++;
  }
}

/**
 * The first run's look at every unfulfilled posting, whatever its age: a posting that came in before the product
 * and has not moved since is in no window of status changes.
 */
async function startUnfulfilled(report: PollReport, carriages: CarriageOfPosting[]) {
  report.unfulfilledSeen += await eachPosting(
    'listUnfulfilled',
    {
      filter: {
        cutoff_from: new Date(now() - CUTOFF_LOOKBACK_MS).toISOString(),
        cutoff_to: new Date(now() + CUTOFF_LOOKBACK_MS * 4).toISOString(),
      },
    },
    (posting) => {
      noteCarriage(posting, carriages);
      return follow(posting, report);
    },
  );
}

/** The carriage of an FBS posting before its handover, for the plan. */
function noteCarriage(posting: V4ListPosting, carriages: CarriageOfPosting[]) {
  const carriage = carriageOfPosting(posting);
  if (carriage) carriages.push(carriage);
}

/**
 * The poller's item: its mark, the handover plan written with it, the notes steps write on it
 * (shared/poller-notes.ts): `rfbsUntil`, and the moved dates' pushes add (`movedCutoffs`, a number set).
 */
const Mark = z.object({
  statusChangesUntil: z.optional(z.number()),
  rfbsUntil: z.optional(z.number()),
  handoverPlan: z.optional(z.unknown()),
  movedCutoffs: z.optional(z.unknown()),
});

/**
 * A part of the poll whose failure must not stop the rest (the next run tries again): logged, undefined. A refused
 * key is the exception: it ends the run and alerts the seller.
 */
async function besideThePoll<T>(part: Promise<T>, failure: string): Promise<T | undefined> {
  try {
    return await part;
  } catch (error) {
    if (error instanceof OzonAuthError) throw error;
    logger.warn(`${failure}; the next poll tries again`, { error });
    return undefined;
  }
}

async function readMark(): Promise<{ mark?: number; rfbsUntil?: number; plan?: HandoverPlan; moved: number[] }> {
  const { Item } = await db().send(new GetCommand({ TableName: env('table').TABLE_NAME, Key: POLLER_MARK }));
  const parsed = Mark.safeParse(Item ?? {});
  if (!parsed.success) return { moved: [] };
  const { statusChangesUntil: mark, rfbsUntil, handoverPlan, movedCutoffs } = parsed.data;
  // A plan that does not parse (written by a later version, or damaged) is started over the legacy way.
  const plan = handoverPlan === undefined ? undefined : HandoverPlan.safeParse(handoverPlan);
  if (plan && !plan.success) logger.warn('The handover plan could not be read; planning hourly for a week');
  const moved = movedCutoffs instanceof Set ? [...movedCutoffs].filter((v) => typeof v === 'number') : [];
  return { mark, rfbsUntil, plan: plan?.success ? plan.data : undefined, moved };
}

/**
 * Moves the mark forward only: two overlapping runs (the schedule and a manual one) cannot move it back, and the
 * later run's plan is the one kept. An update, not a put: the item also holds ReceivePosting's `rfbsUntil` and the
 * pushes' moved dates, of which the ones this run read are taken out (others added meanwhile stay).
 */
async function writeMark(until: number, plan: HandoverPlan, moved: number[]) {
  const at = new Date(until).toISOString();
  await setIfLater(
    env('table').TABLE_NAME,
    POLLER_MARK,
    'statusChangesUntil',
    until,
    { at, handoverPlan: plan },
    {
      movedCutoffs: new Set(moved),
    },
  );
}

/** What the order does not know yet: another status, or a substatus a wait acts on. */
export function statusNews(order: Pick<Order, 'status' | 'substatus'>, posting: V4ListPosting): boolean {
  if (posting.status !== order.status) return true;
  return ACTIONABLE_SUBSTATUS.has(posting.substatus ?? '') && order.substatus !== posting.substatus;
}

/**
 * Status changes from the stored mark (minus an overlap) until now, both less the push grace. The mark is written
 * only after every page was handled, so a run that fails halfway is repeated from the same mark: no gap, and no
 * repeat that matters because only news reaches recordStatus. The list has no change date, so a change is recorded as seen at the end of the
 * window: it happened no later than that, and a push with an older date cannot move the order back past it.
 */
async function deliverStatusChanges(
  report: PollReport,
  mark: number | undefined,
  runAt: number,
  carriages: CarriageOfPosting[],
) {
  // Changes younger than the grace are their pushes' (STATUS_PUSH_GRACE_MINUTES): the next run looks at them. The
  // mark stays the run's time (the once-a-period parts of the poll count from it); each run's window is the last
  // one's, shifted back by the grace.
  const grace = env('policy').STATUS_PUSH_GRACE_MINUTES * 60_000;
  const until = runAt - grace;
  const from = (mark ?? runAt - FIRST_RUN_LOOKBACK_MS) - grace - STATUS_OVERLAP_MS;
  const seenAt = new Date(until).toISOString();
  report.statusChangesSeen += await eachPosting(
    'listPostings',
    {
      filter: {
        since: new Date(from - POSTING_AGE_MS).toISOString(),
        to: seenAt,
        last_changed_status_date: { from: new Date(from).toISOString(), to: seenAt },
      },
    },
    async (posting) => {
      noteCarriage(posting, carriages);
      // A read a moment old is enough: recordStatus orders the writes, and a repeat changes nothing.
      const order = await getOrder(posting.posting_number, { consistent: false });
      // Its new-posting push was lost or is late, or it came in before the product and moved since: start it here.
      // Any posting but a cancelled one — a delivered one still has its payout to settle.
      if (!order) return follow(posting, report);
      if (!statusNews(order, posting)) return;
      await recordStatus(posting.posting_number, posting.status, posting.substatus ?? undefined, seenAt, 'poll');
      report.statusesDelivered++;
    },
  );
}
