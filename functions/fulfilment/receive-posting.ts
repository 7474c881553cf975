/** ReceivePosting: Ozon's view of the posting becomes the order record. */

import type { z } from 'zod';
import { nowIso } from '#shared/clock';
import { PostingCancelled } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { isCancelled, orderFromPosting } from '#shared/order';
import { createOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import { ReceiveInput, stateOf } from '#shared/steps';

export async function receivePosting(input: z.infer<typeof ReceiveInput>) {
  const { result: posting } = await ozon().call('getPosting', {
    posting_number: input.postingNumber,
    with: { analytics_data: true, financial_data: true },
  });
  const { order } = await createOrder({ ...orderFromPosting(posting, nowIso()), executionArn: input.executionArn });
  if (isCancelled(order.status)) throw new PostingCancelled(`Posting ${order.postingNumber} arrived cancelled`);
  return stateOf(order);
}

export const handler = stepHandler(ReceiveInput, receivePosting);
