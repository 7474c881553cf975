/**
 * Exemplars (units) of a posting and their marking codes, as docs/19-fbsandrfbsmarks.md and swagger describe them:
 * create-or-get hands out an exemplar_id per unit, exemplar/set stores the exemplars (marks, GTD, RNPT) and starts
 * an asynchronous check, exemplar/status reports it (validation_in_process → ship_available | ship_not_available),
 * exemplar/validate checks the codes' format only. /v4/posting/fbs/ship of a posting that needs marks waits for
 * ship_available.
 *
 * Code format ("по количеству и составу символов"; docs/19: "Коды маркировки товара в системе «Честный ЗНАК»
 * передаются с криптохвостом … Символ <GS> должен кодироваться как последовательность \u001d. Двойное
 * экранирование в виде \\u001d не допускается"). A `mandatory_mark` must be a GS1 DataMatrix string:
 *
 *   01 + GTIN (14 digits) + 21 + serial (1–20 characters) + one or more <GS>-separated groups, one of which is the
 *   crypto tail (a group starting with 91, 92 or 93); printable ASCII and <GS> (U+001D) only.
 *
 * The error codes are the sandbox's own (the docs name none for the code format): MARK_GS_DOUBLE_ESCAPED,
 * MARK_INVALID_CHARACTERS, MARK_INVALID_STRUCTURE, MARK_WITHOUT_CRYPTO_TAIL, JW_UIN_INVALID_FORMAT (a jewellery
 * UIN must be digits: the docs give no format), INVALID_MARK_TYPE. The check after exemplar/set adds
 * MARK_DUPLICATED (one code on two units) and MARK_NOT_IN_CIRCULATION: a well-formed code whose GTIN is
 * 00000000000000 passes /validate but fails the "Честный ЗНАК" check, so a test can reach the failure after set.
 */
import type { Posting } from './model.js';

export interface ExemplarMark {
  mark: string;
  mark_type: string;
}

export interface Exemplar {
  exemplar_id: number;
  gtd: string;
  is_gtd_absent: boolean;
  rnpt: string;
  is_rnpt_absent: boolean;
  marks: ExemplarMark[];
}

/** What /v6/fbs/posting/product/exemplar/set stored for a posting (the whole set: each call replaces it). */
export interface ExemplarSet {
  products: { product_id: number; exemplars: Exemplar[] }[];
  /** simulated ms of the set call */
  setAt: number;
  /** simulated ms when the check ends (validation_in_process until then) */
  checkedAt: number;
}

/** swagger ExemplarMark.mark_type */
export const MARK_TYPES = ['mandatory_mark', 'jw_uin'] as const;

/** docs/14-fbs.md /v5/fbs/posting/product/exemplar/status `status` */
export type ExemplarStatus = 'ship_available' | 'ship_not_available' | 'validation_in_process';
/** swagger `mandatory_mark_check_status`: processing, passed, failed */
export type CheckStatus = 'processing' | 'passed' | 'failed';

const GS = '\u001d';
const NOT_IN_CIRCULATION_GTIN = '00000000000000';

/** Format errors of one code ([] = well-formed). */
export function markFormatErrors(mark: string, markType: string): string[] {
  if (markType === 'jw_uin') return /^\d+$/.test(mark) ? [] : ['JW_UIN_INVALID_FORMAT'];
  if (markType !== 'mandatory_mark') return ['INVALID_MARK_TYPE'];
  // the JSON text "\\u001d" arrives as the six characters \u001d instead of one GS
  if (/\\u001d/i.test(mark)) return ['MARK_GS_DOUBLE_ESCAPED'];
  // split on GS first: the parts between separators must be printable ASCII
  const [head = '', ...groups] = mark.split(GS);
  if (![head, ...groups].every((part) => /^[\x21-\x7e]*$/.test(part))) return ['MARK_INVALID_CHARACTERS'];
  if (!/^01\d{14}21.{1,20}$/.test(head) || groups.length === 0 || groups.some((g) => g === ''))
    return ['MARK_INVALID_STRUCTURE'];
  if (!groups.some((g) => /^9[123]./.test(g))) return ['MARK_WITHOUT_CRYPTO_TAIL'];
  return [];
}

/**
 * The exemplar ids of each product (sku) of a posting, one per unit, in line order: order_id * 10_000 + the unit's
 * 1-based position in the posting. Derived, not drawn: handing them out changes no state and shifts no RNG stream.
 */
export function exemplarIds(p: Posting): Map<number, number[]> {
  const ids = new Map<number, number[]>();
  let k = 0;
  for (const l of p.lines) {
    const list = ids.get(l.sku) ?? [];
    for (let u = 0; u < l.quantity; u++) list.push(p.order_id * 10_000 + ++k);
    ids.set(l.sku, list);
  }
  return ids;
}

/** Errors of each stored mark after the check, keyed by the mark object. */
function checkedMarkErrors(set: ExemplarSet): Map<ExemplarMark, string[]> {
  const seen = new Map<string, number>();
  for (const pr of set.products)
    for (const ex of pr.exemplars) for (const mk of ex.marks) seen.set(mk.mark, (seen.get(mk.mark) ?? 0) + 1);
  const out = new Map<ExemplarMark, string[]>();
  for (const pr of set.products) {
    for (const ex of pr.exemplars) {
      for (const mk of ex.marks) {
        const errors = markFormatErrors(mk.mark, mk.mark_type);
        if ((seen.get(mk.mark) ?? 0) > 1) errors.push('MARK_DUPLICATED');
        if (
          errors.length === 0 &&
          mk.mark_type === 'mandatory_mark' &&
          mk.mark.slice(2, 16) === NOT_IN_CIRCULATION_GTIN
        )
          errors.push('MARK_NOT_IN_CIRCULATION');
        out.set(mk, errors);
      }
    }
  }
  return out;
}

/** Every unit of every product has its own exemplar with a "Честный ЗНАК" mark. */
function complete(p: Posting, set: ExemplarSet): boolean {
  for (const [sku, ids] of exemplarIds(p)) {
    if (ids.length === 0) continue;
    const marked = new Set<number>();
    for (const pr of set.products) {
      if (pr.product_id !== sku) continue;
      for (const ex of pr.exemplars)
        if (ids.includes(ex.exemplar_id) && ex.marks.some((mk) => mk.mark_type === 'mandatory_mark'))
          marked.add(ex.exemplar_id);
    }
    if (marked.size !== ids.length) return false;
  }
  return true;
}

/**
 * The posting's exemplar status. Nothing set: ship_available unless marks are required. Set: validation_in_process
 * until the check ends, then ship_available if every code passed and (for a posting that needs marks) every unit
 * has one.
 */
export function exemplarStatus(p: Posting, now: number): ExemplarStatus {
  const set = p.exemplars;
  if (!set) return p.marksRequired ? 'ship_not_available' : 'ship_available';
  if (now < set.checkedAt) return 'validation_in_process';
  for (const errors of checkedMarkErrors(set).values()) if (errors.length) return 'ship_not_available';
  if (p.marksRequired && !complete(p, set)) return 'ship_not_available';
  return 'ship_available';
}

/** /v5/fbs/posting/product/exemplar/status `products` */
export function renderStatusProducts(p: Posting, now: number) {
  const set = p.exemplars;
  if (!set) return [];
  const processing = now < set.checkedAt;
  const errorsOf = checkedMarkErrors(set);
  const status = (errors: string[]): CheckStatus => (processing ? 'processing' : errors.length ? 'failed' : 'passed');
  return set.products.map((pr) => ({
    product_id: pr.product_id,
    exemplars: pr.exemplars.map((ex) => ({
      exemplar_id: ex.exemplar_id,
      gtd: ex.gtd,
      // GTD and RNPT are never required here (requirements.products_requiring_gtd/_rnpt are empty): nothing to fail
      gtd_check_status: status([]),
      gtd_error_codes: [],
      is_gtd_absent: ex.is_gtd_absent,
      is_rnpt_absent: ex.is_rnpt_absent,
      marks: ex.marks.map((mk) => {
        const errors = processing ? [] : (errorsOf.get(mk) ?? []);
        return { mark: mk.mark, mark_type: mk.mark_type, check_status: status(errors), error_codes: errors };
      }),
      rnpt: ex.rnpt,
      rnpt_check_status: status([]),
      rnpt_error_codes: [],
    })),
  }));
}

/** The stored exemplar of each unit (or a blank one), per product, in line order. */
export function exemplarsByProduct(p: Posting) {
  const stored = new Map<number, Exemplar>();
  for (const pr of p.exemplars?.products ?? []) for (const ex of pr.exemplars) stored.set(ex.exemplar_id, ex);
  return [...exemplarIds(p)].map(([sku, ids]) => ({
    sku,
    quantity: ids.length,
    exemplars: ids.map(
      (id): Exemplar =>
        stored.get(id) ?? {
          exemplar_id: id,
          gtd: '',
          is_gtd_absent: false,
          rnpt: '',
          is_rnpt_absent: false,
          marks: [],
        },
    ),
  }));
}

/** the "Честный ЗНАК" codes set for a product (products[].mandatory_mark in get and in ship's additional_data) */
export function mandatoryMarksOf(p: Posting, sku: number): string[] {
  return (p.exemplars?.products ?? [])
    .filter((pr) => pr.product_id === sku)
    .flatMap((pr) => pr.exemplars.flatMap((ex) => ex.marks))
    .filter((mk) => mk.mark_type === 'mandatory_mark')
    .map((mk) => mk.mark);
}

/** /v3/posting/fbs/get `product_exemplars` (swagger v3FbsPostingProductExemplarsV3) */
export function renderProductExemplars(p: Posting) {
  const set = p.exemplars;
  return {
    products: p.lines.map((l) => ({
      sku: l.sku,
      exemplars: (set?.products ?? [])
        .filter((pr) => pr.product_id === l.sku)
        .flatMap((pr) => pr.exemplars)
        .map((ex) => ({
          exemplar_id: ex.exemplar_id,
          mandatory_mark: ex.marks.find((mk) => mk.mark_type === 'mandatory_mark')?.mark ?? '',
          gtd: ex.gtd,
          is_gtd_absent: ex.is_gtd_absent,
          rnpt: ex.rnpt,
          is_rnpt_absent: ex.is_rnpt_absent,
        })),
    })),
  };
}
