/**
 * The one alert builder. Every alert says what happened, the deadline that matters, what to do now, and links to
 * the posting in the Ozon seller cabinet and to the execution in the AWS console, in the seller's language.
 */
import { en } from './alert-templates/en';
import { ru } from './alert-templates/ru';
import type { Templates, Text } from './alert-templates/text';
import { zh } from './alert-templates/zh';

export type Severity = 'info' | 'warning' | 'critical';
export type Language = 'en' | 'ru' | 'zh';

export type AlertFacts =
  | { kind: 'out_of_stock'; lines: { offerId: string; missing: number }[]; deadline?: string }
  | { kind: 'ship_refused'; reason: string; deadline?: string }
  | { kind: 'rfbs_handover'; deadline?: string; callbackPath: string }
  | { kind: 'delivery_stalled'; status: string; since: string; deadline?: string }
  | { kind: 'cancelled_after_ship'; reason: string }
  | { kind: 'payout_mismatch'; expected: number; actual: number; difference: number; currency: string }
  | { kind: 'payout_missing'; expected?: number; currency: string }
  | { kind: 'ozon_access'; message: string }
  | { kind: 'stock_publish_refused'; items: { offerId: string; warehouseId: number; code: string }[] }
  | {
      kind: 'pack_batch';
      warehouseId: number;
      postings: string[];
      fragile: number;
      packingList: string;
      linksValidHours: number;
    }
  | { kind: 'stock_drift'; items: { offerId: string; warehouseId: number; ozon: number; product: number }[] }
  | { kind: 'partial_cancel'; lines: { offerId: string; missing: number }[] }
  | { kind: 'stock_cancelled'; lines: { offerId: string; missing: number }[] }
  | { kind: 'packing_reminder'; deadline?: string }
  | { kind: 'confirmation_deadline'; deadline?: string }
  | { kind: 'confirmation_deadline_missed'; deadline?: string; cost: string }
  /** What is missing, one item each, and where to send it. */
  | { kind: 'marking_codes_required'; deadline?: string; problems: string[]; callbackPath: string }
  /** What Ozon refused and why, one item each. */
  | { kind: 'marking_codes_refused'; deadline?: string; problems: string[]; callbackPath: string }
  | { kind: 'carrier_registration_failed'; substatus: string; carrier?: string }
  | { kind: 'dropoff_limits'; problems: string[]; deadline?: string }
  | { kind: 'posting_split'; postings: string[] }
  | { kind: 'tariff_step'; rate: number; type?: string; deadline: string }
  | {
      kind: 'handover';
      warehouseId: number;
      deliveryMethod: string;
      parcels: number;
      /** Postings due that day and not packed yet: they miss this carriage unless packed before the cutoff. */
      notPacked: number;
      removed: string[];
      deadline: string;
      act: string;
      barcode: string;
      /** The carriage's labels: one PDF per label task (up to 20 parcels each). */
      labels: string[];
      /** Parcels whose label Ozon could not print, with Ozon's reason. */
      unprinted: string[];
      linksValidHours: number;
    }
  | { kind: 'removed_from_act'; actId: number; deadline?: string }
  /** A buyer's return request no rule decides: the seller's choices, by when. */
  | {
      kind: 'return_request';
      offerId: string;
      reason: string;
      price: number;
      currency: string;
      photos: string[];
      deadline: string;
      callbackPath: string;
    }
  /** How a return request was answered, and by whom. */
  | {
      kind: 'return_answered';
      answer: 'approve' | 'refund' | 'compensate' | 'reject';
      by: 'policy' | 'seller' | 'ozon';
      offerId: string;
      reason: string;
      amount?: number;
    }
  /** The seller's time to answer is over: Ozon approves the request itself at the deadline. */
  | { kind: 'return_unanswered'; offerId: string; reason: string; deadline: string }
  /** The returned unit is back: at the post office (rFBS) or the drop-off point (FBS); the seller checks it. */
  | { kind: 'return_arrived'; offerId: string; where: 'post' | 'dropoff'; deadline?: string; callbackPath: string }
  /** An FBS return still at the drop-off point: paid storage, then utilization, starts at the deadline. */
  | { kind: 'return_storage'; offerId: string; stage: 'paid_storage' | 'utilization'; deadline: string }
  /** The return is over: the unit back on the shelf, written off, utilized by Ozon, or the request rejected. */
  | {
      kind: 'return_done';
      offerId: string;
      outcome: 'restocked' | 'written_off' | 'utilized' | 'rejected' | 'refunded';
    }
  /** The product stopped following the return (no answer from Ozon or the seller in time): the seller's now. */
  | { kind: 'return_left'; offerId: string; reason: string }
  /** A refund after the posting was settled: its net payout fell. */
  | { kind: 'payout_reversed'; before: number; after: number; difference: number; currency: string }
  /** One of Ozon's rating indicators turned WARNING or CRITICAL: its value, and the product's postings behind it. */
  | {
      kind: 'rating_warning';
      rating: string;
      name: string;
      status: string;
      value: string;
      past?: string;
      postings: string[];
    }
  /** The buyer could not be told through Ozon's chat (its rule, read-only mode, Ozon's refusal): the text to send. */
  | { kind: 'buyer_not_told'; moment: string; reason: string; text: string }
  /** A buyer wrote in a posting's chat: the text, and by when Ozon counts a reply. */
  | { kind: 'buyer_message'; chatId: string; posting?: string; text: string; deadline: string; callbackPath: string }
  /** A buyer's message is still unanswered as Ozon's reply time runs out. */
  | { kind: 'buyer_reply_due'; chatId: string; posting?: string; text: string; deadline: string; callbackPath: string }
  /**
   * The weekly digest: the product's figures of the last 7 days by kind (performance/rules.ts IncidentKind), Ozon's
   * analytics per SKU, and what the seller's plan leaves out (or why Ozon's analytics could not be read).
   */
  | {
      kind: 'digest';
      from: string;
      to: string;
      incidents: Record<string, number>;
      /** The offers the week's incidents were about, most first (the product's own records, per product). */
      offers: { offerId: string; incidents: Record<string, number> }[];
      skus: { sku: string; name: string; metrics: Record<string, number> }[];
      missing: string[];
      unavailable?: string;
    }
  /** Ozon says the seller's penalty points are over the limit. */
  | { kind: 'rating_penalty' }
  /** An offer's defect returns reached the threshold: checked before packing from now on. */
  | { kind: 'quality_flag'; offerId: string; defects: number }
  /** The warehouse checks these units before Ozon is asked to assemble (the seller's policy, quality/). */
  | {
      kind: 'quality_check';
      lines: { offerId: string; missing: number }[];
      failures: number;
      deadline?: string;
      callbackPath: string;
    }
  /** A unit failed the check: written off; what happens next (another unit, the short-stock path, the seller). */
  | {
      kind: 'quality_failed';
      offerId: string;
      units: number;
      reason: string;
      failures: number;
      next: 'next_unit' | 'short' | 'stopped';
      deadline?: string;
      callbackPath: string;
    }
  /** The check has not been answered and the confirmation deadline comes nearer. */
  | { kind: 'quality_check_due'; deadline?: string; callbackPath: string }
  /** A buyer's cancellation request the seller answers (policy `ask`, or read-only mode: in the cabinet). */
  | { kind: 'cancellation_request'; reason: string; deadline?: string; callbackPath?: string }
  /** How a buyer's cancellation request was answered, and by whom. */
  | {
      kind: 'cancellation_answered';
      decision: 'approved' | 'rejected';
      by: 'policy' | 'seller' | 'ozon';
      reason: string;
      comment?: string;
    }
  | { kind: 'label_unprinted'; reason: string; deadline?: string }
  | { kind: 'handover_missed'; deadline?: string; cost: string }
  | { kind: 'handover_failed'; warehouseId: number; deliveryMethod: string; deadline: string; reason: string }
  | { kind: 'tracking_missing'; deadline?: string }
  | { kind: 'delivery_window_passed'; deadline?: string }
  | { kind: 'possibly_lost'; status: string; since: string; checks: number }
  | { kind: 'arbitration'; status: string }
  | { kind: 'not_accepted' }
  | { kind: 'cancel_skipped'; status: string }
  | { kind: 'needs_attention'; problem: string; cause: string };
export type AlertKind = AlertFacts['kind'];

export const SEVERITY: Record<AlertKind, Severity> = {
  out_of_stock: 'warning',
  ship_refused: 'critical',
  rfbs_handover: 'info',
  delivery_stalled: 'warning',
  cancelled_after_ship: 'warning',
  payout_mismatch: 'warning',
  payout_missing: 'warning',
  ozon_access: 'critical',
  stock_publish_refused: 'critical',
  stock_drift: 'warning',
  pack_batch: 'info',
  partial_cancel: 'info',
  stock_cancelled: 'warning',
  packing_reminder: 'warning',
  confirmation_deadline: 'warning',
  confirmation_deadline_missed: 'critical',
  marking_codes_required: 'critical',
  marking_codes_refused: 'critical',
  carrier_registration_failed: 'critical',
  dropoff_limits: 'warning',
  posting_split: 'info',
  tariff_step: 'warning',
  handover: 'info',
  removed_from_act: 'warning',
  cancellation_request: 'critical',
  cancellation_answered: 'info',
  return_request: 'critical',
  return_answered: 'info',
  return_unanswered: 'critical',
  return_arrived: 'warning',
  return_storage: 'warning',
  return_done: 'info',
  return_left: 'warning',
  payout_reversed: 'warning',
  quality_flag: 'warning',
  quality_check: 'info',
  quality_failed: 'warning',
  quality_check_due: 'warning',
  rating_warning: 'critical',
  buyer_not_told: 'warning',
  buyer_message: 'warning',
  buyer_reply_due: 'critical',
  rating_penalty: 'critical',
  digest: 'info',
  label_unprinted: 'warning',
  handover_missed: 'critical',
  handover_failed: 'critical',
  tracking_missing: 'critical',
  delivery_window_passed: 'warning',
  possibly_lost: 'critical',
  arbitration: 'warning',
  not_accepted: 'critical',
  cancel_skipped: 'warning',
  needs_attention: 'critical',
};

const TEMPLATES: Record<Language, Templates> = { en, ru, zh };

const LABELS: Record<Language, { deadline: string; todo: string; ozon: string; execution: string }> = {
  en: { deadline: 'Deadline', todo: 'What to do', ozon: 'Posting in Ozon', execution: 'Execution' },
  ru: { deadline: 'Срок', todo: 'Что сделать', ozon: 'Отправление в Ozon', execution: 'Выполнение' },
  zh: { deadline: '截止时间', todo: '处理办法', ozon: 'Ozon 订单', execution: '执行记录' },
};

export interface Alert {
  kind: AlertKind;
  severity: Severity;
  postingNumber: string;
  subject: string;
  message: string;
}

export interface AlertContext {
  postingNumber: string;
  language: Language;
  executionArn?: string;
  region: string;
}

export function buildAlert(facts: AlertFacts, ctx: AlertContext): Alert {
  const template = TEMPLATES[ctx.language][facts.kind] as (f: AlertFacts) => Text;
  const text = template(facts);
  const label = LABELS[ctx.language];
  const severity = SEVERITY[facts.kind];
  const deadline = 'deadline' in facts && facts.deadline ? `${label.deadline}: ${facts.deadline}` : undefined;
  const links = [
    `${label.ozon}: https://seller.ozon.ru/app/postings/fbs?search=${encodeURIComponent(ctx.postingNumber)}`,
    ctx.executionArn
      ? `${label.execution}: https://${ctx.region}.console.aws.amazon.com/states/home?region=${ctx.region}#/v2/executions/details/${ctx.executionArn}`
      : undefined,
  ];
  const message = [
    `[${severity.toUpperCase()}] ${ctx.postingNumber}: ${text.what}`,
    deadline,
    `${label.todo}: ${text.todo}`,
    ...links,
  ]
    .filter(Boolean)
    .join('\n');
  // SNS subjects are ASCII-only and at most 100 characters; the message carries the seller's language.
  const subject = `[${severity}] ${facts.kind} ${ctx.postingNumber}`.slice(0, 100);
  return { kind: facts.kind, severity, postingNumber: ctx.postingNumber, subject, message };
}

/** An alert about the seller's Ozon account as a whole (no posting): same text and severity, no posting links. */
export function buildAccountAlert(facts: AlertFacts, language: Language): Omit<Alert, 'postingNumber'> {
  const text = (TEMPLATES[language][facts.kind] as (f: AlertFacts) => Text)(facts);
  const severity = SEVERITY[facts.kind];
  const message = [`[${severity.toUpperCase()}] ${text.what}`, `${LABELS[language].todo}: ${text.todo}`].join('\n');
  return { kind: facts.kind, severity, subject: `[${severity}] ${facts.kind}`, message };
}

/** The same kind for the same posting is not repeated within this window. */
export const ALERT_REPEAT_WINDOW_MS = 6 * 3600 * 1000;

/** Alerts about something that happened once are sent once per posting, however often it is noticed. */
const ONCE: ReadonlySet<AlertKind> = new Set([
  'confirmation_deadline_missed',
  'confirmation_deadline',
  'delivery_window_passed',
  'not_accepted',
  'cancelled_after_ship',
  'partial_cancel',
  'stock_cancelled',
  'rfbs_handover',
  'posting_split',
  'removed_from_act',
  'dropoff_limits',
  'carrier_registration_failed',
  'payout_mismatch',
  'payout_missing',
]);

/**
 * The earliest time a previous alert of this kind must be older than for a new one to go out; `null` means any
 * previous alert of the kind blocks it (one-off facts). The store applies this as a write condition.
 */
export function repeatCutoff(kind: AlertKind, nowMs: number, windowMs = ALERT_REPEAT_WINDOW_MS): number | null {
  return ONCE.has(kind) ? null : nowMs - windowMs;
}

export function isRepeat(
  previous: { kind: string; at: string }[],
  kind: AlertKind,
  nowMs: number,
  windowMs = ALERT_REPEAT_WINDOW_MS,
): boolean {
  if (ONCE.has(kind)) return previous.some((a) => a.kind === kind);
  return previous.some((a) => a.kind === kind && nowMs - Date.parse(a.at) < windowMs);
}
