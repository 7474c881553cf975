/**
 * AlertHandoverProblem: the carriage's act could not be made (Ozon refused it, or its documents failed, or it was
 * still not possible near the cutoff). The seller makes it in the cabinet; an hour after the cutoff the carriage's
 * parcels that did not leave are alerted (CheckHandover), and the execution ends `LeftToSeller`.
 */
import * as z from 'zod/mini';
import { sendAccountAlert } from '#shared/alerts';
import { stepHandler } from '#shared/handler';
import { Carriage } from './rules';

export const ProblemInput = z.extend(Carriage, {
  error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

export async function alertHandoverProblem(input: z.infer<typeof ProblemInput>) {
  await sendAccountAlert(
    {
      kind: 'handover_failed',
      warehouseId: input.warehouseId,
      deliveryMethod: input.deliveryMethodName || String(input.deliveryMethodId),
      deadline: input.cutoffAt,
      reason: `${input.error?.Error ?? 'Unknown'}: ${(input.error?.Cause ?? '').slice(0, 300)}`,
    },
    { once: `${input.deliveryMethodId}-${input.departureDate}` },
  );
  // The carriage's parcels are still looked at after the cutoff (CheckHandover): the error says how it ends.
  return input;
}

export const handler = stepHandler(ProblemInput, alertHandoverProblem);
