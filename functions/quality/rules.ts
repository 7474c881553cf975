/**
 * The quality check before shipping, as rules. Pure: no AWS, no I/O.
 *
 * A posting is checked when one of its lines is an offer or SKU the seller's policy names (QUALITY_CHECK, the
 * seller API's `packing` with `qualityCheck`), or an offer whose defect returns reached QUALITY_DEFECT_THRESHOLD
 * (aftersale/ flags it). The warehouse answers passed, or failed with what and why; a failed unit is written off,
 * the reservation freed and taken again (another unit if there is one, else the short-stock path).
 */
import * as z from 'zod/mini';
import { ConfigError } from '#shared/errors';
import type { Order, OrderLine } from '#shared/order';

export const QualityPolicy = z.object({
  /** The seller's offer ids checked before shipping. */
  offers: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(100))).check(z.maxLength(5000)), []),
  /** Ozon SKUs checked before shipping (the same product under one SKU whatever its offer id). */
  skus: z._default(z.array(z.int().check(z.positive())).check(z.maxLength(5000)), []),
});
export type QualityPolicy = z.infer<typeof QualityPolicy>;

/** The deployment's QUALITY_CHECK (JSON), checked: a typo must not silently check nothing. */
export function parseQualityPolicy(json: string): QualityPolicy {
  let value: unknown;
  try {
    value = JSON.parse(json || '{}');
  } catch (e) {
    throw new ConfigError(`QUALITY_CHECK is not JSON: ${(e as Error).message}`);
  }
  const parsed = QualityPolicy.safeParse(value);
  if (!parsed.success) throw new ConfigError(`QUALITY_CHECK is not a quality policy: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * The lines the warehouse checks before Ozon is asked to assemble: those whose offer or SKU the policy names, or
 * whose offer is on the seller's check list (set by the seller, or by the product after defect returns).
 */
export function linesToCheck(lines: OrderLine[], policy: QualityPolicy, checkList: readonly string[]): OrderLine[] {
  const offers = new Set([...policy.offers, ...checkList]);
  const skus = new Set(policy.skus);
  return lines.filter((l) => offers.has(l.offerId) || skus.has(l.sku));
}

/** Failed checks of one posting before the seller looks at the batch (NeedsAttention) instead of the next unit. */
export const MAX_QUALITY_FAILURES = 3;

/** The warehouse's answer, as the seller API takes it. */
export interface CheckAnswer {
  passed: boolean;
  offerId?: string;
  units?: number;
  reason?: string;
}

/**
 * Whether a posting takes a check answer now, and the failed unit it names: only while it waits for a check whose
 * result is not in yet; a failure names a checked line (the only one when there is one) and at most its units.
 */
export function acceptAnswer(
  order: Pick<Order, 'phase' | 'qualityCheck' | 'lines'>,
  answer: CheckAnswer,
  checked: OrderLine[],
): { ok: true; offerId?: string; units?: number } | { ok: false; status: 404 | 409 | 422; why: string } {
  if (order.phase !== 'awaiting_check')
    return { ok: false, status: 409, why: 'the posting is not waiting for a check' };
  if (order.qualityCheck && order.qualityCheck.result !== 'pending') {
    return { ok: false, status: 409, why: `this check is recorded already (${order.qualityCheck.result})` };
  }
  if (answer.passed) return { ok: true };
  if (!answer.reason) return { ok: false, status: 422, why: 'a failed check needs its reason' };
  const candidates = checked.length ? checked : order.lines;
  const line = answer.offerId
    ? order.lines.find((l) => l.offerId === answer.offerId)
    : candidates.length === 1
      ? candidates[0]
      : undefined;
  if (!line) {
    return {
      ok: false,
      status: 422,
      why: answer.offerId
        ? `${answer.offerId} is not in the posting`
        : `name the failed offer: ${candidates.map((l) => l.offerId).join(', ')}`,
    };
  }
  const units = answer.units ?? 1;
  if (units > line.qty)
    return { ok: false, status: 422, why: `${line.offerId} has ${line.qty} unit(s) in the posting` };
  return { ok: true, offerId: line.offerId, units };
}
