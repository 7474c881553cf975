/**
 * Posting state machine of the sandbox: creation, assembly, hand-over, transit, delivery, cancellation,
 * settlement. Renderings are in render.ts, postings created mid-life in adopt.ts.
 *
 * Every scheduled transition is data (`Posting.pending`: kind + absolute simulated due time), not a closure,
 * so that a state file can carry it across a restart (state.ts).
 */

import { adopt, carrierTrackingNumber, START_AT } from './adopt.js';
import {
  ACCRUAL_TYPES,
  BUYER_CANCEL_REASON,
  CANCEL_REASONS,
  CHAT_AFTER_DELIVERY_MS,
  COMMISSION_PERCENT,
  DEFAULT_DELIVERY_WINDOW,
  DEFAULT_DROPOFF_LIMITS,
  DEFAULT_TIMING,
  fbsDeliveryMethod,
  RFBS_DELIVERY,
  RFBS_TPLS,
  tplOf,
} from './catalogue.js';
import { type Exemplar, type ExemplarSet, exemplarIds, exemplarStatus } from './exemplars.js';
import { renderV3, renderV4 } from './render.js';
import type { Rng } from './rng.js';
import { holdsReservation, type StockBook } from './stock.js';
import type {
  CreatePostingSpec,
  DropoffLimits,
  RfbsTpl,
  SandboxClock,
  SandboxProduct,
  SandboxWarehouse,
  TariffStep,
  Timing,
} from './types.js';
import { iso, money, round2 } from './util.js';

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
  sortingCentre?: 'not_accepted' | 'arbitration';
  payoutSkew: number;
  noAccruals: boolean;
  /** see CreatePostingSpec.payoutUnknownUntilShipped */
  payoutUnknownUntilShipped?: boolean;
  deliveredAt: number | null;
  /** simulated time at which accruals became visible; null = not (yet) */
  settledAt: number | null;
  /** scheduled transitions, in the order they were scheduled */
  pending: Task[];
  chatId: string | null;
  /** holds a multi-box product: the box count must be given before ship */
  multiBox: boolean;
  /** the box count given by /v3/posting/multiboxqty/set or exemplar/set; null = not yet */
  multiBoxQty: number | null;
  /** what /v6/fbs/posting/product/exemplar/set stored; null = never called */
  exemplars: ExemplarSet | null;
  /** rFBS carrier type (CreatePostingSpec.tpl); absent on FBS postings. Read it with `tplOf`. */
  tpl?: RfbsTpl;
  /** aggregator: the registration with the carrier ends in posting_registration_error */
  registrationFails: boolean;
  /** CreatePostingSpec.handoverMs: this posting's own hand-over time; null = timing.handover */
  handoverMs: number | null;
  /** CreatePostingSpec.assemblyMs: this posting's own assembly time; null = timing.assembly */
  assemblyMs: number | null;
  /** rFBS non_integrated: `set_cutoff` is pending until /v1/posting/cutoff/set gave the shipment date */
  cutoffPending: boolean;
  /** the posting this one was split from by a multi-package ship; '' = none (swagger parent_posting_number) */
  parentPostingNumber: string;
  /** CreatePostingSpec.tariffSteps; null = none (the empty tariffication) */
  tariffSteps: TariffStep[] | null;
  /** CreatePostingSpec.dropoffLimits; null = the warehouse's limits */
  dropoffLimits: Partial<DropoffLimits> | null;
  /** CreatePostingSpec.removedFromAct, until the carriage that takes the posting drops it (handover.ts) */
  removedFromAct: boolean;
  /** CreatePostingSpec.labelUnprinted: label tasks still to leave it unprinted */
  labelUnprinted: number;
  /** the carriage (act) the posting is in (handover.ts); null = none, it hands over by timing.handover */
  carriageId: number | null;
}

export const TASK_KINDS = [
  'buyerCancel',
  'assembled',
  'handover',
  'arbitrationResolved',
  'deliver',
  'settle',
  'approved',
  'registered',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
export interface Task {
  kind: TaskKind;
  /** absolute simulated ms */
  due: number;
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
  /** Ozon's stock: postings reserve units at their warehouse and give them back when cancelled */
  stocks: StockBook;
  push(body: PushBody): void;
  /** a scheduled transition is about to run (the caller persists the state after it) */
  onTimer?(): void;
  /**
   * SandboxOptions.handoverByCarriage: an FBS parcel leaves only with its carriage; instead of its own hand-over, an
   * assembled FBS posting is placed in the carriage of its date (handover.ts), or the next one open.
   */
  handoverByCarriage?: boolean;
  placeInCarriage?(p: Posting): void;
  /**
   * With handoverByCarriage: the shipment date Ozon gives a new FBS posting, the cutoff of the carriage it is
   * planned for — the warehouse's cutoff on the UTC date `at` falls on, or the next day's if that one has passed.
   */
  plannedCutoff?(warehouse: SandboxWarehouse, at: number): number;
  /**
   * The posting's status (or substatus) changed, after its push: the after-sale records follow delivery and the
   * end of a posting (aftersale.ts).
   */
  onStatusChange?(p: Posting): void;
  /** the buyer wrote in the posting's chat within the last 48 h: the seller may answer (chat.ts) */
  chatReplyOpen?(p: Posting): boolean;
}

export { tplOf } from './catalogue.js';
export { iso } from './util.js';

export const FINAL_STATUSES = new Set(['delivered', 'cancelled', 'cancelled_from_split_pending', 'not_accepted']);
const AFTER_PACKAGING = new Set([
  'awaiting_registration',
  'awaiting_deliver',
  'delivering',
  'delivered',
  'driver_pickup',
  'arbitration',
]);
/** not yet assembled: a cancellation now is not "after ship" */
const BEFORE_SHIP = new Set(['awaiting_approve', 'awaiting_packaging']);
/** still at the seller's: the seller may cancel with reasons 352/400/402, and set_cutoff is still possible */
const BEFORE_HANDOVER = new Set([
  'awaiting_approve',
  'awaiting_packaging',
  'awaiting_registration',
  'awaiting_deliver',
]);

export class Model {
  readonly postings = new Map<string, Posting>();
  /** creation order */
  readonly order: Posting[] = [];
  private closed = false;
  /** clock cancel functions of the tasks in some `Posting.pending` */
  private readonly cancels = new Map<Task, () => void>();

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

  /** schedule a transition `delay` simulated ms from now */
  schedule(p: Posting, kind: TaskKind, delay: number) {
    if (kind === 'handover' && p.schema === 'fbs' && this.d.handoverByCarriage) {
      this.d.placeInCarriage?.(p);
      return;
    }
    this.scheduleTask(p, { kind, due: this.now() + Math.max(0, delay) });
  }

  /** put a task on the clock; also used on restore, where a task already overdue runs on the clock's next turn */
  scheduleTask(p: Posting, task: Task) {
    if (this.closed) return;
    if (!p.pending.includes(task)) p.pending.push(task);
    const cancel = this.d.clock.schedule(Math.max(0, task.due - this.now()), () => {
      if (this.closed || !this.cancels.delete(task)) return;
      const i = p.pending.indexOf(task);
      if (i >= 0) p.pending.splice(i, 1);
      this.d.onTimer?.();
      this.run(p, task.kind);
    });
    this.cancels.set(task, cancel);
  }

  /** drop the posting's pending transitions of one kind (a carriage takes over its hand-over: handover.ts) */
  cancelPending(p: Posting, kind: TaskKind) {
    for (const task of p.pending.filter((t) => t.kind === kind)) {
      p.pending.splice(p.pending.indexOf(task), 1);
      this.cancels.get(task)?.();
      this.cancels.delete(task);
    }
  }

  private cancelTasks(p: Posting) {
    for (const task of p.pending.splice(0)) {
      this.cancels.get(task)?.();
      this.cancels.delete(task);
    }
  }

  private run(p: Posting, kind: TaskKind) {
    switch (kind) {
      case 'buyerCancel':
        if (!FINAL_STATUSES.has(p.status)) this.cancelByBuyer(p);
        return;
      case 'assembled':
        return this.assembled(p);
      case 'handover':
        return this.handOver(p);
      case 'arbitrationResolved':
        if (p.status === 'arbitration') this.deliver(p);
        return;
      case 'deliver':
        if (p.status === 'delivering') this.deliver(p);
        return;
      case 'settle':
        p.settledAt = this.now();
        return;
      case 'approved':
        // awaiting_approve -> awaiting_packaging; the substatus stays posting_created (ozon-api.md: posting_created
        // maps to awaiting_approve / awaiting_packaging), so the push says new_state posting_created
        if (p.status === 'awaiting_approve') this.setState(p, 'awaiting_packaging', 'posting_created');
        return;
      case 'registered':
        return this.registered(p);
    }
  }

  /** Stops the clock callbacks. `Posting.pending` stays: it is part of the state a state file keeps. */
  close() {
    this.closed = true;
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
  }

  /** Load postings from a state file and put their pending transitions back on the clock, due first. */
  restore(postings: Posting[]) {
    for (const p of postings) {
      this.postings.set(p.posting_number, p);
      this.order.push(p);
    }
    const tasks = postings.flatMap((p) => p.pending.map((task) => ({ p, task })));
    tasks.sort((a, b) => a.task.due - b.task.due); // stable: ties keep creation / scheduling order
    for (const { p, task } of tasks) this.scheduleTask(p, task);
  }

  get(postingNumber: unknown): Posting {
    const p = typeof postingNumber === 'string' ? this.postings.get(postingNumber) : undefined;
    if (!p) throw new ApiError(404, 5, 'POSTING_NOT_FOUND');
    return p;
  }

  // ---------------------------------------------------------------- creation

  create(spec: CreatePostingSpec = {}): Posting {
    const rng = this.d.rng;
    const startAt = spec.startAt ?? 'awaiting_packaging';
    if (!START_AT.includes(startAt)) throw new Error(`sandbox: unknown startAt ${String(startAt)}`);
    const schema = spec.schema ?? 'fbs';
    checkSpec(spec, schema, startAt);
    const warehouse = this.d.warehouses.find((w) => w.is_rfbs === (schema === 'rfbs'));
    if (!warehouse) throw new Error(`sandbox: no ${schema === 'rfbs' ? 'rFBS' : 'FBS'} warehouse configured`);
    let lines: Line[];
    if (spec.lines?.length) {
      lines = spec.lines.map((l) => {
        const prod = this.d.products.find((p) => p.offer_id === l.offer_id);
        if (!prod) throw new Error(`sandbox: unknown offer_id ${l.offer_id}`);
        if (!Number.isInteger(l.quantity) || l.quantity < 1)
          throw new Error('sandbox: quantity must be a positive integer');
        return { sku: prod.sku, offer_id: prod.offer_id, name: prod.name, price: prod.price, quantity: l.quantity };
      });
    } else {
      const n = Math.min(rng.int(1, 2), this.d.products.length);
      const pool = [...this.d.products];
      lines = [];
      for (let i = 0; i < n; i++) {
        const idx = rng.int(0, pool.length - 1);
        const [prod] = pool.splice(idx, 1);
        if (prod)
          lines.push({
            sku: prod.sku,
            offer_id: prod.offer_id,
            name: prod.name,
            price: prod.price,
            quantity: rng.int(1, 2),
          });
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
      status: spec.awaitingApproveMs !== undefined ? 'awaiting_approve' : 'awaiting_packaging',
      substatus: 'posting_created',
      previous_substatus: '',
      tracking_number: '',
      createdAt: now,
      // Ozon plans a new FBS posting for a carriage: its shipment date is that carriage's cutoff, so the parcel does
      // not move (and no TYPE_CUTOFF_DATE_CHANGED is pushed) when it is placed in it. An explicit SLA is kept as given.
      shipmentDate:
        schema === 'fbs' && spec.shipmentSlaMs === undefined && this.d.plannedCutoff
          ? this.d.plannedCutoff(warehouse, now + t.shipmentSla)
          : now + (spec.shipmentSlaMs ?? t.shipmentSla),
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
      payoutUnknownUntilShipped: !!spec.payoutUnknownUntilShipped,
      deliveredAt: null,
      settledAt: null,
      pending: [],
      chatId: null,
      multiBox: !!spec.is_multibox,
      multiBoxQty: null,
      exemplars: null,
      ...(schema === 'rfbs' ? { tpl: spec.tpl ?? 'non_integrated' } : {}),
      registrationFails: !!spec.registrationFails,
      handoverMs: spec.handoverMs ?? null,
      assemblyMs: spec.assemblyMs ?? null,
      cutoffPending: !!spec.cutoffRequired,
      parentPostingNumber: '',
      tariffSteps: spec.tariffSteps?.map((st) => ({ afterShipmentMs: st.afterShipmentMs, rate: st.rate })) ?? null,
      dropoffLimits: spec.dropoffLimits ? { ...spec.dropoffLimits } : null,
      removedFromAct: !!spec.removedFromAct,
      labelUnprinted: spec.labelUnprinted ?? 0,
      carriageId: null,
    };
    this.postings.set(posting_number, p);
    this.order.push(p);
    if (startAt === 'awaiting_packaging') {
      // examples/push__TYPE_NEW_POSTING__1.json, ozon-api.md §4
      this.d.push({
        message_type: 'TYPE_NEW_POSTING',
        posting_number,
        products: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
        in_process_at: iso(now),
        warehouse_id: warehouse.warehouse_id,
        seller_id: this.d.sellerId,
      });
      if (spec.awaitingApproveMs !== undefined) this.schedule(p, 'approved', spec.awaitingApproveMs);
    } else {
      // Handled by hand in the Ozon cabinet before the product ever saw it: no push, back-dated history.
      for (const next of adopt(p, startAt, t, now)) this.schedule(p, next.kind, next.delay);
    }
    // Ozon sold these units from this warehouse: reserved until they leave it (stock.ts)
    if (holdsReservation(p))
      for (const l of p.lines) this.d.stocks.take(warehouse.warehouse_id, l.offer_id, l.quantity);
    if (spec.cancelByBuyerAfterMs !== undefined && !FINAL_STATUSES.has(p.status))
      this.schedule(p, 'buyerCancel', spec.cancelByBuyerAfterMs);
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
    if (statusChanged) this.d.onStatusChange?.(p);
  }

  /**
   * /v4/posting/fbs/ship validation + start of the async assembly. One package: the posting itself is assembled.
   * Several: the posting is split, one new posting per package (see `split`). Returns the postings being assembled
   * (the answer's `result`).
   */
  ship(p: Posting, packages: { products: { product_id: number; quantity: number }[] }[]): Posting[] {
    if (p.status === 'cancelled' || p.status === 'cancelled_from_split_pending')
      throw new ApiError(400, 3, 'POSTING_ALREADY_CANCELLED');
    if (p.assembling || AFTER_PACKAGING.has(p.status)) throw new ApiError(400, 3, 'POSTING_ALREADY_SHIPPED');
    // awaiting_approve (and any other status before packaging) is not ready to ship
    if (p.status !== 'awaiting_packaging') throw new ApiError(400, 3, 'HAS_INCORRECT_STATUS');
    // Sandbox choice: exemplars (marks) and box counts belong to the posting they were given for, and the docs do
    // not say what becomes of them in a split; so a posting that needs either is not split here.
    if (packages.length > 1 && (p.marksRequired || p.multiBox)) {
      throw new ApiError(
        400,
        3,
        'sandbox: splitting a posting with marking codes or a multi-box product is not supported, send one package',
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
    // the exemplars (marks) must be set and checked first (docs/19-fbsandrfbsmarks.md, exemplars.ts)
    if (exemplarStatus(p, this.now()) !== 'ship_available')
      throw new ApiError(400, 3, 'EXEMPLAR_INFO_NOT_FILLED_COMPLETELY');
    // is_multibox: "до сборки передайте количество коробок" (docs/14-fbs.md). The docs name no error for a ship
    // without it; MULTI_BOX_QTY_NOT_SET is the sandbox's.
    if (p.multiBox && p.multiBoxQty === null) throw new ApiError(400, 3, 'MULTI_BOX_QTY_NOT_SET');

    if (packages.length > 1) return this.split(p, packages);
    p.assembling = true;
    p.shipFailed = false;
    this.schedule(p, 'assembled', p.assemblyMs ?? this.timing(p).assembly);
    return [p];
  }

  /**
   * A multi-package ship (packages already checked to hold exactly the posting's lines): one new posting per
   * package, numbered `<order_number>-<next free index>`, each assembled like a one-package ship. The parent ends
   * at cancelled_from_split_pending / posting_split_pending (pushed as TYPE_STATE_CHANGED): not a cancellation, so
   * no cancellation reason, no TYPE_POSTING_CANCELLED, no accruals. The children are the seller's doing: no
   * TYPE_NEW_POSTING. Ozon's stock: the parent's reservation passes to the children (reservations follow from
   * the postings, stock.ts), so free units do not change.
   */
  private split(p: Posting, packages: { products: { product_id: number; quantity: number }[] }[]): Posting[] {
    const now = this.now();
    // a buyer cancellation still to come cancels what the order became
    const buyerCancels = p.pending.filter((t) => t.kind === 'buyerCancel').map((t) => t.due);
    this.cancelTasks(p);
    this.setState(p, 'cancelled_from_split_pending', 'posting_split_pending');
    let index = this.nextPostingIndex(p.order_number);
    const children = packages.map((pkg, i) => {
      const lines: Line[] = [];
      for (const it of pkg.products) {
        const line = lines.find((l) => l.sku === it.product_id);
        if (line) line.quantity += it.quantity;
        else {
          const from = p.lines.find((l) => l.sku === it.product_id);
          if (from) lines.push({ ...from, quantity: it.quantity });
        }
      }
      const child: Posting = {
        ...p,
        posting_number: `${p.order_number}-${index++}`,
        status: 'awaiting_packaging',
        substatus: 'posting_created',
        // as Ozon's own split postings show (examples/apprecord__v3_posting_fbs_get__2.json)
        previous_substatus: 'posting_split_pending',
        tracking_number: '',
        deliveringDate: null,
        lastChangedAt: now,
        lines,
        cancellation: null,
        assembling: true,
        shipFailed: false,
        marksRequired: false,
        // the order's payout difference once, on the first child
        payoutSkew: i === 0 ? p.payoutSkew : 0,
        deliveredAt: null,
        settledAt: null,
        pending: [],
        chatId: null,
        multiBox: false,
        multiBoxQty: null,
        exemplars: null,
        parentPostingNumber: p.posting_number,
        tariffSteps: p.tariffSteps?.map((st) => ({ ...st })) ?? null,
        dropoffLimits: p.dropoffLimits ? { ...p.dropoffLimits } : null,
        carriageId: null,
      };
      this.postings.set(child.posting_number, child);
      this.order.push(child);
      this.schedule(child, 'assembled', this.timing(child).assembly);
      for (const due of buyerCancels) this.scheduleTask(child, { kind: 'buyerCancel', due });
      return child;
    });
    return children;
  }

  /** the next free `<order_number>-<n>` index */
  private nextPostingIndex(orderNumber: string) {
    let max = 0;
    for (const q of this.order) {
      if (q.order_number !== orderNumber) continue;
      const n = Number(q.posting_number.slice(orderNumber.length + 1));
      if (Number.isInteger(n)) max = Math.max(max, n);
    }
    return max + 1;
  }

  /** the postings a posting was split into (with.related_postings): the parent's children, a child's siblings */
  relatedPostings(p: Posting): string[] {
    const parent = p.parentPostingNumber || p.posting_number;
    return this.order
      .filter((q) => q.parentPostingNumber === parent && q.posting_number !== p.posting_number)
      .map((q) => q.posting_number);
  }

  /** end of the async assembly started by ship */
  private assembled(p: Posting) {
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
    if (tplOf(p) === 'aggregator') {
      // ozon-api.md §3.4: "Resulting status: awaiting_deliver; for rFBS-Aggregator, awaiting_registration"
      this.setState(p, 'awaiting_registration', 'posting_awaiting_registration');
      this.schedule(p, 'registered', this.timing(p).registration);
      return;
    }
    this.setState(p, 'awaiting_deliver', 'posting_transferring_to_delivery');
    if (p.schema === 'fbs' && p.stall !== 'awaiting_deliver')
      this.schedule(p, 'handover', p.handoverMs ?? this.timing(p).handover);
  }

  /** aggregator: Ozon has registered the parcel with the carrier (or failed to) */
  private registered(p: Posting) {
    if (p.status !== 'awaiting_registration') return;
    if (p.registrationFails) {
      // stays awaiting_registration; TYPE_STATE_CHANGED carries the substatus, so the change is pushed
      this.setState(p, 'awaiting_registration', 'posting_registration_error');
      return;
    }
    p.tracking_number = carrierTrackingNumber(p);
    this.setState(p, 'awaiting_deliver', 'posting_registered');
    if (p.stall !== 'awaiting_deliver') this.schedule(p, 'handover', p.handoverMs ?? this.timing(p).handover);
  }

  /**
   * awaiting_deliver -> the next status, with its pushes: by `timing.handover` for a posting in no carriage, or at
   * its carriage's hand-over (handover.ts).
   */
  handOver(p: Posting) {
    if (p.status !== 'awaiting_deliver') return;
    if (p.schema === 'rfbs') {
      // an rFBS carrier (aggregator, 3pl_tracking) took the parcel: the substatus the rFBS delivering call gives
      p.deliveringDate = this.now();
      this.setState(p, 'delivering', 'posting_transferred_to_courier_service');
      if (p.stall !== 'delivering') this.schedule(p, 'deliver', this.timing(p).transit);
      return;
    }
    if (p.sortingCentre === 'not_accepted') {
      this.setState(p, 'not_accepted', 'posting_not_in_sort_center');
      return;
    }
    if (p.sortingCentre === 'arbitration') {
      // The seller handed the parcel over but it was never scanned: a dispute, settled in the seller's favour.
      this.setState(p, 'arbitration', 'posting_in_arbitration');
      this.schedule(p, 'arbitrationResolved', this.timing(p).transit);
      return;
    }
    p.deliveringDate = this.now();
    this.setState(p, 'delivering', 'posting_on_way_to_city');
    if (p.stall) return;
    this.schedule(p, 'deliver', this.fbsTransit(p));
  }

  /**
   * An FBS parcel's transit. With handoverByCarriage a whole carriage leaves at one instant: its parcels reach
   * their buyers over the following hours and days (other cities, other pick-up points), not all in the same
   * millisecond — ±25% of timing.transit, from the posting's number (the same on every run and restore).
   */
  private fbsTransit(p: Posting): number {
    const transit = this.timing(p).transit;
    if (!this.d.handoverByCarriage) return transit;
    const spread = (Number(p.posting_number.replace(/\D/g, '').slice(-4)) % 1000) / 1000;
    return Math.round(transit * (0.75 + 0.5 * spread));
  }

  private deliver(p: Posting) {
    p.deliveredAt = this.now();
    this.setState(p, 'delivered', 'posting_delivered');
    if (p.noAccruals) return;
    this.schedule(p, 'settle', this.timing(p).settlement);
  }

  /** rFBS non_integrated transitions; returns the per-item error string ('' on success) */
  rfbsAction(
    pn: string,
    action: 'tracking' | 'delivering' | 'last-mile' | 'delivered',
    trackingNumber?: string,
  ): string {
    const p = this.postings.get(pn);
    if (!p) return 'POSTING_NOT_FOUND';
    const tpl = tplOf(p);
    // docs/00-overview.md: HAS_INCORRECT_TPL_INTEGRATION_TYPE — a status for an rFBS posting whose carrier is
    // integrated. The seller sets the tracking number of a 3pl_tracking posting; Ozon that of an aggregator one.
    if (tpl === 'ozon' || tpl === 'aggregator') return 'HAS_INCORRECT_TPL_INTEGRATION_TYPE';
    if (tpl === '3pl_tracking' && action !== 'tracking') return 'HAS_INCORRECT_TPL_INTEGRATION_TYPE';
    switch (action) {
      case 'tracking':
        if (p.status !== 'awaiting_deliver' && p.status !== 'delivering') return 'TRANSITION_IS_NOT_POSSIBLE';
        p.tracking_number = trackingNumber ?? '';
        // 3pl_tracking: the carrier's tracking now moves the parcel (hand-over, then delivery) by itself
        if (
          tpl === '3pl_tracking' &&
          p.status === 'awaiting_deliver' &&
          p.stall !== 'awaiting_deliver' &&
          !p.pending.some((t) => t.kind === 'handover')
        )
          this.schedule(p, 'handover', p.handoverMs ?? this.timing(p).handover);
        return '';
      case 'delivering':
        if (p.status !== 'awaiting_deliver') return 'TRANSITION_IS_NOT_POSSIBLE';
        p.deliveringDate = this.now();
        this.setState(p, 'delivering', 'posting_transferred_to_courier_service');
        return '';
      case 'last-mile':
        // ozon-api.md §3.7: ship → delivering → last-mile (optional) → delivered; last-mile only once
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
    if (BEFORE_HANDOVER.has(p.status)) {
      return CANCEL_REASONS.filter((r) => [352, 400, 402].includes(r.id));
    }
    if (p.schema === 'rfbs' && p.status === 'delivering')
      return CANCEL_REASONS.filter((r) => [665, 666, 667].includes(r.id));
    return [];
  }

  private doCancel(p: Posting, c: Cancellation, reasonMessage: string) {
    const oldState = p.substatus;
    // units not yet handed over are for sale again
    if (holdsReservation(p))
      for (const l of p.lines) if (l.quantity > 0) this.d.stocks.give(p.warehouse.warehouse_id, l.offer_id, l.quantity);
    this.cancelTasks(p);
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
    this.d.onStatusChange?.(p);
  }

  sellerCancel(p: Posting, reasonId: number, message: string) {
    if (p.status === 'cancelled') throw new ApiError(400, 3, 'POSTING_ALREADY_CANCELLED');
    const reason = this.cancelReasonsFor(p).find((r) => r.id === reasonId);
    if (!reason) {
      // A posting with no cancel reasons left (FBS delivering, delivered, not_accepted, …) cannot be cancelled.
      // docs/00-overview.md lists only HAS_INCORRECT_CANCEL_REASON for /v2/posting/fbs/cancel; the sandbox answers
      // HAS_INCORRECT_STATUS here, Ozon's token for "wrong status" on the ship/exemplar methods. awaiting_deliver
      // stays cancellable (reasons 352/400/402, cancelled_after_ship true), as the cancel-reason examples show.
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
        cancelled_after_ship: !BEFORE_SHIP.has(p.status),
        affect_cancellation_rating: reason.type_id === 'seller',
        cancellation_initiator: 'Продавец',
      },
      message,
    );
  }

  /**
   * The buyer cancels (reason 507 unless given: an approved rFBS cancellation request passes its own reason,
   * aftersale.ts). Units not yet handed over go back to Ozon's stock; pushed as TYPE_POSTING_CANCELLED.
   */
  cancelByBuyer(p: Posting, reason: { id: number; title: string } = BUYER_CANCEL_REASON) {
    if (FINAL_STATUSES.has(p.status)) return false;
    this.doCancel(
      p,
      {
        cancel_reason_id: reason.id,
        cancel_reason: reason.title,
        cancellation_type: 'client',
        cancelled_after_ship: !BEFORE_SHIP.has(p.status),
        affect_cancellation_rating: false,
        cancellation_initiator: 'Клиент',
      },
      reason.title,
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
    for (const it of items) {
      const line = p.lines.find((l) => l.sku === it.sku);
      if (line) this.d.stocks.give(p.warehouse.warehouse_id, line.offer_id, it.quantity);
    }
    p.lines = p.lines.filter((l) => l.quantity > 0);
    p.lastChangedAt = this.now();
  }

  // ---------------------------------------------------------------- before ship: exemplars, boxes

  /**
   * /v6/fbs/posting/product/exemplar/set: replaces the posting's exemplars ("Всегда передавайте полный набор
   * данных") and starts the check; format errors do not fail the call, they show in exemplar/status.
   */
  setExemplars(p: Posting, products: { product_id: number; exemplars: Exemplar[] }[], multiBoxQty?: number) {
    // swagger Частые ошибки for exemplar/set and exemplar/status
    if (p.status !== 'awaiting_packaging') throw new ApiError(400, 3, "Posting must have 'awaiting_packaging' status");
    const ids = exemplarIds(p);
    for (const pr of products) {
      const own = ids.get(pr.product_id);
      if (!own) throw new ApiError(400, 3, 'UNKNOWN_PRODUCT_DEFINED');
      for (const ex of pr.exemplars) {
        if (!own.includes(ex.exemplar_id))
          throw new ApiError(400, 3, `${ex.exemplar_id} does not belong to product ${pr.product_id}`);
        // "Для товара не нужно передавать код маркировки" (the /v4/posting/fbs/ship table)
        if (!p.marksRequired && ex.marks.some((mk) => mk.mark_type === 'mandatory_mark'))
          throw new ApiError(400, 3, 'MANDATORY_MARK_REDUNDANT');
      }
    }
    const now = this.now();
    p.exemplars = { products, setAt: now, checkedAt: now + this.timing(p).exemplarCheck };
    // v6 carries the box count too; 0 (its default in the examples) leaves it as it was
    if (p.multiBox && multiBoxQty) p.multiBoxQty = multiBoxQty;
  }

  /**
   * Ozon moves the posting's shipment date (its carriage left without it): the new date, with Ozon's
   * TYPE_CUTOFF_DATE_CHANGED push (examples/push__TYPE_CUTOFF_DATE_CHANGED__*.json).
   */
  moveShipmentDate(p: Posting, to: number) {
    if (to === p.shipmentDate) return;
    const old = p.shipmentDate;
    p.shipmentDate = to;
    p.lastChangedAt = this.now();
    this.d.push({
      message_type: 'TYPE_CUTOFF_DATE_CHANGED',
      posting_number: p.posting_number,
      new_cutoff_date: iso(to),
      old_cutoff_date: iso(old),
      warehouse_id: p.warehouse.warehouse_id,
      seller_id: this.d.sellerId,
    });
  }

  /**
   * /v1/posting/cutoff/set (docs/21-deliveryrfbs.md: "для отправлений, которые доставляет продавец или
   * неинтегрированный перевозчик"). The docs name no errors for it; the sandbox's answers (400 code 3):
   * HAS_INCORRECT_TPL_INTEGRATION_TYPE for an FBS or integrated-carrier posting (Ozon's token for "wrong integration
   * type" on the rFBS status calls), SET_CUTOFF_NOT_AVAILABLE (sandbox's token) when `set_cutoff` is not among the
   * available actions (ozon-api.md §3.7: use it when the action is present), and `outdated` for a date in the past
   * (Ozon's wording for a past date, borrowed from /v2/posting/fbs/act/create in docs/00-overview.md).
   * No TYPE_CUTOFF_DATE_CHANGED push: the seller made the change (the docs do not say Ozon pushes it back).
   */
  setCutoff(p: Posting, cutoff: number) {
    if (tplOf(p) !== 'non_integrated') throw new ApiError(400, 3, 'HAS_INCORRECT_TPL_INTEGRATION_TYPE');
    if (!this.availableActions(p).includes('set_cutoff')) throw new ApiError(400, 3, 'SET_CUTOFF_NOT_AVAILABLE');
    if (cutoff < this.now()) throw new ApiError(400, 3, 'outdated');
    p.shipmentDate = cutoff;
    p.cutoffPending = false;
  }

  /**
   * /v1/posting/fbs/restrictions: the drop-off point's limits of an FBS posting — catalogue defaults, then the
   * warehouse's `dropoffLimits`, then the posting's. swagger: "Метод применим только для работы по схеме FBS";
   * the docs name no error for an rFBS posting: the sandbox answers 400 code 3 HAS_INCORRECT_TPL_INTEGRATION_TYPE.
   */
  restrictions(p: Posting): DropoffLimits {
    if (p.schema !== 'fbs') throw new ApiError(400, 3, 'HAS_INCORRECT_TPL_INTEGRATION_TYPE');
    const w = this.d.warehouses.find((x) => x.warehouse_id === p.warehouse.warehouse_id) ?? p.warehouse;
    return { ...DEFAULT_DROPOFF_LIMITS, ...w.dropoffLimits, ...p.dropoffLimits };
  }

  /** /v3/posting/multiboxqty/set */
  setMultiBoxQty(p: Posting, qty: number) {
    if (p.status === 'cancelled') throw new ApiError(400, 3, 'POSTING_ALREADY_CANCELLED');
    // the count is given "до сборки": once assembly has started there is nothing to give it to
    if (p.status !== 'awaiting_packaging' || p.assembling) throw new ApiError(400, 3, 'HAS_INCORRECT_STATUS');
    // sandbox's token: the docs name no error for a posting without a multi-box product
    if (!p.multiBox) throw new ApiError(400, 3, 'POSTING_IS_NOT_MULTIBOX');
    p.multiBoxQty = qty;
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

  /**
   * The seller may write to the buyer now (`can_create_chat`; /v1/chat/start, /v1/chat/send/message): within the
   * posting's own window, or within 48 h of the buyer's last message (chat.ts).
   */
  canChat(p: Posting) {
    return this.postingChatWindow(p) || !!this.d.chatReplyOpen?.(p);
  }

  /** FBS / rFBS: from payment (the posting's creation) until 72 h after delivery; closed by a cancellation */
  postingChatWindow(p: Posting) {
    if (p.status === 'cancelled' || p.status === 'cancelled_from_split_pending') return false;
    if (p.status === 'delivered') return p.deliveredAt !== null && this.now() - p.deliveredAt <= CHAT_AFTER_DELIVERY_MS;
    return true;
  }

  availableActions(p: Posting): string[] {
    const a: string[] = [];
    const qty = p.lines.reduce((s, l) => s + l.quantity, 0);
    const tpl = tplOf(p);
    if (p.status === 'awaiting_approve' || p.status === 'awaiting_registration') {
      // not ready to ship / registering with the carrier: only the seller's cancel (docs list no other action)
      a.push('cancel');
    } else if (p.status === 'awaiting_packaging') {
      a.push('cancel');
      if (p.assembling) a.push('ship_async_in_process');
      else {
        if (qty > 1) a.push('product_cancel');
        // "необходимо заполнить дополнительную информацию" until the marks are set and checked; then it ships
        if (exemplarStatus(p, this.now()) !== 'ship_available') a.push('ship_with_additional_info');
        else a.push('ship', p.shipFailed ? 'ship_async_retry' : 'ship_async');
        if (p.marksRequired) a.push('update_cis');
      }
    } else if (p.status === 'awaiting_deliver') {
      a.push('cancel', 'label_download', 'label_download_big', 'label_download_small');
      if (tpl === 'non_integrated') a.push('set_track_number', 'non_int_delivering');
      else if (tpl === '3pl_tracking') a.push('set_track_number');
    } else if (p.status === 'delivering') {
      if (tpl === 'non_integrated') {
        a.push('cancel', 'set_track_number');
        if (p.substatus !== 'posting_in_courier_service') a.push('non_int_last_mile');
        a.push('non_int_delivered');
      } else if (p.schema === 'rfbs') a.push('cancel', 'click_track_number');
      else a.push('click_track_number');
    }
    // docs/14-fbs.md: "set_cutoff — необходимо указать дату отгрузки, воспользуйтесь методом /v1/posting/cutoff/set"
    if (p.cutoffPending && BEFORE_HANDOVER.has(p.status)) a.push('set_cutoff');
    if (p.schema === 'rfbs' && !FINAL_STATUSES.has(p.status)) a.push('customer_phone_available');
    if (this.canChat(p)) a.push('can_create_chat');
    return a;
  }

  deliveryMethod(p: Posting) {
    const w = p.warehouse;
    const tpl = tplOf(p);
    if (tpl === 'ozon') return fbsDeliveryMethod(w);
    const d = RFBS_DELIVERY[tpl];
    return {
      id: w.warehouse_id + d.offset,
      name: `${d.name}, ${w.name}`,
      warehouse_id: w.warehouse_id,
      warehouse: w.name,
      tpl_provider_id: d.tpl_provider_id,
      tpl_provider: d.tpl_provider,
    };
  }

  /**
   * The late-shipment tariff at the simulated now (CreatePostingSpec.tariffSteps): the step in force (rate 0
   * before the first one) and the one after it (null after the last). null without tariff steps.
   */
  tariffAt(p: Posting) {
    if (!p.tariffSteps?.length) return null;
    const steps = p.tariffSteps.map((st) => ({ rate: st.rate, startsAt: p.shipmentDate + st.afterShipmentMs }));
    const now = this.now();
    const passed = steps.filter((st) => st.startsAt <= now).length;
    return {
      current: steps[passed - 1] ?? { rate: 0, startsAt: null },
      next: steps[passed] ?? null,
      // every tariff with the moment it ends: rate 0 until the first step, ..., the last one without end
      steps: [{ rate: 0 }, ...steps].map((st, i) => ({ rate: st.rate, endsAt: steps[i]?.startsAt ?? null })),
    };
  }

  /** the goods' total (RUB), what a tariff percent applies to */
  postingPrice(p: Posting) {
    return round2(p.lines.reduce((sum, l) => sum + Number(l.price) * l.quantity, 0));
  }

  /** /v3/posting/fbs/get `result` (also used by sandbox.posting()) */
  renderV3(p: Posting, w: Record<string, unknown> = {}) {
    return renderV3(this, p, w);
  }

  /** v4 list posting */
  renderV4(p: Posting, w: Record<string, unknown> = {}) {
    return renderV4(this, p, w);
  }
}

/** Misuse of the test hook fails loudly, before anything is drawn from the RNG. */
function checkSpec(spec: CreatePostingSpec, schema: 'fbs' | 'rfbs', startAt: string) {
  if (spec.tpl !== undefined) {
    if (!(RFBS_TPLS as readonly string[]).includes(spec.tpl)) throw new Error(`sandbox: unknown tpl ${spec.tpl}`);
    if (schema !== 'rfbs') throw new Error("sandbox: tpl is for rFBS postings (schema: 'rfbs')");
  }
  if (spec.registrationFails && spec.tpl !== 'aggregator')
    throw new Error("sandbox: registrationFails needs tpl: 'aggregator'");
  if (spec.cutoffRequired && (schema !== 'rfbs' || (spec.tpl ?? 'non_integrated') !== 'non_integrated'))
    throw new Error('sandbox: cutoffRequired is for rFBS non_integrated postings');
  if (spec.awaitingApproveMs !== undefined) {
    if (!Number.isFinite(spec.awaitingApproveMs) || spec.awaitingApproveMs < 0)
      throw new Error('sandbox: awaitingApproveMs must be a number >= 0');
    if (startAt !== 'awaiting_packaging') throw new Error('sandbox: awaitingApproveMs needs the default startAt');
  }
  let last = Number.NEGATIVE_INFINITY;
  for (const st of spec.tariffSteps ?? []) {
    if (!Number.isFinite(st.afterShipmentMs) || !Number.isFinite(st.rate) || st.afterShipmentMs < last)
      throw new Error('sandbox: tariffSteps need finite numbers, in increasing afterShipmentMs order');
    last = st.afterShipmentMs;
  }
  for (const [k, v] of Object.entries(spec.dropoffLimits ?? {}))
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`sandbox: dropoffLimits.${k} must be a number`);
  if (spec.removedFromAct && schema !== 'fbs') throw new Error('sandbox: removedFromAct is for FBS postings');
  if (spec.labelUnprinted !== undefined && (!Number.isInteger(spec.labelUnprinted) || spec.labelUnprinted < 0))
    throw new Error('sandbox: labelUnprinted must be a whole number >= 0');
}
