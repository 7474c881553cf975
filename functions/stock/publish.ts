/**
 * The seller's stock on Ozon (`/v2/products/stocks`), so Ozon never sells what the seller does not have. The local
 * stock is the truth: what is marked (stock-store `TO_PUBLISH`) is published, a figure Ozon keeps refusing is
 * alerted, and once a day Ozon's figures are read back and a drift is alerted and corrected.
 */
import { sendAccountAlert } from '#shared/alerts';
import { now } from '#shared/clock';
import { ozon } from '#shared/ozon/client';
import type { ProductStocksResponse } from '#shared/ozon/schemas';
import { emitMetric } from '#shared/powertools';
import { ozonReservedAt, publishableStock, RETRY_LATER_STOCK_ERRORS, type StockItem, stockDrifted } from './rules';
import { getStock, markPublished, markToPublish, stockToPublish } from './stock-store';

/** Ozon's limits: 100 (offer, warehouse) pairs per `/v2/products/stocks`, 1000 offers per `/v4/product/info/stocks`. */
const PAIRS_PER_UPDATE = 100;
/** How long after an item was marked for publishing the daily check leaves it alone (the publication is under way). */
const JUST_MARKED_MS = 15 * 60_000;
const OFFERS_PER_READ = 1000;

export interface PublishReport {
  published: number;
  /** Ozon asked to wait (one update per item per 30 s) or was busy: the item stays marked for the next run. */
  retryLater: number;
  /** Refused for good (unknown offer or warehouse, no price sent): alerted, unmarked until the next change. */
  refused: number;
}

type OzonStocks = Map<string, ProductStocksResponse['items'][number]['stocks']>;

/** Ozon's stock entries by offer, every page. */
async function ozonStocksOf(offerIds?: string[]): Promise<OzonStocks> {
  const byOffer: OzonStocks = new Map();
  const chunks = offerIds ? chunk([...new Set(offerIds)], OFFERS_PER_READ) : [undefined];
  for (const offers of chunks) {
    let cursor: string | undefined;
    do {
      const page = await ozon().call('productStocks', {
        filter: { ...(offers ? { offer_id: offers } : {}), visibility: 'ALL' },
        limit: OFFERS_PER_READ,
        ...(cursor ? { cursor } : {}),
      });
      for (const item of page.items) byOffer.set(item.offer_id, item.stocks);
      cursor = page.items.length > 0 && page.cursor ? page.cursor : undefined;
    } while (cursor);
  }
  return byOffer;
}

const chunk = <T>(all: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(all.length / size) }, (_, i) => all.slice(i * size, (i + 1) * size));

/**
 * Publishes these items' figures: Ozon's reservation read first, then up to 100 pairs a call. `alert: false` (the
 * seller API, which publishes a restock at once and sends no alerts) leaves a refused item marked: the poller's
 * next run tries it again and alerts.
 */
export async function publishStock(items: StockItem[], options: { alert?: boolean } = {}): Promise<PublishReport> {
  const alert = options.alert ?? true;
  const report: PublishReport = { published: 0, retryLater: 0, refused: 0 };
  if (items.length === 0) return report;
  const ozonStocks = await ozonStocksOf(items.map((i) => i.offerId));
  const refused: { offerId: string; warehouseId: number; code: string }[] = [];
  for (const pairs of chunk(items, PAIRS_PER_UPDATE)) {
    const stocks = pairs.map((item) => ({
      offer_id: item.offerId,
      warehouse_id: item.warehouseId,
      stock: publishableStock(item, ozonReservedAt(ozonStocks.get(item.offerId) ?? [], item.warehouseId)),
    }));
    const { result } = await ozon().call('updateStocks', { stocks });
    for (const item of pairs) {
      const answer = result.find((r) => r.offer_id === item.offerId && r.warehouse_id === item.warehouseId);
      const codes = (answer?.errors ?? []).map((e) => e.code ?? 'UNKNOWN');
      if (answer?.updated) {
        // Changed since it was read: it stays marked and goes again next time.
        if (await markPublished(item)) report.published++;
      } else if (!answer || codes.some((c) => RETRY_LATER_STOCK_ERRORS.has(c))) {
        report.retryLater++;
      } else {
        report.refused++;
        refused.push({ offerId: item.offerId, warehouseId: item.warehouseId, code: codes.join(', ') });
        if (alert) await markPublished(item);
      }
    }
  }
  if (alert && refused.length) await sendAccountAlert({ kind: 'stock_publish_refused', items: refused });
  emitMetric('StockPublished', report.published);
  return report;
}

/** What was marked since the last run (the poller's). */
export async function publishMarkedStock(): Promise<PublishReport> {
  return publishStock(await stockToPublish());
}

export interface ReconcileReport {
  checked: number;
  drifted: number;
}

/**
 * Ozon's figures read back and compared with what the product would publish; a difference (a change in the
 * cabinet, a lost update, another sales channel) is alerted and the item marked, so the next run corrects Ozon.
 * Only entries of a single warehouse are compared: a figure for several cannot be split between them.
 */
export async function reconcileStock(): Promise<ReconcileReport> {
  const ozonStocks = await ozonStocksOf();
  // Still marked: its figure has not reached Ozon yet (the publication is retried), so a difference is expected.
  const pending = new Set((await stockToPublish()).map((i) => `${i.warehouseId}#${i.offerId}`));
  const drifted: { offerId: string; warehouseId: number; ozon: number; product: number }[] = [];
  let checked = 0;
  const byWarehouse = new Map<number, string[]>();
  for (const [offerId, stocks] of ozonStocks) {
    for (const s of stocks) {
      const [warehouseId] = s.warehouse_ids ?? [];
      if (s.type === 'fbo' || warehouseId === undefined || (s.warehouse_ids?.length ?? 0) !== 1) continue;
      byWarehouse.set(warehouseId, [...(byWarehouse.get(warehouseId) ?? []), offerId]);
    }
  }
  for (const [warehouseId, offerIds] of byWarehouse) {
    const local = await getStock(warehouseId, offerIds);
    for (const offerId of offerIds) {
      const item = local.get(offerId);
      // Marked for publishing, or a moment ago: it differs from Ozon on purpose, its new figure is on its way.
      const justMarked = (item?.markedAt ?? 0) > now() - JUST_MARKED_MS;
      if (!item || justMarked || pending.has(`${warehouseId}#${offerId}`)) continue;
      const stocks = ozonStocks.get(offerId) ?? [];
      const entry = stocks.find((s) => s.warehouse_ids?.length === 1 && s.warehouse_ids[0] === warehouseId);
      if (!entry) continue;
      checked++;
      const product = publishableStock(item, ozonReservedAt(stocks, warehouseId));
      const onOzon = entry.present - entry.reserved;
      if (stockDrifted(onOzon, item, product)) drifted.push({ offerId, warehouseId, ozon: onOzon, product });
    }
  }
  for (const d of drifted) await markToPublish(d.warehouseId, [d.offerId]);
  if (drifted.length) await sendAccountAlert({ kind: 'stock_drift', items: drifted });
  emitMetric('StockDrift', drifted.length);
  return { checked, drifted: drifted.length };
}
