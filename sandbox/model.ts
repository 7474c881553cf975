/**
 * Posting state machine of the sandbox: creation, assembly, hand-over, transit, delivery, cancellation,
 * settlement, plus the v3 (get) / v4 (list) renderings of a posting.
 */
import {
  ACCRUAL_TYPES,
  BUYER_CANCEL_REASON,
  CANCEL_REASONS,
  CHAT_AFTER_DELIVERY_MS,
  COMMISSION_PERCENT,
  DEFAULT_DELIVERY_WINDOW,
  DEFAULT_TIMING,
} from './catalogue.js';
import type { Rng } from './rng.js';
import type { CreatePostingSpec, SandboxClock, SandboxProduct, SandboxWarehouse, Timing } from './types.js';

export interface Line {
  sku: number;
  offer_id: string;
  name: string;
  /** unit price, "1490.00" */
  price: string;
  quantity: number;
}

export interface Cancellation {
  cancel_reason_id: number;
  cancel_reason: string;
  cancellation_type: string;
  cancelled_after_ship: boolean;
  affect_cancellation_rating: boolean;
  cancellation_initiator: string;
}

export interface Posting {
  posting_number: string;
  order_id: number;
  order_number: string;
  schema: 'fbs' | 'rfbs';
  warehouse: SandboxWarehouse;
  status: string;
  substatus: string;
  previous_substatus: string;
  tracking_number: string;
  createdAt: number;
  shipmentDate: number;
  deliveringDate: number | null;
  deliveryBegin: number;
  deliveryEnd: number;
  lastChangedAt: number;
  lines: Line[];
  /** lines as ordered (financial_data / accruals keep the original price; quantities follow cancellations) */
  cancellation: Cancellation | null;
  assembling: boolean;
  shipFailed: boolean;
  shipFailsOnce: boolean;
  marksRequired: boolean;
  stall: false | 'awaiting_deliver' | 'delivering';
  sortingCentre: 'not_accepted' | 'arbitration' | undefined;
  payoutSkew: number;
  noAccruals: boolean;
  deliveredAt: number | null;
  /** simulated time at which accruals became visible; null = not (yet) */
  settledAt: number | null;
  timers: (() => void)[];
  chatId: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export type PushBody = Record<string, unknown>;

export interface ModelDeps {
  clock: SandboxClock;
  rng: Rng;
  products: SandboxProduct[];
  warehouses: SandboxWarehouse[];
  timing: Partial<Timing>;
  sellerId: number;
  push(body: PushBody): void;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const money = (n: number) => round2(n).toFixed(2);
export const iso = (ms: number) => new Date(ms).toISOString();

export const FINAL_STATUSES = new Set(['delivered', 'cancelled', 'cancelled_from_split_pending', 'not_accepted']);
const AFTER_PACKAGING = new Set(['awaiting_deliver', 'delivering', 'delivered', 'driver_pickup', 'arbitration']);

export class Model {
  readonly postings = new Map<string, Posting>();
  /** creation order */
  readonly order: Posting[] = [];
  readonly chats = new Map<
    string,
    { chat_id: string; posting_number: string; messages: { message_id: string; text: string; created_at: string }[] }
  >();
  private closed = false;
  private readonly global: (() => void)[] = [];

  constructor(private readonly d: ModelDeps) {}

  now() {
    return this.d.clock.now();
  }

  timing(p: { schema: 'fbs' | 'rfbs' }): Timing {
    return {
      ...DEFAULT_TIMING,
      deliveryWindow: DEFAULT_DELIVERY_WINDOW[p.schema],
      ...this.d.timing,
    };
  }

  /** schedule on the injected clock; remembered so that close()/cancel can stop it */
  schedule(p: Posting | null, delay: number, fn: () => void) {
    if (this.closed) return;
    let cancel: () => void = () => {};
    let done = false;
    const list = p ? p.timers : this.global;
    const wrapped = () => {
      if (done || this.closed) return;
      done = true;
      const i = list.indexOf(cancel);
      if (i >= 0) list.splice(i, 1);
      fn();
    };
    const inner = this.d.clock.schedule(delay, wrapped);
    cancel = () => {
      done = true;
      inner();
    };
    list.push(cancel);
  }

  close() {
    this.closed = true;
    for (const p of this.order) for (const c of p.timers.splice(0)) c();
    for (const c of this.global.splice(0)) c();
  }

  get(postingNumber: unknown): Posting {
    const p = typeof postingNumber === 'string' ? this.postings.get(postingNumber) : undefined;
    if (!p) throw new ApiError(404, 5, 'POSTING_NOT_FOUND');
    return p;
  }

  // ---------------------------------------------------------------- creation

  create(spec: CreatePostingSpec = {}): Posting {
    const rng = this.d.rng;
    const schema = spec.schema ?? 'fbs';
    const warehouse = this.d.warehouses.find((w) => w.is_rfbs === (schema === 'rfbs'));
    if (!warehouse) throw new Error(`sandbox: no ${schema === 'rfbs' ? 'rFBS' : 'FBS'} warehouse configured`);
    let lines: Line[];
    if (spec.lines?.length) {
      lines = spec.lines.map((l) => {
        const prod = this.d.products.find((p) => p.offer_id === l.offer_id);
        if (!prod) throw new Error(`sandbox: unknown offer_id ${l.offer_id}`);
        if (!Number.isInteger(l.quantity) || l.quantity < 1)
          throw new Error('sandbox: quantity must be a positive integer');
        return { ...prod, quantity: l.quantity };
      });
    } else {
      const n = Math.min(rng.int(1, 2), this.d.products.length);
      const pool = [...this.d.products];
      lines = [];
      for (let i = 0; i < n; i++) {
        const idx = rng.int(0, pool.length - 1);
        const [prod] = pool.splice(idx, 1);
        if (prod) lines.push({ ...prod, quantity: rng.int(1, 2) });
      }
    }
    let order_number: string;
    let posting_number: string;
    do {
      order_number = `${rng.int(10_000_000, 99_999_999)}-${String(rng.int(1, 9999)).padStart(4, '0')}`;
      posting_number = `${order_number}-1`;
    } while (this.postings.has(posting_number));
    const order_id = rng.int(100_000_000, 2_000_000_000);
    const now = this.now();
    const t = this.timing({ schema });
    const stall = spec.stall === true ? 'delivering' : spec.stall || false;
    const p: Posting = {
      posting_number,
      order_id,
      order_number,
      schema,
      warehouse,
      status: 'awaiting_packaging',
      substatus: 'posting_created',
      previous_substatus: '',
      tracking_number: '',
      createdAt: now,
      shipmentDate: now + (spec.shipmentSlaMs ?? t.shipmentSla),
      deliveringDate: null,
      deliveryBegin: Math.max(now, now + (spec.deliveryWindowMs ?? t.deliveryWindow) - 4 * 3_600_000),
      deliveryEnd: now + (spec.deliveryWindowMs ?? t.deliveryWindow),
      lastChangedAt: now,
      lines,
      cancellation: null,
      assembling: false,
      shipFailed: false,
      shipFailsOnce: !!spec.shipFailsOnce,
      marksRequired: !!spec.marksRequired,
      stall,
      sortingCentre: spec.sortingCentre,
      payoutSkew: spec.payoutSkew ?? 0,
      noAccruals: !!spec.noAccruals,
      deliveredAt: null,
      settledAt: null,
      timers: [],
      chatId: null,
    };
    this.postings.set(posting_number, p);
    this.order.push(p);
    // examples/push__TYPE_NEW_POSTING__1.json, ozon-api.md §4
    this.d.push({
      message_type: 'TYPE_NEW_POSTING',
      posting_number,
      products: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      in_process_at: iso(now),
      warehouse_id: warehouse.warehouse_id,
      seller_id: this.d.sellerId,
    });
    if (spec.cancelByBuyerAfterMs !== undefined) {
      this.schedule(p, spec.cancelByBuyerAfterMs, () => {
        if (!FINAL_STATUSES.has(p.status)) this.cancelByBuyer(p);
      });
    }
    return p;
  }

  // ---------------------------------------------------------------- transitions

  private setState(p: Posting, status: string, substatus: string, push = true) {
    const statusChanged = p.status !== status || p.substatus !== substatus;
    if (statusChanged) {
      p.previous_substatus = p.substatus;
      p.lastChangedAt = this.now();
    }
    p.status = status;
    p.substatus = substatus;
    if (push && statusChanged) {
      // examples/push__TYPE_STATE_CHANGED__*.json
      this.d.push({
        message_type: 'TYPE_STATE_CHANGED',
        posting_number: p.posting_number,
        new_state: substatus,
        changed_state_date: iso(this.now()),
        warehouse_id: p.warehouse.warehouse_id,
        seller_id: this.d.sellerId,
      });
    }
  }

  /** /v4/posting/fbs/ship validation + start of the async assembly */
  ship(p: Posting, packages: { products: { product_id: number; quantity: number }[] }[]) {
    if (p.status === 'cancelled' || p.status === 'cancelled_from_split_pending')
      throw new ApiError(400, 3, 'POSTING_ALREADY_CANCELLED');
    if (p.assembling || AFTER_PACKAGING.has(p.status)) throw new ApiError(400, 3, 'POSTING_ALREADY_SHIPPED');
    if (p.status !== 'awaiting_packaging') throw new ApiError(400, 3, 'HAS_INCORRECT_STATUS');
    if (packages.length !== 1) {
      throw new ApiError(
        400,
        3,
        'sandbox: splitting a posting into several packages is not supported, send one package',
      );
    }
    const want = new Map<number, number>();
    for (const pkg of packages) {
      for (const it of pkg.products) {
        if (!this.d.products.some((pr) => pr.sku === it.product_id))
          throw new ApiError(400, 3, 'UNKNOWN_PRODUCT_DEFINED');
        want.set(it.product_id, (want.get(it.product_id) ?? 0) + it.quantity);
      }
    }
    const have = new Map<number, number>();
    for (const l of p.lines) if (l.quantity > 0) have.set(l.sku, (have.get(l.sku) ?? 0) + l.quantity);
    const same = want.size === have.size && [...want].every(([sku, q]) => have.get(sku) === q);
    if (!same) throw new ApiError(400, 3, 'HAS_INCORRECT_PRODUCT_QUANTITY');
    if (p.marksRequired) throw new ApiError(400, 3, 'EXEMPLAR_INFO_NOT_FILLED_COMPLETELY');

    p.assembling = true;
    p.shipFailed = false;
    const t = this.timing(p);
    this.schedule(p, t.assembly, () => {
      p.assembling = false;
      if (p.status !== 'awaiting_packaging') return;
      if (p.shipFailsOnce) {
        // docs/14-fbs.md: substatus ship_failed, available action ship_async_retry; status stays awaiting_packaging
        p.shipFailsOnce = false;
        p.shipFailed = true;
        p.previous_substatus = p.substatus;
        p.substatus = 'ship_failed';
        return;
      }
      this.setState(p, 'awaiting_deliver', 'posting_transferring_to_delivery');
      if (p.schema === 'fbs' && p.stall !== 'awaiting_deliver') this.schedule(p, t.handover, () => this.handOver(p));
    });
  }

  private handOver(p: Posting) {
    if (p.status !== 'awaiting_deliver') return;
    if (p.sortingCentre === 'not_accepted') {
      this.setState(p, 'not_accepted', 'posting_not_in_sort_center');
      return;
    }
    if (p.sortingCentre === 'arbitration') {
      // The seller handed the parcel over but it was never scanned: a dispute, settled in the seller's favour.
      this.setState(p, 'arbitration', 'posting_in_arbitration');
      this.schedule(p, this.timing(p).transit, () => {
        if (p.status === 'arbitration') this.deliver(p);
      });
      return;
    }
    p.deliveringDate = this.now();
    this.setState(p, 'delivering', 'posting_on_way_to_city');
    if (p.stall) return;
    this.schedule(p, this.timing(p).transit, () => {
      if (p.status === 'delivering') this.deliver(p);
    });
  }

  private deliver(p: Posting) {
    p.deliveredAt = this.now();
    this.setState(p, 'delivered', 'posting_delivered');
    if (p.noAccruals) return;
    this.schedule(p, this.timing(p).settlement, () => {
      p.settledAt = this.now();
    });
  }

  /** rFBS non_integrated transitions; returns the per-item error string ('' on success) */
  rfbsAction(
    pn: string,
    action: 'tracking' | 'delivering' | 'last-mile' | 'delivered',
    trackingNumber?: string,
  ): string {
    const p = this.postings.get(pn);
    if (!p) return 'POSTING_NOT_FOUND';
    if (p.schema !== 'rfbs') return 'HAS_INCORRECT_TPL_INTEGRATION_TYPE';
    switch (action) {
      case 'tracking':
        if (p.status !== 'awaiting_deliver' && p.status !== 'delivering') return 'TRANSITION_IS_NOT_POSSIBLE';
        p.tracking_number = trackingNumber ?? '';
        return '';
      case 'delivering':
        if (p.status !== 'awaiting_deliver') return 'TRANSITION_IS_NOT_POSSIBLE';
        p.deliveringDate = this.now();
        this.setState(p, 'delivering', 'posting_transferred_to_courier_service');
        return '';
      case 'last-mile':
        if (p.status !== 'delivering' || p.substatus === 'posting_in_courier_service')
          return 'TRANSITION_IS_NOT_POSSIBLE';
        this.setState(p, 'delivering', 'posting_in_courier_service');
        return '';
      case 'delivered':
        if (p.status !== 'delivering') return 'TRANSITION_IS_NOT_POSSIBLE';
        this.deliver(p);
        return '';
    }
  }

  cancelReasonsFor(p: Posting) {
    if (FINAL_STATUSES.has(p.status)) return [];
    if (p.status === 'awaiting_packaging' || p.status === 'awaiting_deliver') {
      return CANCEL_REASONS.filter((r) => [352, 400, 402].includes(r.id));
    }
    if (p.schema === 'rfbs' && p.status === 'delivering')
      return CANCEL_REASONS.filter((r) => [665, 666, 667].includes(r.id));
    return [];
  }

  private doCancel(p: Posting, c: Cancellation, reasonMessage: string) {
    const oldState = p.substatus;
    for (const t of p.timers.splice(0)) t();
    p.assembling = false;
    p.cancellation = c;
    p.previous_substatus = p.substatus;
    p.status = 'cancelled';
    p.substatus = 'posting_canceled';
    p.lastChangedAt = this.now();
    // examples/push__TYPE_POSTING_CANCELLED__*.json
    this.d.push({
      message_type: 'TYPE_POSTING_CANCELLED',
      posting_number: p.posting_number,
      products: p.lines.filter((l) => l.quantity > 0).map((l) => ({ sku: l.sku, quantity: l.quantity })),
      old_state: oldState,
      new_state: 'posting_canceled',
      changed_state_date: iso(this.now()),
      reason: { id: c.cancel_reason_id, message: reasonMessage || c.cancel_reason },
      warehouse_id: p.warehouse.warehouse_id,
      seller_id: this.d.sellerId,
    });
  }

  sellerCancel(p: Posting, reasonId: number, message: string) {
    if (p.status === 'cancelled') throw new ApiError(400, 3, 'POSTING_ALREADY_CANCELLED');
    const reason = this.cancelReasonsFor(p).find((r) => r.id === reasonId);
    if (!reason) {
      if (FINAL_STATUSES.has(p.status) || this.cancelReasonsFor(p).length === 0)
        throw new ApiError(400, 3, 'HAS_INCORRECT_STATUS');
      throw new ApiError(400, 3, 'HAS_INCORRECT_CANCEL_REASON');
    }
    if (reasonId === 402 && !message.trim())
      throw new ApiError(400, 3, 'cancel_reason_message is required for cancel_reason_id 402');
    this.doCancel(
      p,
      {
        cancel_reason_id: reason.id,
        cancel_reason: reason.title,
        cancellation_type: 'seller',
        cancelled_after_ship: p.status !== 'awaiting_packaging',
        affect_cancellation_rating: reason.type_id === 'seller',
        cancellation_initiator: 'Продавец',
      },
      message,
    );
  }

  cancelByBuyer(p: Posting) {
    if (FINAL_STATUSES.has(p.status)) return false;
    this.doCancel(
      p,
      {
        cancel_reason_id: BUYER_CANCEL_REASON.id,
        cancel_reason: BUYER_CANCEL_REASON.title,
        cancellation_type: 'client',
        cancelled_after_ship: p.status !== 'awaiting_packaging',
        affect_cancellation_rating: false,
        cancellation_initiator: 'Клиент',
      },
      BUYER_CANCEL_REASON.title,
    );
    return true;
  }

  productCancel(p: Posting, reasonId: number, message: string, items: { sku: number; quantity: number }[]) {
    if (p.status === 'cancelled') throw new ApiError(400, 3, 'POSTING_ALREADY_CANCELLED');
    if (p.status !== 'awaiting_packaging' || p.assembling) throw new ApiError(400, 3, 'HAS_INCORRECT_STATUS');
    const reason = this.cancelReasonsFor(p).find((r) => r.id === reasonId);
    if (!reason) throw new ApiError(400, 3, 'HAS_INCORRECT_CANCEL_REASON');
    for (const it of items) {
      const line = p.lines.find((l) => l.sku === it.sku);
      if (!line || it.quantity < 1 || it.quantity > line.quantity)
        throw new ApiError(400, 3, 'HAS_INCORRECT_PRODUCT_QUANTITY');
    }
    for (const it of items) {
      const line = p.lines.find((l) => l.sku === it.sku);
      if (line) line.quantity -= it.quantity;
    }
    if (p.lines.every((l) => l.quantity === 0)) {
      // nothing left: the whole posting is cancelled (products in the push are the cancelled ones)
      for (const it of items) {
        const line = p.lines.find((l) => l.sku === it.sku);
        if (line) line.quantity += it.quantity;
      }
      this.sellerCancel(p, reasonId, message || reason.title);
      return;
    }
    p.lines = p.lines.filter((l) => l.quantity > 0);
    p.lastChangedAt = this.now();
  }

  // ---------------------------------------------------------------- money

  financialLines(p: Posting) {
    return p.lines.map((l) => {
      const price = Number(l.price);
      const gross = round2(price * l.quantity);
      const commission = round2((gross * COMMISSION_PERCENT) / 100);
      return { line: l, price, gross, commission, payout: round2(gross - commission) };
    });
  }

  expectedPayout(p: Posting) {
    return round2(this.financialLines(p).reduce((s, f) => s + f.payout, 0));
  }

  accruals(p: Posting) {
    if (p.settledAt === null || p.status !== 'delivered') return [];
    const date = iso(p.settledAt);
    const m = (n: number) => ({ amount: money(n), currency: 'RUB' });
    const out: Record<string, unknown>[] = [];
    for (const f of this.financialLines(p)) {
      out.push({
        accrual_date: date,
        type_id: ACCRUAL_TYPES.sale.id,
        sku: f.line.sku,
        quantity: f.line.quantity,
        accrued: m(f.gross),
        seller_price: m(f.price),
      });
      out.push({
        accrual_date: date,
        type_id: ACCRUAL_TYPES.commission.id,
        sku: f.line.sku,
        quantity: f.line.quantity,
        accrued: m(-f.commission),
        seller_price: m(f.price),
      });
    }
    if (p.payoutSkew) {
      out.push({
        accrual_date: date,
        type_id: p.payoutSkew < 0 ? ACCRUAL_TYPES.logistics.id : ACCRUAL_TYPES.compensation.id,
        sku: 0,
        quantity: 0,
        accrued: m(p.payoutSkew),
        seller_price: m(0),
      });
    }
    return out;
  }

  // ---------------------------------------------------------------- rendering

  canChat(p: Posting) {
    if (p.status === 'cancelled') return false;
    if (p.status === 'delivered') return p.deliveredAt !== null && this.now() - p.deliveredAt <= CHAT_AFTER_DELIVERY_MS;
    return true;
  }

  availableActions(p: Posting): string[] {
    const a: string[] = [];
    const qty = p.lines.reduce((s, l) => s + l.quantity, 0);
    if (p.status === 'awaiting_packaging') {
      a.push('cancel');
      if (p.assembling) a.push('ship_async_in_process');
      else {
        if (qty > 1) a.push('product_cancel');
        if (p.marksRequired) a.push('ship_with_additional_info', 'update_cis');
        else a.push('ship', p.shipFailed ? 'ship_async_retry' : 'ship_async');
      }
    } else if (p.status === 'awaiting_deliver') {
      a.push('cancel', 'label_download', 'label_download_big', 'label_download_small');
      if (p.schema === 'rfbs') a.push('set_track_number', 'non_int_delivering');
    } else if (p.status === 'delivering') {
      if (p.schema === 'rfbs') {
        a.push('cancel', 'set_track_number');
        if (p.substatus !== 'posting_in_courier_service') a.push('non_int_last_mile');
        a.push('non_int_delivered');
      } else a.push('click_track_number');
    }
    if (p.schema === 'rfbs' && !FINAL_STATUSES.has(p.status)) a.push('customer_phone_available');
    if (this.canChat(p)) a.push('can_create_chat');
    return a;
  }

  deliveryMethod(p: Posting) {
    const w = p.warehouse;
    return p.schema === 'fbs'
      ? {
          id: w.warehouse_id + 1,
          name: `Ozon Логистика курьеру, ${w.name}`,
          warehouse_id: w.warehouse_id,
          warehouse: w.name,
          tpl_provider_id: 24,
          tpl_provider: 'Ozon Логистика',
        }
      : {
          id: w.warehouse_id + 2,
          name: `Доставка силами продавца, ${w.name}`,
          warehouse_id: w.warehouse_id,
          warehouse: w.name,
          tpl_provider_id: 1000,
          tpl_provider: 'Собственная доставка продавца',
        };
  }

  private customer(p: Posting) {
    if (p.schema === 'fbs') return null;
    return {
      customer_id: 100_000 + (p.order_id % 900_000),
      name: 'Иван Покупатель',
      phone: '+79990000000',
      address: {
        address_tail: 'ул. Тверская, д. 1, кв. 1',
        city: 'Москва',
        comment: '',
        country: 'Россия',
        district: '',
        region: 'Москва',
        zip_code: '125009',
        latitude: 55.757,
        longitude: 37.615,
        pvz_code: 0,
        provider_pvz_code: '',
      },
    };
  }

  private analytics(p: Posting) {
    const dm = this.deliveryMethod(p);
    return {
      region: 'Москва',
      city: 'Москва',
      delivery_type: p.schema === 'fbs' ? 'Courier' : 'Seller',
      is_premium: false,
      payment_type_group_name: 'Карты оплаты',
      warehouse_id: dm.warehouse_id,
      warehouse: dm.warehouse,
      tpl_provider_id: dm.tpl_provider_id,
      tpl_provider: dm.tpl_provider,
      delivery_date_begin: iso(p.deliveryBegin),
      delivery_date_end: iso(p.deliveryEnd),
      is_legal: false,
      client_delivery_date_begin: iso(p.deliveryBegin),
      client_delivery_date_end: iso(p.deliveryEnd),
    };
  }

  private requirements(p: Posting) {
    return {
      products_requiring_mandatory_mark: p.marksRequired ? p.lines.map((l) => l.sku) : [],
      products_requiring_gtd: [],
      products_requiring_country: [],
      products_requiring_change_country: [],
      products_requiring_rnpt: [],
      products_requiring_jw_uin: [],
    };
  }

  private cancellation(p: Posting): Cancellation {
    return (
      p.cancellation ?? {
        cancel_reason_id: 0,
        cancel_reason: '',
        cancellation_type: '',
        cancelled_after_ship: false,
        affect_cancellation_rating: false,
        cancellation_initiator: '',
      }
    );
  }

  private barcodes(p: Posting) {
    return { upper_barcode: `%101%${p.order_id}`, lower_barcode: `${p.order_id}000` };
  }

  /** /v3/posting/fbs/get `result` (also used by sandbox.posting()) */
  renderV3(p: Posting, w: Record<string, unknown> = {}): Record<string, unknown> {
    const fin = this.financialLines(p);
    return {
      posting_number: p.posting_number,
      order_id: p.order_id,
      order_number: p.order_number,
      parent_posting_number: '',
      status: p.status,
      substatus: p.substatus,
      previous_substatus: p.previous_substatus,
      delivery_method: this.deliveryMethod(p),
      tracking_number: p.tracking_number,
      tpl_integration_type: p.schema === 'fbs' ? 'ozon' : 'non_integrated',
      in_process_at: iso(p.createdAt),
      shipment_date: iso(p.shipmentDate),
      shipment_date_without_delay: iso(p.shipmentDate),
      delivering_date: p.deliveringDate === null ? null : iso(p.deliveringDate),
      provider_status: '',
      delivery_price: '',
      available_actions: this.availableActions(p),
      cancellation: this.cancellation(p),
      customer: this.customer(p),
      addressee: p.schema === 'fbs' ? null : { name: 'Иван Покупатель', phone: '+79990000000' },
      products: p.lines.map((l) => ({
        sku: l.sku,
        offer_id: l.offer_id,
        name: l.name,
        quantity: l.quantity,
        price: l.price,
        currency_code: 'RUB',
        mandatory_mark: [],
        is_blr_traceable: false,
        dimensions: { height: '100.00', length: '200.00', weight: '500', width: '150.00' },
      })),
      barcodes: w.barcodes ? this.barcodes(p) : null,
      analytics_data: w.analytics_data ? this.analytics(p) : null,
      financial_data: w.financial_data
        ? {
            cluster_from: 'Москва, МО и Дальние регионы',
            cluster_to: 'Москва, МО и Дальние регионы',
            products: fin.map((f) => ({
              product_id: f.line.sku,
              price: f.price,
              old_price: f.price,
              payout: f.payout,
              commission_amount: f.commission,
              commission_percent: COMMISSION_PERCENT,
              quantity: f.line.quantity,
              currency_code: 'RUB',
              total_discount_value: 0,
              total_discount_percent: 0,
              actions: [],
              picking: null,
              client_price: '',
            })),
          }
        : null,
      legal_info: w.legal_info ? { company_name: '', inn: '', kpp: '' } : null,
      product_exemplars: w.product_exemplars ? { products: p.lines.map((l) => ({ sku: l.sku, exemplars: [] })) } : null,
      related_postings: w.related_postings ? { related_posting_numbers: [] } : null,
      courier: null,
      additional_data: [],
      is_express: false,
      is_multibox: false,
      multi_box_qty: 1,
      requirements: this.requirements(p),
      optional: { products_with_possible_mandatory_mark: [] },
      tariffication: {
        current_tariff_rate: 0,
        current_tariff_type: '',
        current_tariff_charge: '',
        current_tariff_charge_currency_code: '',
        next_tariff_rate: 0,
        next_tariff_type: '',
        next_tariff_charge: '',
        next_tariff_starts_at: iso(p.shipmentDate),
        next_tariff_charge_currency_code: '',
      },
      tariffication_steps: [],
      prr_option: null,
    };
  }

  /** v4 list posting (price objects, commission object; ozon-api.md §3.2 "v4:" notes) */
  renderV4(p: Posting, w: Record<string, unknown> = {}): Record<string, unknown> {
    const v3 = this.renderV3(p, w);
    const m = (n: number | string) => ({ amount: typeof n === 'number' ? money(n) : n, currency: 'RUB' });
    const fin = this.financialLines(p);
    return {
      ...v3,
      integration_type_flow: v3.tpl_integration_type,
      products: p.lines.map((l) => ({
        sku: l.sku,
        offer_id: l.offer_id,
        name: l.name,
        quantity: l.quantity,
        price: m(l.price),
        imei: [],
        weight: null,
        is_blr_traceable: false,
      })),
      requirements: { ...this.requirements(p), products_requiring_imei: [], products_requiring_weight: [] },
      financial_data: w.financial_data
        ? {
            cluster_from: 'Москва, МО и Дальние регионы',
            cluster_to: 'Москва, МО и Дальние регионы',
            products: fin.map((f) => ({
              product_id: f.line.sku,
              quantity: f.line.quantity,
              price: m(f.price),
              old_price: m(f.price),
              customer_price: m(f.price),
              payout: m(f.payout),
              commission: { amount: money(f.commission), currency: 'RUB', percent: COMMISSION_PERCENT },
              total_discount_value: m(0),
              total_discount_percent: 0,
              actions: [],
            })),
          }
        : null,
      tariffication: {
        current_tariff_rate: 0,
        current_tariff_type: '',
        current_tariff_charge: m(0),
        next_tariff_rate: 0,
        next_tariff_type: '',
        next_tariff_charge: m(0),
        next_tariff_starts_at: iso(p.shipmentDate),
      },
    };
  }
}
