import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '#shared/handler';
import { json, readJsonBody, tokenMatches } from '#shared/http';
import { ozonCredentials } from '#shared/ozon/credentials';
import { CarrierEvent, handleCarrierEvent } from './seller-actions';

/**
 * The API the seller's carrier or warehouse system calls (rFBS): `POST /<token>/tracking` and
 * `POST /<token>/delivered`, authorised by the same secret path token as the webhook.
 */
export const handler = middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const { webhookToken } = await ozonCredentials();
  if (!tokenMatches(event.rawPath, webhookToken)) return json(403, { error: 'forbidden' });
  const body = readJsonBody(event);
  if (!body.ok) return json(400, { error: body.reason });
  const action = event.rawPath.split('/').filter(Boolean)[1];
  const parsed = CarrierEvent.safeParse({ ...(body.value as object), event: action });
  if (!parsed.success) return json(400, { error: 'invalid', details: parsed.error.issues.map((i) => i.message) });
  try {
    return json(200, await handleCarrierEvent(parsed.data));
  } catch (error) {
    logger.error('Carrier event failed', { error: error as Error });
    return json(502, { error: (error as Error).name, message: (error as Error).message });
  }
}).use(injectLambdaContext(logger, { resetKeys: true }));
