/**
 * CheckAct: Ozon forms the act's documents asynchronously (`/v2/posting/fbs/act/check-status`): still forming is
 * retried by the state machine; ready gives the postings in the carriage and those Ozon left out of it (they go with
 * the next carriage); an error or a cancellation goes to the seller.
 */
import * as z from 'zod/mini';
import { ActNotReady, ActRefused } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { ozon } from '#shared/ozon/client';
import { actProgress, Carriage } from './rules';

export const ActInput = z.extend(Carriage, { actId: z.number() });
export type ActInput = z.infer<typeof ActInput>;

/** The removed postings carried in the execution state; an act leaves out a few at most. */
const MAX_LISTED = 100;

export async function checkAct(input: ActInput) {
  const { result } = await ozon().call('actStatus', { id: input.actId });
  const progress = actProgress(result.status);
  if (progress === 'forming') throw new ActNotReady(`The documents of act ${input.actId} are ${result.status}`);
  if (progress === 'failed')
    throw new ActRefused(`Ozon could not form the documents of act ${input.actId}: ${result.status}`);
  return {
    ...input,
    parcels: result.added_to_act.length,
    removed: result.removed_from_act.slice(0, MAX_LISTED),
  };
}

export const handler = stepHandler(ActInput, checkAct);
