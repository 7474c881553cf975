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
import { Order } from '#shared/order';
import { activeOrder, StepInput } from '#shared/steps';
import { sendTaskOutcome } from '#waits/deliver-to-wait';
import type { LabelRequest } from './label-request';

export const PackInput = z.extend(StepInput, {
  token: z.string().check(z.minLength(1)),
  /** The whole execution state: after AwaitAssembly it carries the order the wait was ended with. */
  state: z.optional(z.object({ orderSnapshot: z.optional(Order) })),
});

export async function packAndLabel(input: z.infer<typeof PackInput>): Promise<{ queued: boolean }> {
  // The snapshot queued with the request decides how its units leave the shelf (reserved or not): the batch's
  // transaction checks that against the order, so a snapshot a moment old costs at most a one-by-one fallback.
  // AwaitAssembly's end hands over the order as its deliverer just wrote or read it; a posting that joins here
  // (JoinLifecycle) has it read.
  const order = await activeOrder(input.postingNumber, { consistent: false, snapshot: input.state?.orderSnapshot });
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
