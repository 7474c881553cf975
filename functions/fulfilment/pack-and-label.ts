/** PackAndLabel: the packing list (handling notes for fragile goods) and, once assembled, Ozon's label PDF. */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '#shared/clients';
import { nowIso } from '#shared/clock';
import { env } from '#shared/config';
import { LabelNotReady, OzonRequestRejected } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import type { Order } from '#shared/order';
import { updateOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { activeOrder, StepInput, stateOf } from '#shared/steps';
import { packingList } from '#stock/rules';
import { consume, getStock } from '#stock/stock-store';
import { LABEL_STATUSES, labelNotReady } from './rules';

export async function packAndLabel(input: StepInput) {
  const order = await activeOrder(input.postingNumber);
  const stock = await getStock(
    order.warehouseId,
    order.lines.map((l) => l.offerId),
  );
  const handling = new Map([...stock].map(([offerId, item]) => [offerId, item.handling]));
  let labelKey = order.labelKey;
  if (!labelKey && order.schema === 'fbs') {
    labelKey = await fetchLabel(order);
  }
  const packed = { packingList: packingList(order.lines, handling), labelKey };
  // A retry finds the stock already taken; then only the packing result is written.
  if (!(await consume(order, nowIso(), packed))) {
    await updateOrder(order.postingNumber, { phase: 'packing', ...packed });
  }
  // Packing changes none of the dates the wait timeouts come from: no need to read the order back.
  return stateOf(order);
}

/**
 * Ozon serves the label only in `awaiting_deliver`. Refused earlier, it is not ready yet (retried by the state
 * machine); refused because the parcel already moved on (picked up), there is nothing left to print.
 */
async function fetchLabel(order: Order): Promise<string | undefined> {
  let pdf: Uint8Array;
  try {
    pdf = await ozon().packageLabel([order.postingNumber]);
  } catch (e) {
    if (!(e instanceof OzonRequestRejected && labelNotReady(e.ozonMessage))) throw e;
    const { result: posting } = await ozon().call('getPosting', { posting_number: order.postingNumber });
    if (!LABEL_STATUSES.has(posting.status)) return undefined;
    throw new LabelNotReady(e.message, { cause: e });
  }
  const key = `labels/${order.postingNumber}.pdf`;
  const bucket = env('labels').LABELS_BUCKET;
  if (bucket) {
    await s3Client().send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: pdf, ContentType: 'application/pdf' }),
    );
  }
  return key;
}

export const handler = stepHandler(StepInput, packAndLabel);
