/**
 * Ozon's side of the seller's stock, per (warehouse, offer), as docs/06-pricesandstocksapi.md describes it:
 *
 *   present  — "Общее количество товара на складе": units at the warehouse, reserved ones included;
 *   reserved — "Количество зарезервированных товаров на складе": units in postings Ozon has sold from that
 *              warehouse that have not left it yet;
 *   free     — `free_stock`, present - reserved: what Ozon can still sell.
 *
 * `/v2/products/stocks` sets "количество товара в наличии без учёта зарезервированных товаров" — the units on hand
 * *excluding* reserved ones — so its `stock` is `free`, and present becomes stock + reserved (the docs tell the
 * seller to read `reserved` first for exactly this reason). The book therefore keeps `free` per pair and derives
 * `reserved` from the postings, so the two never disagree:
 *
 *   posting created (awaiting_packaging / awaiting_approve, or adopted) → free -= quantity (never below 0);
 *   handed over (status leaves the RESERVING_STATUSES below)             → the units leave: reserved and present drop;
 *   split on ship                                                        → the children hold the parent's units: no change;
 *   cancelled (or products cancelled) while still reserved              → the units are for sale again: free += q.
 *
 * The sandbox creates orders whether or not stock was published, unlike Ozon; such an order takes free to 0 and
 * present (= free + reserved) then counts the oversold units.
 */
import type { Posting } from './model.js';

/**
 * Statuses in which a posting's units are still at the seller's warehouse, reserved for it: before assembly
 * (awaiting_approve, awaiting_packaging) and after it until hand-over (awaiting_registration of an rFBS aggregator
 * posting, awaiting_deliver). A posting split on ship (cancelled_from_split_pending) holds none: its children do.
 */
export const RESERVING_STATUSES: ReadonlySet<string> = new Set([
  'awaiting_approve',
  'awaiting_packaging',
  'awaiting_registration',
  'awaiting_deliver',
]);
export const holdsReservation = (p: Posting) => RESERVING_STATUSES.has(p.status);

/** `STOCK_TOO_BIG`: "Укажите количество меньше миллиона" (swagger, Частые ошибки). */
export const STOCK_LIMIT = 1_000_000;
/** One update per (product, warehouse) pair per 30 s, else TOO_MANY_REQUESTS (swagger /v2/products/stocks). */
export const STOCK_UPDATE_INTERVAL_MS = 30_000;

/** One pair's state, as the state file keeps it. */
export interface StockRecord {
  warehouse_id: number;
  offer_id: string;
  /** free units (what /v2/products/stocks sets) */
  free: number;
  /** simulated ms of the last accepted /v2/products/stocks update of this pair (the 30-second rule), or null */
  updatedAt: number | null;
}

const keyOf = (warehouseId: number, offerId: string) => `${warehouseId}\u0000${offerId}`;

export class StockBook {
  /** only the pairs that were ever set or moved; any other pair is at `initial` */
  private readonly records = new Map<string, StockRecord>();

  constructor(private readonly initial: number) {}

  private record(warehouseId: number, offerId: string): StockRecord {
    const key = keyOf(warehouseId, offerId);
    let r = this.records.get(key);
    if (!r) {
      r = { warehouse_id: warehouseId, offer_id: offerId, free: this.initial, updatedAt: null };
      this.records.set(key, r);
    }
    return r;
  }

  /** whether the pair was ever set or moved ("склады, на которых хранился или хранится товар") */
  known(warehouseId: number, offerId: string) {
    return this.records.has(keyOf(warehouseId, offerId));
  }

  free(warehouseId: number, offerId: string) {
    return this.records.get(keyOf(warehouseId, offerId))?.free ?? this.initial;
  }

  lastUpdate(warehouseId: number, offerId: string) {
    return this.records.get(keyOf(warehouseId, offerId))?.updatedAt ?? null;
  }

  /** the seller's stock update; `at` (simulated ms) starts the 30-second rule when it comes through the API */
  set(warehouseId: number, offerId: string, free: number, at?: number) {
    const r = this.record(warehouseId, offerId);
    r.free = free;
    if (at !== undefined) r.updatedAt = at;
  }

  /** a new posting reserves its units */
  take(warehouseId: number, offerId: string, quantity: number) {
    const r = this.record(warehouseId, offerId);
    r.free = Math.max(0, r.free - quantity);
  }

  /** a cancellation gives reserved units back */
  give(warehouseId: number, offerId: string, quantity: number) {
    this.record(warehouseId, offerId).free += quantity;
  }

  /** reserved units per pair, from the postings that hold a reservation (one pass over all postings) */
  reservations(postings: Iterable<Posting>): Reservations {
    const byPair = new Map<string, number>();
    for (const p of postings) {
      if (!holdsReservation(p)) continue;
      for (const l of p.lines) {
        if (l.quantity <= 0) continue;
        const key = keyOf(p.warehouse.warehouse_id, l.offer_id);
        byPair.set(key, (byPair.get(key) ?? 0) + l.quantity);
      }
    }
    return { of: (warehouseId, offerId) => byPair.get(keyOf(warehouseId, offerId)) ?? 0 };
  }

  /** present / reserved / free of one pair */
  view(warehouseId: number, offerId: string, reserved: Reservations) {
    const free = this.free(warehouseId, offerId);
    const r = reserved.of(warehouseId, offerId);
    return { present: free + r, reserved: r, free };
  }

  /** for the state file, in the order the pairs were first touched */
  list(): StockRecord[] {
    return [...this.records.values()];
  }

  restore(records: StockRecord[]) {
    this.records.clear();
    for (const r of records) this.records.set(keyOf(r.warehouse_id, r.offer_id), { ...r });
  }
}

export interface Reservations {
  of(warehouseId: number, offerId: string): number;
}
