/**
 * Ozon's push endpoint (Lambda Function URL). It only decides and acknowledges: requests from outside Ozon's
 * networks or without the secret path token are refused, a valid posting push goes on the queue and is answered at
 * once. The work happens in the push processor, so Ozon's 5-second limit never depends on DynamoDB or Step Functions.
 * It can send to the queue and nothing else: no table, no secret (it knows only the push token's hash).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger, withPowertools } from '#shared/handler';
import { json, readJsonBody } from '#shared/http';
import { isAllowed, webhookAllowList } from './ip';
import { enqueuePush } from './push-queue';
import { pushTokenMatches } from './push-token';
import { ozonError, validatePush } from './pushes';

const answer = ({ status, body }: { status: number; body: unknown }) => json(status, body);
const BODY_REFUSED = {
  too_large: ozonError(413, 'ERROR_UNKNOWN', 'Body too large'),
  too_deep: ozonError(400, 'ERROR_PARAMETER_VALUE_MISSED', 'Body nested too deeply'),
  not_json: ozonError(400, 'ERROR_PARAMETER_VALUE_MISSED', 'Body is not JSON'),
};

export const handler = withPowertools(
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const sourceIp = event.requestContext.http.sourceIp;
    if (!isAllowed(webhookAllowList(), sourceIp)) {
      logger.warn('Push from outside Ozon networks refused', { sourceIp });
      return answer(ozonError(403, 'ERROR_UNKNOWN', 'Forbidden'));
    }
    if (!pushTokenMatches(event.rawPath)) return answer(ozonError(403, 'ERROR_UNKNOWN', 'Forbidden'));
    const body = readJsonBody(event);
    if (!body.ok) return answer(BODY_REFUSED[body.reason]);
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
  },
);
