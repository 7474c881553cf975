/**
 * The settlement lag: hours from delivery to the posting's settlement, as the metric `SettlementLagHours` — the
 * CloudWatch dashboard's daily average, and `npm run report`'s locally (metrics.jsonl).
 */
import { now } from '#shared/clock';
import type { Order } from '#shared/order';
import { emitMetric } from '#shared/powertools';

export function emitSettlementLag(order: Pick<Order, 'deliveredAt'>): void {
  if (!order.deliveredAt) return;
  const hours = (now() - Date.parse(order.deliveredAt)) / 3_600_000;
  if (Number.isFinite(hours) && hours >= 0) emitMetric('SettlementLagHours', Math.round(hours * 10) / 10);
}
