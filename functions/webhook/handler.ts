import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../lib/handler';
import { json, readJsonBody, tokenMatches } from '../lib/http';
import { ozonCredentials } from '../lib/ozon/credentials';
import { handlePush, ozonError } from '../lib/webhook';

/** Ozon's push endpoint (Lambda Function URL). Requests without the secret path token are not Ozon's. */
export const handler = middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const { webhookToken } = await ozonCredentials();
  if (!tokenMatches(event.rawPath, webhookToken)) {
    const e = ozonError(403, 'ERROR_UNKNOWN', 'Forbidden');
    return json(e.status, e.body);
  }
  const body = readJsonBody(event);
  if (!body.ok) {
    const e =
      body.reason === 'too_large'
        ? ozonError(413, 'ERROR_UNKNOWN', 'Body too large')
        : ozonError(400, 'ERROR_PARAMETER_VALUE_MISSED', 'Body is not JSON');
    return json(e.status, e.body);
  }
  try {
    const answer = await handlePush(body.value);
    return json(answer.status, answer.body);
  } catch (error) {
    // Ozon retries a 5xx: the push is not lost, and the product's steps are idempotent when it comes again.
    logger.error('Push failed; Ozon will retry', { error: error as Error });
    const e = ozonError(500, 'ERROR_UNKNOWN', 'Temporary failure, retry later');
    return json(e.status, e.body);
  }
}).use(injectLambdaContext(logger, { resetKeys: true }));
