/**
 * PackAndLabel: a `.waitForTaskToken` state. The posting joins the next packing batch of its warehouse (the label
 * queue); the batcher (label-batch.ts) writes the batch's packing list, takes the units off the shelf and ends the
 * wait of every posting in it. The FBS label itself comes with the carriage (functions/handover/print-labels.ts).
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { sqsClient } from '#shared/aws/sqs';
import { env } from '#shared/config';
import { stepHandler } from '#shared/handler';
import { activeOrder, StepInput } from '#shared/steps';
import { sendTaskOutcome } from '#waits/deliver-to-wait';
import type { LabelRequest } from './label-request';

export const PackInput = z.extend(StepInput, { token: z.string().check(z.minLength(1)) });

export async function packAndLabel(input: z.infer<typeof PackInput>): Promise<{ queued: boolean }> {
  // The snapshot queued with the request decides how its units leave the shelf (reserved or not): the batch's
  // transaction checks that against the order, so a read a moment old costs at most a one-by-one fallback.
  const order = await activeOrder(input.postingNumber, { consistent: false });
  // Packed already (a retried state whose batch finished): nothing to queue.
  if (order.shippedFromStockAt && order.labelBatch) {
    await sendTaskOutcome(input.token, { outcome: 'success' }, order);
    return { queued: false };
  }
  const request: LabelRequest = { token: input.token, order };
  await sqsClient().send(
    new SendMessageCommand({ QueueUrl: env('labelQueue').LABEL_QUEUE_URL, MessageBody: JSON.stringify(request) }),
  );
  return { queued: true };
}

export const handler = stepHandler(PackInput, packAndLabel);
