/** Stock rules, pure. The atomic part (no overselling under concurrency) is DynamoDB's; the arithmetic is here. */
import * as z from 'zod/mini';
import type { OrderLine } from '#shared/order';

/** How a unit is packed; `quality_check`: the offer's defect returns reached the threshold (aftersale/). */
export const Handling = z.enum(['fragile', 'liquid', 'keep_upright', 'heavy', 'quality_check']);
export type Handling = z.infer<typeof Handling>;

export const StockItem = z.object({
  warehouseId: z.number(),
  offerId: z.string(),
  name: z._default(z.string(), ''),
  onHand: z.int().check(z.nonnegative()),
  reserved: z.int().check(z.nonnegative()),
  available: z.int(),
  handling: z._default(z.array(Handling), []),
  /** When the item was last marked for publishing to Ozon (ms; see stock-store `TO_PUBLISH`). */
  markedAt: z.optional(z.number()),
});
export type StockItem = z.infer<typeof StockItem>;

/** One reservation per offer: a posting may list the same offer twice (Ozon splits lines by price). */
export function reservationLines(lines: OrderLine[]): { offerId: string; qty: number }[] {
  const byOffer = new Map<string, number>();
  for (const line of lines) byOffer.set(line.offerId, (byOffer.get(line.offerId) ?? 0) + line.qty);
  return [...byOffer].map(([offerId, qty]) => ({ offerId, qty })).sort((a, b) => a.offerId.localeCompare(b.offerId));
}

export interface Shortage {
  offerId: string;
  wanted: number;
  available: number;
  missing: number;
}

export function shortages(wanted: { offerId: string; qty: number }[], stock: Map<string, StockItem>): Shortage[] {
  return wanted.flatMap(({ offerId, qty }) => {
    const available = Math.max(0, stock.get(offerId)?.available ?? 0);
    return available >= qty ? [] : [{ offerId, wanted: qty, available, missing: qty - available }];
  });
}

const HANDLING_TEXT: Record<Handling, string> = {
  fragile: 'FRAGILE: wrap in bubble film, fill voids, mark the box "Хрупкое / Fragile"',
  liquid: 'LIQUID: seal the cap, bag it, keep upright',
  keep_upright: 'Keep upright: mark "Верх / This side up"',
  heavy: 'HEAVY: use a double-wall box, tape the bottom twice',
  quality_check: 'QUALITY CHECK: returned for defects — inspect the unit (works, complete, undamaged) before packing',
};

/** The packing list a warehouse worker reads: one line per item, handling notes after the items that need them. */
export function packingList(lines: OrderLine[], handling: Map<string, Handling[]>): string[] {
  return lines.flatMap((line) => {
    const notes = handling.get(line.offerId) ?? [];
    return [`${line.qty} × ${line.offerId} — ${line.name}`, ...notes.map((h) => `    ${HANDLING_TEXT[h]}`)];
  });
}

export type ShortStockDecision = 'retry' | 'wait' | 'partial' | 'cancel';

/**
 * What to do about short stock when the restock wait ends: reserve again if the stock is there now; wait on if the
 * decision deadline has not passed (it moved); else cancel the missing lines if the seller allows it and something
 * can still ship; else cancel the posting.
 */
export function shortStockDecision(
  wanted: { offerId: string; qty: number }[],
  short: Shortage[],
  deadlinePassed: boolean,
  partialAllowed: boolean,
): ShortStockDecision {
  if (short.length === 0) return 'retry';
  if (!deadlinePassed) return 'wait';
  const canShipSome = wanted.some((w) => (short.find((s) => s.offerId === w.offerId)?.available ?? w.qty) > 0);
  return partialAllowed && canShipSome ? 'partial' : 'cancel';
}

/** The lines a posting still ships after its missing quantities are cancelled; lines left with nothing drop out. */
export function remainingLines(lines: OrderLine[], short: Shortage[]): OrderLine[] {
  return lines
    .map((line) => {
      const s = short.find((x) => x.offerId === line.offerId);
      return s ? { ...line, qty: Math.min(line.qty, s.available) } : line;
    })
    .filter((line) => line.qty > 0);
}

/** More units than this on hand for one offer is a typing error or an attack, not a delivery. */
export const MAX_ON_HAND = 1_000_000;

/**
 * What to ask Ozon to cancel, per SKU: what the posting has on Ozon now beyond what it should keep. Measured against
 * Ozon's current quantities, so a retry after a lost answer asks for nothing more.
 */
export function linesToCancel(
  lines: OrderLine[],
  keep: OrderLine[],
  onOzon: { sku: number; quantity: number }[],
): { sku: number; quantity: number }[] {
  const skus = [...new Set(lines.map((l) => l.sku))];
  return skus.flatMap((sku) => {
    const has = onOzon.filter((p) => p.sku === sku).reduce((n, p) => n + p.quantity, 0);
    const wanted = keep.filter((l) => l.sku === sku).reduce((n, l) => n + l.qty, 0);
    return has > wanted ? [{ sku, quantity: has - wanted }] : [];
  });
}

/** `/v2/products/stocks` refuses a stock of a million or more (`STOCK_TOO_BIG`). */
export const MAX_PUBLISHED_STOCK = 999_999;

/**
 * What Ozon may sell of an offer at a warehouse. Ozon takes the figure as units free to sell, and holds its own
 * reservation for every posting it created and has not shipped (`/v2/products/stocks`: "without the reserved
 * ones; check the reserved units first"). The product's `available` already leaves out the postings it reserved;
 * what Ozon holds beyond those (`ozonReserved - reserved`) is postings the product has not reserved yet — just
 * created, or packed and not yet handed over — and is left out too. The second kind makes the figure a little
 * low for a while, never high: Ozon cannot sell a unit twice.
 */
export function publishableStock(item: Pick<StockItem, 'available' | 'reserved'>, ozonReserved: number): number {
  const heldByOzonOnly = Math.max(0, ozonReserved - item.reserved);
  return Math.min(MAX_PUBLISHED_STOCK, Math.max(0, item.available - heldByOzonOnly));
}

/**
 * Ozon's reservation for an offer at a warehouse from `/v4/product/info/stocks`: the entries of the seller's own
 * schemes (FBS, rFBS) that cover the warehouse; an entry naming no warehouse covers all of them (the larger
 * figure, never the smaller).
 */
export function ozonReservedAt(
  stocks: { reserved: number; type?: string | null; warehouse_ids?: number[] | null }[],
  warehouseId: number,
): number {
  return stocks
    .filter((s) => s.type !== 'fbo')
    .filter((s) => !s.warehouse_ids?.length || s.warehouse_ids.includes(warehouseId))
    .reduce((sum, s) => sum + s.reserved, 0);
}

/** Per-item answers of `/v2/products/stocks` that a later try can fix: the 30 s per item, or Ozon busy. */
export const RETRY_LATER_STOCK_ERRORS = new Set(['TOO_MANY_REQUESTS', 'INTERNAL_ERROR']);

/**
 * Whether Ozon's free figure is wrong, not just behind. It may sit between what the product would publish and its
 * available units: a parcel packed and not yet handed over is out of `available` and still in Ozon's reservation,
 * and the published figure leaves it out once more (publishableStock). Above `available` Ozon could sell a unit
 * twice; below the published figure it sells less than the seller has.
 */
export function stockDrifted(onOzon: number, item: Pick<StockItem, 'available'>, publishable: number): boolean {
  return onOzon > Math.max(0, item.available) || onOzon < publishable;
}
