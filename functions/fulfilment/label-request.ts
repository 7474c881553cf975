/**
 * What PackAndLabel hands the packing batcher through the label queue: the task token its state waits on, the
 * posting, and until when Ozon's word on the assembly is waited for. The batcher reads the order itself, after Ozon
 * has had time to report the assembly, so the request carries no copy of it.
 */
import * as z from 'zod/mini';

export const LabelRequest = z.object({
  token: z.string().check(z.minLength(1)),
  postingNumber: z.string().check(z.minLength(1)),
  /** ISO time: the state's assembly timeout counted from the ship (ConfirmPosting's end). */
  assembleBy: z.string().check(z.minLength(1)),
});
export type LabelRequest = z.infer<typeof LabelRequest>;

/**
 * A request queued by the version before (the order it carried, no deadline) is still read during an upgrade:
 * its posting was reported assembled before it was queued, so an hour is deadline enough.
 */
const Queued = z.union([
  LabelRequest,
  z.object({
    token: z.string().check(z.minLength(1)),
    order: z.object({ postingNumber: z.string().check(z.minLength(1)) }),
  }),
]);

export function readLabelRequest(body: unknown, nowMs: number): LabelRequest | undefined {
  const parsed = Queued.safeParse(body);
  if (!parsed.success) return undefined;
  if ('postingNumber' in parsed.data) return parsed.data;
  return {
    token: parsed.data.token,
    postingNumber: parsed.data.order.postingNumber,
    assembleBy: new Date(nowMs + 3600_000).toISOString(),
  };
}
