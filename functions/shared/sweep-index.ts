/**
 * The sparse sweep index, named and shaped once for the stack (infra/stack.ts) and the code that queries it: the
 * postings a sweep (deadlines, restock, payouts) must find, by shipment date (order-store.ts SWEEP_GROUP).
 */
export const PHASE_INDEX = 'bySweep';

/**
 * The order's attributes copied into the index besides its keys: the payout sweep judges each posting's accruals
 * from them without reading the order. Both change only while a posting waits for its payout.
 */
export const SWEEP_PROJECTION = ['expectedPayout', 'accrued'] as const;
