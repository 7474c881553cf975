/**
 * HandOverDocuments: the act's PDF and the carriage barcode (`/v2/posting/fbs/act/get-pdf`, `get-barcode`) go to S3
 * beside the carriage's labels, and the seller hears what to print and bring, by when: one `handover` alert per
 * carriage, with links that open without AWS credentials. Each posting Ozon left out of the act is alerted on its
 * own (`removed_from_act`: it ships with the next carriage, its own deadline at risk), and so is each posting
 * whose label Ozon could not print (`label_unprinted`).
 */
import * as z from 'zod/mini';
import { tellBuyer } from '#buyers/tell-buyer';
import { sendAccountAlert, sendAlert } from '#shared/alerts';
import { downloadLink, putLabelsFile } from '#shared/aws/s3';
import { env } from '#shared/config';
import { stepHandler } from '#shared/handler';
import { getOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { noteMovedCutoff } from './moved-cutoffs';
import { LabelsInput, Unprinted } from './print-labels';
import { actFiles, documentBytes } from './rules';

export const DocumentsInput = z.extend(LabelsInput, {
  labelFiles: z._default(z.array(z.string()), []),
  unprinted: z._default(z.array(Unprinted), []),
  /** FetchLabels gave up on Ozon's label tasks: the act still goes out, the labels are the seller's to print. */
  labelsError: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});
export type DocumentsInput = z.infer<typeof DocumentsInput>;

/** The links stay valid through a working day (or until the signing credentials expire). */
export const HANDOVER_LINK_HOURS = 12;
const DAY_MS = 24 * 3600_000;

export async function handOverDocuments(input: DocumentsInput) {
  const bucket = env('labels').LABELS_BUCKET;
  const files = actFiles(input, input.actId);
  const [pdf, barcode] = await Promise.all([
    ozon().document('actPdf', { id: input.actId }),
    ozon().document('actBarcode', { id: input.actId }),
  ]);
  await putLabelsFile(files.act, documentBytes(pdf), 'application/pdf');
  await putLabelsFile(files.barcode, documentBytes(barcode), 'image/png');
  const unprinted = input.labelsError
    ? input.postings.map((postingNumber) => ({ postingNumber, reason: 'Ozon did not finish the label file in time' }))
    : input.unprinted;
  const seconds = HANDOVER_LINK_HOURS * 3600;
  await sendAccountAlert(
    {
      kind: 'handover',
      warehouseId: input.warehouseId,
      deliveryMethod: input.deliveryMethodName || String(input.deliveryMethodId),
      parcels: input.parcels,
      notPacked: Math.max(0, input.mandatory - input.packaged),
      removed: input.removed,
      deadline: input.cutoffAt,
      act: await downloadLink(bucket, files.act, seconds),
      barcode: await downloadLink(bucket, files.barcode, seconds),
      labels: input.labelsError ? [] : await Promise.all(input.labelFiles.map((k) => downloadLink(bucket, k, seconds))),
      unprinted: unprinted.map((u) => `${u.postingNumber} (${u.reason})`),
      linksValidHours: HANDOVER_LINK_HOURS,
    },
    { once: `act-${input.actId}` },
  );
  // Ozon moves the parcels it left out to the next day's carriage: the poll plans that day even if the moved
  // dates' pushes were lost (its status pass does not show a parcel whose status did not change).
  if (input.removed.length) await noteMovedCutoff(Date.parse(input.cutoffAt) + DAY_MS);
  for (const postingNumber of input.removed) {
    const order = await getOrder(postingNumber);
    if (order) {
      await sendAlert(order, { kind: 'removed_from_act', actId: input.actId, deadline: order.shipmentDate });
      await tellBuyer(order, 'ship_date_moved');
    }
  }
  for (const { postingNumber, reason } of unprinted) {
    const order = await getOrder(postingNumber);
    if (order) await sendAlert(order, { kind: 'label_unprinted', reason, deadline: input.cutoffAt });
  }
  return { ...input, documents: files };
}

export const handler = stepHandler(DocumentsInput, handOverDocuments);
