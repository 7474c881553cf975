/** What a posting wants per offer, and what of it the seller's stock cannot cover right now. */
import type { Order } from '#shared/order';
import { reservationLines, shortages } from './rules';
import { getStock } from './stock-store';

export async function currentShortages(order: Order) {
  const wanted = reservationLines(order.lines);
  const stock = await getStock(
    order.warehouseId,
    wanted.map((l) => l.offerId),
  );
  return { wanted, short: shortages(wanted, stock) };
}
