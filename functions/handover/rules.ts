/**
 * The FBS handover day, pure: which carriages to hand over now, how their executions are named, what Ozon's answers
 * about an act mean, and the files it sends. A carriage is Ozon's per delivery method and departure date
 * (`/v2/carriage/delivery/list`); its act and barcode go with the parcels to the drop-off point before the cutoff.
 */
import * as z from 'zod/mini';
import { type CarriageDeliveryListResponse, FileResponse } from '#shared/ozon/schemas';

/** What a Handover execution is about: one carriage. */
export const Carriage = z.object({
  warehouseId: z.number(),
  deliveryMethodId: z.number(),
  deliveryMethodName: z._default(z.string(), ''),
  /** The departure date, YYYY-MM-DD. */
  departureDate: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  cutoffAt: z.string(),
  /** Postings due on the date, and how many of them are packed (assembled): from the delivery list. */
  mandatory: z._default(z.number(), 0),
  packaged: z._default(z.number(), 0),
});
export type Carriage = z.infer<typeof Carriage>;

/** A time's UTC date, YYYY-MM-DD: the departure date the carriage list is asked for. */
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The carriages near enough to be listed on every planning run: a day starting within this is listed hourly. */
export const PLAN_NEAR_MS = 6 * 3600_000;

/**
 * The departure dates whose carriages a planning run lists (`/v2/carriage/delivery/list`, one call a date): every
 * run today's and, from PLAN_NEAR_MS before midnight, tomorrow's — a carriage that gets its first posting hours
 * before its cutoff is still planned in time; a run `ahead` also every later date the plan's lead reaches. A
 * carriage planned once has its Handover (which waits for the act's time itself), so the far dates need no hourly
 * look: 24 carriage-list calls a day instead of 48 with a day's lead.
 */
export function planDays(nowMs: number, leadMs: number, ahead: boolean): string[] {
  const days = new Set([dayOf(nowMs), dayOf(nowMs + Math.min(PLAN_NEAR_MS, leadMs))]);
  if (ahead) {
    for (let ms = nowMs; ms < nowMs + leadMs; ms += 24 * 3600_000) days.add(dayOf(ms));
    days.add(dayOf(nowMs + leadMs));
  }
  return [...days];
}

/** A Handover execution per carriage: the same carriage seen by two polls is one execution. */
export const handoverName = (c: Pick<Carriage, 'warehouseId' | 'deliveryMethodId' | 'departureDate'>) =>
  `${c.warehouseId}-${c.deliveryMethodId}-${c.departureDate}`;

/**
 * The FBS carriages whose act is due now: something to hand over that day, and the cutoff within `leadMs` and not
 * passed. rFBS methods have no carriage of Ozon's.
 */
export function carriagesDue(
  methods: CarriageDeliveryListResponse['methods'],
  nowMs: number,
  leadMs: number,
): Carriage[] {
  return methods.flatMap((m) => {
    const cutoff = m.cutoff_at ? Date.parse(m.cutoff_at) : Number.NaN;
    if (m.is_rfbs || Number.isNaN(cutoff) || !(m.mandatory_postings_count ?? 0)) return [];
    if (nowMs < cutoff - leadMs || nowMs >= cutoff) return [];
    const date = (m.departure_date ?? m.cutoff_at ?? '').slice(0, 10);
    const parsed = Carriage.safeParse({
      warehouseId: m.warehouse_id ?? m.delivery_method_id,
      deliveryMethodId: m.delivery_method_id,
      deliveryMethodName: m.delivery_method_name ?? '',
      departureDate: date,
      cutoffAt: new Date(cutoff).toISOString(),
      mandatory: m.mandatory_postings_count ?? 0,
      packaged: m.mandatory_packaged_count ?? 0,
    });
    return parsed.success ? [parsed.data] : [];
  });
}

export type ActRefusal = 'nothing' | 'not_yet' | 'refused';

/**
 * What a refused `/v2/posting/fbs/act/create` means (docs/00-overview.md lists its errors): nothing to hand over,
 * not yet (postings still being packed or registered, the package time not come), or refused for the seller to see.
 */
export function actRefusal(message: string): ActRefusal {
  if (/no_postings|non_carriageable/i.test(message)) return 'nothing';
  if (
    /not_packaged|new_postings_are_possible|posting_statuses_not_ready|package_time_not_passed|not_registered|partial_carriage_in_proccess/i.test(
      message,
    )
  ) {
    return 'not_yet';
  }
  return 'refused';
}

/** `/v2/posting/fbs/act/check-status`'s `status`: documents ready, still forming, or to be asked for again. */
export function actProgress(status: string): 'ready' | 'forming' | 'failed' {
  if (status === 'ready' || status === 'formed' || status === 'sended') return 'ready';
  if (status === 'error' || status === 'cancelled') return 'failed';
  return 'forming';
}

/**
 * A file in Ozon's JSON (`file_content`, swagger `string <byte>`: base64). Some answers carry the raw bytes as text
 * instead (the docs' own example starts "%PDF"): those are taken as they are.
 */
export function fileBytes(content: string): Uint8Array {
  if (/^%PDF|^\u0089?PNG/.test(content)) return Buffer.from(content, 'latin1');
  return Buffer.from(content, 'base64');
}

/**
 * A document endpoint's answer: the file itself (what Ozon serves, like the labels), or the docs' JSON with the
 * file in `file_content`.
 */
export function documentBytes(answer: Uint8Array): Uint8Array {
  if (answer[0] !== 0x7b) return answer;
  const parsed = FileResponse.safeParse(JSON.parse(new TextDecoder().decode(answer)));
  return parsed.success ? fileBytes(parsed.data.file_content) : answer;
}

/** Where a carriage's documents go: beside the day's label batches, under the warehouse and date. */
export const actFiles = (c: Pick<Carriage, 'warehouseId' | 'departureDate'>, actId: number) => {
  const stem = `labels/${c.warehouseId}/${c.departureDate}/act-${actId}`;
  return { act: `${stem}.pdf`, barcode: `${stem}-barcode.png` };
};

/** Postings per label task: the documented limit of the one-call label method; the task method documents none. */
export const LABELS_PER_TASK = 20;

/** The carriage's postings in label tasks of at most LABELS_PER_TASK, in the act's order. */
export function labelChunks(postings: string[]): string[][] {
  const chunks: string[][] = [];
  for (let i = 0; i < postings.length; i += LABELS_PER_TASK) chunks.push(postings.slice(i, i + LABELS_PER_TASK));
  return chunks;
}

/** `/v1/posting/fbs/package-label/get`'s `status`: the file ready, still forming, or failed as a whole. */
export function labelProgress(status: string): 'ready' | 'forming' | 'failed' {
  if (status === 'completed') return 'ready';
  if (status === 'pending' || status === 'in_progress') return 'forming';
  return 'failed';
}

/**
 * Where a carriage's labels go, beside its act: one PDF per label task, and a manifest naming each posting's file —
 * how a posting finds its label (its warehouse and departure date lead to the carriage's folder).
 */
export const labelTaskFiles = (c: Pick<Carriage, 'warehouseId' | 'departureDate'>, actId: number) => {
  const stem = `labels/${c.warehouseId}/${c.departureDate}/act-${actId}-labels`;
  return { pdf: (n: number) => `${stem}-${n + 1}.pdf`, manifest: `${stem}.json` };
};

/**
 * A carriage's parcels are looked at this long after its cutoff: the drop-off point's acceptance reaches Ozon's
 * statuses within minutes, so a parcel still `awaiting_deliver` then was not brought.
 */
export const HANDOVER_CHECK_AFTER_MS = 3600_000;

/** When the carriage's parcels are looked at (CheckHandover before then says HandoverNotDue). */
export const handoverCheckAt = (c: Pick<Carriage, 'cutoffAt'>) => Date.parse(c.cutoffAt) + HANDOVER_CHECK_AFTER_MS;
