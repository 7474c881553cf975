/**
 * CreateAct: confirms the carriage on Ozon and starts its documents (`/v2/posting/fbs/act/create`: the act, the
 * waybill and the carriage barcode) for every posting of the delivery method that is assembled by now. Ozon's
 * "not yet" (postings still being packed or registered) is retried by the state machine; "nothing to hand over"
 * ends the execution; any other refusal goes to the seller.
 */
import { ActNotYet, ActRefused, NothingToHandOver, OzonRequestRejected } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { ozon } from '#shared/ozon/client';
import { actRefusal, Carriage } from './rules';

export async function createAct(input: Carriage) {
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
    if (refusal === 'not_yet') throw new ActNotYet(`Ozon cannot make the act yet: ${e.ozonMessage}`);
    throw new ActRefused(`Ozon refused the act: ${e.ozonMessage}`, { cause: e });
  }
}

export const handler = stepHandler(Carriage, createAct);
