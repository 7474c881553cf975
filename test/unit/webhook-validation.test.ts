/** The webhook's answers that need no AWS: every path here returns before DynamoDB or Step Functions is touched. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP, validatePush } from '#intake/pushes';
import { useClock } from '#shared/clock';
import { logger } from '#shared/handler';
import { json, MAX_BODY_BYTES, readJsonBody, sha256, tokenMatches } from '#shared/http';
import { IGNORED_PUSH_TYPES } from '#shared/ozon/push';

const EXAMPLES = path.resolve(import.meta.dirname, '../fixtures/ozon-examples');
const load = (file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8'));

afterEach(() => {
  useClock(undefined);
  vi.restoreAllMocks();
});

const missed = (message: string | RegExp) => ({
  error: { code: 'ERROR_PARAMETER_VALUE_MISSED', message: expect.stringMatching(message), details: null },
});

/** The endpoint's answer for a body (every case here is decided before anything is queued). */
const handlePush = async (body: unknown) => {
  const verdict = validatePush(body);
  return 'answer' in verdict ? verdict.answer : { status: 200, body: { result: true } };
};

describe('push validation without AWS', () => {
  it('answers TYPE_PING with version, name and the current UTC time', async () => {
    useClock({ now: () => Date.parse('2024-04-09T05:08:35.123Z') });
    const ping = load('push__TYPE_PING__1.json');

    const answer = await handlePush(ping);

    expect(answer).toEqual({
      status: 200,
      body: { version: '0.1.0', name: 'ozon-autopilot', time: '2024-04-09T05:08:35.123Z' },
    });
  });

  it('answers TYPE_PING without a time with the wall-clock time as ISO-8601', async () => {
    const before = Date.now();

    const answer = await handlePush({ message_type: 'TYPE_PING' });

    const body = answer.body as { version: string; name: string; time: string };
    expect(answer.status).toBe(200);
    expect(body.version).toBe(APP.version);
    expect(body.name).toBe(APP.name);
    expect(body.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(body.time)).toBeGreaterThanOrEqual(before);
  });

  it.each([
    ['an empty object', {}],
    ['an empty message_type', { message_type: '' }],
    ['a numeric message_type', { message_type: 7 }],
    ['null', null],
    ['a string', 'TYPE_PING'],
    ['an array', [{ message_type: 'TYPE_PING' }]],
    ['a posting without message_type', { posting_number: '24219509-0020-1' }],
  ])('rejects %s with 400 in Ozon error format', async (_what, body) => {
    const malformed = body;

    const answer = await handlePush(malformed);

    expect(answer).toEqual({ status: 400, body: missed(/^message_type is required$/) });
  });

  it('rejects TYPE_NEW_POSTING without posting_number with 400 naming the field', async () => {
    const { posting_number: _, ...withoutNumber } = load('push__TYPE_NEW_POSTING__1.json');

    const answer = await handlePush(withoutNumber);

    expect(answer).toEqual({ status: 400, body: missed(/^TYPE_NEW_POSTING: posting_number: /) });
  });

  it.each<[string, Record<string, unknown>]>([
    ['TYPE_STATE_CHANGED without new_state', { ...load('push__TYPE_STATE_CHANGED__1.json'), new_state: '' }],
    [
      'TYPE_POSTING_CANCELLED without changed_state_date',
      { ...load('push__TYPE_POSTING_CANCELLED__1.json'), changed_state_date: undefined },
    ],
    [
      'TYPE_CUTOFF_DATE_CHANGED with an empty posting_number',
      { ...load('push__TYPE_CUTOFF_DATE_CHANGED__1.json'), posting_number: '' },
    ],
    [
      'TYPE_NEW_POSTING with a 65-character posting_number',
      { ...load('push__TYPE_NEW_POSTING__1.json'), posting_number: '1'.repeat(65) },
    ],
  ])('rejects %s with 400', async (_what, body) => {
    const bad = body;

    const answer = await handlePush(bad);

    expect(answer).toEqual({ status: 400, body: missed(new RegExp(`^${String(bad.message_type)}: `)) });
  });

  it.each([
    'push__TYPE_NEW_MESSAGE__1.json',
    'push__TYPE_NEW_MESSAGE__2.json',
    'push__TYPE_STOCKS_CHANGED__1.json',
    'push__TYPE_CHAT_CLOSED__1.json',
    'push__TYPE_PRICE_INDEX_CHANGED__1.json',
  ])('acknowledges the ignored %s with {result:true}', async (file) => {
    const push = load(file);

    const answer = await handlePush(push);

    expect(answer).toEqual({ status: 200, body: { result: true } });
  });

  it.each(IGNORED_PUSH_TYPES)('acknowledges a bare %s without validating its fields', async (type) => {
    const push = { message_type: type };

    const answer = await handlePush(push);

    expect(answer).toEqual({ status: 200, body: { result: true } });
  });

  it('acknowledges an unknown type with {result:true} and logs a warning', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const push = { message_type: 'TYPE_SOMETHING_NEW', posting_number: '1-2-3' };

    const answer = await handlePush(push);

    expect(answer).toEqual({ status: 200, body: { result: true } });
    expect(warn).toHaveBeenCalledWith('Unknown push type acknowledged and ignored', {
      messageType: 'TYPE_SOMETHING_NEW',
    });
  });
});

const event = (body: string | undefined, isBase64Encoded = false) =>
  ({ body, isBase64Encoded }) as unknown as APIGatewayProxyEventV2;

describe('readJsonBody', () => {
  it('parses a plain JSON body', () => {
    const request = event('{"message_type":"TYPE_PING","time":"2019-08-24T14:15:22Z"}');

    const result = readJsonBody(request);

    expect(result).toEqual({ ok: true, value: { message_type: 'TYPE_PING', time: '2019-08-24T14:15:22Z' } });
  });

  it('decodes a base64 body first', () => {
    const request = event(Buffer.from('{"текст":"сообщение"}', 'utf8').toString('base64'), true);

    const result = readJsonBody(request);

    expect(result).toEqual({ ok: true, value: { текст: 'сообщение' } });
  });

  it.each([
    ['no body', undefined],
    ['an empty body', ''],
    ['broken JSON', '{"message_type":'],
    ['HTML', '<html>502</html>'],
  ])('reports %s as not_json', (_what, body) => {
    const request = event(body);

    const result = readJsonBody(request);

    expect(result).toEqual({ ok: false, reason: 'not_json' });
  });

  it('accepts a body of exactly the byte limit', () => {
    const request = event(JSON.stringify('x'.repeat(MAX_BODY_BYTES - 2)));

    const result = readJsonBody(request);

    expect(result.ok).toBe(true);
  });

  it('refuses a body one byte over the limit', () => {
    const request = event(JSON.stringify('x'.repeat(MAX_BODY_BYTES - 1)));

    const result = readJsonBody(request);

    expect(result).toEqual({ ok: false, reason: 'too_large' });
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    const cyrillic = JSON.stringify('я'.repeat(MAX_BODY_BYTES / 2));

    const result = readJsonBody(event(cyrillic));

    expect(cyrillic.length).toBeLessThan(MAX_BODY_BYTES);
    expect(result).toEqual({ ok: false, reason: 'too_large' });
  });

  it('counts the limit after base64 decoding', () => {
    const body = JSON.stringify('x'.repeat(MAX_BODY_BYTES - 100));
    const request = event(Buffer.from(body).toString('base64'), true);

    const result = readJsonBody(request);

    expect(request.body?.length).toBeGreaterThan(MAX_BODY_BYTES);
    expect(result.ok).toBe(true);
  });
});

describe('tokenMatches', () => {
  const TOKEN = 'k3J9-secret-path-token';

  it.each([
    [`/${TOKEN}`, true],
    [`/${TOKEN}/`, true],
    [`//${TOKEN}`, true],
    [`/${TOKEN}/push`, true],
    [TOKEN, true],
    [`/${TOKEN}x`, false],
    [`/${TOKEN.slice(0, -1)}`, false],
    [`/${TOKEN.slice(0, -1)}X`, false],
    [`/push/${TOKEN}`, false],
    ['/', false],
    ['', false],
  ])('path %j → %s', (requestPath, expected) => {
    const token = TOKEN;

    const result = tokenMatches(requestPath, sha256(token).toString('hex'));

    expect(result).toBe(expected);
  });

  it.each([undefined, ''])('refuses every path when the token is %j', (token) => {
    const requestPath = '/';

    const result = [tokenMatches(requestPath, token), tokenMatches('', token), tokenMatches('/anything', token)];

    expect(result).toEqual([false, false, false]);
  });
});

describe('json', () => {
  it('answers with a JSON content type and the serialized body', () => {
    const body = { error: { code: 'ERROR_UNKNOWN', message: 'x', details: null } };

    const result = json(500, body);

    expect(result).toEqual({
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      body: '{"error":{"code":"ERROR_UNKNOWN","message":"x","details":null}}',
    });
  });
});

describe('dates in pushes', () => {
  it('answers 400 in Ozon format for a cutoff push whose date is not a date', async () => {
    const body = { message_type: 'TYPE_CUTOFF_DATE_CHANGED', posting_number: '1-2-3', new_cutoff_date: 'not a date' };

    const answer = await handlePush(body);

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'ERROR_PARAMETER_VALUE_MISSED', details: null } });
  });

  it('answers 400 for a status push with an unreadable changed_state_date', async () => {
    const body = {
      message_type: 'TYPE_STATE_CHANGED',
      posting_number: '1-2-3',
      new_state: 'posting_delivered',
      changed_state_date: 'yesterday',
    };

    const answer = await handlePush(body);

    expect(answer.status).toBe(400);
  });
});
