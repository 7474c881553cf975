/**
 * What Ozon's statuses mean to the product, in one place: the webhook, the poller and the steps agree through it.
 * Pure.
 */
/** Statuses after which the parcel has left the seller: assembly is over. */
const ASSEMBLED = new Set([
  'awaiting_registration',
  'acceptance_in_progress',
  'awaiting_deliver',
  'driver_pickup',
  'delivering',
  'delivered',
  'arbitration',
  'client_arbitration',
]);
const CANCELLED = new Set(['cancelled', 'cancelled_from_split_pending']);

export const isCancelled = (status: string) => CANCELLED.has(status);
export const isAssembled = (status: string) => ASSEMBLED.has(status);

/**
 * Push `new_state` → API `status`, from Ozon's mapping table. Unknown `posting_<x>` names map to `<x>`, which is
 * Ozon's own rule for everything the table does not list.
 */
const PUSH_STATE_TO_STATUS: Record<string, string> = {
  posting_created: 'awaiting_packaging',
  posting_transferring_to_delivery: 'awaiting_deliver',
  posting_in_carriage: 'awaiting_deliver',
  posting_not_in_carriage: 'awaiting_deliver',
  posting_on_way_to_city: 'delivering',
  posting_transferred_to_courier_service: 'delivering',
  posting_in_courier_service: 'delivering',
  posting_on_way_to_pickup_point: 'delivering',
  posting_in_pickup_point: 'delivering',
  posting_conditionally_delivered: 'delivering',
  posting_delivered: 'delivered',
  posting_received: 'delivered',
  posting_canceled: 'cancelled',
  posting_cancelled: 'cancelled',
  posting_not_in_sort_center: 'not_accepted',
  posting_in_arbitration: 'arbitration',
  posting_in_client_arbitration: 'client_arbitration',
  posting_driver_pick_up: 'driver_pickup',
  // An aggregator's carrier registration (rFBS): registering, refused (still awaiting registration), registered.
  posting_awaiting_registration: 'awaiting_registration',
  posting_registration_error: 'awaiting_registration',
  posting_registered: 'awaiting_deliver',
  // A ship in several packages split the posting: the old one ends (confirmed with Ozon like a cancellation).
  posting_split_pending: 'cancelled_from_split_pending',
};
export function statusFromPushState(state: string): string {
  // Own properties only: a push saying "constructor" must not find Object.prototype's.
  return Object.hasOwn(PUSH_STATE_TO_STATUS, state)
    ? (PUSH_STATE_TO_STATUS[state] as string)
    : state.replace(/^posting_/, '');
}

/** In a dispute: the parcel's fate is decided by Ozon's arbitration. */
export const DISPUTED = new Set(['arbitration', 'client_arbitration']);

/** Only here does Ozon let the seller cancel a posting or some of its products (docs/14-fbs.md). */
const CANCELLABLE_BY_SELLER = new Set(['awaiting_packaging', 'awaiting_approve']);
export const sellerMayCancel = (status: string) => CANCELLABLE_BY_SELLER.has(status);

/** Statuses before a courier or the drop-off point took the parcel: a cancellation here leaves the goods with us. */
const NOT_YET_HANDED_OVER = new Set([
  'awaiting_packaging',
  'awaiting_approve',
  'awaiting_registration',
  'awaiting_deliver',
]);
export const handedOver = (status: string) => !NOT_YET_HANDED_OVER.has(status) && !isCancelled(status);

/**
 * Where a posting joins OrderLifecycle, from Ozon's status: the product may first meet it at any status (a restart,
 * a first deploy onto an account with orders in flight, a posting assembled by hand in the cabinet) and must never
 * re-run a phase Ozon has already passed — above all, never reserve and then cancel stock that already left.
 */
export type JoinAt = 'reserve' | 'pack' | 'transit' | 'settle' | 'cancelled';
export function joinAt(status: string): JoinAt {
  if (isCancelled(status)) return 'cancelled';
  if (status === 'delivered') return 'settle';
  if (status === 'awaiting_deliver' || status === 'awaiting_registration') return 'pack';
  if (isAssembled(status) || status === 'not_accepted' || status === 'sent_by_seller') return 'transit';
  return 'reserve';
}
