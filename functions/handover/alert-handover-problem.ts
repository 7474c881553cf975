/**
 * AlertHandoverProblem: the carriage's act could not be made (Ozon refused it, or its documents failed, or it was
 * still not possible near the cutoff). The seller makes it in the cabinet; the postings themselves go on in their
 * own executions, which alert a missed handover as always. The execution ends `LeftToSeller`.
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
  return { alerted: true };
}

export const handler = stepHandler(ProblemInput, alertHandoverProblem);
