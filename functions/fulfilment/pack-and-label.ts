/**
 * PackAndLabel: a `.waitForTaskToken` state right after the ship. The posting joins the packing batches of its
 * warehouse (the label queue); the batcher (label-batch.ts) packs it once Ozon reports it assembled — the wait for
 * the assembly is the batcher's, not a state of its own — writes the batch's packing list, takes the units off the
 * shelf and ends the wait of every posting in it. The FBS label itself comes with the carriage
 * (functions/handover/print-labels.ts).
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { sqsClient } from '#shared/aws/sqs';
import { now } from '#shared/clock';
import { env, waitSettings } from '#shared/config';
import { stepHandler } from '#shared/handler';
import { StepInput } from '#shared/steps';
import type { LabelRequest } from './label-request';

export const PackInput = z.extend(StepInput, { token: z.string().check(z.minLength(1)) });

/** Queues the request; reads and writes nothing: the batcher reads the order when it looks at the assembly. */
export async function packAndLabel(input: z.infer<typeof PackInput>): Promise<{ queued: true }> {
  const seconds = input.timeouts.assembly ?? waitSettings().assemblyWaitSeconds;
  const request: LabelRequest = {
    token: input.token,
    postingNumber: input.postingNumber,
    assembleBy: new Date(now() + seconds * 1000).toISOString(),
  };
  await sqsClient().send(
    new SendMessageCommand({ QueueUrl: env('labelQueue').LABEL_QUEUE_URL, MessageBody: JSON.stringify(request) }),
  );
  return { queued: true };
}

export const handler = stepHandler(PackInput, packAndLabel);
