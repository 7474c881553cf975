/**
 * What the pages show, from a source and the product's own stores: each posting with its latest execution and
 * order, what needs the seller now (from the order's phase and wait, the buyers waiting, the returns asked), the
 * day's carriages. The deadlines are the product's (the wait's timeout, Ozon's reply time, the return's answer-by).
 */
import { getReturn, type ReturnRecord } from '#aftersale/return-store';
import { allWaiting } from '#buyers/chats';
import type { Order, Wait } from '#shared/order';
import { ordersOf } from '#shared/order-store';
import type { Shortage } from '#stock/rules';
import { currentShortages } from '#stock/shortages';
import { type ConsoleSource, type ExecutionSummary, postingOfExecution, type SellerAlert } from './source';

export interface PostingView {
  postingNumber: string;
  /** The posting's latest execution (a resume `_r<N>` replaces the original). */
  execution: ExecutionSummary;
  order?: Order;
  phase: string;
  /** `running` while the execution runs, else the state it ended in (`failed:<error>` for a crash). */
  finalState: string;
}

export function finalStateOf(e: ExecutionSummary): string {
  if (e.status === 'RUNNING') return 'running';
  if (e.status === 'SUCCEEDED' || (e.lastState && !e.error)) return e.lastState ?? e.status.toLowerCase();
  return `failed:${e.error ?? e.status.toLowerCase()}`;
}

/** The latest execution of each posting, newest posting first. */
export function latestPerPosting(executions: ExecutionSummary[]): ExecutionSummary[] {
  const latest = new Map<string, ExecutionSummary>();
  for (const e of executions) {
    const pn = postingOfExecution(e.name);
    const seen = latest.get(pn);
    if (!seen || e.startDate > seen.startDate) latest.set(pn, e);
  }
  return [...latest.values()].sort((a, b) => b.startDate - a.startDate);
}

export async function postingViews(source: ConsoleSource): Promise<PostingView[]> {
  const latest = latestPerPosting(await source.executions('OrderLifecycle'));
  const orders = new Map(
    (await ordersOf(latest.map((e) => postingOfExecution(e.name)))).map((o) => [o.postingNumber, o] as const),
  );
  return latest.map((execution) => {
    const postingNumber = postingOfExecution(execution.name);
    const order = orders.get(postingNumber);
    return { postingNumber, execution, order, phase: order?.phase ?? 'received', finalState: finalStateOf(execution) };
  });
}

export const NEED_KINDS = [
  'short_stock',
  'marking_codes',
  'needs_attention',
  'tracking',
  'packed',
  'quality_check',
  'buyer_message',
  'return_decision',
] as const;
export type NeedKind = (typeof NEED_KINDS)[number];

/** The alerts whose text says what to do about each need (the latest one sent is shown). */
const ALERTS_OF_NEED: Record<NeedKind, string[]> = {
  short_stock: ['out_of_stock'],
  marking_codes: ['marking_codes_required', 'marking_codes_refused'],
  needs_attention: ['needs_attention'],
  tracking: ['tracking_missing', 'rfbs_handover'],
  packed: ['packing_reminder', 'confirmation_deadline'],
  quality_check: ['quality_check_due', 'quality_failed', 'quality_check'],
  buyer_message: ['buyer_reply_due', 'buyer_message'],
  return_decision: ['return_request', 'return_unanswered'],
};

export interface Need {
  kind: NeedKind;
  postingNumber: string;
  deadline?: string;
  /** The product's own alert text for it (what happened, the deadline, what to do), when the source has it. */
  todo?: string;
  order?: Order;
  shortages?: Shortage[];
  returnRecord?: ReturnRecord;
  chatId?: string;
  text?: string;
}

const deadlineOf = (wait: Wait | undefined) => wait?.deadlineAt ?? wait?.timeoutAt;

/** What a running posting's order says the seller must do, if anything. */
export function needOfOrder(order: Order): NeedKind | undefined {
  if (order.phase === 'awaiting_stock') return 'short_stock';
  if (order.phase === 'awaiting_marks') return 'marking_codes';
  if (order.phase === 'needs_attention') return 'needs_attention';
  if (order.phase === 'awaiting_packed') return 'packed';
  if (order.phase === 'awaiting_check') return 'quality_check';
  if (order.wait?.on === 'tracking') return 'tracking';
  return undefined;
}

/** An alert's text without its first line's severity and posting prefix and without its links. */
export function alertText(message: string): string {
  return message
    .split('\n')
    .filter((line) => !line.includes('https://'))
    .map((line, i) => (i === 0 ? line.replace(/^\[[A-Z]+\] [^:]*: /, '') : line))
    .join('\n');
}

function todoFrom(alerts: SellerAlert[], kind: NeedKind, postingNumber: string): string | undefined {
  const kinds = ALERTS_OF_NEED[kind];
  const alert = alerts.findLast((a) => a.postingNumber === postingNumber && kinds.includes(a.kind) && a.message);
  return alert?.message ? alertText(alert.message) : undefined;
}

/** The need of a posting's order, with the shortages of a short one (the product's own reckoning). */
export async function needOf(order: Order, kind: NeedKind): Promise<Need> {
  const need: Need = { kind, postingNumber: order.postingNumber, order, deadline: deadlineOf(order.wait) };
  if (kind === 'short_stock') need.shortages = (await currentShortages(order)).short;
  return need;
}

/** Every posting, buyer and return that needs the seller now, soonest deadline first. */
export async function needs(source: ConsoleSource, postings: PostingView[]): Promise<Need[]> {
  const alerts = await source.alerts();
  const found: Need[] = [];
  for (const p of postings) {
    if (p.execution.status !== 'RUNNING' || !p.order) continue;
    const kind = needOfOrder(p.order);
    if (!kind) continue;
    found.push({ ...(await needOf(p.order, kind)), todo: todoFrom(alerts, kind, p.postingNumber) });
  }
  for (const w of await allWaiting()) {
    const postingNumber = w.postingNumber ?? '';
    found.push({
      kind: 'buyer_message',
      postingNumber,
      deadline: w.replyBy,
      chatId: w.chatId,
      text: w.text,
      todo: todoFrom(alerts, 'buyer_message', postingNumber),
    });
  }
  for (const r of await openReturns(source)) {
    if (r.schema !== 'rfbs' || r.decision || r.seller) continue;
    found.push({
      kind: 'return_decision',
      postingNumber: r.postingNumber,
      deadline: r.answerBy ?? r.deadline,
      returnRecord: r,
      todo: todoFrom(alerts, 'return_decision', r.postingNumber),
    });
  }
  return found.sort((a, b) => (a.deadline ?? '9999').localeCompare(b.deadline ?? '9999'));
}

/** The returns whose ReturnLifecycle still runs, with their records. */
export async function openReturns(source: ConsoleSource): Promise<ReturnRecord[]> {
  const running = (await source.executions('ReturnLifecycle')).filter((e) => e.status === 'RUNNING');
  const records = await Promise.all(running.map((e) => getReturn(returnIdOf(e.name))));
  return records.filter((r): r is ReturnRecord => r !== undefined);
}

/** A return's execution is named `<posting>_R<returnId>` (aftersale/return-rules.ts returnExecutionName). */
export const returnIdOf = (executionName: string) => Number(/_R(\d+)$/.exec(executionName)?.[1] ?? 0);

export interface CarriageView {
  name: string;
  status: string;
  lastState?: string;
  warehouseId?: number;
  deliveryMethodName?: string;
  departureDate?: string;
  cutoffAt?: string;
  mandatory?: number;
  packaged?: number;
}

/** The day's carriages (Handover executions, one per carriage): leaving today or still being handed over. */
export async function todaysCarriages(source: ConsoleSource): Promise<CarriageView[]> {
  const today = new Date(source.now()).toISOString().slice(0, 10);
  // A Handover is named `<warehouse>-<method>-<departure date>` (handover/rules.ts handoverName).
  const handovers = (await source.executions('Handover')).filter(
    (e) => e.status === 'RUNNING' || e.name.endsWith(today),
  );
  const views = await Promise.all(
    (await source.withLastStates(handovers)).map(async (e) => {
      const input = ((await source.execution('Handover', e.name))?.input ?? {}) as Partial<CarriageView>;
      return { ...input, name: e.name, status: e.status, lastState: e.lastState };
    }),
  );
  return views.sort((a, b) => (a.cutoffAt ?? '').localeCompare(b.cutoffAt ?? ''));
}
