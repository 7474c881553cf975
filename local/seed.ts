/** The demo seller's stock for local runs: every sandbox product in every warehouse, glass and ceramics fragile. */
import type { Handling } from '#stock/rules';
import { addStock } from '#stock/stock-store';
import { DEFAULT_PRODUCTS, DEFAULT_WAREHOUSES } from '../sandbox/index';

export const DEMO_HANDLING: Record<string, Handling[]> = {
  'MUG-350-WHT': ['fragile'],
  'LAMP-LED-E27': ['fragile'],
  'KETTLE-17L': ['fragile', 'keep_upright'],
  'BOTTLE-750-STL': ['liquid'],
};

export async function seedDemoStock(unitsPerProduct = 1000, units: Record<string, number> = {}): Promise<void> {
  for (const warehouse of DEFAULT_WAREHOUSES) {
    for (const product of DEFAULT_PRODUCTS) {
      await addStock(warehouse.warehouse_id, product.offer_id, units[product.offer_id] ?? unitsPerProduct, {
        name: product.name,
        handling: DEMO_HANDLING[product.offer_id] ?? [],
      });
    }
  }
}
