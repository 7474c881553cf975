/**
 * Returns, pure: the seller's return rules (as data: per deployment, replaced at run time through the seller API,
 * per offer where the seller wants), how a return request is answered, what Ozon's state of a return means for its
 * execution, and when the seller is warned about an FBS return waiting at the drop-off point.
 */
import * as z from 'zod/mini';
import { round2 } from '#shared/order';

/**
 * Action ids of `/v1/returns/rfbs/action/set`, offered in `available_actions` of `/v2/returns/rfbs/get`. Ozon's docs
 * name -1 and -10 (the two rejections) and 1020 (a partial compensation); 1010 (take the unit back for a check), 1030
 * (refund the buyer) and 1040 (the parcel is received) are not in the docs and are the sandbox's. Every action is
 * chosen only from what Ozon offers for the return now: an id Ozon does not offer is never sent, the seller is asked.
 */
export const RETURN_ACTION = {
  approve: 1010,
  compensate: 1020,
  refund: 1030,
  receive: 1040,
  reject: -1,
  rejectAfterCheck: -10,
} as const;

/** What the seller (or a rule) may answer a return request with. */
export const RequestAnswer = z.enum(['approve', 'refund', 'compensate', 'reject']);
export type RequestAnswer = z.infer<typeof RequestAnswer>;

/** One rule: for the offers it names (all offers when none), what to do with a request; first match wins. */
export const ReturnRule = z.strictObject({
  offerIds: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(100))).check(z.maxLength(1000))),
  /** A request whose reason Ozon marks as a defect: refund at once, take the unit back for a check, or ask. */
  defect: z.optional(z.enum(['refund', 'approve', 'ask'])),
  /** Refund without taking the unit back when its price is under this (roubles): the trip back costs more. */
  refundUnder: z.optional(z.number().check(z.nonnegative())),
  /** Return reasons (Ozon's `return_reason.id`) taken back for a check without asking. */
  approveReasons: z.optional(z.array(z.int()).check(z.maxLength(100))),
  /** Anything else: ask the seller (the default), or take it back for a check. */
  otherwise: z.optional(z.enum(['ask', 'approve'])),
});
export type ReturnRule = z.infer<typeof ReturnRule>;
export const ReturnPolicy = z.strictObject({
  rules: z._default(z.array(ReturnRule).check(z.maxLength(200)), []),
});
export type ReturnPolicy = z.infer<typeof ReturnPolicy>;

/** The deployment's RETURN_POLICY (JSON); a bad one is a configuration error named at the first return. */
export function parsePolicy(json: string): ReturnPolicy {
  let value: unknown;
  try {
    value = JSON.parse(json || '{}');
  } catch (e) {
    throw new Error(`RETURN_POLICY is not JSON: ${(e as Error).message}`);
  }
  const parsed = ReturnPolicy.safeParse(value);
  if (!parsed.success) throw new Error(`RETURN_POLICY is not a return policy: ${parsed.error.message}`);
  return parsed.data;
}

export interface RequestFacts {
  offerId: string;
  price: number;
  reasonId?: number;
  isDefect: boolean;
}

export type RequestDecision =
  | { answer: RequestAnswer; by: 'policy' | 'seller'; amount?: number; comment?: string; rejectionReasonId?: number }
  | { answer: 'ask' }
  /** The seller's time is over: Ozon decides at its deadline; the seller hears so once. */
  | { answer: 'leave' };

/** The rule for an offer: the first whose offers name it, else the first without offers, else none. */
export const ruleFor = (policy: ReturnPolicy, offerId: string): ReturnRule | undefined =>
  policy.rules.find((r) => r.offerIds?.includes(offerId)) ?? policy.rules.find((r) => !r.offerIds);

/** What the policy alone says: an answer, or `ask` (the seller decides). */
export function policyAnswer(facts: RequestFacts, policy: ReturnPolicy): RequestAnswer | 'ask' {
  const rule = ruleFor(policy, facts.offerId);
  if (!rule) return 'ask';
  if (facts.isDefect && rule.defect && rule.defect !== 'ask') return rule.defect;
  if (rule.refundUnder !== undefined && facts.price < rule.refundUnder) return 'refund';
  if (facts.reasonId !== undefined && rule.approveReasons?.includes(facts.reasonId)) return 'approve';
  return rule.otherwise === 'approve' ? 'approve' : 'ask';
}

/**
 * How an open request is answered now: the seller's answer if they gave one; else the policy's; else ask the seller
 * until `answerBy`, and after it leave it to Ozon (which approves it at its deadline: a rejection nobody chose
 * would be the product deciding on the seller's behalf).
 */
export function decideRequest(
  facts: RequestFacts,
  policy: ReturnPolicy,
  seller: { answer: RequestAnswer; amount?: number; comment?: string; rejectionReasonId?: number } | undefined,
  answerByMs: number,
  nowMs: number,
): RequestDecision {
  if (seller) return { ...seller, by: 'seller' };
  const byPolicy = policyAnswer(facts, policy);
  if (byPolicy !== 'ask') return { answer: byPolicy, by: 'policy' };
  return nowMs < answerByMs ? { answer: 'ask' } : { answer: 'leave' };
}

/** When the product stops waiting for the seller: the margin before Ozon's own approval (from the creation). */
export function requestDeadlines(createdAtMs: number, decisionHours: number, marginHours: number) {
  const deadline = createdAtMs + decisionHours * 3600_000;
  return { deadline, answerBy: deadline - marginHours * 3600_000 };
}

/** The action id an answer is sent as, before the parcel is back. */
export const actionOf = (answer: RequestAnswer): number =>
  ({
    approve: RETURN_ACTION.approve,
    refund: RETURN_ACTION.refund,
    compensate: RETURN_ACTION.compensate,
    reject: RETURN_ACTION.reject,
  })[answer];

/** What an rFBS return's Ozon state means for its execution (docs/24 `state.state`; sandbox aftersale.ts). */
export type RfbsStage = 'request' | 'in_transit' | 'back' | 'refunded' | 'rejected' | 'unknown';
export function rfbsStage(state: string | null | undefined): RfbsStage {
  switch (state) {
    case 'ON_APPROVAL':
      return 'request';
    case 'MOVING_TO_SELLER':
      return 'in_transit';
    case 'ARRIVED_AT_RETURN_PLACE':
    case 'RECEIVED_BY_SELLER':
      return 'back';
    case 'MONEY_RETURNED':
    case 'PARTIAL_COMPENSATION_RETURNED':
      return 'refunded';
    case 'REJECTED':
      return 'rejected';
    default:
      return 'unknown';
  }
}

/** What an FBS return's `visual.status.sys_name` means (docs/23 `visual_status_name`). */
export type FbsStage = 'in_transit' | 'at_dropoff' | 'collected' | 'utilized' | 'closed' | 'unknown';
export function fbsStage(sysName: string | null | undefined): FbsStage {
  switch (sysName) {
    case 'MovingToSeller':
    case 'OnSellerApproval':
    case 'Approved':
      return 'in_transit';
    case 'ArrivedAtReturnPlace':
      return 'at_dropoff';
    case 'ReceivedBySeller':
      return 'collected';
    case 'Utilized':
    case 'Utilizing':
      return 'utilized';
    case 'Cancelled':
    case 'Rejected':
    case 'MoneyReturned':
    case 'ReturnCompensated':
      return 'closed';
    default:
      return 'unknown';
  }
}

/**
 * The warnings an FBS return at the drop-off point is due, now: on arrival, before paid storage starts, before
 * utilization — each `warnHours` ahead, each once (the caller keeps which were sent).
 */
export function dropoffWarnings(
  storage: { tarifficationStart?: number; utilizationForecast?: number },
  nowMs: number,
  warnHours: number,
): ('arrived' | 'paid_storage' | 'utilization')[] {
  const ahead = warnHours * 3600_000;
  const due: ('arrived' | 'paid_storage' | 'utilization')[] = ['arrived'];
  if (storage.tarifficationStart !== undefined && nowMs >= storage.tarifficationStart - ahead) due.push('paid_storage');
  if (storage.utilizationForecast !== undefined && nowMs >= storage.utilizationForecast - ahead)
    due.push('utilization');
  return due;
}

/** The seller's check of a unit that came back: the shelf, or written off. */
export const Condition = z.enum(['resellable', 'defective']);
export type Condition = z.infer<typeof Condition>;

/** Whether an offer's defect returns reach the threshold that flags it for a quality check at packing. */
export const qualityFlagged = (defects: number, threshold: number) => defects >= threshold;

/** A refund after settlement: the posting's net payout fell by more than the tolerance. */
export function payoutReversal(
  settledNet: number,
  netNow: number,
  tolerance: number,
): { before: number; after: number; difference: number } | undefined {
  const difference = round2(netNow - settledNet);
  return difference < -tolerance ? { before: settledNet, after: netNow, difference } : undefined;
}

/** The execution's name: the posting number first, so the console's prefix search finds a posting's returns. */
export const returnExecutionName = (postingNumber: string, returnId: number) => `${postingNumber}_R${returnId}`;
