/** The push endpoint's contract without AWS: source networks, token, size, JSON, and enqueue-then-acknowledge. */
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { allowList, isAllowed } from '#intake/ip';
import { processPushBatch } from '#intake/push-queue';
import { resetClients } from '#shared/clients';

const enqueued: unknown[] = [];
vi.mock('../../functions/intake/push-queue', async (original) => ({
  ...(await original<typeof import('#intake/push-queue')>()),
  enqueuePush: async (push: unknown) => {
    if ((push as { posting_number?: string }).posting_number === 'QUEUE-DOWN') throw new Error('SQS unavailable');
    enqueued.push(push);
  },
}));
const { handler } = await import('#intake/webhook');

const TOKEN = 'unit-webhook-token-0123456789';
const OZON_IP = '195.34.21.7';
const event = (body: string, opts: { ip?: string; path?: string } = {}) =>
  ({
    rawPath: opts.path ?? `/${TOKEN}`,
    body,
    isBase64Encoded: false,
    requestContext: { http: { sourceIp: opts.ip ?? OZON_IP, method: 'POST' } },
  }) as unknown as APIGatewayProxyEventV2;
const call = async (e: APIGatewayProxyEventV2) => {
  const r = (await handler(e, {} as Context)) as { statusCode: number; body: string };
  return { status: r.statusCode, body: JSON.parse(r.body) };
};
const stateChanged = (pn: string) =>
  JSON.stringify({
    message_type: 'TYPE_STATE_CHANGED',
    posting_number: pn,
    new_state: 'posting_delivered',
    changed_state_date: '2024-04-09T05:08:35Z',
    warehouse_id: 1,
    seller_id: 7,
  });
const error = (code: string, message: string | RegExp) => ({
  error: { code, message: typeof message === 'string' ? message : expect.stringMatching(message), details: null },
});

beforeEach(() => {
  enqueued.length = 0;
  vi.stubEnv('OZON_CLIENT_ID', '1');
  vi.stubEnv('OZON_API_KEY', 'k');
  vi.stubEnv('OZON_WEBHOOK_TOKEN', TOKEN);
  vi.stubEnv('WEBHOOK_ALLOWED_CIDRS', '');
  vi.stubEnv('PUSH_QUEUE_URL', 'http://queue.local/000000000000/push-queue');
  resetClients();
});
afterEach(() => {
  vi.unstubAllEnvs();
  resetClients();
});

describe('source networks', () => {
  it.each([
    ['195.34.21.7', true],
    ['185.73.195.254', true],
    ['91.223.93.1', true],
    ['::ffff:91.223.93.1', true],
    ['185.73.196.1', false],
    ['127.0.0.1', false],
    ['2001:db8::1', false],
    ['', false],
  ])('%s allowed: %s', (ip, expected) => {
    expect(isAllowed(allowList('195.34.21.0/24,185.73.192.0/22,91.223.93.0/24'), ip)).toBe(expected);
  });

  it('a malformed WEBHOOK_ALLOWED_CIDRS fails loudly', () => {
    expect(() => allowList('195.34.21.0/24,ozon')).toThrow(/WEBHOOK_ALLOWED_CIDRS: "ozon"/);
  });
});

describe('webhook endpoint', () => {
  it('queues a valid posting push and acknowledges it at once', async () => {
    const answer = await call(event(stateChanged('1-1-1')));

    expect(answer).toEqual({ status: 200, body: { result: true } });
    expect(enqueued).toMatchObject([{ message_type: 'TYPE_STATE_CHANGED', posting_number: '1-1-1' }]);
  });

  it('answers TYPE_PING itself and queues nothing', async () => {
    const answer = await call(event('{"message_type":"TYPE_PING","time":"2024-04-09T05:08:35Z"}'));

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ name: 'ozon-autopilot', version: expect.any(String) });
    expect(enqueued).toEqual([]);
  });

  it.each([
    ['a source outside Ozon networks', event(stateChanged('1-1-1'), { ip: '203.0.113.9' }), 403],
    ['a missing path token', event(stateChanged('1-1-1'), { path: '/guess' }), 403],
  ])('refuses %s with 403 in Ozon error format', async (_what, e, status) => {
    expect(await call(e)).toEqual({ status, body: error('ERROR_UNKNOWN', 'Forbidden') });
    expect(enqueued).toEqual([]);
  });

  it('refuses a body over the size limit with 413 and a non-JSON body with 400', async () => {
    const big = JSON.stringify({ message_type: 'TYPE_PING', pad: 'x'.repeat(70 * 1024) });

    expect(await call(event(big))).toEqual({ status: 413, body: error('ERROR_UNKNOWN', 'Body too large') });
    expect(await call(event('{not json'))).toEqual({
      status: 400,
      body: error('ERROR_PARAMETER_VALUE_MISSED', 'Body is not JSON'),
    });
  });

  it('acknowledges unknown and deliberately ignored types without queueing them', async () => {
    for (const type of ['TYPE_SOMETHING_NEW', 'TYPE_FBO_POSTING_CREATED', 'TYPE_ORDER_NEW', 'TYPE_STOCKS_CHANGED']) {
      expect(await call(event(JSON.stringify({ message_type: type })))).toEqual({
        status: 200,
        body: { result: true },
      });
    }
    expect(enqueued).toEqual([]);
  });

  it('answers 500 when the queue is down, so Ozon sends the push again', async () => {
    expect(await call(event(stateChanged('QUEUE-DOWN')))).toEqual({
      status: 500,
      body: error('ERROR_UNKNOWN', /retry later/),
    });
  });
});

describe('push processor batch', () => {
  const record = (id: string, body: string) => ({ messageId: id, body }) as SQSEvent['Records'][number];

  it('reports only the failed pushes, and drops unreadable records instead of cycling them', async () => {
    const seen: string[] = [];
    const batch: SQSEvent = {
      Records: [record('a', stateChanged('ok-1')), record('b', stateChanged('boom')), record('c', 'garbage')],
    };

    const response = await processPushBatch(batch, async (push) => {
      const pn = 'posting_number' in push ? push.posting_number : '';
      if (pn === 'boom') throw new Error('DynamoDB throttled');
      seen.push(pn);
    });

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    expect(seen).toEqual(['ok-1']);
  });
});
