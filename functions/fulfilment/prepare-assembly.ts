/**
 * PrepareAssembly: what Ozon needs before it assembles — a "Честный ЗНАК" code or jewellery UIN per unit, the
 * customs declaration or RNPT, a multi-box product's box count — goes to Ozon, and Ozon's check of it is awaited.
 * ConfirmPosting comes here (AssemblyDataRequired) and back once Ozon allows shipping.
 *
 * Ozon's own list of the units and their needs (exemplar/create-or-get) is the truth; the codes are the seller's
 * (seller API `marks`), the box count the seller's packing data or the seller's word. Whatever is missing or
 * refused is alerted with what to send and by when, and the posting waits for it (AssemblyDataMissing →
 * AwaitMarkingCodes): never an end. After the alerts run out the posting waits in NeedsAttention.
 */
import { sendAlert } from '#shared/alerts';
import { nowIso } from '#shared/clock';
import { AssemblyDataChecking, AssemblyDataMissing, AssemblyDataNotSent } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import type { Order } from '#shared/order';
import { updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { activeOrder, escalate, StepInput, stateOf } from '#shared/steps';
import { getAssemblyData } from './assembly-store';
import { packingData } from './packing-store';
import { assemblyPlan, exemplarProblems, MAX_ASSEMBLY_DATA_ALERTS } from './rules';

export const MARKS_CALLBACK =
  'POST <seller API>/marks {"postingNumber","products":[{"offerId","marks":[…],"gtd"?,"rnpt"?}],"boxes"?}';

export async function prepareAssembly(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  if (order.preparedAt) return stateOf(order);
  const pn = order.postingNumber;
  // Sent before (a retry while Ozon checks, or a wait that ended without new data): only the check's result is new.
  if (!order.exemplarsSentAt || (order.assemblyDataAt ?? '') > order.exemplarsSentAt) {
    const [units, data, packing] = await Promise.all([
      ozon().call('exemplars', { posting_number: pn }),
      getAssemblyData(pn),
      packingData(),
    ]);
    const plan = assemblyPlan(order, units, data, new Map(Object.entries(packing.boxes)));
    if (plan.missing.length) return waitForSeller(order, plan.missing, 'missing');
    if (plan.products.length) {
      const checked = await ozon().call('validateExemplars', { posting_number: pn, products: plan.products });
      const problems = exemplarProblems(
        order,
        checked.products.filter((p) => !p.valid),
      );
      if (problems.length) return waitForSeller(order, problems, 'refused');
      // The box count rides with the exemplars when there are any (exemplar/set takes it).
      await ozon().call('setExemplars', {
        posting_number: pn,
        products: plan.products,
        ...(plan.boxes ? { multi_box_qty: plan.boxes } : {}),
      });
    } else if (plan.boxes) {
      await ozon().call('setMultiBoxQty', { posting_number: pn, multi_box_qty: plan.boxes });
    }
    await updateOrder(pn, { exemplarsSentAt: nowIso() });
  }
  const status = await ozon().call('exemplarStatus', { posting_number: pn });
  if (status.status === 'validation_in_process') {
    throw new AssemblyDataChecking(`Ozon is still checking the marking codes of ${pn}`);
  }
  if (status.status !== 'ship_available') {
    const problems = exemplarProblems(order, status.products ?? []);
    return waitForSeller(order, problems.length ? problems : [`Ozon answered ${status.status}`], 'refused');
  }
  return stateOf(await updateOrder(pn, { preparedAt: nowIso() }));
}

/** Alert what the seller has to send (each time they are asked, up to a limit), then wait for it. */
async function waitForSeller(order: Order, problems: string[], kind: 'missing' | 'refused'): Promise<never> {
  const counted = await escalate(
    order,
    'marks',
    MAX_ASSEMBLY_DATA_ALERTS,
    (sent) => new AssemblyDataNotSent(`${order.postingNumber}: assembly data still ${kind} after ${sent} alerts`),
  );
  const facts = { deadline: order.shipmentDate, problems: problems.slice(0, 20), callbackPath: MARKS_CALLBACK };
  await sendAlert(
    counted,
    kind === 'refused' ? { kind: 'marking_codes_refused', ...facts } : { kind: 'marking_codes_required', ...facts },
  );
  throw new AssemblyDataMissing(`${order.postingNumber} waits for the seller's assembly data: ${problems.join('; ')}`);
}

export const handler = stepHandler(StepInput, prepareAssembly);
