/**
 * The FBS handover day (docs/20-deliveryfbs.md, docs/14-fbs.md): carriages (acts) per delivery method and departure
 * date, their documents, the hand-over of their postings at the carriage's cutoff, and label tasks.
 *
 * - A posting's **departure date** is the UTC date of its shipment_date (sandbox choice: the docs give the date as
 *   a date-time and do not say in which zone it is cut; the warehouse's own zone is not modelled).
 * - A delivery method's **cutoff** is "HH:MM" UTC (`SandboxWarehouse.cutoff`, default `DEFAULT_CARRIAGE_CUTOFF`
 *   13:00): the carriage of date D has `cutoff_at` = D at that time.
 * - A carriage is `in_process` for `timing.actForming`, then `formed` (documents ready; postings with
 *   `removedFromAct` leave it), then `sended` when it hands its postings over: at `cutoff_at`, but not sooner than
 *   `timing.actHandover` after forming. That hand-over replaces the postings' own `timing.handover`; FBS postings in
 *   no carriage still hand over by `timing.handover` as before.
 *
 * Like postings, every scheduled transition of a carriage is data (`Carriage.pending`), so the state file carries
 * it across a restart (state.ts).
 */
import { DEFAULT_CARRIAGE_CUTOFF, DEFAULT_TIMING, fbsDeliveryMethod, RFBS_DELIVERY } from './catalogue.js';
import { ApiError, type Model, type Posting } from './model.js';
import type { SandboxClock, SandboxWarehouse, Timing } from './types.js';
import { iso } from './util.js';

const DAY = 24 * 3_600_000;

/**
 * Carriage (act) statuses, from swagger's /v2/posting/fbs/act/list status list: `in_process` ("собирается"), `formed`
 * ("собрана"; docs/00-overview.md: documents need "sended или formed"), `sended` ("отправлена": its postings were
 * handed over).
 */
export const CARRIAGE_STATUSES = ['in_process', 'formed', 'sended'] as const;
export type CarriageStatus = (typeof CARRIAGE_STATUSES)[number];
export const CARRIAGE_TASK_KINDS = ['formed', 'handover'] as const;
export type CarriageTaskKind = (typeof CARRIAGE_TASK_KINDS)[number];
export interface CarriageTask {
  kind: CarriageTaskKind;
  /** absolute simulated ms */
  due: number;
}

export interface Carriage {
  /** int64 id: the act, the carriage and the documents task are one number, as the docs say */
  id: number;
  delivery_method_id: number;
  warehouse_id: number;
  /** 'YYYY-MM-DD' (UTC) */
  departure_date: string;
  cutoffAt: number;
  containers_count: number;
  status: CarriageStatus;
  createdAt: number;
  updatedAt: number;
  /** every posting the act took at creation, in order */
  postings: string[];
  /** those dropped again when it was formed (`removed_from_act`) */
  removed: string[];
  pending: CarriageTask[];
}

export type LabelTaskType = 'big_label' | 'small_label';
/** A label task (/v2/posting/fbs/package-label/create). Its outcome is fixed at creation; its status follows the clock. */
export interface LabelTask {
  task_id: number;
  task_type: LabelTaskType;
  createdAt: number;
  readyAt: number;
  printed: string[];
  unprinted: { posting_number: string; msg: string }[];
}

export interface HandoverState {
  /** next sequence number for carriage and label task ids */
  nextId: number;
  carriages: Carriage[];
  labelTasks: LabelTask[];
}

/** ids: int64, like the docs' examples (900000250859000 for acts, 5819327210249 for tasks); never a posting's */
export const CARRIAGE_ID_BASE = 900_000_250_000_000;
export const LABEL_TASK_ID_BASE = 5_819_327_000_000;
/** `/v2/posting/fbs/package-label`'s documented limit; the docs give none for the task method, so the same 20 */
export const LABELS_PER_TASK = 20;
/** sandbox's barcode value of a carriage (the docs give no format) */
export const carriageBarcode = (c: Pick<Carriage, 'id'>) => `OZN${c.id}`;
/** where the sandbox serves a completed label task's file (GET, no auth) */
export const labelFilePath = (taskId: number) => `/sandbox/files/package-label/${taskId}.pdf`;

export const utcDate = (ms: number) => iso(ms).slice(0, 10);
const dayStart = (date: string) => Date.parse(`${date}T00:00:00Z`);
const nextDate = (date: string) => utcDate(dayStart(date) + DAY);
const CUTOFF_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** 'YYYY-MM-DD' or an RFC 3339 date-time (its UTC date) -> 'YYYY-MM-DD'; undefined if neither */
export function dateOf(s: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return Number.isNaN(dayStart(s)) ? undefined : s;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : utcDate(ms);
}

/** statuses before assembly: such a posting is not packaged yet */
const UNPACKAGED = new Set(['awaiting_approve', 'awaiting_packaging']);
/** not due any more: cancelled, or split into children (which count instead) */
const GONE = new Set(['cancelled', 'cancelled_from_split_pending']);

export interface HandoverDeps {
  model: Model;
  clock: SandboxClock;
  warehouses: SandboxWarehouse[];
  timing: Partial<Timing>;
  /** a scheduled transition is about to run (the caller persists the state after it) */
  onTimer?(): void;
  /** SandboxOptions.handoverByCarriage */
  handoverByCarriage?: boolean;
  /** SandboxOptions.actRefusal */
  actRefusal?: string;
}

export class Handover {
  nextId = 1;
  readonly carriages: Carriage[] = [];
  readonly labelTasks: LabelTask[] = [];
  private closed = false;
  private readonly cancels = new Map<CarriageTask, () => void>();

  constructor(private readonly d: HandoverDeps) {
    for (const w of d.warehouses)
      if (w.cutoff !== undefined && !CUTOFF_RE.test(w.cutoff))
        throw new Error(`sandbox: warehouse ${w.warehouse_id} cutoff must be "HH:MM", got ${w.cutoff}`);
  }

  private now() {
    return this.d.clock.now();
  }

  private timing() {
    return { ...DEFAULT_TIMING, ...this.d.timing };
  }

  private fbsWarehouses() {
    return this.d.warehouses.filter((w) => !w.is_rfbs);
  }

  /** the posting's departure date: the UTC date of its shipment_date */
  departureDate(p: Posting) {
    return utcDate(p.shipmentDate);
  }

  cutoffAt(w: SandboxWarehouse, date: string) {
    const [, hh, mm] = CUTOFF_RE.exec(w.cutoff ?? DEFAULT_CARRIAGE_CUTOFF) ?? [];
    return dayStart(date) + (Number(hh) * 60 + Number(mm)) * 60_000;
  }

  /**
   * FBS postings of the warehouse due on `date`, cancelled ones left out ("mandatory" in the delivery list) — and,
   * with `handoverByCarriage`, every earlier one still awaiting_deliver in no carriage: a parcel whose carriage left
   * without it (no act was made) goes with the next one, as an overdue posting does at a drop-off point.
   */
  private due(w: SandboxWarehouse, date: string) {
    return this.d.model.order.filter(
      (p) =>
        p.schema === 'fbs' &&
        p.warehouse.warehouse_id === w.warehouse_id &&
        !GONE.has(p.status) &&
        (this.departureDate(p) === date ||
          (!!this.d.handoverByCarriage &&
            date === this.nextOpenDate(w) &&
            this.departureDate(p) < date &&
            p.status === 'awaiting_deliver' &&
            p.carriageId === null)),
    );
  }

  /** The date of the warehouse's next carriage still to leave: today's until its cutoff, then tomorrow's. */
  private nextOpenDate(w: SandboxWarehouse) {
    const today = utcDate(this.now());
    return this.cutoffAt(w, today) > this.now() ? today : nextDate(today);
  }

  private find(methodId: number, date: string) {
    return this.carriages.find((c) => c.delivery_method_id === methodId && c.departure_date === date);
  }

  get(id: number): Carriage {
    const c = this.carriages.find((x) => x.id === id);
    // the docs name no error for an unknown id: 404 like an unknown posting, with the sandbox's token
    if (!c) throw new ApiError(404, 5, 'CARRIAGE_NOT_FOUND');
    return c;
  }

  private warehouseOf(c: Carriage): SandboxWarehouse {
    const w = this.d.warehouses.find((x) => x.warehouse_id === c.warehouse_id);
    if (!w) throw new ApiError(500, 13, `Internal error: warehouse ${c.warehouse_id} of carriage ${c.id} is gone`);
    return w;
  }

  /**
   * The FBS warehouse behind a delivery_method_id: its method id, or its warehouse_id (docs: "Для FBS-складов
   * используйте значение параметра warehouse_id"). An rFBS method or warehouse -> `non_carriageable` ("Отгрузка не
   * требуется": the sandbox models carriages for FBS only); anything else -> `DELIVERY_METHOD_NOT_FOUND`.
   */
  private resolveMethod(id: number): SandboxWarehouse {
    const fbs = this.fbsWarehouses().find((w) => fbsDeliveryMethod(w).id === id || w.warehouse_id === id);
    if (fbs) return fbs;
    const rfbs = this.d.warehouses.some(
      (w) =>
        w.is_rfbs &&
        (w.warehouse_id === id || Object.values(RFBS_DELIVERY).some((r) => w.warehouse_id + r.offset === id)),
    );
    if (rfbs) throw new ApiError(400, 3, 'non_carriageable');
    throw new ApiError(400, 3, 'DELIVERY_METHOD_NOT_FOUND');
  }

  // ---------------------------------------------------------------- /v2/carriage/delivery/list

  /**
   * One entry per FBS delivery method with postings due on `date` (or a carriage of that date): "Метод не
   * возвращает информацию по методам доставки, у которых нет отправлений". `date` defaults to today (UTC), the
   * default the v1 methods document for departure_date.
   */
  deliveryList(filter: { delivery_method_id?: number; departure_date?: string }) {
    const date = filter.departure_date ?? utcDate(this.now());
    const out: Record<string, unknown>[] = [];
    for (const w of this.fbsWarehouses()) {
      const dm = fbsDeliveryMethod(w);
      // proto3: 0 = not given
      const want = filter.delivery_method_id;
      if (want && want !== dm.id && want !== w.warehouse_id) continue;
      const due = this.due(w, date);
      const c = this.find(dm.id, date);
      if (!due.length && !c) continue;
      const packaged = due.filter((p) => !UNPACKAGED.has(p.status)).length;
      const carriages = c ? [this.carriageSummary(c)] : [];
      out.push({
        carriage_postings_count: carriages.reduce((n, x) => n + x.postings_count, 0),
        carriages,
        cut_in: iso(dayStart(date)),
        cutoff_at: iso(this.cutoffAt(w, date)),
        delivery_method_id: dm.id,
        delivery_method_name: dm.name,
        delivery_method_status: 'ACTIVE',
        departure_date: iso(dayStart(date)),
        dropoff_address: 'Россия, Москва, ул. Складская, 1',
        dropoff_change_availability: '',
        dropoff_point_id: 1020002075314000,
        dropoff_point_type: 'PVZ',
        // the docs list the field but not its codes: the sandbox never reports one
        errors: [],
        first_mile_changing: false,
        first_mile_type: 'DROP_OFF',
        has_entrusted_acceptance: !!w.entrustedAcceptance,
        integration_type: 'ozon',
        is_optional_carriage: false,
        is_presort: false,
        is_rfbs: false,
        mandatory_packaged_count: packaged,
        mandatory_postings_count: due.length,
        optional_packaged_count: 0,
        recommended_time_local: '',
        recommended_time_utc_offset_in_minutes: 0,
        timeslot_from: '',
        timeslot_to: '',
        tpl_provider_icon_url: '',
        tpl_provider_name: dm.tpl_provider,
        warehouse_city: 'Москва',
        warehouse_id: w.warehouse_id,
        warehouse_name: w.name,
      });
    }
    return out;
  }

  private carriageSummary(c: Carriage) {
    return {
      all_blr_traceable: false,
      // /v1/carriage/get lists get_shipping_list / get_act_of_acceptance / get_waybill / set_arrival_passes; a
      // Russian seller gets the shipping list once the documents are formed (no waybill: is_waybill_enabled false)
      available_actions: c.status === 'in_process' ? [] : ['get_shipping_list'],
      carriage_volume: 0,
      id: c.id,
      pickup_fee: { currency_code: 'RUB', value: 0 },
      postings_count: this.added(c).length,
      quantum_count: 0,
      status: c.status,
    };
  }

  // ---------------------------------------------------------------- /v2/posting/fbs/act/create

  /**
   * Creates the carriage of the method and date with the postings awaiting_deliver now. Checked in this order
   * (400 code 3, tokens from docs/00-overview.md's /v2/posting/fbs/act/create table):
   * `DELIVERY_METHOD_NOT_FOUND` / `non_carriageable` (rFBS); `outdated` (a date before today, UTC); a carriage of
   * that method and date already exists -> its id again, unchanged (sandbox choice: one carriage per method and
   * date, no partial carriages); `Trying set ContainersCount to not HasEntrustedAcceptance company`
   * (containers_count > 0 on a warehouse without entrusted acceptance); `no_postings` (nothing due that date);
   * `not_packaged` (sandbox's reading of "У вас есть отправления, которые нужно передать в доставку сегодня": a due
   * posting is still awaiting_packaging / awaiting_approve before the day's assembly time ends, `timing.actWindow`
   * before the cutoff; from then on the act takes what is packaged); `no_postings` (nothing due is awaiting_deliver). `package_time_not_passed`,
   * `new_postings_are_possible` and the other tokens are not modelled.
   */
  createAct(methodId: number, departure: string | undefined, containersCount: number): Carriage {
    const w = this.resolveMethod(methodId);
    // the configured fault (SandboxOptions.actRefusal): every act refused with that token
    if (this.d.actRefusal) throw new ApiError(400, 3, this.d.actRefusal);
    const dm = fbsDeliveryMethod(w);
    const now = this.now();
    const today = utcDate(now);
    const date = departure ?? today;
    if (date < today) throw new ApiError(400, 3, 'outdated');
    const existing = this.find(dm.id, date);
    if (existing) return existing;
    if (containersCount > 0 && !w.entrustedAcceptance)
      throw new ApiError(400, 3, 'Trying set ContainersCount to not HasEntrustedAcceptance company');
    const due = this.due(w, date);
    if (!due.length) throw new ApiError(400, 3, 'no_postings');
    const cutoffAt = this.cutoffAt(w, date);
    const assemblyEnds = cutoffAt - this.timing().actWindow;
    if (now < assemblyEnds && due.some((p) => UNPACKAGED.has(p.status))) throw new ApiError(400, 3, 'not_packaged');
    const ready = due.filter((p) => p.status === 'awaiting_deliver' && p.carriageId === null);
    if (!ready.length) throw new ApiError(400, 3, 'no_postings');

    const c: Carriage = {
      id: CARRIAGE_ID_BASE + this.nextId++,
      delivery_method_id: dm.id,
      warehouse_id: w.warehouse_id,
      departure_date: date,
      cutoffAt,
      containers_count: containersCount,
      status: 'in_process',
      createdAt: now,
      updatedAt: now,
      postings: ready.map((p) => p.posting_number),
      removed: [],
      pending: [],
    };
    this.carriages.push(c);
    for (const p of ready) {
      p.carriageId = c.id;
      // the carriage hands it over now, not its own timing.handover
      this.d.model.cancelPending(p, 'handover');
    }
    const t = this.timing();
    const formedAt = now + t.actForming;
    this.scheduleTask(c, { kind: 'formed', due: formedAt });
    this.scheduleTask(c, { kind: 'handover', due: Math.max(cutoffAt, formedAt + t.actHandover) });
    return c;
  }

  // ---------------------------------------------------------------- transitions

  private scheduleTask(c: Carriage, task: CarriageTask) {
    if (this.closed) return;
    if (!c.pending.includes(task)) c.pending.push(task);
    const cancel = this.d.clock.schedule(Math.max(0, task.due - this.now()), () => {
      if (this.closed || !this.cancels.delete(task)) return;
      const i = c.pending.indexOf(task);
      if (i >= 0) c.pending.splice(i, 1);
      this.d.onTimer?.();
      if (task.kind === 'formed') this.formed(c);
      else this.handOver(c);
    });
    this.cancels.set(task, cancel);
  }

  /** documents ready; `removedFromAct` postings leave the act and move to the next day's carriage */
  private formed(c: Carriage) {
    if (c.status !== 'in_process') return;
    const now = this.now();
    c.status = 'formed';
    c.updatedAt = now;
    const w = this.warehouseOf(c);
    const t = this.timing();
    for (const pn of c.postings) {
      const p = this.d.model.postings.get(pn);
      if (!p?.removedFromAct || p.status !== 'awaiting_deliver') continue;
      p.removedFromAct = false;
      p.carriageId = null;
      c.removed.push(pn);
      // "Такие отправления нужно передавать со следующей отгрузкой": the next day's carriage
      this.d.model.moveShipmentDate(p, p.shipmentDate + DAY);
      // no act may ever take it: then its own hand-over, not before its new day's cutoff (sandbox choice) — unless
      // parcels leave only with a carriage: then the next day's act takes it
      if (p.stall !== 'awaiting_deliver' && !this.d.handoverByCarriage) {
        const due = Math.max(now + (p.handoverMs ?? t.handover), this.cutoffAt(w, nextDate(c.departure_date)));
        this.d.model.scheduleTask(p, { kind: 'handover', due });
      }
    }
  }

  /**
   * handoverByCarriage: an assembled FBS posting waits for the carriage of its departure date — unless that carriage
   * exists already (an act does not take postings after it is made) or its cutoff has passed: then Ozon moves the
   * posting to the next day whose carriage is still to come ("передавать со следующей отгрузкой"). Its shipment
   * date becomes that carriage's cutoff (pushed as TYPE_CUTOFF_DATE_CHANGED when it changes).
   */
  placeInCarriage(p: Posting) {
    const w = this.configured(p.warehouse);
    const method = fbsDeliveryMethod(w).id;
    const date = this.openDate(w, utcDate(p.shipmentDate), (d) => this.find(method, d) !== undefined);
    // Its shipment date becomes its carriage's cutoff: the time the parcel must be handed over by.
    this.d.model.moveShipmentDate(p, this.cutoffAt(w, date));
  }

  /** SandboxModel's plannedCutoff: the warehouse's cutoff on the date of `at`, or the next day's once it has passed */
  plannedCutoff(warehouse: SandboxWarehouse, at: number): number {
    const w = this.configured(warehouse);
    return this.cutoffAt(w, this.openDate(w, utcDate(at)));
  }

  /** the configured warehouse (its cutoff), or the posting's copy of it */
  private configured(warehouse: SandboxWarehouse): SandboxWarehouse {
    return this.d.warehouses.find((x) => x.warehouse_id === warehouse.warehouse_id) ?? warehouse;
  }

  /** from `date` on, the first whose cutoff is still to come (and which `taken` does not rule out) */
  private openDate(w: SandboxWarehouse, date: string, taken: (date: string) => boolean = () => false): string {
    const now = this.now();
    let d = date;
    while (this.cutoffAt(w, d) <= now || taken(d)) d = nextDate(d);
    return d;
  }

  /** the carriage leaves: every posting in it that is still awaiting_deliver is handed over, with its pushes */
  private handOver(c: Carriage) {
    if (c.status === 'sended') return;
    if (c.status === 'in_process') this.formed(c);
    c.status = 'sended';
    c.updatedAt = this.now();
    for (const pn of this.added(c)) {
      const p = this.d.model.postings.get(pn);
      if (!p || p.carriageId !== c.id || p.status !== 'awaiting_deliver' || p.stall === 'awaiting_deliver') continue;
      this.d.model.cancelPending(p, 'handover');
      this.d.model.handOver(p);
    }
  }

  /** stops the clock callbacks; `Carriage.pending` stays (the state file keeps it) */
  close() {
    this.closed = true;
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
  }

  state(): HandoverState {
    return { nextId: this.nextId, carriages: this.carriages, labelTasks: this.labelTasks };
  }

  /** load a state file's carriages and label tasks; pending carriage transitions go back on the clock, due first */
  restore(s: HandoverState) {
    this.nextId = s.nextId;
    this.carriages.push(...s.carriages);
    this.labelTasks.push(...s.labelTasks);
    const order = (k: CarriageTaskKind) => CARRIAGE_TASK_KINDS.indexOf(k);
    const tasks = s.carriages.flatMap((c) => c.pending.map((task) => ({ c, task })));
    tasks.sort((a, b) => a.task.due - b.task.due || order(a.task.kind) - order(b.task.kind));
    for (const { c, task } of tasks) this.scheduleTask(c, task);
  }

  // ---------------------------------------------------------------- act renderings

  /** postings in the act: all it took while in_process; without the removed ones once formed */
  added(c: Carriage) {
    return c.postings.filter((pn) => !c.removed.includes(pn));
  }

  /** /v2/posting/fbs/act/check-status `result` */
  checkStatus(c: Carriage) {
    return {
      // in_process: the documents are being formed; ready once formed (and after the hand-over)
      status: c.status === 'in_process' ? 'in_process' : 'ready',
      added_to_act: this.added(c),
      removed_from_act: [...c.removed],
      // the docs' only value; the digital-act methods it points to are deprecated in favour of these
      act_type: 'ozon_digital',
      // one carriage per method and date: never partial, nothing left for another one
      is_partial: false,
      has_postings_for_next_carriage: false,
      partial_num: 0,
    };
  }

  /** /v2/posting/fbs/act/get-postings `result` */
  actPostings(c: Carriage) {
    return this.added(c).flatMap((pn) => {
      const p = this.d.model.postings.get(pn);
      if (!p) return [];
      return [
        {
          id: c.id,
          multi_box_qty: p.multiBoxQty ?? 1,
          posting_number: p.posting_number,
          status: p.status,
          seller_error: '',
          updated_at: iso(Math.max(c.createdAt, p.lastChangedAt)),
          created_at: iso(c.createdAt),
          products: p.lines.map((l) => ({
            name: l.name,
            offer_id: l.offer_id,
            price: l.price,
            quantity: l.quantity,
            sku: l.sku,
          })),
        },
      ];
    });
  }

  /**
   * get-pdf / get-barcode: docs/00-overview.md, `Incorrect_carriage_status`: "Перевозка ещё не сформировалась. Акт
   * должен быть в статусе sended или formed".
   */
  requireFormed(c: Carriage) {
    if (c.status !== 'formed' && c.status !== 'sended') throw new ApiError(400, 3, 'Incorrect_carriage_status');
  }

  /** the shipping list's lines (pdf.ts prints them) */
  shippingList(c: Carriage) {
    const w = this.warehouseOf(c);
    return [
      `carriage ${c.id}`,
      `departure date ${c.departure_date}, cutoff ${iso(c.cutoffAt)}`,
      `delivery method ${c.delivery_method_id}, warehouse ${w.warehouse_id}`,
      `barcode ${carriageBarcode(c)}`,
      `postings: ${this.added(c).length}`,
      ...this.added(c).map((pn, i) => `${i + 1}. ${pn}`),
    ];
  }

  /** /v2/posting/fbs/act/list: created between date_from and date_to (inclusive), status among `statuses` */
  list(f: { from?: number; to?: number; integrationType?: string; statuses?: string[] }, limit: number) {
    return this.carriages
      .filter(
        (c) =>
          (f.from === undefined || c.createdAt >= f.from) &&
          (f.to === undefined || c.createdAt <= f.to) &&
          // every carriage here goes with Ozon's logistics
          (!f.integrationType || f.integrationType === 'ozon') &&
          (!f.statuses?.length || f.statuses.includes(c.status)),
      )
      .slice(0, limit)
      .map((c) => {
        const dm = fbsDeliveryMethod(this.warehouseOf(c));
        return {
          id: c.id,
          delivery_method_id: c.delivery_method_id,
          delivery_method_name: dm.name,
          integration_type: 'ozon',
          containers_count: c.containers_count,
          status: c.status,
          departure_date: iso(dayStart(c.departure_date)),
          created_at: iso(c.createdAt),
          updated_at: iso(c.updatedAt),
          act_type: 'ozon_digital',
          is_partial: false,
          has_postings_for_next_carriage: false,
          partial_num: 0,
          related_docs: {
            // swagger's document_status values: FORMING, FORMED, CONFIRMED ("подписан Ozon", once handed over)
            act_of_acceptance: {
              created_at: iso(c.createdAt),
              document_status: c.status === 'in_process' ? 'FORMING' : c.status === 'formed' ? 'FORMED' : 'CONFIRMED',
            },
            act_of_mismatch: null,
            act_of_excess: null,
          },
        };
      });
  }

  // ---------------------------------------------------------------- label tasks

  /**
   * /v2/posting/fbs/package-label/create: one `big_label` and one `small_label` task ("Метод может вернуть несколько
   * заданий: на формирование маленькой и большой этикетки"), sharing one outcome, fixed now: a posting prints if
   * it is awaiting_deliver (and its `labelUnprinted` count is used up); otherwise it is unprinted with the docs'
   * package-label error text — "The next postings aren't ready" before assembly or while `labelUnprinted` lasts,
   * "label not allowed for delivered postings" after hand-over or cancellation. An unknown posting fails the call:
   * `POSTING_NUMBERS_IS_INCORRECT_FOR_COMPANY` (docs/00-overview.md).
   */
  createLabelTasks(postingNumbers: string[]): LabelTask[] {
    const numbers = [...new Set(postingNumbers)];
    const ps = numbers.map((pn) => this.d.model.postings.get(pn));
    if (ps.some((p) => p === undefined)) throw new ApiError(400, 3, 'POSTING_NUMBERS_IS_INCORRECT_FOR_COMPANY');
    const printed: string[] = [];
    const unprinted: LabelTask['unprinted'] = [];
    for (const p of ps as Posting[]) {
      if (p.status === 'awaiting_deliver') {
        if (p.labelUnprinted > 0) {
          p.labelUnprinted--;
          unprinted.push({ posting_number: p.posting_number, msg: "The next postings aren't ready" });
        } else printed.push(p.posting_number);
      } else {
        const before = UNPACKAGED.has(p.status) || p.status === 'awaiting_registration';
        unprinted.push({
          posting_number: p.posting_number,
          msg: before ? "The next postings aren't ready" : 'label not allowed for delivered postings',
        });
      }
    }
    const now = this.now();
    const readyAt = now + this.timing().labelTask;
    const tasks = (['big_label', 'small_label'] as const).map((task_type) => ({
      task_id: LABEL_TASK_ID_BASE + this.nextId++,
      task_type,
      createdAt: now,
      readyAt,
      printed: [...printed],
      unprinted: unprinted.map((u) => ({ ...u })),
    }));
    this.labelTasks.push(...tasks);
    return tasks;
  }

  labelTask(taskId: number): LabelTask {
    const t = this.labelTasks.find((x) => x.task_id === taskId);
    // the docs name no error for an unknown task: 404 with the sandbox's token
    if (!t) throw new ApiError(404, 5, 'TASK_NOT_FOUND');
    return t;
  }

  /** pending for the first half of timing.labelTask, in_progress for the second, then completed (error: none printed) */
  labelStatus(t: LabelTask): 'pending' | 'in_progress' | 'completed' | 'error' {
    const now = this.now();
    if (now < t.readyAt) return now < t.createdAt + (t.readyAt - t.createdAt) / 2 ? 'pending' : 'in_progress';
    return t.printed.length ? 'completed' : 'error';
  }

  /** /v1/posting/fbs/package-label/get `result` */
  labelTaskView(t: LabelTask, baseUrl: string) {
    const status = this.labelStatus(t);
    const done = status === 'completed' || status === 'error';
    return {
      status,
      // NO_POSTINGS_FOR_BATCH_DOWNLOAD: the docs' package-label error for "no postings awaiting_deliver"
      error: status === 'error' ? 'NO_POSTINGS_FOR_BATCH_DOWNLOAD' : '',
      file_url: status === 'completed' ? baseUrl + labelFilePath(t.task_id) : '',
      printed_postings_count: done ? t.printed.length : 0,
      unprinted_postings: done ? t.unprinted.map((u) => ({ ...u })) : [],
      unprinted_postings_count: done ? t.unprinted.length : 0,
    };
  }
}
