/**
 * PackAndLabel: a `.waitForTaskToken` state. The posting joins the next label batch of its warehouse (the label
 * queue); the label batcher (label-batch.ts) gets Ozon's labels for up to 20 postings in one call, writes the
 * batch's PDF and packing list, takes the units off the shelf and ends the wait of every posting in it.
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
  // Packed and labelled already (a retried state whose batch finished): nothing to queue.
  if (order.shippedFromStockAt && order.labelBatch && (order.labelled || order.schema === 'rfbs')) {
    await sendTaskOutcome(input.token, { outcome: 'success' }, order);
    return { queued: false };
  }
  const request: LabelRequest = { token: input.token, order };
  const { LABEL_QUEUE_URL, LABEL_DELAY_SECONDS } = env('labelQueue');
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: LABEL_QUEUE_URL,
      MessageBody: JSON.stringify(request),
      // Ozon serves a label 45–60 s after assembly: asking earlier only costs a refused call.
      DelaySeconds: LABEL_DELAY_SECONDS,
    }),
  );
  return { queued: true };
}

export const handler = stepHandler(PackInput, packAndLabel);
