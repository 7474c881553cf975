/**
 * Which days' carriages the poll asks Ozon for (`/v2/carriage/delivery/list`, one call a date), pure. Ozon's list is
 * asked when the product learns of a carriage it has not planned, not every hour: the poll's status pass sees every
 * FBS posting when it is created and again when it is packed (its delivery method and shipment date name its
 * carriage), a moved date comes as a push, and a carriage once planned has its Handover, which waits for the act's
 * time itself. So the list is asked about once per carriage instead of once an hour (bench: −0.09 Ozon calls a
 * posting). A daily look at the plan's days stays while a posting may still be before its handover, for what neither
 * source saw (a moved date whose push was lost).
 *
 * The state lives on the poller's mark item and is written with the mark, after the run planned: a run that dies
 * before that is repeated from the same mark, and its pass sees the same postings again.
 */
import * as z from 'zod/mini';
import { schemaOf } from '#shared/order';
import { type Carriage, dayOf, handoverName, planDays } from './rules';

const DAY_MS = 24 * 3600_000;
/** How often the poll looks at the plan's days regardless, while a posting may still be before its handover. */
export const PLAN_NET_EVERY_HOURS = 24;
/** After an upgrade (a poller item from before this state), the poll plans the old way this long: hourly. */
export const LEGACY_PLAN_MS = 7 * DAY_MS;
/** A planned carriage is forgotten this long after its cutoff; a pending day this long after it passed. */
const FORGET_AFTER_MS = 2 * DAY_MS;

export const HandoverPlan = z.object({
  /** Carriages whose Handover was started (by name, handoverName), with their cutoff: their postings need no list. */
  planned: z._default(z.record(z.string(), z.number()), {}),
  /** Days with a posting whose carriage is not planned yet, and when its carriage comes within the plan's lead. */
  days: z._default(z.record(z.string(), z.number()), {}),
  /** Until when a posting seen may still be before its handover: the daily look runs until then. */
  until: z._default(z.number(), 0),
  /** Until when the poll plans the old way (hourly), after an upgrade. */
  legacyUntil: z._default(z.number(), 0),
});
export type HandoverPlan = z.infer<typeof HandoverPlan>;

/**
 * What a posting tells about its carriage: Ozon's warehouse, delivery method and shipment date. A moved date's push
 * names only the date (`warehouseId` absent): its day is listed whatever is planned.
 */
export interface CarriageOfPosting {
  warehouseId?: number;
  deliveryMethodId?: number;
  shipmentMs: number;
}

const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** An FBS posting before its handover, as a list shows it: the carriage it goes with (undefined for any other). */
export function carriageOfPosting(posting: {
  status: string;
  shipment_date?: string | null;
  tpl_integration_type?: string | null;
  delivery_method?: { id?: number | null; warehouse_id?: number | null } | null;
}): CarriageOfPosting | undefined {
  if (posting.status !== 'awaiting_packaging' && posting.status !== 'awaiting_deliver') return undefined;
  if (schemaOf(posting.tpl_integration_type) !== 'fbs') return undefined;
  const shipmentMs = posting.shipment_date ? Date.parse(posting.shipment_date) : Number.NaN;
  const method = posting.delivery_method;
  if (Number.isNaN(shipmentMs) || !method?.id || !method.warehouse_id) return undefined;
  return { warehouseId: method.warehouse_id, deliveryMethodId: method.id, shipmentMs };
}

/**
 * Whether a planned carriage covers the posting: the same warehouse and method, and its cutoff the posting's
 * shipment date's day or within half a day of it (Ozon names a carriage's date in its own time zone).
 */
export function plannedFor(plan: HandoverPlan, c: CarriageOfPosting): boolean {
  if (c.warehouseId === undefined || c.deliveryMethodId === undefined) return false;
  const name = handoverName({
    warehouseId: c.warehouseId,
    deliveryMethodId: c.deliveryMethodId,
    departureDate: dayOf(c.shipmentMs),
  });
  if (name in plan.planned) return true;
  const prefix = `${c.warehouseId}-${c.deliveryMethodId}-`;
  return Object.entries(plan.planned).some(
    ([n, cutoff]) => n.startsWith(prefix) && Math.abs(cutoff - c.shipmentMs) < DAY_MS / 2,
  );
}

/**
 * The plan after the pass saw these postings (and the pushes these moved dates): each whose carriage is not
 * planned makes its day pending from when its carriage comes within the lead (the posting's shipment date is its
 * carriage's cutoff); each keeps the daily look on until a day after its date.
 */
export function seen(plan: HandoverPlan, carriages: CarriageOfPosting[], leadMs: number): HandoverPlan {
  const days = { ...plan.days };
  let until = plan.until;
  for (const c of carriages) {
    until = Math.max(until, dayStart(dayOf(c.shipmentMs)) + 2 * DAY_MS);
    if (plannedFor(plan, c)) continue;
    const day = dayOf(c.shipmentMs);
    days[day] = Math.min(days[day] ?? Number.POSITIVE_INFINITY, c.shipmentMs - leadMs);
  }
  return { ...plan, days, until };
}

export interface RunKind {
  /** No mark yet: the first run after deploying. */
  firstRun: boolean;
  /** The first run of a PLAN_NET_EVERY_HOURS period. */
  netPeriod: boolean;
  /** The first run of an hour and of the old way's `ahead` period (every 6 h), for the legacy plan. */
  hourPeriod: boolean;
  aheadPeriod: boolean;
}

/**
 * The days whose carriages this run lists: pending days whose carriage is within the lead (a day already past: its
 * posting is late or moved, so today's), and the plan's days on the first run, on the daily look while a posting
 * may be before its handover, and hourly during the legacy plan (the far days every 6 h, as before).
 */
export function daysToList(plan: HandoverPlan, nowMs: number, leadMs: number, run: RunKind): string[] {
  const today = dayOf(nowMs);
  const days = new Set<string>();
  for (const [day, from] of Object.entries(plan.days)) {
    if (from > nowMs) continue;
    if (day < today) days.add(today);
    else days.add(day);
  }
  if (nowMs < plan.legacyUntil && run.hourPeriod) for (const d of planDays(nowMs, leadMs, run.aheadPeriod)) days.add(d);
  if (run.firstRun || (run.netPeriod && nowMs < plan.until)) for (const d of planDays(nowMs, leadMs, true)) days.add(d);
  return [...days].sort();
}

/** One listed day: the carriages with postings Ozon showed, and those of them the run started (or found started). */
export interface ListedDay {
  day: string;
  carriages: Pick<Carriage, 'warehouseId' | 'deliveryMethodId' | 'departureDate' | 'cutoffAt'>[];
  due: Pick<Carriage, 'warehouseId' | 'deliveryMethodId' | 'departureDate' | 'cutoffAt'>[];
}

/**
 * The plan after the run listed these days: the due carriages planned; a day whose other carriages are not due yet
 * stays pending until the first of them is; a past day listed as today is done. A day whose list failed is pending
 * from now, whatever made the run ask for it: the daily look and the first run list days no posting made pending,
 * and the next look would come after their carriages had left. Old entries are forgotten.
 */
export function listed(
  plan: HandoverPlan,
  results: ListedDay[],
  nowMs: number,
  leadMs: number,
  failed: string[] = [],
): HandoverPlan {
  const planned = { ...plan.planned };
  const days = { ...plan.days };
  const today = dayOf(nowMs);
  for (const day of failed) days[day] = Math.min(days[day] ?? Number.POSITIVE_INFINITY, nowMs);
  for (const r of results) {
    for (const c of r.due) planned[handoverName(c)] = Date.parse(c.cutoffAt);
    const later = r.carriages
      .filter((c) => !(handoverName(c) in planned))
      .map((c) => Date.parse(c.cutoffAt) - leadMs)
      .filter((from) => from > nowMs);
    if (later.length) days[r.day] = Math.min(...later);
    else delete days[r.day];
    if (r.day === today) for (const d of Object.keys(days)) if (d < today) delete days[d];
  }
  for (const [name, cutoff] of Object.entries(planned)) if (cutoff < nowMs - FORGET_AFTER_MS) delete planned[name];
  for (const d of Object.keys(days)) if (dayStart(d) < nowMs - FORGET_AFTER_MS) delete days[d];
  return { ...plan, planned, days };
}
