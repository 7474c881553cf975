/**
 * Demo scenarios for local runs. `happy` is every posting going well; `mixed` is a seller's bad week: every
 * exception path of OrderLifecycle at least once, driven by the sandbox (Ozon's side), a simulated carrier and a
 * simulated warehouse (the seller's side) — nothing reaches into the product except through its APIs.
 */
import { DEFAULT_PRODUCTS, DEFAULT_WAREHOUSES } from '../sandbox/index';
import type { CreatePostingSpec, SandboxOptions, Timing } from '../sandbox/types';
import { type AfterSalePlan, startAfterSaleDesk } from './aftersale-desk';
import type { CarrierPlan } from './carrier';
import { lastState, postingOf, waitStates } from './report';
import type { Runtime, RuntimeOptions } from './runtime';
import { seedDemoStock } from './seed';

export type { CarrierPlan } from './carrier';

export type ScenarioName = 'happy' | 'mixed' | 'fulfilment' | 'returns';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;

/**
 * Where a path's posting is meant to end: a terminal state, or parked in NeedsAttention for the seller. `Split`: the
 * posting ended split into new postings (one per package), each of which completes.
 */
export type PathEnd = 'Completed' | 'Cancelled' | 'NeedsAttention' | 'Split';

interface Case {
  path: string;
  spec: CreatePostingSpec;
  /** The state the posting must end in for the path to count as exercised (NeedsAttention: parked there). */
  ends: PathEnd;
  /** Alert kinds the seller must have received for this posting. */
  alerts?: string[];
  carrier?: CarrierPlan;
  /** How long the warehouse takes to confirm "packed" after it is first asked; undefined = never. */
  packAfterMs?: number;
  /** What the seller's desk answers when asked for marking codes or a box count (fulfilment scenario). */
  desk?: DeskPlan;
  /** What the seller answers after the sale: return requests, checks, cancellation requests (aftersale-desk.ts). */
  afterSale?: AfterSalePlan;
  /** How the posting's return is meant to end (returns/mixed scenarios): ReturnSummary's outcome. */
  returnEnds?: string;
  /** The warehouse's quality check (mixed: kettles are checked): `fail-first` fails the first unit it checks. */
  quality?: 'fail-first';
}

/**
 * The seller's desk: answers `marking_codes_required` through the seller API `marks`, `afterMs` after the alert.
 * `codes`: a "Честный ЗНАК" code per unit; `bad-first`: codes Ozon's check refuses first (not in circulation), the
 * right ones after the refusal; `boxes`: the box count of a multi-box posting.
 */
export interface DeskPlan {
  send: 'codes' | 'bad-first' | 'boxes';
  afterMs: number;
}

/** How long the simulated warehouse takes to pack a posting unless its case says otherwise. */
export const DEFAULT_PACK_MS = 30 * 60_000;

/** Stock the mixed scenario starts from: notebooks run out (and are restocked), socks run out for good. */
const MIXED_STOCK = { 'NOTE-A5-DOT': 0, 'SOCKS-WOOL-42': 0 };

/** Ozon asks for marking codes; the seller's desk sends them an hour after the alert. */
const MARKING_CODES_SENT: Omit<Case, 'path'> = {
  spec: { marksRequired: true },
  desk: { send: 'codes', afterMs: HOUR },
  ends: 'Completed',
  alerts: ['marking_codes_required'],
};

/** One case per exception path, in the order README lists them; the rest of the postings go well. */
const MIXED_CASES: Case[] = [
  {
    path: 'short stock, restocked',
    spec: { lines: [{ offer_id: 'NOTE-A5-DOT', quantity: 2 }] },
    ends: 'Completed',
    alerts: ['out_of_stock'],
  },
  {
    path: 'short stock, cancelled (352)',
    spec: { lines: [{ offer_id: 'SOCKS-WOOL-42', quantity: 1 }] },
    ends: 'Cancelled',
    alerts: ['out_of_stock', 'stock_cancelled'],
  },
  {
    path: 'short stock, missing lines cancelled',
    spec: {
      lines: [
        { offer_id: 'SOCKS-WOOL-42', quantity: 1 },
        { offer_id: 'TEA-GRN-100', quantity: 1 },
      ],
    },
    ends: 'Completed',
    alerts: ['out_of_stock', 'partial_cancel'],
  },
  {
    path: 'confirmation deadline near',
    spec: { shipmentSlaMs: 8 * HOUR },
    packAfterMs: 4 * HOUR,
    ends: 'Completed',
    alerts: ['packing_reminder'],
  },
  {
    path: 'confirmation deadline missed',
    spec: { shipmentSlaMs: 6 * HOUR, cancelByBuyerAfterMs: 12 * HOUR },
    packAfterMs: undefined,
    ends: 'Cancelled',
    alerts: ['confirmation_deadline_missed'],
  },
  { path: 'buyer cancels before shipping', spec: { cancelByBuyerAfterMs: 10 * 60_000 }, ends: 'Cancelled' },
  {
    path: 'buyer cancels after hand-over',
    spec: { stall: 'delivering', cancelByBuyerAfterMs: 30 * HOUR },
    ends: 'Cancelled',
    alerts: ['cancelled_after_ship'],
  },
  { path: 'marking codes required', ...MARKING_CODES_SENT },
  { path: 'ship_failed once', spec: { shipFailsOnce: true }, ends: 'Completed' },
  {
    path: 'not accepted at sorting centre',
    spec: { sortingCentre: 'not_accepted' },
    ends: 'NeedsAttention',
    alerts: ['not_accepted'],
  },
  { path: 'arbitration', spec: { sortingCentre: 'arbitration' }, ends: 'Completed', alerts: ['arbitration'] },
  {
    path: 'rFBS tracking number missing',
    spec: { schema: 'rfbs' },
    carrier: { silent: true },
    ends: 'NeedsAttention',
    alerts: ['tracking_missing'],
  },
  {
    path: 'rFBS delivery window passed',
    spec: { schema: 'rfbs', deliveryWindowMs: 2 * DAY },
    carrier: { transitMs: 3 * DAY },
    ends: 'Completed',
    alerts: ['delivery_window_passed'],
  },
  {
    path: 'stalled in transit, possibly lost',
    spec: { stall: 'delivering', cancelByBuyerAfterMs: 8 * DAY },
    ends: 'Cancelled',
    alerts: ['delivery_stalled', 'possibly_lost'],
  },
  {
    path: 'never handed over',
    spec: { stall: 'awaiting_deliver', cancelByBuyerAfterMs: 3 * DAY },
    ends: 'Cancelled',
    // Missed its carriage: alerted an hour after the cutoff (the demo's parcels leave only with their carriage).
    alerts: ['handover_missed'],
  },
  { path: 'payout underpaid', spec: { payoutSkew: -80 }, ends: 'Completed', alerts: ['payout_mismatch'] },
  { path: 'payout missing', spec: { noAccruals: true }, ends: 'Completed', alerts: ['payout_missing'] },
  // Ozon says payout 0 before shipping: unknown, asked again at settlement, settled without a payout_mismatch.
  { path: 'payout 0 at receipt', spec: { payoutUnknownUntilShipped: true }, ends: 'Completed' },
  // The handover day: left out of the carriage's act (the next day's carriage takes it), and a label Ozon's label
  // task could not print (the seller prints it in the cabinet).
  { path: 'removed from the act', spec: { removedFromAct: true }, ends: 'Completed', alerts: ['removed_from_act'] },
  { path: 'label not printed', spec: { labelUnprinted: 1 }, ends: 'Completed', alerts: ['label_unprinted'] },
  // After the sale: the buyer asks to cancel before the parcel leaves; the request is approved before Ozon's deadline.
  {
    path: 'buyer asks to cancel (rFBS)',
    spec: { schema: 'rfbs', cancellationRequestAfterMs: 20 * 60_000 },
    // The carrier comes the next day: the request is seen before the parcel leaves however busy the machine (a run
    // under load saw it after a 2 h pick-up and rightly asked the seller instead).
    carrier: { handoverMs: DAY },
    ends: 'Cancelled',
    alerts: ['cancellation_answered'],
  },
  // The buyer asks in the chat: the seller hears it (an account alert, buyer_message) and is reminded before 24 h.
  { path: 'buyer writes in the chat', spec: { buyerMessageAfterMs: 2 * HOUR }, ends: 'Completed' },
  // The buyer returns a defect after the payout: refunded at once by the seller's rule, the payout reopened.
  {
    path: 'buyer returns a defect (rFBS)',
    spec: { schema: 'rfbs', returnAfterDeliveryMs: 12 * HOUR, returnReasonId: 3 },
    ends: 'Completed',
    alerts: ['return_answered', 'payout_reversed'],
    returnEnds: 'refunded',
  },
  // The warehouse checks every kettle before it ships (MIXED_ENVIRONMENT QUALITY_CHECK); this one is dented: written
  // off, the next kettle reserved, checked and shipped.
  {
    path: 'quality check failed, another unit shipped',
    spec: { lines: [{ offer_id: 'KETTLE-17L', quantity: 1 }] },
    quality: 'fail-first',
    ends: 'Completed',
    alerts: ['quality_check', 'quality_failed'],
  },
];

/**
 * After the sale (issue 13): each return path once, and the two sides of a buyer's cancellation request. Returns come
 * 12 simulated hours after delivery, after the sandbox settled the posting (6 h): every refund reopens a payout.
 */
const RETURN_AFTER = { returnAfterDeliveryMs: 12 * HOUR };
const RETURN_CASES: Case[] = [
  {
    path: 'return: a defect taken back, resellable (rFBS)',
    spec: { schema: 'rfbs', lines: [{ offer_id: 'MUG-350-WHT', quantity: 1 }], ...RETURN_AFTER, returnReasonId: 3 },
    afterSale: { check: { condition: 'resellable', refund: true } },
    ends: 'Completed',
    alerts: ['return_answered', 'return_arrived', 'payout_reversed'],
    returnEnds: 'restocked',
  },
  {
    path: 'return: a cheap unit refunded by rule (rFBS)',
    spec: { schema: 'rfbs', lines: [{ offer_id: 'LAMP-LED-E27', quantity: 1 }], ...RETURN_AFTER, returnReasonId: 1 },
    ends: 'Completed',
    alerts: ['return_answered', 'payout_reversed'],
    returnEnds: 'refunded',
  },
  {
    path: 'return: rejected by the seller (rFBS)',
    spec: { schema: 'rfbs', lines: [{ offer_id: 'TEA-GRN-100', quantity: 1 }], ...RETURN_AFTER, returnPhotos: 2 },
    afterSale: { answer: { answer: 'reject', comment: 'Товар надлежащего качества, без следов брака' } },
    ends: 'Completed',
    alerts: ['return_request', 'return_answered'],
    returnEnds: 'rejected',
  },
  {
    path: 'return: a partial compensation (rFBS)',
    spec: { schema: 'rfbs', lines: [{ offer_id: 'NOTE-A5-DOT', quantity: 1 }], ...RETURN_AFTER, returnReasonId: 2 },
    afterSale: { answer: { answer: 'compensate', amount: 100 } },
    ends: 'Completed',
    alerts: ['return_request', 'return_answered', 'payout_reversed'],
    returnEnds: 'compensated',
  },
  {
    path: 'return: unanswered, approved by Ozon, rejected after the check (rFBS)',
    spec: { schema: 'rfbs', lines: [{ offer_id: 'SOCKS-WOOL-42', quantity: 1 }], ...RETURN_AFTER, returnReasonId: 1 },
    afterSale: { check: { condition: 'defective', refund: false, comment: 'Следы носки' } },
    ends: 'Completed',
    alerts: ['return_request', 'return_unanswered', 'return_arrived'],
    returnEnds: 'back_to_buyer',
  },
  {
    path: 'return: collected at the drop-off point, resellable (FBS)',
    spec: { lines: [{ offer_id: 'BOTTLE-750-STL', quantity: 1 }], ...RETURN_AFTER, returnReasonId: 1 },
    afterSale: { collect: true, check: { condition: 'resellable', refund: true } },
    ends: 'Completed',
    alerts: ['return_arrived', 'payout_reversed'],
    returnEnds: 'restocked',
  },
  {
    path: 'return: left at the drop-off point, utilized (FBS)',
    spec: { lines: [{ offer_id: 'KETTLE-17L', quantity: 1 }], ...RETURN_AFTER, returnReasonId: 2 },
    ends: 'Completed',
    alerts: ['return_arrived', 'return_storage'],
    returnEnds: 'utilized',
  },
  {
    path: 'cancellation request before hand-over (rFBS)',
    spec: { schema: 'rfbs', cancellationRequestAfterMs: 20 * 60_000 },
    // The carrier comes the next day: the request is surely seen before the parcel leaves, however busy the machine.
    carrier: { handoverMs: DAY },
    ends: 'Cancelled',
    alerts: ['cancellation_answered'],
  },
  {
    path: 'cancellation request with the carrier, rejected by the seller (rFBS)',
    // A day and a quarter in, four days on the road: the parcel has surely left (a busy machine has taken 14
    // simulated hours to hand one over) and is surely still travelling when the request is answered.
    spec: { schema: 'rfbs', cancellationRequestAfterMs: 30 * HOUR },
    carrier: { transitMs: 4 * DAY },
    afterSale: { cancellation: { approve: false, comment: 'Посылка уже в пути' } },
    ends: 'Completed',
    alerts: ['cancellation_request', 'cancellation_answered'],
  },
];
/** How many times the returns scenario runs each after-sale case before its well-going postings. */
const RETURN_CASE_ROUNDS = 2;

/** The seller's return rules in the demos: a cheap lamp refunded at once, a defect taken back for a check. */
export const DEMO_RETURN_POLICY = JSON.stringify({
  rules: [{ offerIds: ['LAMP-LED-E27'], refundUnder: 200 }, { defect: 'approve' }],
});

/**
 * The fulfilment scenario (issue 11): each way Ozon really runs a posting once — marking codes, multi-box, a split,
 * Ozon's approval, every rFBS carrier type, a shipment date asked for, drop-off limits, tariff steps, payout 0 at
 * receipt — the rest of the postings go well. The seller's packing data: kettles ship alone, a lamp is two boxes, a
 * bottle weighs 1.2 kg.
 */
const FULFILMENT_CASES: Case[] = [
  { path: 'marking codes, sent by the seller', ...MARKING_CODES_SENT },
  {
    path: 'marking codes refused, then corrected',
    spec: { marksRequired: true },
    desk: { send: 'bad-first', afterMs: HOUR },
    ends: 'Completed',
    alerts: ['marking_codes_required', 'marking_codes_refused'],
  },
  {
    path: 'marking codes late, tariff rising',
    spec: {
      marksRequired: true,
      shipmentSlaMs: 4 * HOUR,
      tariffSteps: [
        { afterShipmentMs: 2 * HOUR, rate: 5 },
        { afterShipmentMs: DAY, rate: 10 },
      ],
    },
    desk: { send: 'codes', afterMs: 5 * HOUR },
    ends: 'Completed',
    alerts: ['marking_codes_required', 'tariff_step'],
  },
  {
    path: 'multi-box, box count from packing data',
    spec: { is_multibox: true, lines: [{ offer_id: 'LAMP-LED-E27', quantity: 1 }] },
    ends: 'Completed',
  },
  {
    path: 'multi-box, box count from the seller',
    spec: { is_multibox: true, lines: [{ offer_id: 'TEA-GRN-100', quantity: 2 }] },
    desk: { send: 'boxes', afterMs: HOUR },
    ends: 'Completed',
    alerts: ['marking_codes_required'],
  },
  {
    path: 'split into packages',
    spec: {
      lines: [
        { offer_id: 'KETTLE-17L', quantity: 1 },
        { offer_id: 'TEA-GRN-100', quantity: 1 },
      ],
    },
    ends: 'Split',
    alerts: ['posting_split'],
  },
  { path: 'awaiting approval', spec: { awaitingApproveMs: 2 * HOUR }, ends: 'Completed' },
  { path: 'rFBS, aggregator carrier', spec: { schema: 'rfbs', tpl: 'aggregator' }, ends: 'Completed' },
  {
    path: 'rFBS, aggregator registration fails',
    spec: { schema: 'rfbs', tpl: 'aggregator', registrationFails: true },
    ends: 'NeedsAttention',
    alerts: ['carrier_registration_failed'],
  },
  { path: 'rFBS, 3PL tracking', spec: { schema: 'rfbs', tpl: '3pl_tracking' }, ends: 'Completed' },
  { path: 'rFBS, own delivery with last mile', spec: { schema: 'rfbs' }, ends: 'Completed' },
  { path: 'rFBS, shipment date asked', spec: { schema: 'rfbs', cutoffRequired: true }, ends: 'Completed' },
  {
    // 25 bottles of 1.2 kg (the packing data) are over the drop-off point's 25 kg.
    path: 'drop-off limits exceeded',
    spec: { lines: [{ offer_id: 'BOTTLE-750-STL', quantity: 25 }] },
    ends: 'Completed',
    alerts: ['dropoff_limits'],
  },
  { path: 'payout 0 at receipt', spec: { payoutUnknownUntilShipped: true }, ends: 'Completed' },
];

/** The seller's packing data in the fulfilment scenario (seller API `packing`). */
export const FULFILMENT_PACKING = [
  { offerId: 'KETTLE-17L', shipsAlone: true },
  { offerId: 'LAMP-LED-E27', boxesPerUnit: 2 },
  { offerId: 'BOTTLE-750-STL', gramsPerUnit: 1200 },
];

/** Products the mixed scenario keeps in stock: its well-going postings take only these, so none of them runs short. */
const STOCKED_OFFERS = DEFAULT_PRODUCTS.map((p) => p.offer_id).filter((o) => !(o in MIXED_STOCK));

/** One or two stocked lines, varied by `i`: a posting that should not run short never draws a scarce offer. */
function stockedLines(i: number): NonNullable<CreatePostingSpec['lines']> {
  const offer = (k: number) => STOCKED_OFFERS[k % STOCKED_OFFERS.length] as string;
  const lines = [{ offer_id: offer(i), quantity: 1 + (i % 2) }];
  if (i % 3 === 0) lines.push({ offer_id: offer(i + 3), quantity: 1 });
  return lines;
}

/** The i-th well-going posting: rFBS for `rfbsShare` of them, spread evenly. */
function happyCase(i: number, rfbsShare: number): Case {
  const rfbs = Math.floor((i + 1) * rfbsShare) > Math.floor(i * rfbsShare);
  return { path: HAPPY_PATH, spec: { schema: rfbs ? 'rfbs' : 'fbs', lines: stockedLines(i) }, ends: 'Completed' };
}

export const HAPPY_PATH = 'happy';

/** What each path of a scenario is meant to end in, and the alerts it must raise. */
export function pathIntents(): Map<string, { ends: PathEnd; alerts: string[] }> {
  const intents = new Map([[HAPPY_PATH, { ends: 'Completed' as PathEnd, alerts: [] as string[] }]]);
  for (const c of [...MIXED_CASES, ...FULFILMENT_CASES, ...RETURN_CASES])
    intents.set(c.path, { ends: c.ends, alerts: c.alerts ?? [] });
  return intents;
}

/** How each scenario path's return is meant to end (ReturnSummary outcome), for the paths that have a return. */
export function returnIntents(): Map<string, string> {
  return new Map(
    [...MIXED_CASES, ...RETURN_CASES].flatMap((c) => (c.returnEnds ? [[c.path, c.returnEnds] as const] : [])),
  );
}

/** Configuration knobs the mixed scenario sets so that days of exceptions fit into a short run. */
export const MIXED_ENVIRONMENT: Record<string, string> = {
  REQUIRE_PACKED_CONFIRMATION: 'true',
  PARTIAL_CANCEL: 'true',
  // The sandbox delivers a day after pick-up: a parcel still moving after two days is stalled.
  TRANSIT_STALL_DAYS: '2',
  HANDOVER_STALL_HOURS: '12',
  SETTLEMENT_WINDOW_DAYS: '2',
  TRACKING_GRACE_HOURS: '6',
  // A defect is refunded at once: the mixed week's return ends within a day.
  RETURN_POLICY: JSON.stringify({ rules: [{ defect: 'refund' }] }),
  // Kettles are checked before they ship: the warehouse answers each check (startQualityDesk).
  QUALITY_CHECK: JSON.stringify({ offers: ['KETTLE-17L'] }),
};

/** The returns scenario: the demo's rules, and the drop-off point's warnings a day ahead (storage is short here). */
export const RETURNS_ENVIRONMENT: Record<string, string> = {
  RETURN_POLICY: DEMO_RETURN_POLICY,
  // The sandbox's shortened answer time (RETURNS_SANDBOX_TIMING).
  RETURN_DECISION_HOURS: '36',
  RETURN_STORAGE_WARNING_HOURS: '12',
  // A posting four days on the road is settled within its window.
  SETTLEMENT_WINDOW_DAYS: '3',
};
/**
 * Returns scenario sandbox timing, days shortened so a run stays short: Ozon approves an unanswered request after 36 h
 * (RETURNS_ENVIRONMENT tells the product so), a parcel takes a day back, a return is paid from its second day at
 * the drop-off point and utilized on its third (30 on Ozon).
 */
export const RETURNS_SANDBOX_TIMING: Partial<Timing> = {
  returnDecision: 36 * HOUR,
  returnTransit: DAY,
  returnFreeStorage: DAY,
  returnUtilization: 2 * DAY,
};

export function scenarioRuntimeOptions(
  name: ScenarioName,
  plans: Map<string, CarrierPlan>,
): Partial<RuntimeOptions> & { sandbox?: Pick<SandboxOptions, 'timing' | 'rating'> } {
  if (name === 'happy') return {};
  if (name === 'returns') {
    return {
      environment: RETURNS_ENVIRONMENT,
      carrier: { handoverMs: 2 * HOUR, transitMs: DAY, plan: (pn) => plans.get(pn) ?? {} },
      sandbox: { timing: RETURNS_SANDBOX_TIMING },
    };
  }
  if (name === 'fulfilment') {
    return {
      // A tariff step is warned up to half a day before it starts.
      environment: { SETTLEMENT_WINDOW_DAYS: '2', DEADLINE_WARNING_HOURS: '12' },
      carrier: { handoverMs: 2 * HOUR, transitMs: DAY, plan: (pn) => plans.get(pn) ?? {} },
    };
  }
  return {
    environment: MIXED_ENVIRONMENT,
    carrier: { handoverMs: 2 * HOUR, transitMs: DAY, plan: (pn) => plans.get(pn) ?? {} },
    // A bad week shows in Ozon's figures: late hand-overs turn WARNING on the third day (the daily look alerts it).
    sandbox: { rating: { changes: [{ afterMs: 2 * DAY, rating: 'rating_shipment_delay', value: 12 }] } },
  };
}

export interface ScenarioRun {
  /** Posting number → the path it exercises (mixed) or 'happy', for every posting created so far. */
  paths: Map<string, string>;
  /** Posting number → FBS or rFBS. */
  schemas: Map<string, 'fbs' | 'rfbs'>;
  /** Postings of the scenario not created yet (only when `paced`). */
  pending(): number;
  /** Creates the next posting of the scenario (when `paced`); undefined when all are created. */
  createNext(): string | undefined;
  stop(): void;
}

/**
 * Seeds stock (unless `seedStock` is false: a data dir's is seeded once) and creates the postings. For `mixed`,
 * the first postings take one exception path each and the rest go well; a simulated warehouse confirms packing and
 * restocks notebooks when it is told they ran out. `paced`: only the exception cases are created now, the rest
 * one by one through `createNext()`, so a benchmark can admit them at the pace the product sustains.
 */
export async function runScenario(
  runtime: Runtime,
  name: ScenarioName,
  orders: number,
  rfbsShare: number,
  plans: Map<string, CarrierPlan>,
  { seedStock = true, paced = false }: { seedStock?: boolean; paced?: boolean } = {},
): Promise<ScenarioRun> {
  const paths = new Map<string, string>();
  const schemas = new Map<string, 'fbs' | 'rfbs'>();
  const sandbox = runtime.sandbox;
  if (!sandbox) throw new Error('Scenarios need the Ozon sandbox (unset OZON_CLIENT_ID/OZON_API_KEY)');
  const packAfter = new Map<string, number | undefined>();
  const returnRounds = Array.from({ length: RETURN_CASE_ROUNDS }, () => RETURN_CASES).flat();
  const cases = { mixed: MIXED_CASES, fulfilment: FULFILMENT_CASES, returns: returnRounds, happy: [] }[name];
  const exceptions = cases.slice(0, orders);
  const happyRfbs = (i: number) => i < Math.round(orders * rfbsShare);
  // An exception case that names no lines gets stocked ones: only the short-stock cases may run short.
  const exceptionAt = (i: number): Case | undefined => {
    const c = exceptions[i];
    return c && { ...c, spec: { lines: stockedLines(i), ...c.spec } };
  };
  const caseAt = (i: number): Case =>
    name === 'happy'
      ? { path: HAPPY_PATH, spec: { schema: happyRfbs(i) ? 'rfbs' : 'fbs' }, ends: 'Completed' }
      : (exceptionAt(i) ?? happyCase(i - exceptions.length, rfbsShare));
  let created = 0;
  const createNext = () => {
    if (created >= orders) return undefined;
    const c = caseAt(created++);
    const { posting_number } = sandbox.createPosting(c.spec);
    paths.set(posting_number, c.path);
    schemas.set(posting_number, c.spec.schema ?? 'fbs');
    if (c.carrier) plans.set(posting_number, c.carrier);
    if ('packAfterMs' in c) packAfter.set(posting_number, c.packAfterMs);
    if (c.desk) desk.set(posting_number, c.desk);
    if (c.afterSale) afterSale.set(posting_number, c.afterSale);
    if (c.quality) failFirst.add(posting_number);
    return posting_number;
  };
  const desk = new Map<string, DeskPlan>();
  const afterSale = new Map<string, AfterSalePlan>();
  const failFirst = new Set<string>();

  if (seedStock) await (name === 'mixed' ? seedDemoStock(1000, MIXED_STOCK) : seedDemoStock());
  if (name === 'fulfilment') {
    for (const packing of FULFILMENT_PACKING) {
      const response = await runtime.sellerApi('packing', packing);
      if (!response.ok) throw new Error(`packing data refused: ${await response.text()}`);
    }
  }
  const createNow = paced ? exceptions.length : orders;
  while (created < createNow) createNext();
  const run = { paths, schemas, pending: () => orders - created, createNext };
  if (name === 'happy') return { ...run, stop: () => {} };
  startAfterSaleDesk(runtime, afterSale);
  if (name === 'returns') return { ...run, stop: () => {} };
  if (name === 'fulfilment') {
    startDesk(runtime, desk);
    return { ...run, stop: () => {} };
  }

  startDesk(runtime, desk);
  const warehouse = startWarehouse(runtime, (pn) => (packAfter.has(pn) ? packAfter.get(pn) : DEFAULT_PACK_MS));
  const qualityDesk = startQualityDesk(runtime, failFirst);
  runtime.onAlert((alert) => {
    if (alert.kind === 'out_of_stock' && alert.message.includes('NOTE-A5-DOT')) {
      runtime.clock.schedule(2 * HOUR, () => {
        void runtime.sellerApi('stock', { warehouseId: FBS_WAREHOUSE, offerId: 'NOTE-A5-DOT', quantity: 50 });
      });
    }
  });
  return {
    ...run,
    stop: () => {
      warehouse.stop();
      qualityDesk.stop();
    },
  };
}

/** Runs `look` now and every 5 simulated minutes until stopped: the simulated warehouse's rounds. */
function everyFiveMinutes(runtime: Runtime, look: () => void): { stop(): void } {
  let running = true;
  let cancel = () => {};
  const round = () => {
    if (!running) return;
    look();
    cancel = runtime.clock.schedule(5 * 60_000, round);
  };
  round();
  return {
    stop: () => {
      running = false;
      cancel();
    },
  };
}

/** How long the simulated warehouse takes to check a unit after the posting began to wait for it. */
export const QUALITY_CHECK_MS = 40 * 60_000;

/**
 * The warehouse's quality checks (mixed scenario): each posting that waits in AwaitQualityCheck is answered through
 * the seller API QUALITY_CHECK_MS after it began to wait — passed, except the first unit of a `failFirst` posting,
 * which fails (dented). Like startWarehouse it reads the executions, not the product's table; an answer the seller
 * API did not take is sent again at the next look.
 */
export function startQualityDesk(runtime: Runtime, failFirst: ReadonlySet<string>) {
  const qualityWaits = waitStates(runtime.stack.definition, ['quality']);
  const failed = new Set<string>();
  const sending = new Set<string>();
  return everyFiveMinutes(runtime, () => {
    const now = runtime.clock.now();
    for (const e of runtime.engine.executions.values()) {
      const pn = postingOf(e);
      if (e.status !== 'RUNNING' || sending.has(pn) || !qualityWaits.has(lastState(e) ?? '')) continue;
      // This wait's own start: after a failure the posting waits again, for the next unit.
      const askedAt = e.history.findLast((h) => h.type === 'StateEntered' && qualityWaits.has(h.state ?? ''))?.at;
      if (askedAt === undefined || now < askedAt + QUALITY_CHECK_MS) continue;
      const fail = failFirst.has(pn) && !failed.has(pn);
      sending.add(pn);
      runtime
        .sellerApi(
          'qualityCheck',
          fail
            ? { postingNumber: pn, passed: false, reason: 'вмятина на корпусе' }
            : { postingNumber: pn, passed: true },
        )
        .then((res) => {
          if (res.ok && fail) failed.add(pn);
        })
        .catch(() => {})
        .finally(() => sending.delete(pn));
    }
  });
}

/**
 * The seller's warehouse as the product sees it: it confirms "packed" (POST /packed) `packAfterMs` simulated ms
 * after the product first asked for that confirmation — the moment the execution entered a wait for `packed`, on
 * the simulated clock — and `packAfterMs` undefined means it never does. Timed from the wait itself, not from when
 * a look happened to find it, so a starved process delays the confirmation by at most one look (5 simulated
 * minutes), never by the reminders' worth. A confirmation the seller API did not accept is sent again.
 * It reads the executions, not the product's table, so its looks cost the product no DynamoDB units.
 */
export function startWarehouse(runtime: Runtime, packAfterMs: (postingNumber: string) => number | undefined) {
  const packedWaits = waitStates(runtime.stack.definition, ['packed']);
  if (!packedWaits.size) throw new Error('The state machine has no wait for "packed": the warehouse has nothing to do');
  const confirmed = new Set<string>();
  const sending = new Set<string>();
  return everyFiveMinutes(runtime, () => {
    const now = runtime.clock.now();
    for (const e of runtime.engine.executions.values()) {
      const pn = postingOf(e);
      if (e.status !== 'RUNNING' || confirmed.has(pn) || sending.has(pn)) continue;
      if (!packedWaits.has(lastState(e) ?? '')) continue;
      const after = packAfterMs(pn);
      const askedAt = e.history.find((h) => h.type === 'StateEntered' && packedWaits.has(h.state ?? ''))?.at;
      if (after === undefined || askedAt === undefined || now < askedAt + after) continue;
      sending.add(pn);
      runtime
        .sellerApi('packed', { postingNumber: pn })
        .then((res) => {
          if (res.ok) confirmed.add(pn);
        })
        .catch(() => {})
        .finally(() => sending.delete(pn));
    }
  });
}

/** A "Честный ЗНАК" code for a unit: GTIN, serial, and the crypto tail's groups (GS as U+001D). */
export function markingCode(sku: number, unit: number, inCirculation: boolean): string {
  const gtin = inCirculation ? `0460${String(sku).padStart(10, '0').slice(-10)}` : '00000000000000';
  return `01${gtin}21${`S${sku}U${unit}`.slice(0, 20)}\u001d91EE10\u001d92${'Q'.repeat(44)}`;
}

/**
 * The seller's desk (see DeskPlan): answers each `marking_codes_required` alert for a posting it has a plan for,
 * through the seller API, the posting's lines read from the sandbox the way a seller reads the cabinet.
 */
export function startDesk(runtime: Runtime, plans: Map<string, DeskPlan>) {
  const answered = new Map<string, number>();
  runtime.onAlert((alert) => {
    const plan = plans.get(alert.postingNumber);
    if ((alert.kind !== 'marking_codes_required' && alert.kind !== 'marking_codes_refused') || !plan) return;
    const round = (answered.get(alert.postingNumber) ?? 0) + 1;
    answered.set(alert.postingNumber, round);
    const posting = runtime.sandbox?.posting(alert.postingNumber) as
      | { products: { sku: number; offer_id: string; quantity: number }[] }
      | undefined;
    if (!posting) return;
    const good = plan.send !== 'bad-first' || round > 1;
    const body =
      plan.send === 'boxes'
        ? { postingNumber: alert.postingNumber, products: [], boxes: 2 }
        : {
            postingNumber: alert.postingNumber,
            products: posting.products.map((p) => ({
              offerId: p.offer_id,
              marks: Array.from({ length: p.quantity }, (_, u) => markingCode(p.sku, u + 1, good)),
            })),
          };
    runtime.clock.schedule(plan.afterMs, () => {
      void runtime.sellerApi('marks', body).catch(() => {});
    });
  });
}
