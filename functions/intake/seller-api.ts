/**
 * The seller's API (Lambda Function URL): `POST /stock`, `/tracking`, `/lastMile`, `/delivered`, `/packed`,
 * `/marks`, `/packing`, `/resume`, `/cancellationRequest`, `/returnRequest`, `/returnCheck`, `/returnPolicy`, `/buyerReply`, `/qualityCheck`, each with `Authorization: Bearer <seller API key>`. Bodies are checked with zod; the actions check the order and Ozon.
 */

import httpErrorHandler from '@middy/http-error-handler';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import { answerReturnRequest, replaceReturnPolicy, reportReturnCheck } from '#aftersale/seller-returns';
import { reportQualityCheck } from '#quality/seller-quality';
import { withPowertools } from '#shared/handler';
import { json, readJsonBody } from '#shared/http';
import { bearerMatches, sellerApiKey } from '#shared/seller-credentials';
import { refuse } from './refuse';
import {
  answerCancellationRequest,
  confirmPacked,
  receiveMarks,
  reportDelivered,
  reportLastMile,
  restock,
  resume,
  SELLER_ACTIONS,
  type SellerAction,
  sendBuyerReply,
  setPackingData,
  setTracking,
} from './seller-actions';

type Result = APIGatewayProxyStructuredResultV2;

function action<A extends SellerAction>(
  name: A,
  run: (input: z.infer<(typeof SELLER_ACTIONS)[A]>) => Promise<unknown>,
) {
  return {
    method: 'POST' as const,
    path: `/${name}`,
    handler: async (event: APIGatewayProxyEventV2): Promise<Result> => {
      if (!bearerMatches(event.headers?.authorization, await sellerApiKey())) {
        throw refuse(401, 'The seller API needs its key: Authorization: Bearer <key>');
      }
      const body = readJsonBody(event);
      if (!body.ok) throw refuse(body.reason === 'too_large' ? 413 : 400, `Body refused: ${body.reason}`);
      const parsed = SELLER_ACTIONS[name].safeParse(body.value);
      if (!parsed.success) {
        return json(400, {
          error: 'invalid',
          details: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        });
      }
      return json(200, await run(parsed.data as z.infer<(typeof SELLER_ACTIONS)[A]>));
    },
  };
}

const router = httpRouterHandler<APIGatewayProxyEventV2, Result>({
  routes: [
    action('stock', restock),
    action('tracking', setTracking),
    action('lastMile', reportLastMile),
    action('delivered', reportDelivered),
    action('packed', confirmPacked),
    action('marks', receiveMarks),
    action('packing', setPackingData),
    action('resume', resume),
    action('cancellationRequest', answerCancellationRequest),
    action('returnRequest', answerReturnRequest),
    action('returnCheck', reportReturnCheck),
    action('returnPolicy', replaceReturnPolicy),
    action('buyerReply', sendBuyerReply),
    action('qualityCheck', reportQualityCheck),
  ],
  notFoundResponse: ({ method, path }) => refuse(404, `No seller API action ${method} ${path}`),
});

export const handler = withPowertools(
  (event: APIGatewayProxyEventV2, context) => router(event, context) as Promise<Result>,
).use(httpErrorHandler({ fallbackMessage: 'The seller API failed; try again' }));
