/**
 * CheckAct: Ozon forms the act's documents asynchronously (`/v2/posting/fbs/act/check-status`): still forming is
 * retried by the state machine; ready gives the postings in the carriage (their labels come next) and those Ozon
 * left out of it (they go with the next carriage); an error or a cancellation goes to the seller.
 */
import * as z from 'zod/mini';
import { ActNotReady, ActRefused } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { ozon } from '#shared/ozon/client';
import { actProgress, Carriage } from './rules';

export const ActInput = z.extend(Carriage, { actId: z.number() });
export type ActInput = z.infer<typeof ActInput>;

/**
 * The postings carried in the execution state: a drop-off carriage is tens to a few hundred parcels; this bound
 * keeps the state far below Step Functions' 256 KB (a posting number is ~20 bytes).
 */
export const MAX_LISTED = 2000;

export async function checkAct(input: ActInput) {
  const { result } = await ozon().call('actStatus', { id: input.actId });
  const progress = actProgress(result.status);
  if (progress === 'forming') throw new ActNotReady(`The documents of act ${input.actId} are ${result.status}`);
  if (progress === 'failed')
    throw new ActRefused(`Ozon could not form the documents of act ${input.actId}: ${result.status}`);
  return {
    ...input,
    parcels: result.added_to_act.length,
    postings: result.added_to_act.slice(0, MAX_LISTED),
    removed: result.removed_from_act.slice(0, MAX_LISTED),
  };
}

export const handler = stepHandler(ActInput, checkAct);
