/**
 * CreateAct: confirms the carriage on Ozon and starts its documents (`/v2/posting/fbs/act/create`: the act, the
 * waybill and the carriage barcode) for every posting of the delivery method that is assembled by now. Ozon's
 * "not yet" (postings still being packed or registered) is retried by the state machine until shortly before the
 * cutoff; "nothing to hand over" ends the execution; any other refusal goes to the seller.
 */
import { now } from '#shared/clock';
import { env } from '#shared/config';
import { ActNotYet, ActRefused, ActTooEarly, NothingToHandOver, OzonRequestRejected } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { ozon } from '#shared/ozon/client';
import { actRefusal, Carriage } from './rules';

/** The last attempt at the act this long before the cutoff: the seller still has time to make it by hand. */
export const LAST_TRY_BEFORE_CUTOFF_MS = 15 * 60_000;

export async function createAct(input: Carriage) {
  // The act takes the parcels assembled when it is made: it waits for the end of the day's packing (no Ozon call).
  const actFrom = Date.parse(input.cutoffAt) - env('policy').HANDOVER_LEAD_HOURS * 3600_000;
  if (now() < actFrom) throw new ActTooEarly(`The act is made from ${new Date(actFrom).toISOString()}`);
  try {
    const { result } = await ozon().call('createAct', {
      delivery_method_id: input.deliveryMethodId,
      departure_date: new Date(`${input.departureDate}T00:00:00Z`).toISOString(),
    });
    return { ...input, actId: result.id };
  } catch (e) {
    if (!(e instanceof OzonRequestRejected)) throw e;
    const refusal = actRefusal(e.ozonMessage);
    if (refusal === 'nothing') throw new NothingToHandOver(`No postings to hand over: ${e.ozonMessage}`);
    // Asked again until shortly before the cutoff (the state machine's Retry); then it is the seller's.
    if (refusal === 'not_yet' && now() < Date.parse(input.cutoffAt) - LAST_TRY_BEFORE_CUTOFF_MS) {
      throw new ActNotYet(`Ozon cannot make the act yet: ${e.ozonMessage}`);
    }
    throw new ActRefused(`Ozon refused the act: ${e.ozonMessage}`, { cause: e });
  }
}

export const handler = stepHandler(Carriage, createAct);
