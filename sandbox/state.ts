/**
 * Durable state: what a sandbox killed with `kill -9` needs to come back as it was.
 *
 * File format (JSON, one object; `snapshot()` returns the same object):
 *
 *   { "format": "ozon-sandbox-state", "version": 1,
 *     "savedAt": <simulated ms>, "startedAt": <simulated ms>,
 *     "rng": { "postings": <u32>, "faults": <u32>, "push": <u32>, "misc": <u32>, "slow": <u32> },
 *     "postings": [ <Posting (model.ts), every field, incl. "pending": [{ "kind": <TaskKind>, "due": <simulated ms> }]> ],
 *     "chats": [ { "chat_id", "posting_number", "created_at",
 *                  "messages": [{ "message_id", "author": "seller" | "buyer", "text", "created_at" }], "read_up_to" } ],
 *     "buyerMessages": [ { "posting_number", "text", "due": <simulated ms> } ],   (chat.ts: buyers' messages to come)
 *     "rating": { "entries": [ { "at": <simulated ms>, "rating", "value", "status": "OK" | … | null } ] },  (rating.ts)
 *     "stocks": [ { "warehouse_id", "offer_id", "free", "updatedAt": <simulated ms> | null } ],
 *     "handover": { "nextId": <int>, "carriages": [ <Carriage (handover.ts), incl. "pending"> ],
 *                   "labelTasks": [ <LabelTask (handover.ts)> ] },
 *     "afterSale": { "nextId": <int>, "plans": [ <AfterSalePlan> ], "cancellations": [ <CancellationRequest> ],
 *                    "rfbsReturns": [ <RfbsReturn> ], "fbsReturns": [ <FbsReturn> ] } }   (aftersale.ts, each with "pending")
 *
 * Fields added after version 1 was first written are optional with defaults, so an older file still restores:
 * `stocks` (default []: every pair at `initialStock`), and per posting `multiBox` (false), `multiBoxQty` (null),
 * `exemplars` (null), `tpl` (absent: non_integrated for rFBS), `registrationFails` (false), `handoverMs` (null), `assemblyMs` (null), `cutoffPending` (false),
 * `parentPostingNumber` (''), `tariffSteps` (null), `dropoffLimits` (null), `removedFromAct` (false),
 * `labelUnprinted` (0), `carriageId` (null); the warehouse's `dropoffLimits`, `cutoff` and `entrustedAcceptance`
 * are optional too; `handover` (default { nextId: 1, carriages: [], labelTasks: [] }); `afterSale` (default
 * { nextId: 1, plans: [], cancellations: [], rfbsReturns: [], fbsReturns: [] }); per chat `created_at` ('': shown as
 * its first message's), `read_up_to` ('') and per message `author` ('seller': the only one who wrote before);
 * `buyerMessages` ([]); `rating` ({ entries: [] }: every indicator at its start value).
 *
 * Posting numbers are drawn from the `postings` RNG and checked against the restored postings, so a restarted
 * sandbox goes on with new numbers and never repeats one.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import {
  type AfterSale,
  type AfterSalePlan,
  type AfterSaleState,
  CANCELLATION_RESOLUTIONS,
  CANCELLATION_STATES,
  CANCELLATION_TASK_KINDS,
  type CancellationRequest,
  FBS_RETURN_STATUS_NAMES,
  FBS_RETURN_TASK_KINDS,
  type FbsReturn,
  PLAN_TASK_KINDS,
  RFBS_RETURN_STATE_NAMES,
  RFBS_RETURN_TASK_KINDS,
  type RfbsReturn,
} from './aftersale.js';
import { RFBS_TPLS } from './catalogue.js';
import type { BuyerMessagePlan, Chat, Chats } from './chat.js';
import type { ExemplarSet } from './exemplars.js';
import {
  CARRIAGE_STATUSES,
  CARRIAGE_TASK_KINDS,
  type Carriage,
  type Handover,
  type HandoverState,
  type LabelTask,
} from './handover.js';
import { type Model, type Posting, TASK_KINDS } from './model.js';
import { RATING_STATUSES, type Rating, type RatingEntry } from './rating.js';
import type { Rng } from './rng.js';
import type { StockBook, StockRecord } from './stock.js';

export const STATE_FORMAT = 'ozon-sandbox-state';
export const STATE_VERSION = 1;

const ms = z.number().finite();
const u32 = z.number().int().min(0).max(0xffffffff);

const exemplarSet = z.object({
  products: z.array(
    z.object({
      product_id: z.number().int(),
      exemplars: z.array(
        z.object({
          exemplar_id: z.number().int(),
          gtd: z.string(),
          is_gtd_absent: z.boolean(),
          rnpt: z.string(),
          is_rnpt_absent: z.boolean(),
          marks: z.array(z.object({ mark: z.string(), mark_type: z.string() })),
        }),
      ),
    }),
  ),
  setAt: ms,
  checkedAt: ms,
}) satisfies z.ZodType<ExemplarSet>;

const dropoffLimits = z
  .object({
    max_posting_weight: z.number(),
    min_posting_weight: z.number(),
    width: z.number(),
    length: z.number(),
    height: z.number(),
    max_posting_price: z.number(),
    min_posting_price: z.number(),
  })
  .partial();

const posting = z.object({
  posting_number: z.string().min(1),
  order_id: z.number().int(),
  order_number: z.string(),
  schema: z.enum(['fbs', 'rfbs']),
  warehouse: z.object({
    warehouse_id: z.number().int(),
    name: z.string(),
    is_rfbs: z.boolean(),
    dropoffLimits: dropoffLimits.optional(),
    cutoff: z.string().optional(),
    entrustedAcceptance: z.boolean().optional(),
  }),
  status: z.string(),
  substatus: z.string(),
  previous_substatus: z.string(),
  tracking_number: z.string(),
  createdAt: ms,
  shipmentDate: ms,
  deliveringDate: ms.nullable(),
  deliveryBegin: ms,
  deliveryEnd: ms,
  lastChangedAt: ms,
  lines: z.array(
    z.object({
      sku: z.number().int(),
      offer_id: z.string(),
      name: z.string(),
      price: z.string(),
      quantity: z.number().int().min(0),
    }),
  ),
  cancellation: z
    .object({
      cancel_reason_id: z.number().int(),
      cancel_reason: z.string(),
      cancellation_type: z.string(),
      cancelled_after_ship: z.boolean(),
      affect_cancellation_rating: z.boolean(),
      cancellation_initiator: z.string(),
    })
    .nullable(),
  assembling: z.boolean(),
  shipFailed: z.boolean(),
  shipFailsOnce: z.boolean(),
  marksRequired: z.boolean(),
  stall: z.union([z.literal(false), z.enum(['awaiting_deliver', 'delivering'])]),
  sortingCentre: z.enum(['not_accepted', 'arbitration']).optional(),
  payoutSkew: z.number().finite(),
  noAccruals: z.boolean(),
  payoutUnknownUntilShipped: z.boolean().optional(),
  deliveredAt: ms.nullable(),
  settledAt: ms.nullable(),
  pending: z.array(z.object({ kind: z.enum(TASK_KINDS), due: ms })),
  chatId: z.string().nullable(),
  multiBox: z.boolean().default(false),
  multiBoxQty: z.number().int().min(1).nullable().default(null),
  exemplars: exemplarSet.nullable().default(null),
  tpl: z.enum(RFBS_TPLS).optional(),
  registrationFails: z.boolean().default(false),
  handoverMs: ms.nullable().default(null),
  assemblyMs: ms.nullable().default(null),
  cutoffPending: z.boolean().default(false),
  parentPostingNumber: z.string().default(''),
  tariffSteps: z
    .array(z.object({ afterShipmentMs: ms, rate: z.number().finite() }))
    .nullable()
    .default(null),
  dropoffLimits: dropoffLimits.nullable().default(null),
  removedFromAct: z.boolean().default(false),
  labelUnprinted: z.number().int().min(0).default(0),
  carriageId: z.number().int().nullable().default(null),
}) satisfies z.ZodType<Posting>;

const carriage = z.object({
  id: z.number().int(),
  delivery_method_id: z.number().int(),
  warehouse_id: z.number().int(),
  departure_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  cutoffAt: ms,
  containers_count: z.number().int().min(0),
  status: z.enum(CARRIAGE_STATUSES),
  createdAt: ms,
  updatedAt: ms,
  postings: z.array(z.string()),
  removed: z.array(z.string()),
  pending: z.array(z.object({ kind: z.enum(CARRIAGE_TASK_KINDS), due: ms })),
}) satisfies z.ZodType<Carriage>;

const labelTask = z.object({
  task_id: z.number().int(),
  task_type: z.enum(['big_label', 'small_label']),
  createdAt: ms,
  readyAt: ms,
  printed: z.array(z.string()),
  unprinted: z.array(z.object({ posting_number: z.string(), msg: z.string() })),
}) satisfies z.ZodType<LabelTask>;

const handover = z.object({
  nextId: z.number().int().min(1),
  carriages: z.array(carriage),
  labelTasks: z.array(labelTask),
}) satisfies z.ZodType<HandoverState>;

const plan = z.object({
  posting_number: z.string(),
  cancellationRequest: z.object({ afterMs: ms, reasonId: z.number().int(), message: z.string() }).nullable(),
  return: z
    .object({
      afterDeliveryMs: ms,
      reasonId: z.number().int(),
      offerId: z.string(),
      comment: z.string(),
      photos: z.number().int().min(0),
    })
    .nullable(),
  pending: z.array(z.object({ kind: z.enum(PLAN_TASK_KINDS), due: ms })),
}) satisfies z.ZodType<AfterSalePlan>;

const cancellationRequest = z.object({
  cancellation_id: z.number().int(),
  posting_number: z.string(),
  reasonId: z.number().int(),
  message: z.string(),
  createdAt: ms,
  autoApproveAt: ms,
  state: z.enum(CANCELLATION_STATES),
  resolution: z.enum(CANCELLATION_RESOLUTIONS).nullable(),
  comment: z.string(),
  decidedAt: ms.nullable(),
  pending: z.array(z.object({ kind: z.enum(CANCELLATION_TASK_KINDS), due: ms })),
}) satisfies z.ZodType<CancellationRequest>;

const rfbsReturn = z.object({
  return_id: z.number().int(),
  return_number: z.string(),
  posting_number: z.string(),
  sku: z.number().int(),
  offer_id: z.string(),
  name: z.string(),
  price: z.number().finite(),
  reasonId: z.number().int(),
  comment: z.string(),
  photos: z.number().int().min(0),
  createdAt: ms,
  decideBy: ms,
  state: z.enum(RFBS_RETURN_STATE_NAMES),
  changedAt: ms,
  autoApproved: z.boolean(),
  returnMethodDescription: z.string(),
  trackingNumber: z.string(),
  arrivedAt: ms.nullable(),
  receivedAt: ms.nullable(),
  rejection: z.object({ reasonId: z.number().int(), comment: z.string(), at: ms }).nullable(),
  refund: z.object({ amount: z.number().finite(), backWay: z.number().finite(), full: z.boolean(), at: ms }).nullable(),
  pending: z.array(z.object({ kind: z.enum(RFBS_RETURN_TASK_KINDS), due: ms })),
}) satisfies z.ZodType<RfbsReturn>;

const fbsReturn = z.object({
  id: z.number().int(),
  posting_number: z.string(),
  sku: z.number().int(),
  offer_id: z.string(),
  name: z.string(),
  price: z.number().finite(),
  exemplarId: z.number().int(),
  reasonId: z.number().int(),
  createdAt: ms,
  status: z.enum(FBS_RETURN_STATUS_NAMES),
  changedAt: ms,
  arrivedAt: ms.nullable(),
  collectedAt: ms.nullable(),
  utilizedAt: ms.nullable(),
  pending: z.array(z.object({ kind: z.enum(FBS_RETURN_TASK_KINDS), due: ms })),
}) satisfies z.ZodType<FbsReturn>;

const afterSale = z.object({
  nextId: z.number().int().min(1),
  plans: z.array(plan),
  cancellations: z.array(cancellationRequest),
  rfbsReturns: z.array(rfbsReturn),
  fbsReturns: z.array(fbsReturn),
}) satisfies z.ZodType<AfterSaleState>;

const chat = z.object({
  chat_id: z.string(),
  posting_number: z.string(),
  created_at: z.string().default(''),
  messages: z.array(
    z.object({
      message_id: z.string().regex(/^\d+$/),
      author: z.enum(['seller', 'buyer']).default('seller'),
      text: z.string(),
      created_at: z.string(),
    }),
  ),
  read_up_to: z.string().regex(/^\d*$/).default(''),
}) satisfies z.ZodType<Chat>;

const buyerMessage = z.object({
  posting_number: z.string(),
  text: z.string(),
  due: ms,
}) satisfies z.ZodType<BuyerMessagePlan>;

const ratingEntry = z.object({
  at: ms,
  rating: z.string(),
  value: z.number().finite(),
  status: z.enum(RATING_STATUSES).nullable(),
}) satisfies z.ZodType<RatingEntry>;

const stock = z.object({
  warehouse_id: z.number().int(),
  offer_id: z.string(),
  free: z.number().int().min(0),
  updatedAt: ms.nullable(),
}) satisfies z.ZodType<StockRecord>;

const StateSchema = z.object({
  format: z.literal(STATE_FORMAT),
  version: z.literal(STATE_VERSION),
  savedAt: ms,
  startedAt: ms,
  rng: z.object({ postings: u32, faults: u32, push: u32, misc: u32, slow: u32 }),
  postings: z.array(posting),
  chats: z.array(chat),
  buyerMessages: z.array(buyerMessage).default([]),
  rating: z.object({ entries: z.array(ratingEntry) }).default(() => ({ entries: [] })),
  stocks: z.array(stock).default([]),
  handover: handover.default(() => ({ nextId: 1, carriages: [], labelTasks: [] })),
  afterSale: afterSale.default(() => ({ nextId: 1, plans: [], cancellations: [], rfbsReturns: [], fbsReturns: [] })),
});
export type SandboxState = z.output<typeof StateSchema>;

export interface Rngs {
  postings: Rng;
  faults: Rng;
  push: Rng;
  misc: Rng;
  slow: Rng;
}

/** The live state as a state object (it shares the posting objects: stringify it, do not keep it). */
export function stateOf(
  model: Model,
  rngs: Rngs,
  startedAt: number,
  stocks: StockBook,
  handover: Handover,
  afterSale: AfterSale,
  chats: Chats,
  rating: Rating,
): SandboxState {
  const chatState = chats.state();
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    savedAt: model.now(),
    startedAt,
    rng: {
      postings: rngs.postings.state,
      faults: rngs.faults.state,
      push: rngs.push.state,
      misc: rngs.misc.state,
      slow: rngs.slow.state,
    },
    postings: model.order,
    chats: chatState.chats,
    buyerMessages: chatState.buyerMessages,
    rating: rating.state(),
    stocks: stocks.list(),
    handover: handover.state(),
    afterSale: afterSale.state(),
  };
}

/** undefined if there is no file yet; throws (naming the file) if it is not a valid state */
export function readState(path: string): SandboxState | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`sandbox: state file ${path} is not JSON: ${(e as Error).message}`);
  }
  const r = StateSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(
      `sandbox: state file ${path} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return r.data;
}

/**
 * Writes the state to one file, atomically: a temp file in the same directory, then rename(2), so a reader (or a
 * restart after kill -9) sees either the old or the new state, whole. No fsync: a killed process loses nothing
 * the kernel already has; surviving a power cut is not the goal.
 */
export class StateFile {
  private lastCore = '';
  private queued = false;
  private stopped = false;
  private readonly tmp: string;

  constructor(
    readonly path: string,
    private readonly build: () => SandboxState,
  ) {
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  }

  /**
   * Write now, synchronously, if anything changed since the last write. The fault/push/slow dice are drawn on
   * calls that change nothing, so they alone do not cause a write; they are saved with the next real change.
   */
  flush() {
    if (this.stopped) return;
    const s = this.build();
    const core = JSON.stringify([
      s.startedAt,
      s.rng.postings,
      s.rng.misc,
      s.postings,
      s.chats,
      s.buyerMessages,
      s.rating,
      s.stocks,
      s.handover,
      s.afterSale,
    ]);
    if (core === this.lastCore) return;
    writeFileSync(this.tmp, JSON.stringify(s));
    renameSync(this.tmp, this.path);
    this.lastCore = core;
  }

  /**
   * For changes made outside a request (timers, createPosting): write in a microtask, so that the changes of one
   * clock tick (manualClock.advance runs many transitions synchronously) make one write. The microtask runs before
   * any I/O, so no answer or push leaves the process before the write; every answer also flushes first.
   */
  soon() {
    if (this.queued || this.stopped) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.flush();
    });
  }

  /** final write; nothing is written afterwards */
  close() {
    this.flush();
    this.stopped = true;
  }
}
