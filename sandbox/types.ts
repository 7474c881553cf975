/** Public types of the Ozon Seller API sandbox. */

export interface SandboxClock {
  /** ms epoch, simulated */
  now(): number;
  /** delay in SIMULATED ms; returns cancel */
  schedule(delayMs: number, fn: () => void): () => void;
}

export interface SandboxProduct {
  sku: number;
  offer_id: string;
  name: string;
  /** "1490.00" RUB */
  price: string;
}

export interface SandboxWarehouse {
  warehouse_id: number;
  name: string;
  is_rfbs: boolean;
}

/** Probabilities 0..1, all default 0; evaluated per API call / per push with the seeded RNG. */
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
  /** analytics_data.delivery_date_end = created + this (default 5 days FBS, 20 days rFBS) */
  deliveryWindow: number;
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
  /** default true: more than 50 requests within any 1-second (real time) window per Client-Id -> 429 code 8 */
  enforceRateLimit?: boolean;
  /** seller_id sent in pushes (default: Number(clientId) or 1) — sandbox extension */
  sellerId?: number;
}

export interface CreatePostingSpec {
  /** rfbs => tpl_integration_type "non_integrated" on the rFBS warehouse; fbs => "ozon" */
  schema?: 'fbs' | 'rfbs';
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
  /** buyer cancels this many simulated ms after creation (if not yet delivered) */
  cancelByBuyerAfterMs?: number;
  /** ship fails with EXEMPLAR_INFO_NOT_FILLED_COMPLETELY */
  marksRequired?: boolean;
  /** first async assembly ends with substatus ship_failed (status back to awaiting_packaging), second succeeds */
  shipFailsOnce?: boolean;
  /**
   * FBS, at hand-over: `not_accepted` — the sorting centre rejects the parcel (posting_not_in_sort_center);
   * `arbitration` — the seller's dispute (posting_in_arbitration), resolved as delivered after the transit time.
   */
  sortingCentre?: 'not_accepted' | 'arbitration';
  /** shipment_date = created + this (simulated ms), overriding timing.shipmentSla for this posting */
  shipmentSlaMs?: number;
  /** analytics_data.delivery_date_end = created + this (simulated ms), overriding timing.deliveryWindow */
  deliveryWindowMs?: number;
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
  /** creates (status awaiting_packaging) and pushes TYPE_NEW_POSTING */
  createPosting(spec?: CreatePostingSpec): { posting_number: string };
  cancelByBuyer(postingNumber: string): void;
  /** current full posting object (the /v3/posting/fbs/get result shape, with every `with` block) */
  posting(postingNumber: string): unknown | undefined;
  /** every API request received, in order */
  calls: SandboxCall[];
  pushes: SandboxPushRecord[];
  /** the highest count of requests seen in any 1-second real-time window */
  maxRequestsPerSecond(): number;
  /** stops server and all timers */
  close(): Promise<void>;
}
