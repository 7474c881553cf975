/**
 * Demo scenarios for local runs. `happy` is every posting going well; `mixed` is a seller's bad week: every
 * exception path of OrderLifecycle at least once, driven by the sandbox (Ozon's side), a simulated carrier and a
 * simulated warehouse (the seller's side) — nothing reaches into the product except through its APIs.
 */
import { ordersInPhase } from '#shared/order-store';
import { DEFAULT_WAREHOUSES } from '../sandbox/index';
import type { CreatePostingSpec } from '../sandbox/types';
import type { CarrierPlan } from './carrier';
import type { Runtime, RuntimeOptions } from './runtime';
import { seedDemoStock } from './seed';

export type { CarrierPlan } from './carrier';

export type ScenarioName = 'happy' | 'mixed';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;

interface Case {
  path: string;
  spec: CreatePostingSpec;
  carrier?: CarrierPlan;
  /** How long the warehouse takes to confirm "packed"; undefined = never. */
  packAfterMs?: number;
}

/** Stock the mixed scenario starts from: notebooks run out (and are restocked), socks run out for good. */
const MIXED_STOCK = { 'NOTE-A5-DOT': 0, 'SOCKS-WOOL-42': 0 };

/** One case per exception path, in the order README lists them; the rest of the postings go well. */
const MIXED_CASES: Case[] = [
  { path: 'short stock, restocked', spec: { lines: [{ offer_id: 'NOTE-A5-DOT', quantity: 2 }] } },
  { path: 'short stock, cancelled (352)', spec: { lines: [{ offer_id: 'SOCKS-WOOL-42', quantity: 1 }] } },
  {
    path: 'short stock, missing lines cancelled',
    spec: {
      lines: [
        { offer_id: 'SOCKS-WOOL-42', quantity: 1 },
        { offer_id: 'TEA-GRN-100', quantity: 1 },
      ],
    },
  },
  { path: 'confirmation deadline near', spec: { shipmentSlaMs: 8 * HOUR }, packAfterMs: 4 * HOUR },
  {
    path: 'confirmation deadline missed',
    spec: { shipmentSlaMs: 6 * HOUR, cancelByBuyerAfterMs: 12 * HOUR },
    packAfterMs: undefined,
  },
  { path: 'buyer cancels before shipping', spec: { cancelByBuyerAfterMs: 10 * 60_000 } },
  { path: 'buyer cancels after hand-over', spec: { stall: 'delivering', cancelByBuyerAfterMs: 30 * HOUR } },
  { path: 'marking codes required', spec: { marksRequired: true } },
  { path: 'ship_failed once', spec: { shipFailsOnce: true } },
  { path: 'not accepted at sorting centre', spec: { sortingCentre: 'not_accepted' } },
  { path: 'arbitration', spec: { sortingCentre: 'arbitration' } },
  { path: 'rFBS tracking number missing', spec: { schema: 'rfbs' }, carrier: { silent: true } },
  {
    path: 'rFBS delivery window passed',
    spec: { schema: 'rfbs', deliveryWindowMs: 2 * DAY },
    carrier: { transitMs: 3 * DAY },
  },
  { path: 'stalled in transit, possibly lost', spec: { stall: 'delivering', cancelByBuyerAfterMs: 8 * DAY } },
  { path: 'never handed over', spec: { stall: 'awaiting_deliver', cancelByBuyerAfterMs: 3 * DAY } },
  { path: 'payout underpaid', spec: { payoutSkew: -80 } },
  { path: 'payout missing', spec: { noAccruals: true } },
];

/** Configuration knobs the mixed scenario sets so that days of exceptions fit into a short run. */
export const MIXED_ENVIRONMENT: Record<string, string> = {
  REQUIRE_PACKED_CONFIRMATION: 'true',
  PARTIAL_CANCEL: 'true',
  // The sandbox delivers a day after pick-up: a parcel still moving after two days is stalled.
  TRANSIT_STALL_DAYS: '2',
  HANDOVER_STALL_HOURS: '12',
  SETTLEMENT_WINDOW_DAYS: '2',
  TRACKING_GRACE_HOURS: '6',
};

export function scenarioRuntimeOptions(name: ScenarioName, plans: Map<string, CarrierPlan>): Partial<RuntimeOptions> {
  if (name === 'happy') return {};
  return {
    environment: MIXED_ENVIRONMENT,
    carrier: { handoverMs: 2 * HOUR, transitMs: DAY, plan: (pn) => plans.get(pn) ?? {} },
  };
}

export interface ScenarioRun {
  /** Posting number → the path it exercises (mixed) or 'happy'. */
  paths: Map<string, string>;
  stop(): void;
}

/**
 * Seeds stock (unless `seedStock` is false: a data dir's is seeded once) and creates the postings. For `mixed`,
 * the first postings take one exception path each and the rest go well; a simulated warehouse confirms packing and
 * restocks notebooks when it is told they ran out.
 */
export async function runScenario(
  runtime: Runtime,
  name: ScenarioName,
  orders: number,
  rfbsShare: number,
  plans: Map<string, CarrierPlan>,
  { seedStock = true }: { seedStock?: boolean } = {},
): Promise<ScenarioRun> {
  const paths = new Map<string, string>();
  const sandbox = runtime.sandbox;
  if (!sandbox) throw new Error('Scenarios need the Ozon sandbox (unset OZON_CLIENT_ID/OZON_API_KEY)');
  if (name === 'happy') {
    if (seedStock) await seedDemoStock();
    for (let i = 0; i < orders; i++) {
      const { posting_number } = sandbox.createPosting({ schema: i < Math.round(orders * rfbsShare) ? 'rfbs' : 'fbs' });
      paths.set(posting_number, 'happy');
    }
    return { paths, stop: () => {} };
  }

  if (seedStock) await seedDemoStock(1000, MIXED_STOCK);
  const packAfter = new Map<string, number | undefined>();
  const cases = MIXED_CASES.slice(0, orders);
  for (let i = 0; i < orders; i++) {
    const c = cases[i] ?? {
      path: 'happy',
      spec: { schema: i < cases.length + Math.round((orders - cases.length) * rfbsShare) ? 'rfbs' : 'fbs' },
    };
    const { posting_number } = sandbox.createPosting(c.spec);
    paths.set(posting_number, c.path);
    if (c.carrier) plans.set(posting_number, c.carrier);
    packAfter.set(posting_number, 'packAfterMs' in c ? c.packAfterMs : 30 * 60_000);
  }

  const warehouse = startWarehouse(runtime, (pn) => packAfter.get(pn));
  runtime.onAlert((alert) => {
    if (alert.kind === 'out_of_stock' && alert.message.includes('NOTE-A5-DOT')) {
      runtime.clock.schedule(2 * HOUR, () => {
        void runtime.sellerApi('stock', { warehouseId: FBS_WAREHOUSE, offerId: 'NOTE-A5-DOT', quantity: 50 });
      });
    }
  });
  return {
    paths,
    stop: warehouse.stop,
  };
}

/**
 * The seller's warehouse as the product sees it: it confirms "packed" (POST /packed) for postings waiting on
 * that confirmation once their packing time has passed; `packAfterMs` undefined means it never does.
 */
export function startWarehouse(runtime: Runtime, packAfterMs: (postingNumber: string) => number | undefined) {
  const sent = new Set<string>();
  const firstSeen = new Map<string, number>();
  let running = true;
  const round = async () => {
    if (!running) return;
    const now = runtime.clock.now();
    const due = (await ordersInPhase('awaiting_packed').catch(() => [])).filter((o) => {
      const after = packAfterMs(o.postingNumber);
      if (!firstSeen.has(o.postingNumber)) firstSeen.set(o.postingNumber, now);
      const waiting = now - (firstSeen.get(o.postingNumber) ?? now);
      return after !== undefined && !sent.has(o.postingNumber) && waiting >= after;
    });
    for (const o of due) sent.add(o.postingNumber);
    await Promise.all(due.map((o) => runtime.sellerApi('packed', { postingNumber: o.postingNumber }).catch(() => {})));
    if (running) runtime.clock.schedule(15 * 60_000, () => void round());
  };
  void round();
  return {
    stop: () => {
      running = false;
    },
  };
}
