import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '#shared/handler';
import { json, readJsonBody, tokenMatches } from '#shared/http';
import { ozonCredentials } from '#shared/ozon/credentials';
import { isAllowed, webhookAllowList } from './ip';
import { enqueuePush } from './push-queue';
import { ozonError, validatePush } from './pushes';

const answer = ({ status, body }: { status: number; body: unknown }) => json(status, body);

/**
 * Ozon's push endpoint (Lambda Function URL). It only decides and acknowledges: requests from outside Ozon's
 * networks or without the secret path token are refused, a valid posting push goes on the queue and is answered at
 * once. The work happens in the push processor, so Ozon's 5-second limit never depends on DynamoDB or Step Functions.
 */
export const handler = middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const sourceIp = event.requestContext.http.sourceIp;
  if (!isAllowed(webhookAllowList(), sourceIp)) {
    logger.warn('Push from outside Ozon networks refused', { sourceIp });
    return answer(ozonError(403, 'ERROR_UNKNOWN', 'Forbidden'));
  }
  const { webhookToken } = await ozonCredentials();
  if (!tokenMatches(event.rawPath, webhookToken)) return answer(ozonError(403, 'ERROR_UNKNOWN', 'Forbidden'));
  const body = readJsonBody(event);
  if (!body.ok) {
    return answer(
      body.reason === 'too_large'
        ? ozonError(413, 'ERROR_UNKNOWN', 'Body too large')
        : ozonError(400, 'ERROR_PARAMETER_VALUE_MISSED', 'Body is not JSON'),
    );
  }
  const verdict = validatePush(body.value);
  if ('answer' in verdict) return answer(verdict.answer);
  try {
    await enqueuePush(verdict.push);
  } catch (error) {
    // Only the enqueue can fail here; Ozon retries a 5xx, so the push is not lost.
    logger.error('Push could not be queued; Ozon will retry', { error: error as Error });
    return answer(ozonError(500, 'ERROR_UNKNOWN', 'Temporary failure, retry later'));
  }
  return answer({ status: 200, body: { result: true } });
}).use(injectLambdaContext(logger, { resetKeys: true }));
