/** Public types of the Ozon Seller API sandbox. */
import type { AfterSaleView } from './aftersale.js';
import type { ChatMessage, ChatView } from './chat.js';

export interface SandboxClock {
  /** ms epoch, simulated */
  now(): number;
  /** delay in SIMULATED ms; returns cancel */
  schedule(delayMs: number, fn: () => void): () => void;
}

export interface SandboxProduct {
  sku: number;
  offer_id: string;
  /**
   * Ozon's product_id (the stock methods name products by offer_id or product_id; posting methods by sku).
   * Default: sku + 10_000_000_000, which is never any product's sku, so a client that mixes the two ids up is caught.
   */
  product_id?: number;
  name: string;
  /** "1490.00" RUB */
  price: string;
}

export interface SandboxWarehouse {
  warehouse_id: number;
  name: string;
  is_rfbs: boolean;
  /**
   * FBS: the drop-off point's limits that /v1/posting/fbs/restrictions answers for this warehouse's postings
   * (fields not given: `DEFAULT_DROPOFF_LIMITS`, catalogue.ts). Sandbox extension.
   */
  dropoffLimits?: Partial<DropoffLimits>;
  /**
   * FBS: the cutoff of the warehouse's delivery method, "HH:MM" in UTC (default `DEFAULT_CARRIAGE_CUTOFF`,
   * "13:00"). The carriage of departure date D has `cutoff_at` D at this time and hands its postings over then
   * (/v2/carriage/delivery/list, /v2/posting/fbs/act/create). Sandbox extension.
   */
  cutoff?: string;
  /**
   * FBS: the warehouse has entrusted acceptance ("доверительная приёмка"): /v2/posting/fbs/act/create takes a
   * `containers_count`, and /v2/warehouse/list and /v2/carriage/delivery/list say `has_entrusted_acceptance: true`.
   * Default false. Sandbox extension.
   */
  entrustedAcceptance?: boolean;
}

/**
 * The drop-off point's limits of an FBS posting, as /v1/posting/fbs/restrictions answers them (swagger
 * v1Restriction): weights in grams, sizes in centimetres, prices in roubles.
 */
export interface DropoffLimits {
  max_posting_weight: number;
  min_posting_weight: number;
  width: number;
  length: number;
  height: number;
  max_posting_price: number;
  min_posting_price: number;
}

/** One step of a late-shipment tariff (CreatePostingSpec.tariffSteps). */
export interface TariffStep {
  /** the step starts this many simulated ms after the posting's shipment_date */
  afterShipmentMs: number;
  /** tariff percent from then on (swagger `*_tariff_rate`; > 0 a surcharge, < 0 a discount) */
  rate: number;
}

/**
 * The seller's subscription (SandboxOptions.premium). Premium Plus: the chat methods that need it (/v1/chat/start,
 * /v1/chat/send/message, /v2/chat/read) and every metric and dimension of /v1/analytics/data; without it those answer
 * 403 code 7 PREMIUM_PLUS_REQUIRED and analytics gives revenue and ordered_units of the last three months only.
 * `premium` (Premium without Plus) differs from `none` only in /v1/rating/summary's `premium` flag.
 */
export type PremiumPlan = 'none' | 'premium' | 'premium_plus';

/** /v1/rating/summary `status` of an indicator (swagger v1RatingItem; UNKNOWN_STATUS is not produced) */
export type RatingStatus = 'OK' | 'WARNING' | 'CRITICAL';

/** A change of one rating indicator at a simulated time (SandboxOptions.rating.changes). */
export interface RatingChange {
  /** simulated ms after the sandbox's start */
  afterMs: number;
  /** the indicator's system name, one of `RATINGS` (rating.ts), e.g. `rating_on_time` */
  rating: string;
  value: number;
  /** default: from the indicator's thresholds (warning_threshold, danger_threshold) */
  status?: RatingStatus;
}

/** rFBS carrier types (tpl_integration_type) the sandbox models. */
export type RfbsTpl = 'non_integrated' | '3pl_tracking' | 'aggregator';

/**
 * Probabilities 0..1, all default 0; evaluated per API call / per push with the seeded RNG.
 * Change them while running with `OzonSandbox.setFaults`.
 */
export interface Faults {
  /** HTTP 429 {"code":8,"message":"You have reached request rate limit per second"} */
  rateLimit?: number;
  /** HTTP 500 {"code":13,"message":"Internal error","details":[]} */
  serverError?: number;
  /** HTTP 503 {"code":14,"message":"Circle is open","details":[]} */
  circleOpen?: number;
  /** push never sent */
  dropPush?: number;
  /** push sent twice */
  duplicatePush?: number;
  /** max extra random delay (simulated ms) before a push, to produce out-of-order delivery */
  delayPushMs?: number;
  /**
   * probability that an authenticated API answer is held back `slowMs` REAL ms before it is sent (the request
   * itself takes effect at once, as when Ozon answers after 10.5 s and the client has already given up)
   */
  slow?: number;
  /** real ms for `slow` (default 0: `slow` does nothing without it) */
  slowMs?: number;
  /**
   * Sandbox extension: these API paths answer every call with HTTP 503 {"code":14,"message":"Circle is open"} (one
   * Ozon method down for a while, as docs/00-overview.md describes it) until the list is set again.
   */
  unavailablePaths?: string[];
}

export interface Timing {
  /** after /v4/posting/fbs/ship until status becomes awaiting_deliver (default 30_000) */
  assembly: number;
  /** shipment_date = created + this (default 24h) */
  shipmentSla: number;
  /** FBS: awaiting_deliver -> delivering after this (default 2h) */
  handover: number;
  /** FBS: delivering -> delivered after this (default 24h) */
  transit: number;
  /** after delivered, accruals appear in /v1/finance/accrual/postings after this (default 6h) */
  settlement: number;
  /**
   * after /v6/fbs/posting/product/exemplar/set, the marks are checked ("Честный ЗНАК") for this long: the status is
   * validation_in_process until then (default 5_000)
   */
  exemplarCheck: number;
  /** analytics_data.delivery_date_end = created + this (default 5 days FBS, 20 days rFBS) */
  deliveryWindow: number;
  /**
   * rFBS aggregator: after the assembly the posting waits this long in awaiting_registration until Ozon has
   * registered it with the carrier and set its tracking number (default 20 minutes)
   */
  registration: number;
  /**
   * /v2/posting/fbs/act/create: the carriage (act) is `in_process` (check-status `in_process`) this long, then
   * `formed` (check-status `ready`): its documents can be downloaded and `removedFromAct` postings leave it
   * (default 60_000)
   */
  actForming: number;
  /**
   * A carriage hands its postings over (awaiting_deliver -> delivering, as `timing.handover` does for a posting in
   * no act) at its `cutoff_at`, but not sooner than this long after it was formed (default 0: at the cutoff, or at
   * once when formed if the cutoff has passed)
   */
  actHandover: number;
  /**
   * /v2/posting/fbs/package-label/create: a label task is `pending` for the first half of this, `in_progress` for the
   * second half, then `completed` (or `error`) (default 30_000)
   */
  /**
   * The day's assembly time ends this long before a carriage's cutoff: before it, an act is refused `not_packaged`
   * while a posting due that day is still to be assembled; within it the act takes what is assembled, and later
   * postings move to the next carriage (sandbox's reading of `not_packaged` / `new_postings_are_possible`).
   */
  actWindow: number;
  labelTask: number;
  /**
   * rFBS cancellation request (CreatePostingSpec.cancellationRequestAfterMs): `auto_approve_date` is this long after
   * the request (`cancelled_at`); unanswered then, the sandbox approves it itself and cancels the posting (default
   * 48 h: the docs give no figure; swagger's /v1/conditional-cancellation/get example is 48 h)
   */
  cancellationAutoApprove: number;
  /**
   * rFBS return request (CreatePostingSpec.returnAfterDeliveryMs): unanswered this long after it was made, it is
   * approved automatically and the buyer sends the parcel (default 72 h: ozon-api.md §5, "3 days then auto-approve")
   */
  returnDecision: number;
  /**
   * A returned parcel's way back: rFBS from the buyer's approval to the seller's pick-up point; FBS from the buyer's
   * hand-back to the seller's drop-off point, `ArrivedAtReturnPlace` (default 48 h)
   */
  returnTransit: number;
  /**
   * FBS return at the drop-off point: storage is free this long after arrival; then paid, from
   * `storage.tariffication_start_date` (default 7 days)
   */
  returnFreeStorage: number;
  /** FBS return not collected: `storage.utilization_forecast_date` = arrival + this; utilized then (default 30 days) */
  returnUtilization: number;
}

export interface SandboxOptions {
  /** 0/undefined = random free port on 127.0.0.1 */
  port?: number;
  clientId: string;
  apiKey: string;
  /** default: real time */
  clock?: SandboxClock;
  /** product webhook URL; pushes are POSTed here as JSON */
  pushUrl?: string;
  /** deterministic RNG for everything random (default 1) */
  seed?: number;
  products?: SandboxProduct[];
  warehouses?: SandboxWarehouse[];
  timing?: Partial<Timing>;
  faults?: Faults;
  /**
   * default true: more than 50 requests within any 1-second (real time) window per Client-Id -> 429 code 8; the same
   * for more than 80 calls of /v2/products/stocks within any 1-minute (real time) window
   */
  enforceRateLimit?: boolean;
  /**
   * Ozon's stock, free units (what /v2/products/stocks sets) of every (warehouse, offer) pair the seller has not
   * published yet (default 0: nothing is for sale until the seller publishes stock). Must be a whole number >= 0.
   */
  initialStock?: number;
  /**
   * default true: /v1/roles lists a "Prices & Stocks" role with the stock methods. false: a key created without it
   * (what `npm run doctor` reports as a missing role). The sandbox enforces no role: the methods answer either way.
   */
  stockRole?: boolean;
  /**
   * default false: an FBS posting hands over by `timing.handover` after assembly unless an act takes it. true: FBS
   * parcels leave only with their carriage (/v2/posting/fbs/act/create), at its cutoff, as at a real drop-off point;
   * a posting assembled after its date's act was made, or after the cutoff, moves to the next day's carriage
   * (TYPE_CUTOFF_DATE_CHANGED). A date whose act nobody makes hands nothing over. Sandbox extension.
   */
  handoverByCarriage?: boolean;
  /**
   * A fault: /v2/posting/fbs/act/create refuses every act with this token (400 code 3), e.g.
   * `has_postings_with_registration_error` from docs/00-overview.md's table — for the product's "act left to the
   * seller" path. Default: none. Sandbox extension.
   */
  actRefusal?: string;
  /**
   * The seller's subscription (default `premium_plus`: the chat methods work, as they always did here). See
   * `PremiumPlan`.
   */
  premium?: PremiumPlan;
  /**
   * The seller's rating (/v1/rating/summary, /v1/rating/history; rating.ts). `changes`: each indicator takes the
   * value (and status, default from its thresholds) `afterMs` simulated ms after the start — e.g.
   * `{ afterMs: 3_600_000, rating: 'rating_on_time', value: 91 }` turns WARNING an hour in. Kept in the state file;
   * ignored when a state file is restored. `penaltyScoreExceeded`: the summary's `penalty_score_exceeded` (default
   * false).
   */
  rating?: { changes?: RatingChange[]; penaltyScoreExceeded?: boolean };
  /** seller_id sent in pushes (default: Number(clientId) or 1) — sandbox extension */
  sellerId?: number;
  /**
   * At start, create this many FBS postings already at `awaiting_deliver` (assembled by hand in the cabinet, no
   * TYPE_NEW_POSTING push), drawn from the seed like any other posting. Ignored when a state file is restored.
   */
  preassembled?: number;
  /**
   * Durable state. If the file exists at start, every posting (with its pending transitions, as absolute simulated
   * due times, its exemplars and box count), the chats (and buyers' messages still to come), the rating's changes,
   * the after-sale records, the carriages (acts) and label tasks, Ozon's stock and the
   * RNG states are restored from it and each pending transition is rescheduled at
   * `due - clock.now()` (0 if overdue); the caller restarts its clock at (or after) the saved simulated time.
   * The whole state is written to it atomically (temp file in the same directory + rename) and synchronously
   * before any answer to a request that changed state, and right after any timer-driven change.
   * Not kept: the push log, calls, pending push deliveries/retries, faults, `setBlocked`, the push URL, `premium`,
   * `rating.penaltyScoreExceeded`.
   */
  stateFile?: string;
}

export interface CreatePostingSpec {
  /** rfbs => tpl_integration_type "non_integrated" (or `tpl`) on the rFBS warehouse; fbs => "ozon" */
  schema?: 'fbs' | 'rfbs';
  /**
   * rFBS only (with `schema: 'rfbs'`): who carries the parcel, rendered as `tpl_integration_type` and in
   * `delivery_method.tpl_provider`. Default `non_integrated`.
   * - `non_integrated`: the seller delivers and reports every status (/v2/fbs/posting/delivering, last-mile,
   *   delivered; tracking-number/set).
   * - `3pl_tracking`: an external carrier the seller registers the parcel with; the seller sets only the tracking
   *   number (/v2/fbs/posting/tracking-number/set). Once it is set, the carrier's tracking moves the posting:
   *   delivering after `timing.handover`, delivered after `timing.transit`. The three status calls answer
   *   HAS_INCORRECT_TPL_INTEGRATION_TYPE for it.
   * - `aggregator`: Ozon registers the parcel with the carrier. After the assembly the posting is
   *   awaiting_registration (posting_awaiting_registration) for `timing.registration`, then awaiting_deliver
   *   (posting_registered) with Ozon's tracking number, delivering after `timing.handover`, delivered after
   *   `timing.transit`. tracking-number/set and the three status calls answer HAS_INCORRECT_TPL_INTEGRATION_TYPE.
   */
  tpl?: RfbsTpl;
  /**
   * `tpl: 'aggregator'` only: the registration with the carrier fails — the posting stays awaiting_registration
   * with substatus posting_registration_error (pushed as TYPE_STATE_CHANGED) and never moves on by itself.
   */
  registrationFails?: boolean;
  /**
   * The posting is created at `awaiting_approve` (still pushed as TYPE_NEW_POSTING, stock reserved) and moves to
   * `awaiting_packaging` this many simulated ms later (TYPE_STATE_CHANGED, new_state posting_created). Ship is
   * refused with HAS_INCORRECT_STATUS until then. Only with the default `startAt`.
   */
  awaitingApproveMs?: number;
  /**
   * rFBS `non_integrated` only: `available_actions` holds `set_cutoff` (until hand-over) until the seller gives the
   * shipment date with /v1/posting/cutoff/set. Ship is not blocked meanwhile (the docs do not say it is).
   */
  cutoffRequired?: boolean;
  /** FBS: overrides the warehouse's drop-off limits that /v1/posting/fbs/restrictions answers for this posting */
  dropoffLimits?: Partial<DropoffLimits>;
  /**
   * Late-shipment tariff steps, in increasing `afterShipmentMs` order. `tariffication` (v3 get, v4 lists) shows,
   * from the simulated clock, the current step (rate 0 before the first one) and the next one, whose
   * `next_tariff_starts_at` is shipment_date + its `afterShipmentMs`; `tariffication_steps` lists them all.
   * Without it the postings render the empty tariffication they always had.
   */
  tariffSteps?: TariffStep[];
  /**
   * Status the posting is created at (default `awaiting_packaging`: a new order, pushed as TYPE_NEW_POSTING).
   * Any later status makes a posting the product has never seen: handled by hand in the Ozon cabinet, with a
   * back-dated history (in_process_at, shipment_date, delivering_date, delivery window; see adopt.ts), no push,
   * and the remaining transitions on the clock from now (FBS awaiting_deliver -> delivering after
   * `timing.handover`, -> delivered after `timing.transit`, accruals `timing.settlement` after delivery).
   * rFBS carriers (`tpl`) move on like FBS: an aggregator posting at awaiting_deliver is already registered.
   * `cancelled` = cancelled by the buyer before assembly. `sortingCentre` and `shipFailsOnce` only act on
   * postings that are still to be assembled / handed over.
   */
  startAt?: 'awaiting_packaging' | 'awaiting_deliver' | 'delivering' | 'delivered' | 'cancelled';
  /** default: 1–2 random catalogue lines */
  lines?: { offer_id: string; quantity: number }[];
  /**
   * FBS: the parcel gets stuck. `true` / `'delivering'` = reaches delivering and never delivered;
   * `'awaiting_deliver'` = never handed over. (The string form is a sandbox extension.)
   */
  stall?: boolean | 'awaiting_deliver' | 'delivering';
  /** accruals total = expected payout + this (RUB), default 0 */
  payoutSkew?: number;
  /** accruals never appear */
  noAccruals?: boolean;
  /**
   * `financial_data.products[].payout` is 0 until the parcel is handed over, as in many of Ozon's own examples of
   * postings before shipping; the real figure afterwards.
   */
  payoutUnknownUntilShipped?: boolean;
  /** buyer cancels this many simulated ms after creation (if not yet delivered) */
  cancelByBuyerAfterMs?: number;
  /**
   * Every product of the posting needs a "Честный ЗНАК" mark per unit: ship fails with
   * EXEMPLAR_INFO_NOT_FILLED_COMPLETELY until /v6/fbs/posting/product/exemplar/set was given a valid mark for every
   * unit and /v5/fbs/posting/product/exemplar/status says ship_available (see exemplars.ts).
   */
  marksRequired?: boolean;
  /**
   * The posting holds a multi-box product: is_multibox true until it is assembled, and ship fails with
   * MULTI_BOX_QTY_NOT_SET until /v3/posting/multiboxqty/set (or multi_box_qty in exemplar/set) gave the box count.
   */
  is_multibox?: boolean;
  /** first async assembly ends with substatus ship_failed (status back to awaiting_packaging), second succeeds */
  shipFailsOnce?: boolean;
  /**
   * FBS, at hand-over: `not_accepted` — the sorting centre rejects the parcel (posting_not_in_sort_center);
   * `arbitration` — the seller's dispute (posting_in_arbitration), resolved as delivered after the transit time.
   */
  sortingCentre?: 'not_accepted' | 'arbitration';
  /** the hand-over (awaiting_deliver -> delivering) this many simulated ms after assembly, overriding timing.handover */
  handoverMs?: number;
  /** the async assembly after a ship takes this many simulated ms, overriding timing.assembly (a slow warehouse day) */
  assemblyMs?: number;
  /**
   * FBS, handover day: the first carriage (/v2/posting/fbs/act/create) that takes this posting drops it again when
   * the act is formed — check-status lists it in `removed_from_act`, not in `added_to_act`. It stays
   * awaiting_deliver, its shipment_date (and so its departure date) moves one day later, and it goes with that
   * day's carriage; if no act takes it, it hands over by `timing.handover` (from the removal, but not before the
   * next day's cutoff). Once only: the next carriage keeps it.
   */
  removedFromAct?: boolean;
  /**
   * Label tasks (/v2/posting/fbs/package-label/create) leave this posting in `unprinted_postings` ("The next
   * postings aren't ready") this many times while it is awaiting_deliver, then print it. Default 0. Until then the
   * one-call /v2/posting/fbs/package-label refuses any call that includes it (one posting fails the call), without
   * counting down.
   */
  labelUnprinted?: number;
  /**
   * rFBS only: the buyer asks to cancel the order this many simulated ms after creation (if the posting has not
   * ended by then): a request `ON_APPROVAL` in /v2/conditional-cancellation/list, answered with
   * /v2/conditional-cancellation/approve (the posting is cancelled as by the buyer) or /reject (it goes on), or
   * approved by the sandbox at its `auto_approve_date` (`timing.cancellationAutoApprove`). No push (aftersale.ts).
   */
  cancellationRequestAfterMs?: number;
  /** the request's `cancellation_reason.id`: 501–508 or 710 (docs/53-cancelreasonapi.md, 507 swagger), default 507 */
  cancellationRequestReasonId?: number;
  /** the request's `cancellation_reason_message`, the buyer's own words (default '') */
  cancellationRequestMessage?: string;
  /**
   * The buyer returns one unit this many simulated ms after delivery. rFBS: a return request in
   * /v2/returns/rfbs/list (`ON_APPROVAL`), decided with /v1/returns/rfbs/action/set. FBS: a `ClientReturn` in
   * /v1/returns/list that Ozon brings to the seller's drop-off point (`OzonSandbox.collectReturn`). See aftersale.ts.
   */
  returnAfterDeliveryMs?: number;
  /** the return's reason, an id of `RETURN_REASONS` (catalogue.ts; its `is_defect` comes with it), default 1 */
  returnReasonId?: number;
  /** the offer returned (one unit); needs `lines` naming it. Default: the posting's first line */
  returnOfferId?: string;
  /** rFBS: the buyer's comment on the return request (`comment`, default '') */
  returnComment?: string;
  /** rFBS: how many photos the buyer attached (`client_photo` links the sandbox serves), default 0 */
  returnPhotos?: number;
  /**
   * The buyer writes in the posting's chat this many simulated ms after creation (the chat is opened if there is
   * none), whatever the posting's status: pushed as TYPE_NEW_MESSAGE, and the seller may answer for 48 h from then
   * (chat.ts).
   */
  buyerMessageAfterMs?: number;
  /** the buyer's words (default `DEFAULT_BUYER_MESSAGE`, a question in Russian about the order) */
  buyerMessageText?: string;
  /** shipment_date = created + this (simulated ms), overriding timing.shipmentSla for this posting */
  shipmentSlaMs?: number;
  /** analytics_data.delivery_date_end = created + this (simulated ms), overriding timing.deliveryWindow */
  deliveryWindowMs?: number;
}

/** Ozon's stock of one offer at one warehouse (/v2/product/info/stocks-by-warehouse/fbs) */
export interface SandboxStock {
  /** units at the warehouse, reserved ones included */
  present: number;
  /** units in postings not yet handed over (awaiting_packaging, awaiting_deliver) */
  reserved: number;
  /** present - reserved: what can be sold; what /v2/products/stocks sets */
  free: number;
}

export interface SandboxCall {
  /** real ms */
  at: number;
  path: string;
  body: unknown;
  status: number;
  clientId: string;
}

export interface SandboxPushRecord {
  /** real ms when the attempt finished (or was dropped) */
  at: number;
  body: unknown;
  status: number | 'dropped' | 'error';
  /** sandbox extension: simulated time of the attempt */
  simAt?: number;
  /** sandbox extension: 1 for the first delivery attempt, 2.. for retries */
  attempt?: number;
}

export interface OzonSandbox {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  setPushUrl(url: string): void;
  /** creates (status awaiting_packaging) and pushes TYPE_NEW_POSTING; see `CreatePostingSpec.startAt` */
  createPosting(spec?: CreatePostingSpec): { posting_number: string };
  cancelByBuyer(postingNumber: string): void;
  /** current full posting object (the /v3/posting/fbs/get result shape, with every `with` block) */
  posting(postingNumber: string): unknown | undefined;
  /** the posting's status now (cheap: no rendering), undefined for an unknown posting */
  statusOf(postingNumber: string): string | undefined;
  /** Ozon's stock of an offer at a warehouse; throws for an unknown warehouse or offer */
  stockOf(warehouseId: number, offerId: string): SandboxStock;
  /**
   * Sets the free units of an offer at a warehouse, as /v2/products/stocks does (present = stock + reserved), but
   * outside the API: no rate limit, no 30-second rule, and it does not start one.
   */
  setStock(warehouseId: number, offerId: string, stock: number): void;
  /** every API request received, in order */
  calls: SandboxCall[];
  pushes: SandboxPushRecord[];
  /** the highest count of requests seen in any 1-second real-time window */
  maxRequestsPerSecond(): number;
  /** merge into the current faults (a key set to 0 or undefined switches that fault off) */
  setFaults(partial: Faults): void;
  /** while true, every authenticated request is answered HTTP 403 {"code":7,"message":"client is blocked"} */
  setBlocked(blocked: boolean): void;
  /**
   * The buyer's FBS return, waiting at the seller's drop-off point (`ArrivedAtReturnPlace`), is collected by the
   * seller: `ReceivedBySeller` in /v1/returns/list (the real seller collects it in person). Throws for an unknown id
   * or a return not waiting there.
   */
  collectReturn(returnId: number): void;
  /**
   * The after-sale records as the sandbox keeps them (copies): cancellation requests (with `resolution`:
   * `approved`, `rejected`, `autoApproved` at auto_approve_date, `autoClosed` when the posting ended first), rFBS
   * return requests (with `autoApproved`) and FBS returns. See aftersale.ts.
   */
  afterSale(): AfterSaleView;
  /**
   * Every chat with its messages (copies): `{ chat_id, posting_number, created_at, messages: [{ message_id, author:
   * 'seller' | 'buyer', text, created_at }], read_up_to }`, in the order they were opened (chat.ts).
   */
  chats(): ChatView;
  /**
   * The buyer writes now in the posting's chat (opened if there is none), as `CreatePostingSpec.buyerMessageAfterMs`
   * does at its time: TYPE_NEW_MESSAGE is pushed. Text default `DEFAULT_BUYER_MESSAGE`. Throws for an unknown posting.
   */
  buyerWrites(postingNumber: string, text?: string): ChatMessage & { chat_id: string };
  /**
   * A rating indicator (`RATINGS`, rating.ts) takes this value from now; status default from its thresholds.
   * Throws for an unknown indicator or status.
   */
  setRating(rating: string, value: number, status?: RatingStatus): void;
  /** the state a state file holds (the same JSON object, whether or not `stateFile` is set); see state.ts */
  snapshot(): unknown;
  /** stops server and all timers */
  close(): Promise<void>;
}
