/**
 * Regression over the real Ozon payload corpus, copied from shared/ozon/examples into test/fixtures/ozon-examples so
 * `npm test` works from any clone (see its SOURCES.md). Every file is covered by
 * exactly one rule below; a new file without a rule fails the "every file has a rule" test, which forces a decision.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OzonClient } from '#shared/ozon/client';
import { AnyPush, IGNORED_PUSH_TYPES, PostingPush } from '#shared/ozon/push';
import { BooleanResult, FbsReturnListResponse, PerPostingResults, Posting, ShipResponse } from '#shared/ozon/schemas';

const EXAMPLES = path.resolve(import.meta.dirname, '../fixtures/ozon-examples');
const FILES = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string): unknown => JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8'));

const POSTING_PUSH_TYPES = [
  'TYPE_NEW_POSTING',
  'TYPE_STATE_CHANGED',
  'TYPE_POSTING_CANCELLED',
  'TYPE_CUTOFF_DATE_CHANGED',
  'TYPE_DELIVERY_DATE_CHANGED',
  'TYPE_PING',
  // A buyer's message: forwarded to the seller (buyers/buyer-messages.ts).
  'TYPE_NEW_MESSAGE',
];

/** Files the product does not parse, each with the reason. Adding a file here is a decision, not a default. */
const NOT_PARSED: Record<string, string> = {
  'response__v1_posting_fbs_cancel_reason__1.json': 'not used: the product does not choose cancel reasons',
  'response__v1_posting_fbs_cancel_reason__2.json': 'not used: the product does not choose cancel reasons',
  'response__v2_posting_fbs_cancel_reason_list__1.json': 'not used: the product does not choose cancel reasons',
  'response__v2_posting_fbs_cancel_reason_list__2.json': 'not used: the product does not choose cancel reasons',
  'response__v3_returns_company_fbs__1.json': 'older version: the product lists FBS returns with /v1/returns/list',
  'response__v1_warehouse_list__1.json': 'older version: the product calls /v2/warehouse/list',
  'response__v1_warehouse_list__2.json': 'older version: the product calls /v2/warehouse/list',
  'response__v1_warehouse_list__3.json': 'older version: the product calls /v2/warehouse/list',
  'response__v2_products_stocks__1.json': 'not used: the seller stock lives in DynamoDB, the product never pushes it',
  'response__v2_products_stocks__2.json': 'not used: the seller stock lives in DynamoDB, the product never pushes it',
  'response__v2_products_stocks__3.json': 'not used: the seller stock lives in DynamoDB, the product never pushes it',
  'response__v3_finance_transaction_list__1.json': 'not used: settlement reads /v1/finance/accrual/postings',
  'response__v3_posting_fbs_list__1.json': 'older version: the product lists with /v4/posting/fbs/list',
  'response__v3_posting_fbs_list__2.json': 'older version: the product lists with /v4/posting/fbs/list',
  'response__v3_posting_fbs_unfulfilled_list__1.json':
    'older version: the product uses /v4/posting/fbs/unfulfilled/list',
  'response__v3_posting_fbs_unfulfilled_list__2.json':
    'older version: the product uses /v4/posting/fbs/unfulfilled/list',
  'response__v3_posting_fbs_ship_package__1.json': 'older version (v3 ship switched off 2024-02-09); no partial ship',
  'response__v4_posting_fbs_ship_package__1.json': 'not used: the product never ships part of a posting',
  'response__v4_posting_fbs_ship_package__2.json': 'not used: the product never ships part of a posting',
  'response__v2_posting_fbs_awaiting_delivery__1.json': 'not used: FBS hand-over is by label scan, no API call',
};

/** Error bodies, the HTTP status the local server answers with, and the error class the client must throw. */
const ERRORS: Record<string, { status: number; error: string; message?: RegExp }> = {
  'error__rate_limit__1.json': { status: 429, error: 'OzonRateLimited' },
  'error__invalid_api_key__1.json': { status: 403, error: 'OzonAuthError', message: /Invalid Api-Key/ },
  'error__invalid_api_key__2.json': { status: 403, error: 'OzonAuthError', message: /Invalid Api-Key/ },
  'error__legacy_access_denied__1.json': { status: 403, error: 'OzonAuthError', message: /Invalid Api-Key/ },
  'error__legacy_posting_not_found__1.json': { status: 404, error: 'PostingNotFound', message: /POSTING_NOT_FOUND/ },
  'error__legacy_method_unavailable__1.json': {
    status: 400,
    error: 'OzonAuthError',
    message: /switched this method off/,
  },
  'error__legacy_bad_request__1.json': {
    status: 400,
    error: 'OzonRequestRejected',
    message: /Invalid request payload/,
  },
  'error__empty_error_object__1.json': { status: 400, error: 'OzonRequestRejected', message: /HTTP 400/ },
  'error__client_id_api_key_required__1.json': { status: 401, error: 'OzonAuthError', message: /required/ },
};

type Rule =
  | 'posting-push'
  | 'ignored-push'
  | 'posting'
  | 'per-posting'
  | 'ship'
  | 'boolean'
  | 'returns'
  | 'error'
  | 'not-parsed';

function ruleFor(file: string): Rule[] {
  const rules: Rule[] = [];
  const pushType = /^push__(TYPE_[A-Z_]+?)__\d+\.json$/.exec(file)?.[1];
  if (pushType && POSTING_PUSH_TYPES.includes(pushType)) rules.push('posting-push');
  if (pushType && !POSTING_PUSH_TYPES.includes(pushType)) rules.push('ignored-push');
  if (/^(response|apprecord)__v3_posting_fbs_get__\d+\.json$/.test(file)) rules.push('posting');
  if (/^response__v2_fbs_posting_(delivering|tracking_number_set)__\d+\.json$/.test(file)) rules.push('per-posting');
  if (/^response__v4_posting_fbs_ship__\d+\.json$/.test(file)) rules.push('ship');
  if (/^response__v1_returns_list__\d+\.json$/.test(file)) rules.push('returns');
  if (/^response__v2_posting_fbs_cancel__\d+\.json$/.test(file) && !(file in NOT_PARSED)) rules.push('boolean');
  if (file in ERRORS) rules.push('error');
  if (file in NOT_PARSED) rules.push('not-parsed');
  return rules;
}

const filesFor = (rule: Rule) => FILES.filter((f) => ruleFor(f).includes(rule));

describe('Ozon payload corpus', () => {
  it('is found beside the repository', () => {
    const expected = 68;

    const count = FILES.length;

    expect(count).toBe(expected);
  });

  it.each(FILES)('%s is covered by exactly one rule', (file) => {
    const name = file;

    const rules = ruleFor(name);

    expect(rules).toHaveLength(1);
  });

  it('has no stale entries in the tables', () => {
    const tabled = [...Object.keys(NOT_PARSED), ...Object.keys(ERRORS)];

    const missing = tabled.filter((f) => !FILES.includes(f));

    expect(missing).toEqual([]);
  });

  it('has no error file left out of the error table', () => {
    const errorFiles = FILES.filter((f) => f.startsWith('error__'));

    const untabled = errorFiles.filter((f) => !(f in ERRORS));

    expect(untabled).toEqual([]);
  });
});

describe('posting push payloads', () => {
  it.each(filesFor('posting-push'))('%s parses with PostingPush', (file) => {
    const body = load(file) as { message_type: string; posting_number?: string };

    const parsed = PostingPush.safeParse(body);

    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(parsed.data?.message_type).toBe(body.message_type);
    if (body.message_type !== 'TYPE_PING') {
      expect((parsed.data as { posting_number: string }).posting_number).toBe(body.posting_number);
    }
  });

  it('covers every posting push type with at least one file', () => {
    const types = new Set(filesFor('posting-push').map((f) => (load(f) as { message_type: string }).message_type));

    const missing = POSTING_PUSH_TYPES.filter((t) => !types.has(t));

    expect(missing).toEqual([]);
  });

  it('keeps the live capture with a two-digit last segment intact', () => {
    const body = load('push__TYPE_NEW_POSTING__3.json');

    const parsed = PostingPush.parse(body);

    expect(parsed).toMatchObject({
      message_type: 'TYPE_NEW_POSTING',
      posting_number: '46231993-0568-11',
      warehouse_id: 1020001060644000,
      products: [{ sku: 1047250917, quantity: 2 }],
    });
  });
});

describe('ignored push payloads', () => {
  it.each(filesFor('ignored-push'))('%s is an ignored type and parses with AnyPush', (file) => {
    const body = load(file) as { message_type: string };

    const parsed = AnyPush.safeParse(body);

    expect(parsed.success).toBe(true);
    expect(IGNORED_PUSH_TYPES as readonly string[]).toContain(parsed.data?.message_type);
    expect(file.startsWith(`push__${body.message_type}__`)).toBe(true);
  });
});

describe('/v3/posting/fbs/get results', () => {
  it.each(filesFor('posting'))('%s parses with Posting', (file) => {
    const raw = load(file) as { result?: { posting_number: string } } & { posting_number?: string };
    const posting = file.startsWith('apprecord__') ? raw : raw.result;

    const parsed = Posting.safeParse(posting);

    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(parsed.data?.posting_number).toBe((posting as { posting_number: string }).posting_number);
    expect(parsed.data?.products.length).toBeGreaterThan(0);
  });

  it('turns string prices into strings and keeps the tariffication array', () => {
    const raw = load('response__v3_posting_fbs_get__1.json') as { result: unknown };

    const parsed = Posting.parse(raw.result);

    expect(parsed.products[0]?.price).toBe('279.0000');
    expect(Array.isArray(parsed.tariffication)).toBe(true);
    expect(parsed.delivery_method?.warehouse_id).toBe(18114520187000);
  });
});

describe('per-posting results (rFBS status and tracking calls)', () => {
  it.each(filesFor('per-posting'))('%s parses with PerPostingResults', (file) => {
    const body = load(file);

    const parsed = PerPostingResults.parse(body);

    expect(parsed.result).toEqual([{ error: [], posting_number: '48173252-0033-2', result: true }]);
  });
});

describe('/v4/posting/fbs/ship responses', () => {
  it.each(filesFor('returns'))('%s parses with FbsReturnListResponse, every field the return follows read', (file) => {
    const parsed = FbsReturnListResponse.safeParse(load(file));

    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const r = parsed.data?.returns[0];
    expect(r).toMatchObject({ id: 1000015552, posting_number: '58544282-0057-1', type: 'FullReturn' });
    expect(r?.visual?.status?.sys_name).toBe('ArrivedAtReturnPlace');
    expect(r?.storage?.tariffication_start_date).toBe('2024-07-29T06:15:48.998146Z');
    expect(r?.product).toMatchObject({ offer_id: '81451', price: { price: 3318 } });
  });

  it.each(filesFor('ship'))('%s parses with ShipResponse', (file) => {
    const body = load(file);

    const parsed = ShipResponse.parse(body);

    expect(parsed.result).toEqual(['89491381-0072-1']);
  });
});

describe('/v2/posting/fbs/cancel responses', () => {
  it.each(filesFor('boolean'))('%s parses with BooleanResult', (file) => {
    const body = load(file);

    const parsed = BooleanResult.parse(body);

    expect(parsed.result).toBe(true);
  });
});

describe('files the product does not parse', () => {
  it.each(Object.entries(NOT_PARSED))('%s is valid JSON (%s)', (file, reason) => {
    const text = readFileSync(path.join(EXAMPLES, file), 'utf8');

    const parse = () => JSON.parse(text) as unknown;

    expect(reason.length).toBeGreaterThan(0);
    expect(parse).not.toThrow();
    expect(typeof parse()).toBe('object');
  });
});

describe('error bodies through OzonClient', () => {
  let server: Server;
  let baseUrl = '';
  /** The example file the server answers with, keyed by the request path. */
  const answers = new Map<string, { status: number; body: string }>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const answer = answers.get(req.url ?? '') ?? { status: 500, body: '{"message":"no answer configured"}' };
        res.writeHead(answer.status, { 'Content-Type': 'application/json' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const client = () =>
    new OzonClient({
      baseUrl,
      credentials: async () => ({ clientId: '1', apiKey: 'k' }),
      readOnly: false,
      attempts: 1,
      // One client against a local server: the account-wide budget (a DynamoDB table) is tested elsewhere.
      sharedBudget: false,
    });

  it.each(Object.entries(ERRORS))('%s maps to the right error', async (file, want) => {
    answers.set('/v3/posting/fbs/get', {
      status: want.status,
      body: readFileSync(path.join(EXAMPLES, file), 'utf8'),
    });

    const error = await client()
      .call('getPosting', { posting_number: '1-2-3' })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );

    expect(error?.name).toBe(want.error);
    expect(error?.message).toContain('/v3/posting/fbs/get');
    if (want.message) expect(error?.message).toMatch(want.message);
  });

  it('maps the bad-key body to OzonAuthError with the 404 status Ozon really sends', async () => {
    answers.set('/v3/posting/fbs/get', {
      status: 404,
      body: readFileSync(path.join(EXAMPLES, 'error__invalid_api_key__2.json'), 'utf8'),
    });

    const error = await client()
      .call('getPosting', { posting_number: '1-2-3' })
      .catch((e: unknown) => e as Error);

    expect((error as Error).name).toBe('OzonAuthError');
  });

  it('keeps Ozon code and message on OzonRequestRejected', async () => {
    answers.set('/v3/posting/fbs/get', {
      status: 400,
      body: readFileSync(path.join(EXAMPLES, 'error__legacy_bad_request__1.json'), 'utf8'),
    });

    const error = await client()
      .call('getPosting', { posting_number: '1-2-3' })
      .catch((e: unknown) => e as { status: number; ozonCode: unknown; ozonMessage: string });

    expect(error).toMatchObject({ status: 400, ozonCode: 'BAD_REQUEST', ozonMessage: 'Invalid request payload' });
  });
});
