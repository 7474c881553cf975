/**
 * After-sale: what the buyer asks for after buying, and how the seller answers (docs/26-cancellationapi.md,
 * docs/24-rfbsreturnsapi.md, docs/23-returnsapi.md, swagger). Ozon sends no push for any of it (ozon-api.md §4
 * Caveats: "There is no push for returns or rFBS cancellation requests"): the seller polls the lists.
 *
 * - **Cancellation requests (rFBS)**: `CreatePostingSpec.cancellationRequestAfterMs` — the buyer asks to cancel; the
 *   request is `ON_APPROVAL` until the seller approves it (the posting is cancelled as by the buyer, with the
 *   request's reason) or rejects it (the posting goes on), or until `auto_approve_date`
 *   (`timing.cancellationAutoApprove`), when the sandbox approves it itself. A posting that ends first (delivered,
 *   cancelled) closes it unanswered.
 * - **rFBS return requests**: `returnAfterDeliveryMs` on an rFBS posting — after delivery the buyer asks to return
 *   one unit; the seller answers with /v1/returns/rfbs/action/set (or the older /v2/returns/rfbs/* methods):
 *   approve and take the parcel back for a check, refund at once, offer a partial compensation, or reject. An
 *   unanswered request is approved `timing.returnDecision` after it was made. A taken-back parcel arrives
 *   `timing.returnTransit` later; the seller confirms receipt, then refunds or rejects after the check.
 * - **FBS returns**: `returnAfterDeliveryMs` on an FBS posting — a `ClientReturn` in /v1/returns/list that Ozon
 *   brings to the seller's drop-off point (`timing.returnTransit`), where storage is free for
 *   `timing.returnFreeStorage`, then paid, and the parcel is utilized `timing.returnUtilization` after arrival unless
 *   the seller collects it (`OzonSandbox.collectReturn`).
 *
 * Money: a refund reverses the posting's revenue in /v1/finance/accrual/postings (`accruals`).
 *
 * Like postings and carriages, every scheduled transition is data (`pending`), so the state file carries it across a
 * restart (state.ts). Nothing here draws from the RNG: ids come from a sequence, so posting numbers stay as they were.
 */
import {
  ACCRUAL_TYPES,
  CANCELLATION_REQUEST_REASONS,
  COMMISSION_PERCENT,
  DEFAULT_TIMING,
  RETURN_REASONS,
  RETURN_REJECTION_REASONS,
  RETURN_STORAGE_PER_DAY,
  RETURN_UTILIZATION_PRICE,
  tplOf,
} from './catalogue.js';
import { exemplarIds } from './exemplars.js';
import { ApiError, FINAL_STATUSES, type Model, type Posting } from './model.js';
import type { CreatePostingSpec, SandboxClock, Timing } from './types.js';
import { iso, money, round2 } from './util.js';

const DAY = 24 * 3_600_000;

export const PLAN_TASK_KINDS = ['cancellationRequest', 'return'] as const;
export const CANCELLATION_TASK_KINDS = ['autoApprove'] as const;
export const RFBS_RETURN_TASK_KINDS = ['autoApprove', 'arrived'] as const;
export const FBS_RETURN_TASK_KINDS = ['arrived', 'utilized'] as const;
export interface AfterSaleTask<K extends string = string> {
  kind: K;
  /** absolute simulated ms */
  due: number;
}

/** What createPosting was told to happen to a posting after the sale; its tasks open the requests. */
export interface AfterSalePlan {
  posting_number: string;
  cancellationRequest: { afterMs: number; reasonId: number; message: string } | null;
  /** '' offerId: the posting's first line */
  return: { afterDeliveryMs: number; reasonId: number; offerId: string; comment: string; photos: number } | null;
  pending: AfterSaleTask<(typeof PLAN_TASK_KINDS)[number]>[];
}

// ------------------------------------------------------------------ cancellation requests

/** swagger v2CancellationStateEnum */
export const CANCELLATION_STATES = ['ON_APPROVAL', 'APPROVED', 'REJECTED'] as const;
export type CancellationState = (typeof CANCELLATION_STATES)[number];
/** how a request left ON_APPROVAL (sandbox's record, so that a test can tell the seller's answer from the sandbox's) */
export const CANCELLATION_RESOLUTIONS = ['approved', 'rejected', 'autoApproved', 'autoClosed'] as const;
export type CancellationResolution = (typeof CANCELLATION_RESOLUTIONS)[number];

export interface CancellationRequest {
  cancellation_id: number;
  posting_number: string;
  /** cancellation_reason.id (CANCELLATION_REQUEST_REASONS) */
  reasonId: number;
  /** cancellation_reason_message */
  message: string;
  /** cancelled_at: when the buyer asked */
  createdAt: number;
  /** auto_approve_date */
  autoApproveAt: number;
  state: CancellationState;
  resolution: CancellationResolution | null;
  /** approve_comment */
  comment: string;
  /** approve_date; null while ON_APPROVAL, and for a request closed unanswered (swagger's v1 example) */
  decidedAt: number | null;
  pending: AfterSaleTask<(typeof CANCELLATION_TASK_KINDS)[number]>[];
}

/**
 * `state{id, name, state}` of a request. swagger's examples give {2, "Подтверждена", APPROVED} and
 * {5, "Автоматически отменена", REJECTED} (a request closed without an answer, approve_date null); the other ids and
 * names are the sandbox's — 4 marks a request the sandbox approved at its auto_approve_date.
 */
function cancellationStateView(c: CancellationRequest) {
  switch (c.resolution) {
    case null:
      return { id: 1, name: 'На рассмотрении', state: c.state };
    case 'approved':
      return { id: 2, name: 'Подтверждена', state: c.state };
    case 'rejected':
      return { id: 3, name: 'Отклонена', state: c.state };
    case 'autoApproved':
      return { id: 4, name: 'Подтверждена автоматически', state: c.state };
    case 'autoClosed':
      return { id: 5, name: 'Автоматически отменена', state: c.state };
  }
}

/** ids: int64 like the docs' (90066344); one sequence with the returns, so that no two records share an id */
export const CANCELLATION_ID_BASE = 90_000_000;
/** rFBS return ids fit the int32 `last_id` of /v2/returns/rfbs/list (docs: "last_id — integer <int32> … return_id") */
export const RFBS_RETURN_ID_BASE = 800_000_000;
export const FBS_RETURN_ID_BASE = 1_000_000_000;

// ------------------------------------------------------------------ rFBS return requests

/**
 * rFBS return states (`state.state`, `state_name`, and the `group_state` of /v2/returns/rfbs/list). Only
 * `ON_APPROVAL` / "На проверке" / New is in the docs' example; the others are the sandbox's, named after
 * /v1/returns/list's documented `visual_status_name` values (MovingToSeller, ArrivedAtReturnPlace, ReceivedBySeller,
 * MoneyReturned, PartialCompensationReturned, Rejected) and put in the docs' groups (New, Delivering, Checkout,
 * Approved, Rejected; Arbitration — a buyer's dispute — is not modelled).
 */
export const RFBS_RETURN_STATES = {
  ON_APPROVAL: { group: 'New', name: 'На проверке' },
  MOVING_TO_SELLER: { group: 'Delivering', name: 'Возврат на пути к продавцу' },
  ARRIVED_AT_RETURN_PLACE: { group: 'Delivering', name: 'В пункте выдачи' },
  RECEIVED_BY_SELLER: { group: 'Checkout', name: 'Продавец получил возврат' },
  MONEY_RETURNED: { group: 'Approved', name: 'Покупателю вернули всю сумму' },
  PARTIAL_COMPENSATION_RETURNED: { group: 'Approved', name: 'Вернули часть денег' },
  REJECTED: { group: 'Rejected', name: 'Заявка отклонена' },
} as const;
export type RfbsReturnState = keyof typeof RFBS_RETURN_STATES;
export const RFBS_RETURN_STATE_NAMES = Object.keys(RFBS_RETURN_STATES) as [RfbsReturnState, ...RfbsReturnState[]];
/** /v2/returns/rfbs/list filter.group_state (swagger v2ReturnsRfbsFilter) */
export const RFBS_GROUP_STATES = [
  'All',
  'New',
  'Delivering',
  'Checkout',
  'Arbitration',
  'Approved',
  'Rejected',
] as const;

/**
 * Action ids of /v1/returns/rfbs/action/set (`available_actions` of /v2/returns/rfbs/get). The docs name three:
 * -1 and -10 need a `comment` and a `rejection_reason_id` (the two rejections: of the request, and after the check),
 * 1020 needs a `compensation_amount` (the partial compensation). The docs' process text lists the rest without ids
 * ("одобрить, компенсировать, подтвердить возврат денег, запросить товар для проверки и отклонить"); 1010, 1030 and
 * 1040 are the sandbox's, one for each older method: /verify, /return-money, /receive-return.
 */
export const RETURN_ACTIONS = {
  approve: { id: 1010, name: 'Одобрить заявку и получить товар на проверку' },
  compensate: { id: 1020, name: 'Вернуть часть стоимости товара' },
  returnMoney: { id: 1030, name: 'Вернуть деньги покупателю' },
  receive: { id: 1040, name: 'Подтвердить получение товара' },
  reject: { id: -1, name: 'Отклонить заявку' },
  rejectAfterCheck: { id: -10, name: 'Отклонить возврат после проверки' },
} as const;

export interface RfbsReturn {
  return_id: number;
  return_number: string;
  posting_number: string;
  sku: number;
  offer_id: string;
  name: string;
  /** the unit's price, RUB */
  price: number;
  /** return_reason (RETURN_REASONS) */
  reasonId: number;
  /** the buyer's comment */
  comment: string;
  /** how many photos the buyer attached */
  photos: number;
  createdAt: number;
  /** unanswered until then: approved by the sandbox (timing.returnDecision) */
  decideBy: number;
  state: RfbsReturnState;
  changedAt: number;
  /** approved by the sandbox at `decideBy`, not by the seller */
  autoApproved: boolean;
  /** return_method_description (given by /v2/returns/rfbs/verify) */
  returnMethodDescription: string;
  /** ru_post_tracking_number: set when the buyer sends the parcel */
  trackingNumber: string;
  arrivedAt: number | null;
  receivedAt: number | null;
  rejection: { reasonId: number; comment: string; at: number } | null;
  /** money back to the buyer: the price (full) or a partial compensation; `backWay` = return_for_back_way */
  refund: { amount: number; backWay: number; full: boolean; at: number } | null;
  pending: AfterSaleTask<(typeof RFBS_RETURN_TASK_KINDS)[number]>[];
}

// ------------------------------------------------------------------ FBS returns

/**
 * /v1/returns/list `visual.status`: sys_name from the documented `visual_status_name` values, display_name their
 * documented descriptions; id 3 "В пункте выдачи" is the docs' example, the other ids are the sandbox's.
 */
export const FBS_RETURN_STATUSES = {
  MovingToSeller: { id: 2, display_name: 'Возврат на пути к продавцу' },
  ArrivedAtReturnPlace: { id: 3, display_name: 'В пункте выдачи' },
  ReceivedBySeller: { id: 4, display_name: 'Продавец получил возврат' },
  Utilized: { id: 5, display_name: 'Утилизирован' },
} as const;
export type FbsReturnStatus = keyof typeof FBS_RETURN_STATUSES;
export const FBS_RETURN_STATUS_NAMES = Object.keys(FBS_RETURN_STATUSES) as [FbsReturnStatus, ...FbsReturnStatus[]];

export interface FbsReturn {
  id: number;
  posting_number: string;
  sku: number;
  offer_id: string;
  name: string;
  price: number;
  exemplarId: number;
  reasonId: number;
  /** logistic.return_date: the buyer handed the unit back (Ozon refunded the buyer then) */
  createdAt: number;
  status: FbsReturnStatus;
  /** visual.change_moment */
  changedAt: number;
  /** storage.arrived_moment */
  arrivedAt: number | null;
  /** logistic.final_moment: given out to the seller */
  collectedAt: number | null;
  utilizedAt: number | null;
  pending: AfterSaleTask<(typeof FBS_RETURN_TASK_KINDS)[number]>[];
}

/** the seller's drop-off point (as /v2/warehouse/list's first_mile) and Ozon's returns sorting centre (docs' example) */
const DROPOFF_PLACE = { id: 1020002075314000, name: 'Пункт приёма FBS', address: 'Россия, Москва, ул. Складская, 1' };
const RETURNS_SORTING_CENTRE = {
  id: 23869688194000,
  name: 'СЦ_Львовский_Возвраты',
  address: 'Россия, обл. Московская, г. Подольск, промышленная зона Львовский, ул. Московская, д. 69, стр. 5',
};

export interface AfterSaleState {
  /** next sequence number for cancellation and return ids */
  nextId: number;
  plans: AfterSalePlan[];
  cancellations: CancellationRequest[];
  rfbsReturns: RfbsReturn[];
  fbsReturns: FbsReturn[];
}
/** what `OzonSandbox.afterSale()` returns: copies of the records */
export type AfterSaleView = Omit<AfterSaleState, 'nextId'>;

/** where the sandbox serves the buyer's photos of an rFBS return (GET, no auth, like the label files) */
export const returnPhotoPath = (returnId: number, n: number) => `/sandbox/files/returns/${returnId}/${n}.png`;

const commissionOf = (price: number) => round2((price * COMMISSION_PERCENT) / 100);

/** Misuse of the test hooks fails loudly, before anything is drawn from the RNG (called before Model.create). */
export function checkAfterSaleSpec(spec: CreatePostingSpec) {
  const schema = spec.schema ?? 'fbs';
  const startAt = spec.startAt ?? 'awaiting_packaging';
  const ms = (v: number | undefined, name: string) => {
    if (v !== undefined && (!Number.isFinite(v) || v < 0)) throw new Error(`sandbox: ${name} must be a number >= 0`);
  };
  ms(spec.cancellationRequestAfterMs, 'cancellationRequestAfterMs');
  ms(spec.returnAfterDeliveryMs, 'returnAfterDeliveryMs');
  const cancelRequest = spec.cancellationRequestAfterMs !== undefined;
  if (cancelRequest && schema !== 'rfbs')
    throw new Error("sandbox: cancellationRequestAfterMs is for rFBS postings (schema: 'rfbs')");
  if (cancelRequest && (startAt === 'delivered' || startAt === 'cancelled'))
    throw new Error('sandbox: cancellationRequestAfterMs needs a posting that has not ended');
  if (
    !cancelRequest &&
    (spec.cancellationRequestReasonId !== undefined || spec.cancellationRequestMessage !== undefined)
  )
    throw new Error(
      'sandbox: cancellationRequestReasonId / cancellationRequestMessage need cancellationRequestAfterMs',
    );
  if (
    spec.cancellationRequestReasonId !== undefined &&
    !CANCELLATION_REQUEST_REASONS.some((r) => r.id === spec.cancellationRequestReasonId)
  )
    throw new Error(`sandbox: unknown cancellationRequestReasonId ${spec.cancellationRequestReasonId}`);
  const ret = spec.returnAfterDeliveryMs !== undefined;
  if (ret && startAt === 'cancelled') throw new Error('sandbox: returnAfterDeliveryMs needs a posting to be delivered');
  const details = [spec.returnReasonId, spec.returnOfferId, spec.returnComment, spec.returnPhotos];
  if (!ret && details.some((v) => v !== undefined))
    throw new Error(
      'sandbox: returnReasonId / returnOfferId / returnComment / returnPhotos need returnAfterDeliveryMs',
    );
  if (spec.returnReasonId !== undefined && !RETURN_REASONS.some((r) => r.id === spec.returnReasonId))
    throw new Error(`sandbox: unknown returnReasonId ${spec.returnReasonId}`);
  if (spec.returnOfferId !== undefined && !spec.lines?.some((l) => l.offer_id === spec.returnOfferId))
    throw new Error('sandbox: returnOfferId must name one of the posting’s `lines`');
  if (schema !== 'rfbs' && (spec.returnComment !== undefined || spec.returnPhotos !== undefined))
    throw new Error('sandbox: returnComment / returnPhotos are for rFBS return requests');
  if (spec.returnPhotos !== undefined && (!Number.isInteger(spec.returnPhotos) || spec.returnPhotos < 0))
    throw new Error('sandbox: returnPhotos must be a whole number >= 0');
}

export interface AfterSaleDeps {
  model: Model;
  clock: SandboxClock;
  timing: Partial<Timing>;
  /** a scheduled transition is about to run (the caller persists the state after it) */
  onTimer?(): void;
}

export class AfterSale {
  nextId = 1;
  readonly plans: AfterSalePlan[] = [];
  readonly cancellations: CancellationRequest[] = [];
  readonly rfbsReturns: RfbsReturn[] = [];
  readonly fbsReturns: FbsReturn[] = [];
  private closed = false;
  private readonly cancels = new Map<AfterSaleTask, () => void>();

  constructor(private readonly d: AfterSaleDeps) {}

  private now() {
    return this.d.clock.now();
  }

  private timing() {
    return { ...DEFAULT_TIMING, ...this.d.timing };
  }

  // ---------------------------------------------------------------- scheduling

  private scheduleTask<K extends string>(
    owner: { pending: AfterSaleTask<K>[] },
    task: AfterSaleTask<K>,
    run: (kind: K) => void,
  ) {
    if (this.closed) return;
    if (!owner.pending.includes(task)) owner.pending.push(task);
    const cancel = this.d.clock.schedule(Math.max(0, task.due - this.now()), () => {
      if (this.closed || !this.cancels.delete(task)) return;
      const i = owner.pending.indexOf(task);
      if (i >= 0) owner.pending.splice(i, 1);
      this.d.onTimer?.();
      run(task.kind);
    });
    this.cancels.set(task, cancel);
  }

  private dropTasks(owner: { pending: AfterSaleTask[] }) {
    for (const task of owner.pending.splice(0)) {
      this.cancels.get(task)?.();
      this.cancels.delete(task);
    }
  }

  private planTask(plan: AfterSalePlan, task: AfterSalePlan['pending'][number]) {
    this.scheduleTask(plan, task, (kind) => {
      const p = this.d.model.postings.get(plan.posting_number);
      if (!p) return;
      if (kind === 'cancellationRequest') this.openCancellation(plan, p);
      else this.openReturn(plan, p);
    });
  }

  private cancellationTask(c: CancellationRequest, task: CancellationRequest['pending'][number]) {
    this.scheduleTask(c, task, () => this.autoApproveCancellation(c));
  }

  private rfbsReturnTask(r: RfbsReturn, task: RfbsReturn['pending'][number]) {
    this.scheduleTask(r, task, (kind) => {
      if (kind === 'autoApprove') {
        // nobody answered by the deadline: approved as if the seller had (ozon-api.md §5: then auto-approve)
        if (r.state !== 'ON_APPROVAL') return;
        r.autoApproved = true;
        this.approveReturn(r, '');
      } else if (r.state === 'MOVING_TO_SELLER') {
        r.arrivedAt = this.now();
        this.setReturnState(r, 'ARRIVED_AT_RETURN_PLACE');
      }
    });
  }

  private fbsReturnTask(f: FbsReturn, task: FbsReturn['pending'][number]) {
    this.scheduleTask(f, task, (kind) => {
      const now = this.now();
      if (kind === 'arrived') {
        if (f.status !== 'MovingToSeller') return;
        f.arrivedAt = now;
        this.setFbsStatus(f, 'ArrivedAtReturnPlace');
        this.fbsReturnTask(f, { kind: 'utilized', due: now + this.timing().returnUtilization });
      } else if (f.status === 'ArrivedAtReturnPlace') {
        // not collected by utilization_forecast_date
        f.utilizedAt = now;
        this.setFbsStatus(f, 'Utilized');
      }
    });
  }

  /** stops the clock callbacks; the records' `pending` stays (the state file keeps it) */
  close() {
    this.closed = true;
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
  }

  state(): AfterSaleState {
    return {
      nextId: this.nextId,
      plans: this.plans,
      cancellations: this.cancellations,
      rfbsReturns: this.rfbsReturns,
      fbsReturns: this.fbsReturns,
    };
  }

  view(): AfterSaleView {
    const { nextId: _, ...rest } = this.state();
    return JSON.parse(JSON.stringify(rest)) as AfterSaleView;
  }

  /** load a state file's records; pending transitions go back on the clock, due first */
  restore(s: AfterSaleState) {
    this.nextId = s.nextId;
    this.plans.push(...s.plans);
    this.cancellations.push(...s.cancellations);
    this.rfbsReturns.push(...s.rfbsReturns);
    this.fbsReturns.push(...s.fbsReturns);
    const all: { due: number; put: () => void }[] = [
      ...s.plans.flatMap((x) => x.pending.map((t) => ({ due: t.due, put: () => this.planTask(x, t) }))),
      ...s.cancellations.flatMap((x) => x.pending.map((t) => ({ due: t.due, put: () => this.cancellationTask(x, t) }))),
      ...s.rfbsReturns.flatMap((x) => x.pending.map((t) => ({ due: t.due, put: () => this.rfbsReturnTask(x, t) }))),
      ...s.fbsReturns.flatMap((x) => x.pending.map((t) => ({ due: t.due, put: () => this.fbsReturnTask(x, t) }))),
    ];
    all.sort((a, b) => a.due - b.due); // stable: ties keep the order above
    for (const t of all) t.put();
  }

  // ---------------------------------------------------------------- plans (createPosting's spec)

  /** after Model.create: keeps what is to happen to the posting after the sale (checkAfterSaleSpec ran before) */
  plan(p: Posting, spec: CreatePostingSpec) {
    if (spec.cancellationRequestAfterMs === undefined && spec.returnAfterDeliveryMs === undefined) return;
    const plan: AfterSalePlan = {
      posting_number: p.posting_number,
      cancellationRequest:
        spec.cancellationRequestAfterMs === undefined
          ? null
          : {
              afterMs: spec.cancellationRequestAfterMs,
              reasonId: spec.cancellationRequestReasonId ?? 507,
              message: spec.cancellationRequestMessage ?? '',
            },
      return:
        spec.returnAfterDeliveryMs === undefined
          ? null
          : {
              afterDeliveryMs: spec.returnAfterDeliveryMs,
              reasonId: spec.returnReasonId ?? 1,
              offerId: spec.returnOfferId ?? '',
              comment: spec.returnComment ?? '',
              photos: spec.returnPhotos ?? 0,
            },
      pending: [],
    };
    this.plans.push(plan);
    // "this long after creation", counted from now like cancelByBuyerAfterMs (an adopted posting is back-dated)
    if (plan.cancellationRequest)
      this.planTask(plan, { kind: 'cancellationRequest', due: this.now() + plan.cancellationRequest.afterMs });
    // adopted at delivered: the return counts from that delivery
    if (plan.return && p.status === 'delivered' && p.deliveredAt !== null) this.scheduleReturn(plan, p.deliveredAt);
  }

  private scheduleReturn(plan: AfterSalePlan, deliveredAt: number) {
    if (!plan.return) return;
    this.planTask(plan, { kind: 'return', due: deliveredAt + plan.return.afterDeliveryMs });
  }

  /** Model's onStatusChange: a delivery starts the planned return; a posting that ends closes an open request */
  onStatus(p: Posting) {
    if (p.status === 'delivered' && p.deliveredAt !== null) {
      const plan = this.plans.find((x) => x.posting_number === p.posting_number);
      const started =
        plan?.pending.some((t) => t.kind === 'return') ||
        this.rfbsReturns.some((r) => r.posting_number === p.posting_number) ||
        this.fbsReturns.some((f) => f.posting_number === p.posting_number);
      if (plan?.return && !started) this.scheduleReturn(plan, p.deliveredAt);
    }
    if (FINAL_STATUSES.has(p.status)) {
      // The posting ended before anyone answered (delivered, or cancelled another way): the request is closed
      // without a decision — swagger's v1 list example {5, "Автоматически отменена", REJECTED}, approve_date null.
      for (const c of this.cancellations)
        if (c.posting_number === p.posting_number && c.state === 'ON_APPROVAL') this.decide(c, 'autoClosed', '');
    }
  }

  // ---------------------------------------------------------------- cancellation requests

  private openCancellation(plan: AfterSalePlan, p: Posting) {
    const cr = plan.cancellationRequest;
    // nothing left to cancel: delivered, cancelled, split, or not accepted
    if (!cr || FINAL_STATUSES.has(p.status)) return;
    const now = this.now();
    const c: CancellationRequest = {
      cancellation_id: CANCELLATION_ID_BASE + this.nextId++,
      posting_number: p.posting_number,
      reasonId: cr.reasonId,
      message: cr.message,
      createdAt: now,
      autoApproveAt: now + this.timing().cancellationAutoApprove,
      state: 'ON_APPROVAL',
      resolution: null,
      comment: '',
      decidedAt: null,
      pending: [],
    };
    this.cancellations.push(c);
    this.cancellationTask(c, { kind: 'autoApprove', due: c.autoApproveAt });
  }

  cancellation(id: number): CancellationRequest {
    const c = this.cancellations.find((x) => x.cancellation_id === id);
    // the docs name no error for an unknown id: 404 like an unknown posting, with the sandbox's token
    if (!c) throw new ApiError(404, 5, 'CANCELLATION_NOT_FOUND');
    return c;
  }

  /**
   * "Метод позволяет согласовать / отклонить заявку на отмену в статусе ON_APPROVAL" (docs/26): any other state is
   * refused with the sandbox's token (the docs name none).
   */
  private requireOnApproval(c: CancellationRequest) {
    if (c.state !== 'ON_APPROVAL') throw new ApiError(400, 3, 'CANCELLATION_NOT_ON_APPROVAL');
  }

  private decide(c: CancellationRequest, resolution: CancellationResolution, comment: string) {
    c.state = resolution === 'rejected' || resolution === 'autoClosed' ? 'REJECTED' : 'APPROVED';
    c.resolution = resolution;
    c.comment = comment;
    c.decidedAt = resolution === 'autoClosed' ? null : this.now();
    this.dropTasks(c);
  }

  /** "Заказ будет отменён, а деньги вернутся покупателю": cancelled as by the buyer, with the request's reason */
  private cancelPosting(c: CancellationRequest) {
    const p = this.d.model.postings.get(c.posting_number);
    const reason = CANCELLATION_REQUEST_REASONS.find((r) => r.id === c.reasonId);
    if (p) this.d.model.cancelByBuyer(p, { id: c.reasonId, title: reason?.name ?? '' });
  }

  approveCancellation(id: number, comment: string) {
    const c = this.cancellation(id);
    this.requireOnApproval(c);
    // decided first: the cancel's status change must not close the request as unanswered
    this.decide(c, 'approved', comment);
    this.cancelPosting(c);
  }

  /** "Заказ останется в том же статусе, и его нужно будет доставить покупателю" */
  rejectCancellation(id: number, comment: string) {
    const c = this.cancellation(id);
    this.requireOnApproval(c);
    this.decide(c, 'rejected', comment);
  }

  private autoApproveCancellation(c: CancellationRequest) {
    if (c.state !== 'ON_APPROVAL') return;
    this.decide(c, 'autoApproved', '');
    this.cancelPosting(c);
  }

  /** /v2/conditional-cancellation/list: in id order, after `lastId` */
  cancellationList(f: { initiators?: string[]; postingNumbers?: string[]; state?: string }, lastId: number) {
    return this.cancellations.filter(
      (c) =>
        c.cancellation_id > lastId &&
        // every request here is the buyer's
        (!f.initiators?.length || f.initiators.includes('CLIENT')) &&
        (!f.postingNumbers?.length || f.postingNumbers.includes(c.posting_number)) &&
        (!f.state || f.state === 'ALL' || f.state === c.state),
    );
  }

  /** `counter`: "Cчётчик заявок в статусе ON_APPROVAL" (all of the seller's, whatever the filter) */
  onApprovalCount() {
    return this.cancellations.filter((c) => c.state === 'ON_APPROVAL').length;
  }

  renderCancellation(c: CancellationRequest) {
    const p = this.d.model.postings.get(c.posting_number);
    return {
      approve_comment: c.comment,
      approve_date: c.decidedAt === null ? null : iso(c.decidedAt),
      auto_approve_date: iso(c.autoApproveAt),
      cancellation_id: c.cancellation_id,
      cancellation_initiator: 'CLIENT',
      cancellation_reason: {
        id: c.reasonId,
        name: CANCELLATION_REQUEST_REASONS.find((r) => r.id === c.reasonId)?.name ?? '',
      },
      cancellation_reason_message: c.message,
      cancelled_at: iso(c.createdAt),
      order_date: iso(p?.createdAt ?? c.createdAt),
      posting_number: c.posting_number,
      // "Предыдущий идентификатор … для обратной совместимости": the sandbox has only one id
      source_id: c.cancellation_id,
      state: cancellationStateView(c),
      // the posting's own tpl_integration_type (swagger's v1 examples spell it "ThirdPartyTracking")
      tpl_integration_type: p ? tplOf(p) : '',
    };
  }

  // ---------------------------------------------------------------- returns: creation

  private openReturn(plan: AfterSalePlan, p: Posting) {
    const spec = plan.return;
    if (!spec || p.status !== 'delivered') return;
    const line =
      p.lines.find((l) => l.offer_id === spec.offerId && l.quantity > 0) ?? p.lines.find((l) => l.quantity > 0);
    if (!line) return;
    const now = this.now();
    const n = this.nextId++;
    const t = this.timing();
    if (p.schema === 'rfbs') {
      const r: RfbsReturn = {
        return_id: RFBS_RETURN_ID_BASE + n,
        // the docs' example "RET-2026-00123": year and sequence (sandbox's reading)
        return_number: `RET-${iso(now).slice(0, 4)}-${String(n).padStart(5, '0')}`,
        posting_number: p.posting_number,
        sku: line.sku,
        offer_id: line.offer_id,
        name: line.name,
        price: Number(line.price),
        reasonId: spec.reasonId,
        comment: spec.comment,
        photos: spec.photos,
        createdAt: now,
        decideBy: now + t.returnDecision,
        state: 'ON_APPROVAL',
        changedAt: now,
        autoApproved: false,
        returnMethodDescription: '',
        trackingNumber: '',
        arrivedAt: null,
        receivedAt: null,
        rejection: null,
        refund: null,
        pending: [],
      };
      this.rfbsReturns.push(r);
      this.rfbsReturnTask(r, { kind: 'autoApprove', due: r.decideBy });
      return;
    }
    const units = exemplarIds(p).get(line.sku) ?? [];
    const f: FbsReturn = {
      id: FBS_RETURN_ID_BASE + n,
      posting_number: p.posting_number,
      sku: line.sku,
      offer_id: line.offer_id,
      name: line.name,
      price: Number(line.price),
      exemplarId: units[0] ?? 0,
      reasonId: spec.reasonId,
      createdAt: now,
      status: 'MovingToSeller',
      changedAt: now,
      arrivedAt: null,
      collectedAt: null,
      utilizedAt: null,
      pending: [],
    };
    this.fbsReturns.push(f);
    this.fbsReturnTask(f, { kind: 'arrived', due: now + t.returnTransit });
  }

  // ---------------------------------------------------------------- rFBS returns: the seller's answers

  rfbsReturn(id: number): RfbsReturn {
    const r = this.rfbsReturns.find((x) => x.return_id === id);
    // docs: 404 "Ответ не найден"; the token is the sandbox's
    if (!r) throw new ApiError(404, 5, 'RETURN_NOT_FOUND');
    return r;
  }

  availableActions(r: RfbsReturn): { id: number; name: string }[] {
    const A = RETURN_ACTIONS;
    switch (r.state) {
      case 'ON_APPROVAL':
        return [A.approve, A.returnMoney, A.compensate, A.reject];
      case 'ARRIVED_AT_RETURN_PLACE':
        return [A.receive];
      case 'RECEIVED_BY_SELLER':
        return [A.returnMoney, A.rejectAfterCheck];
      default:
        return [];
    }
  }

  private setReturnState(r: RfbsReturn, state: RfbsReturnState) {
    r.state = state;
    r.changedAt = this.now();
  }

  /** approved (1010 / verify, or the deadline): the buyer sends the parcel by post; it arrives after returnTransit */
  private approveReturn(r: RfbsReturn, returnMethodDescription: string) {
    this.dropTasks(r);
    r.returnMethodDescription = returnMethodDescription;
    // a Russian Post track number: 14 digits (sandbox's, derived from the id: no RNG draw)
    r.trackingNumber = `80${String(r.return_id).padStart(12, '0')}`;
    this.setReturnState(r, 'MOVING_TO_SELLER');
    this.rfbsReturnTask(r, { kind: 'arrived', due: this.now() + this.timing().returnTransit });
  }

  /**
   * /v1/returns/rfbs/action/set (and the older /v2/returns/rfbs/* methods, `commentRule: 'reason'`). Checked in this
   * order, 400 code 3 unless said: 404 `RETURN_NOT_FOUND`; `RETURN_ACTION_NOT_AVAILABLE` (the id is not among
   * `available_actions` now: sandbox's token); for -1 / -10 a missing `rejection_reason_id` or `comment` ("Обязателен
   * для id: -1 и id: -10"; the older reject wants the comment only when the reason's `is_comment_required`), an
   * unknown reason (`REJECTION_REASON_NOT_FOUND`, sandbox's); for 1020 a `compensation_amount` missing, not above 0 or
   * not below the price (a partial compensation: the whole price is 1030).
   */
  returnAction(
    id: number,
    a: {
      id: number;
      comment?: string;
      compensation_amount?: number;
      rejection_reason_id?: number;
      return_for_back_way?: number;
      return_method_description?: string;
    },
    commentRule: 'always' | 'reason' = 'always',
  ) {
    const r = this.rfbsReturn(id);
    if (!this.availableActions(r).some((x) => x.id === a.id)) throw new ApiError(400, 3, 'RETURN_ACTION_NOT_AVAILABLE');
    const now = this.now();
    switch (a.id) {
      case RETURN_ACTIONS.reject.id:
      case RETURN_ACTIONS.rejectAfterCheck.id: {
        if (!a.rejection_reason_id)
          throw new ApiError(400, 3, 'invalid request payload: rejection_reason_id: required for id -1 and -10');
        const reason = RETURN_REJECTION_REASONS.find((x) => x.id === a.rejection_reason_id);
        if (!reason) throw new ApiError(400, 3, 'REJECTION_REASON_NOT_FOUND');
        const comment = a.comment?.trim() ?? '';
        if (!comment && (commentRule === 'always' || reason.is_comment_required))
          throw new ApiError(
            400,
            3,
            commentRule === 'always'
              ? 'invalid request payload: comment: required for id -1 and -10'
              : 'invalid request payload: comment: required for this rejection_reason (is_comment_required)',
          );
        this.dropTasks(r);
        r.rejection = { reasonId: reason.id, comment: a.comment ?? '', at: now };
        this.setReturnState(r, 'REJECTED');
        return;
      }
      case RETURN_ACTIONS.compensate.id: {
        const amount = a.compensation_amount;
        if (amount === undefined || !Number.isFinite(amount) || amount <= 0 || amount >= r.price)
          throw new ApiError(
            400,
            3,
            `invalid request payload: compensation_amount: required for id 1020, more than 0 and less than the price ${money(r.price)}`,
          );
        this.dropTasks(r);
        // "вы возвращаете часть денег покупателю, товар остаётся у него"
        r.refund = { amount: round2(amount), backWay: 0, full: false, at: now };
        this.setReturnState(r, 'PARTIAL_COMPENSATION_RETURNED');
        return;
      }
      case RETURN_ACTIONS.returnMoney.id: {
        this.dropTasks(r);
        // "Отрицательные значения приравниваются к 0"
        const backWay = round2(Math.max(0, a.return_for_back_way ?? 0));
        r.refund = { amount: r.price, backWay, full: true, at: now };
        this.setReturnState(r, 'MONEY_RETURNED');
        return;
      }
      case RETURN_ACTIONS.approve.id:
        this.approveReturn(r, a.return_method_description ?? '');
        return;
      case RETURN_ACTIONS.receive.id:
        r.receivedAt = now;
        this.setReturnState(r, 'RECEIVED_BY_SELLER');
        return;
    }
  }

  /** the older /v2/returns/rfbs/reject: the rejection available now (-1 before the parcel came back, -10 after) */
  rejectionActionOf(id: number): number {
    const r = this.rfbsReturn(id);
    const ids = this.availableActions(r).map((x) => x.id);
    return ids.includes(RETURN_ACTIONS.rejectAfterCheck.id)
      ? RETURN_ACTIONS.rejectAfterCheck.id
      : RETURN_ACTIONS.reject.id;
  }

  /** /v2/returns/rfbs/list: in id order, after `lastId` */
  rfbsReturnList(
    f: { posting_number?: string; offer_id?: string; group_state?: string[]; from?: number; to?: number },
    lastId: number,
  ) {
    const groups = f.group_state?.filter((g) => g !== 'All') ?? [];
    const all = !f.group_state?.length || f.group_state.includes('All');
    return this.rfbsReturns.filter(
      (r) =>
        r.return_id > lastId &&
        (!f.posting_number || r.posting_number === f.posting_number) &&
        (!f.offer_id || r.offer_id === f.offer_id) &&
        (all || groups.includes(RFBS_RETURN_STATES[r.state].group)) &&
        (f.from === undefined || r.createdAt >= f.from) &&
        (f.to === undefined || r.createdAt <= f.to),
    );
  }

  private productOf(r: RfbsReturn) {
    // the docs' examples give the price as a number (swagger types it as a string); newer docs win
    return { currency_code: 'RUB', name: r.name, offer_id: r.offer_id, price: r.price, sku: r.sku };
  }

  private orderNumberOf(r: { posting_number: string }) {
    return this.d.model.postings.get(r.posting_number)?.order_number ?? '';
  }

  /** `money_return_state_name` (swagger; the docs give no values): the sandbox's words, '' before any refund */
  private moneyState(r: RfbsReturn) {
    if (!r.refund) return '';
    return r.refund.full ? 'Деньги возвращены покупателю' : 'Частичная компенсация возвращена покупателю';
  }

  renderRfbsListItem(r: RfbsReturn) {
    const st = RFBS_RETURN_STATES[r.state];
    return {
      client_name: 'Иван Покупатель',
      created_at: iso(r.createdAt),
      order_number: this.orderNumberOf(r),
      posting_number: r.posting_number,
      product: this.productOf(r),
      return_id: r.return_id,
      return_number: r.return_number,
      state: {
        group_state: st.group,
        money_return_state_name: this.moneyState(r),
        state: r.state,
        state_name: st.name,
      },
    };
  }

  renderRfbsReturn(r: RfbsReturn, baseUrl: string) {
    const actions = this.availableActions(r);
    const canReject = actions.some((x) => x.id < 0);
    const reason = RETURN_REASONS.find((x) => x.id === r.reasonId) ?? { id: r.reasonId, name: '', is_defect: false };
    // the reasons the seller may reject with while a rejection is available; the chosen one once rejected
    const rejection = canReject
      ? RETURN_REJECTION_REASONS
      : RETURN_REJECTION_REASONS.filter((x) => x.id === r.rejection?.reasonId);
    const p = this.d.model.postings.get(r.posting_number);
    return {
      // the docs' shape {action{id, name}} (swagger: {id, name}); newer docs win
      available_actions: actions.map((x) => ({ action: { id: x.id, name: x.name } })),
      client_name: 'Иван Покупатель',
      client_photo: Array.from({ length: r.photos }, (_, i) => baseUrl + returnPhotoPath(r.return_id, i + 1)),
      // the buyer posts the parcel (ru_post_tracking_number): the sandbox's method
      client_return_method_type: { id: 1, name: 'Почта России' },
      comment: r.comment,
      created_at: iso(r.createdAt),
      order_number: this.orderNumberOf(r),
      posting_number: r.posting_number,
      product: this.productOf(r),
      rejection_comment: r.rejection?.comment ?? '',
      rejection_reason: rejection.map((x) => ({
        hint: x.hint,
        id: x.id,
        is_comment_required: x.is_comment_required,
        name: x.name,
      })),
      return_method_description: r.returnMethodDescription,
      return_number: r.return_number,
      return_reason: { id: reason.id, is_defect: reason.is_defect, name: reason.name },
      ru_post_tracking_number: r.trackingNumber,
      state: { state: r.state, state_name: RFBS_RETURN_STATES[r.state].name },
      warehouse_id: p?.warehouse.warehouse_id ?? 0,
    };
  }

  // ---------------------------------------------------------------- FBS returns

  private setFbsStatus(f: FbsReturn, status: FbsReturnStatus) {
    f.status = status;
    f.changedAt = this.now();
    this.dropTasks(f);
  }

  /** OzonSandbox.collectReturn: the seller takes the return at the drop-off point */
  collect(id: number) {
    const f = this.fbsReturns.find((x) => x.id === id);
    if (!f) throw new Error(`sandbox: unknown FBS return ${id}`);
    if (f.status !== 'ArrivedAtReturnPlace')
      throw new Error(`sandbox: FBS return ${id} is ${f.status}, not ArrivedAtReturnPlace: nothing to collect`);
    f.collectedAt = this.now();
    this.setFbsStatus(f, 'ReceivedBySeller');
  }

  /** storage dates and sums of a return at the drop-off point (sandbox timings and prices) */
  private storage(f: FbsReturn) {
    const t = this.timing();
    if (f.arrivedAt === null) {
      return {
        sum: { currency_code: 'RUB', price: 0 },
        tariffication_first_date: null,
        tariffication_start_date: null,
        arrived_moment: null,
        days: 0,
        utilization_sum: { currency_code: 'RUB', price: RETURN_UTILIZATION_PRICE },
        utilization_forecast_date: null,
      };
    }
    const end = f.collectedAt ?? f.utilizedAt ?? this.now();
    const start = f.arrivedAt + t.returnFreeStorage;
    // paid days: every day begun from the start of tariffication until the return left the point
    const paidDays = end > start ? Math.ceil((end - start) / DAY) : 0;
    return {
      sum: { currency_code: 'RUB', price: round2(paidDays * RETURN_STORAGE_PER_DAY) },
      // the docs' example has the first charged day one day after the start
      tariffication_first_date: iso(start + DAY),
      tariffication_start_date: iso(start),
      arrived_moment: iso(f.arrivedAt),
      days: Math.floor((end - f.arrivedAt) / DAY),
      utilization_sum: { currency_code: 'RUB', price: RETURN_UTILIZATION_PRICE },
      utilization_forecast_date: iso(f.arrivedAt + t.returnUtilization),
    };
  }

  /** /v1/returns/list filter (the docs: only one of the three periods); in id order, after `lastId` */
  fbsReturnList(
    f: {
      logistic_return_date?: { from?: number; to?: number };
      storage_tariffication_start_date?: { from?: number; to?: number };
      visual_status_change_moment?: { from?: number; to?: number };
      order_id?: number;
      posting_numbers?: string[];
      product_name?: string;
      offer_id?: string;
      visual_status_name?: string;
      warehouse_id?: number;
      barcode?: string;
      return_schema?: string;
    },
    lastId: number,
  ) {
    const within = (v: number | null, r?: { from?: number; to?: number }) =>
      !r || (v !== null && (r.from === undefined || v >= r.from) && (r.to === undefined || v <= r.to));
    const t = this.timing();
    return this.fbsReturns.filter((x) => {
      const p = this.d.model.postings.get(x.posting_number);
      return (
        x.id > lastId &&
        // every return here is FBS (FBO is not modelled)
        (!f.return_schema || f.return_schema.toUpperCase() === 'FBS') &&
        within(x.createdAt, f.logistic_return_date) &&
        within(x.arrivedAt === null ? null : x.arrivedAt + t.returnFreeStorage, f.storage_tariffication_start_date) &&
        within(x.changedAt, f.visual_status_change_moment) &&
        (!f.order_id || p?.order_id === f.order_id) &&
        (!f.posting_numbers?.length || f.posting_numbers.includes(x.posting_number)) &&
        (!f.product_name || x.name.toLowerCase().includes(f.product_name.toLowerCase())) &&
        (!f.offer_id || x.offer_id === f.offer_id) &&
        (!f.visual_status_name || x.status === f.visual_status_name) &&
        (!f.warehouse_id || p?.warehouse.warehouse_id === f.warehouse_id) &&
        (!f.barcode || fbsReturnBarcode(x) === f.barcode)
      );
    });
  }

  renderFbsReturn(f: FbsReturn, sellerId: number) {
    const p = this.d.model.postings.get(f.posting_number);
    const commission = commissionOf(f.price);
    const here = f.arrivedAt === null ? RETURNS_SORTING_CENTRE : DROPOFF_PLACE;
    return {
      exemplars: f.exemplarId ? [{ id: f.exemplarId }] : [],
      id: f.id,
      company_id: sellerId,
      return_reason_name: RETURN_REASONS.find((r) => r.id === f.reasonId)?.name ?? '',
      // "ClientReturn — клиентский возврат (после вручения)"
      type: 'ClientReturn',
      // as the docs' and examples/response__v1_returns_list__1.json spell it (swagger's description says FBS)
      schema: 'Fbs',
      order_id: p?.order_id ?? 0,
      order_number: p?.order_number ?? '',
      place: { ...here },
      target_place: { ...DROPOFF_PLACE },
      storage: this.storage(f),
      product: {
        sku: f.sku,
        offer_id: f.offer_id,
        name: f.name,
        price: { currency_code: 'RUB', price: f.price },
        price_without_commission: { currency_code: 'RUB', price: round2(f.price - commission) },
        commission_percent: COMMISSION_PERCENT,
        commission: { currency_code: 'RUB', price: commission },
        quantity: 1,
      },
      logistic: {
        technical_return_moment: null,
        final_moment: f.collectedAt === null ? null : iso(f.collectedAt),
        cancelled_with_compensation_moment: null,
        return_date: iso(f.createdAt),
        barcode: fbsReturnBarcode(f),
      },
      visual: {
        status: {
          id: FBS_RETURN_STATUSES[f.status].id,
          display_name: FBS_RETURN_STATUSES[f.status].display_name,
          sys_name: f.status,
        },
        change_moment: iso(f.changedAt),
      },
      additional_info: { is_opened: false, is_super_econom: false },
      source_id: f.id,
      posting_number: f.posting_number,
      clearing_id: (p?.order_id ?? 0) * 100 + 1,
      return_clearing_id: null,
      // docs' example (not swagger): no compensation for a return the seller gets back
      compensation_status: null,
    };
  }

  // ---------------------------------------------------------------- money

  /**
   * The after-sale accruals of a posting, in /v1/finance/accrual/postings' documented shape, once the sale itself is
   * settled (accrual_date: the refund, or the settlement if that came later). A full refund reverses the unit's
   * revenue (`return`, negative) and its commission (`commission`, positive); a partial compensation is a negative
   * `return` without quantity; `return_for_back_way` a negative `returnDelivery`. An FBS return is refunded by Ozon
   * when the buyer hands the unit back (`logistic.return_date`).
   */
  accruals(p: Posting): Record<string, unknown>[] {
    if (p.settledAt === null || p.status !== 'delivered') return [];
    const settledAt = p.settledAt;
    const m = (n: number) => ({ amount: money(n), currency: 'RUB' });
    const out: Record<string, unknown>[] = [];
    const full = (at: number, sku: number, price: number) => {
      const date = iso(Math.max(at, settledAt));
      out.push(
        {
          accrual_date: date,
          type_id: ACCRUAL_TYPES.return.id,
          sku,
          quantity: 1,
          accrued: m(-price),
          seller_price: m(price),
        },
        {
          accrual_date: date,
          type_id: ACCRUAL_TYPES.commission.id,
          sku,
          quantity: 1,
          accrued: m(commissionOf(price)),
          seller_price: m(price),
        },
      );
    };
    for (const r of this.rfbsReturns) {
      if (r.posting_number !== p.posting_number || !r.refund) continue;
      const date = iso(Math.max(r.refund.at, settledAt));
      if (r.refund.full) full(r.refund.at, r.sku, r.price);
      else
        out.push({
          accrual_date: date,
          type_id: ACCRUAL_TYPES.return.id,
          sku: r.sku,
          quantity: 0,
          accrued: m(-r.refund.amount),
          seller_price: m(r.price),
        });
      if (r.refund.backWay > 0)
        out.push({
          accrual_date: date,
          type_id: ACCRUAL_TYPES.returnDelivery.id,
          sku: 0,
          quantity: 0,
          accrued: m(-r.refund.backWay),
          seller_price: m(0),
        });
    }
    for (const f of this.fbsReturns) if (f.posting_number === p.posting_number) full(f.createdAt, f.sku, f.price);
    return out;
  }
}

/** the return label's barcode (the docs' example "ii5275210303": "ii" and 10 digits; derived from the id) */
export const fbsReturnBarcode = (f: Pick<FbsReturn, 'id'>) => `ii${String(f.id).padStart(10, '0').slice(-10)}`;
