/** Fulfilment rules: how often assembly is tried, what Ozon's refusals mean, what lateness costs. Pure. */
import * as z from 'zod/mini';
import { AssemblyNotReported } from '#shared/errors';
import type { Order, OrderLine } from '#shared/order';
import type { ExemplarsResponse } from '#shared/ozon/schemas';
import { evaluateWait, type WaitOutcome } from '#waits/rules';

export const MAX_SHIP_ATTEMPTS = 3;
export const MAX_PACKING_REMINDERS = 24;
/**
 * Times the seller is asked for marking codes or a box count (at first, after each refusal, every reminder
 * interval) before the posting waits in NeedsAttention: a day and a half at the default interval.
 */
export const MAX_ASSEMBLY_DATA_ALERTS = 6;
/** Looks at an aggregator's registration (one per registration wait) before the seller is asked to step in. */
export const MAX_REGISTRATION_CHECKS = 8;

const SHIP_REFUSALS = ['HAS_INCORRECT_STATUS', 'HAS_INCORRECT_PRODUCT_QUANTITY'];

export type ShipRefusal =
  | { kind: 'already_shipped' }
  | { kind: 'cancelled' }
  | { kind: 'marking_codes' }
  | { kind: 'refused'; reason: string };

/** What Ozon's refusal of a ship call means for the posting. */
export function shipRefusal(ozonMessage: string): ShipRefusal {
  if (ozonMessage.includes('POSTING_ALREADY_SHIPPED')) return { kind: 'already_shipped' };
  if (ozonMessage.includes('POSTING_ALREADY_CANCELLED')) return { kind: 'cancelled' };
  if (ozonMessage.includes('EXEMPLAR_INFO_NOT_FILLED_COMPLETELY')) return { kind: 'marking_codes' };
  return { kind: 'refused', reason: SHIP_REFUSALS.find((r) => ozonMessage.includes(r)) ?? ozonMessage };
}

/** What a late shipment costs, from the posting's `tariffication`, in plain words for the alert. */
export function lateCost(order: Pick<Order, 'tariffication'>): string {
  const t = order.tariffication;
  if (!t?.nextRate) return 'Late shipment may be charged by Ozon.';
  const from = t.nextStartsAt ? ` from ${t.nextStartsAt}` : '';
  return `Ozon's tariff changes to ${t.nextRate}%${t.nextType ? ` (${t.nextType})` : ''}${from}.`;
}

/**
 * The next step of Ozon's lateness tariff when it starts within `leadMs` from now and raises the rate: a warning
 * time of its own (the deadline sweep alerts before it). Pure.
 */
export function tariffStepAhead(
  order: Pick<Order, 'tariffication'>,
  nowMs: number,
  leadMs: number,
): { rate: number; type?: string; deadline: string } | undefined {
  const t = order.tariffication;
  const at = t?.nextStartsAt ? Date.parse(t.nextStartsAt) : Number.NaN;
  if (!t?.nextRate || Number.isNaN(at) || at <= nowMs || at > nowMs + leadMs) return undefined;
  return { rate: t.nextRate, type: t.nextType, deadline: new Date(at).toISOString() };
}

/**
 * A packing batch's size: what a warehouse packs at once. Labels no longer bound it (they come per carriage, 20 a
 * call): one transaction takes the batch's postings and its products (at most 100 items; consumeBatch falls back
 * one by one beyond that), so a bigger batch shares each product's update among more postings.
 */
export const PACKING_BATCH_MAX = 40;

/**
 * Packing batches: postings of one warehouse together (one packing list per batch, as a warehouse packs them), at
 * most PACKING_BATCH_MAX each, in the order they came.
 */
export function labelBatches<T extends { order: Pick<Order, 'warehouseId'> }>(requests: T[]): T[][] {
  const byWarehouse = new Map<number, T[]>();
  for (const r of requests) {
    const group = byWarehouse.get(r.order.warehouseId) ?? [];
    group.push(r);
    byWarehouse.set(r.order.warehouseId, group);
  }
  return [...byWarehouse.values()].flatMap((group) => {
    const batches: T[][] = [];
    for (let i = 0; i < group.length; i += PACKING_BATCH_MAX) batches.push(group.slice(i, i + PACKING_BATCH_MAX));
    return batches;
  });
}

/**
 * What the packing batcher does with a posting whose PackAndLabel request it holds: PackAndLabel follows the ship
 * at once and waits for Ozon's word on the assembly itself (no wait of its own before it), so this is the rule
 * AwaitAssembly was. `pack`: Ozon reports it assembled; `packed`: a batch took it already (a request SQS delivered
 * twice, a retried state); `end`: the state fails with this outcome (cancelled, a buyer's cancellation request,
 * `ship_failed`, or no word by `assembleBy`, which ConfirmPosting asks Ozon about); `later`: ask again soon.
 */
export type PackingDecision =
  | { kind: 'pack' }
  | { kind: 'packed' }
  | { kind: 'end'; outcome: Extract<WaitOutcome, { outcome: 'failure' }> }
  | { kind: 'later' };

export function packingDecision(order: Order, assembleBy: string, nowIso: string): PackingDecision {
  if (order.shippedFromStockAt && order.labelBatch) return { kind: 'packed' };
  // The payout tolerance plays no part in the assembly's verdict.
  const verdict = evaluateWait(order, 'assembly', 0);
  if (verdict.outcome === 'success') return { kind: 'pack' };
  if (verdict.outcome === 'failure') return { kind: 'end', outcome: verdict };
  if (nowIso < assembleBy) return { kind: 'later' };
  return {
    kind: 'end',
    outcome: {
      outcome: 'failure',
      error: AssemblyNotReported.name,
      cause: `Ozon has not reported ${order.postingNumber} assembled since it was shipped`,
    },
  };
}

/**
 * The first request of each posting, and the others: the same posting twice in one event (a retried PackAndLabel
 * queued it again) cannot be packed in one transaction, which takes an item once. The others look again later and
 * find it packed.
 */
export function firstPerPosting<T extends { postingNumber: string }>(requests: T[]): { first: T[]; again: T[] } {
  const seen = new Set<string>();
  const first: T[] = [];
  const again: T[] = [];
  for (const r of requests) {
    if (seen.has(r.postingNumber)) again.push(r);
    else first.push(r);
    seen.add(r.postingNumber);
  }
  return { first, again };
}

/** A packing batch's files from its key stem (an order's `labelBatch`): the packing list. */
export function labelFiles(stem: string): { packingList: string } {
  return { packingList: `${stem}.txt` };
}

/**
 * Where a batch's files go: by warehouse and day, named after the batch's postings, so the same batch retried
 * writes the same objects instead of new ones.
 */
export function labelBatchKey(warehouseId: number, day: string, postingNumbers: string[], digest: string): string {
  return `labels/${warehouseId}/${day}/${postingNumbers[0]}+${postingNumbers.length - 1}-${digest.slice(0, 10)}`;
}

/** What the seller sends for a posting's assembly (seller API `marks`), kept beside the order. */
export const AssemblyData = z.object({
  products: z.array(
    z.object({
      offerId: z.string(),
      /** "Честный ЗНАК" codes, one per unit, with their crypto tail (GS as U+001D). */
      marks: z._default(z.array(z.string()), []),
      /** Jewellery UINs, one per unit. */
      jwUins: z._default(z.array(z.string()), []),
      /** The customs declaration number, or "absent" for goods that have none. */
      gtd: z.optional(z.string()),
      /** The RNPT (goods traceability number), or "absent". */
      rnpt: z.optional(z.string()),
    }),
  ),
  /** How many boxes the posting is packed in (a multi-box product). */
  boxes: z.optional(z.int().check(z.positive())),
  at: z.string(),
});
export type AssemblyData = z.infer<typeof AssemblyData>;

/** One unit's data as `/v6/fbs/posting/product/exemplar/set` takes it. */
export interface ExemplarEntry {
  exemplar_id: number;
  marks: { mark: string; mark_type: 'mandatory_mark' | 'jw_uin' }[];
  gtd?: string;
  is_gtd_absent?: boolean;
  rnpt?: string;
  is_rnpt_absent?: boolean;
}

export interface AssemblyPlan {
  /** What the seller still has to send, in words for the alert; empty when everything is there. */
  missing: string[];
  /** The exemplar/set products (empty when Ozon needs no exemplar data). */
  products: { product_id: number; exemplars: ExemplarEntry[] }[];
  /** The box count for a multi-box posting. */
  boxes?: number;
}

const ABSENT = 'absent';

/**
 * What goes to Ozon before assembly, from Ozon's own list of the posting's units and what each needs
 * (exemplar/create-or-get), the seller's data for the posting and the seller's packing data (boxes per unit of an
 * offer). Everything Ozon needs and nobody gave is named in `missing`; nothing is sent until it is empty. Pure.
 */
export function assemblyPlan(
  order: Pick<Order, 'lines' | 'needs'>,
  units: ExemplarsResponse,
  data: AssemblyData | undefined,
  boxesPerUnit: Map<string, number>,
): AssemblyPlan {
  const missing: string[] = [];
  const offerOf = (sku: number) => order.lines.find((l) => l.sku === sku)?.offerId ?? String(sku);
  const products = units.products.flatMap((product) => {
    const offerId = offerOf(product.product_id);
    const given = data?.products.find((p) => p.offerId === offerId);
    const count = product.exemplars.length;
    const want = (needed: boolean | null | undefined, have: number, what: string) => {
      if (needed && have < count) missing.push(`${offerId}: ${count - have} ${what} of ${count}`);
    };
    want(product.is_mandatory_mark_needed, given?.marks.length ?? 0, 'marking code(s)');
    want(product.is_jw_uin_needed, given?.jwUins.length ?? 0, 'jewellery UIN(s)');
    if (product.is_gtd_needed && !given?.gtd) missing.push(`${offerId}: the customs declaration (GTD) or "absent"`);
    if (product.is_rnpt_needed && !given?.rnpt) missing.push(`${offerId}: the RNPT or "absent"`);
    const needsAny =
      product.is_mandatory_mark_needed || product.is_jw_uin_needed || product.is_gtd_needed || product.is_rnpt_needed;
    if (!needsAny) return [];
    return [
      {
        product_id: product.product_id,
        exemplars: product.exemplars.map((unit, i): ExemplarEntry => {
          const mark = product.is_mandatory_mark_needed ? given?.marks[i] : undefined;
          const uin = product.is_jw_uin_needed ? given?.jwUins[i] : undefined;
          return {
            exemplar_id: unit.exemplar_id,
            marks: [
              ...(mark ? [{ mark, mark_type: 'mandatory_mark' as const }] : []),
              ...(uin ? [{ mark: uin, mark_type: 'jw_uin' as const }] : []),
            ],
            ...(product.is_gtd_needed && given?.gtd
              ? given.gtd === ABSENT
                ? { is_gtd_absent: true }
                : { gtd: given.gtd }
              : {}),
            ...(product.is_rnpt_needed && given?.rnpt
              ? given.rnpt === ABSENT
                ? { is_rnpt_absent: true }
                : { rnpt: given.rnpt }
              : {}),
          };
        }),
      },
    ];
  });
  let boxes: number | undefined;
  if (order.needs?.includes('boxes')) {
    const perUnit = order.lines.map((l) => (boxesPerUnit.get(l.offerId) ?? 0) * l.qty);
    boxes = data?.boxes ?? (perUnit.every((b) => b > 0) ? perUnit.reduce((a, b) => a + b, 0) : undefined);
    if (boxes === undefined) missing.push('the number of boxes the posting is packed in');
  }
  return { missing, products, ...(boxes !== undefined ? { boxes } : {}) };
}

/** Ozon's objections to codes, from exemplar/validate or the check after exemplar/set: "offer: code… ERROR". */
export function exemplarProblems(
  order: Pick<Order, 'lines'>,
  products: {
    product_id: number;
    error?: string | null;
    exemplars?:
      | {
          errors?: string[] | null;
          marks?: { mark: string; errors?: string[] | null; error_codes?: string[] | null }[] | null;
          gtd_error_codes?: string[] | null;
          rnpt_error_codes?: string[] | null;
        }[]
      | null;
  }[],
): string[] {
  const offerOf = (sku: number) => order.lines.find((l) => l.sku === sku)?.offerId ?? String(sku);
  return products.flatMap((p) => {
    const offerId = offerOf(p.product_id);
    const own = p.error ? [`${offerId}: ${p.error}`] : [];
    const units = (p.exemplars ?? []).flatMap((ex, i) => [
      ...(ex.marks ?? []).flatMap((m) => {
        const codes = [...(m.errors ?? []), ...(m.error_codes ?? [])];
        return codes.length ? [`${offerId} unit ${i + 1}: code ${m.mark.slice(0, 24)}… ${codes.join(', ')}`] : [];
      }),
      ...[...(ex.errors ?? []), ...(ex.gtd_error_codes ?? []), ...(ex.rnpt_error_codes ?? [])].map(
        (code) => `${offerId} unit ${i + 1}: ${code}`,
      ),
    ]);
    return [...own, ...units];
  });
}

/**
 * The packages a posting ships in, from the seller's packing data: an offer that ships alone (bulky, or packed by
 * its maker) gets a package per unit; everything else shares one. One package is the usual ship; more split the
 * posting on Ozon into a posting per package. Pure.
 */
export function packagesFor(
  lines: Pick<OrderLine, 'sku' | 'offerId' | 'qty'>[],
  shipsAlone: ReadonlySet<string>,
): { products: { product_id: number; quantity: number }[] }[] {
  const together = lines.filter((l) => !shipsAlone.has(l.offerId));
  const alone = lines.filter((l) => shipsAlone.has(l.offerId));
  const packages = alone.flatMap((l) =>
    Array.from({ length: l.qty }, () => ({ products: [{ product_id: l.sku, quantity: 1 }] })),
  );
  // One alone-shipping unit and nothing else is still one package.
  if (together.length || packages.length === 0) {
    packages.unshift({ products: together.map((l) => ({ product_id: l.sku, quantity: l.qty })) });
  }
  return packages.filter((p) => p.products.length > 0);
}

/** A drop-off point's limits (`/v1/posting/fbs/restrictions`), in grams and roubles; absent or 0: no limit. */
export interface DropoffLimits {
  max_posting_weight?: number | null;
  min_posting_weight?: number | null;
  max_posting_price?: number | null;
  min_posting_price?: number | null;
}

/**
 * Why the drop-off point would refuse the parcel: its declared value (the lines' prices) outside the point's price
 * limits, or its weight (when the seller's packing data knows every offer's) outside the weight limits. Pure.
 */
export function dropoffProblems(
  lines: Pick<OrderLine, 'offerId' | 'qty' | 'price'>[],
  limits: DropoffLimits,
  gramsPerUnit: ReadonlyMap<string, number>,
): string[] {
  const problems: string[] = [];
  const value = lines.reduce((sum, l) => sum + l.price * l.qty, 0);
  if (limits.max_posting_price && value > limits.max_posting_price)
    problems.push(`declared value ${value} RUB is above the point's ${limits.max_posting_price} RUB`);
  if (limits.min_posting_price && value < limits.min_posting_price)
    problems.push(`declared value ${value} RUB is below the point's ${limits.min_posting_price} RUB`);
  const grams = lines.map((l) => (gramsPerUnit.get(l.offerId) ?? Number.NaN) * l.qty);
  if (grams.every((g) => !Number.isNaN(g))) {
    const weight = grams.reduce((a, b) => a + b, 0);
    if (limits.max_posting_weight && weight > limits.max_posting_weight)
      problems.push(`weight ${weight} g is above the point's ${limits.max_posting_weight} g`);
    if (limits.min_posting_weight && weight < limits.min_posting_weight)
      problems.push(`weight ${weight} g is below the point's ${limits.min_posting_weight} g`);
  }
  return problems;
}

/**
 * The shipment date the product gives Ozon when Ozon asks for one (`set_cutoff`, rFBS): the seller's handling time
 * from now, never earlier than a date Ozon already shows. Pure.
 */
export function cutoffDate(nowMs: number, handlingHours: number, current?: string): string {
  const proposed = nowMs + handlingHours * 3600_000;
  const shown = current ? Date.parse(current) : Number.NaN;
  return new Date(Number.isNaN(shown) ? proposed : Math.max(proposed, shown)).toISOString();
}
