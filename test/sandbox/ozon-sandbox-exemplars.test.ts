/** Marking codes (exemplars) and multi-box postings: what must precede /v4/posting/fbs/ship, and its gating. */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../sandbox/index.js';
import { call, get, type Json, onCleanup, runCleanups, shipBody, start } from './helpers.js';

afterEach(runCleanups);

const MUG = { offer_id: 'MUG-350-WHT', sku: 1473290011 };
const TEA = { offer_id: 'TEA-GRN-100', sku: 1473290028 };
const SET = '/v6/fbs/posting/product/exemplar/set';
const CREATE_OR_GET = '/v6/fbs/posting/product/exemplar/create-or-get';
const STATUS = '/v5/fbs/posting/product/exemplar/status';
const VALIDATE = '/v5/fbs/posting/product/exemplar/validate';
const MULTIBOX = '/v3/posting/multiboxqty/set';
const SHIP = '/v4/posting/fbs/ship';

const GS = '\u001d';
/** a well-formed "Честный ЗНАК" code: 01 + GTIN + 21 + serial, <GS> 91 key, <GS> 92 crypto tail */
const code = (serial: string, gtin = '04601234567891') => `01${gtin}21${serial}${GS}91EE06${GS}92dGVzdGNyeXB0b3RhaWw=`;
const mark = (m: string) => ({ mark: m, mark_type: 'mandatory_mark' });

/** exemplar ids from create-or-get, per sku */
async function exemplarIds(sb: Parameters<typeof call>[0], pn: string) {
  const r = await call(sb, CREATE_OR_GET, { posting_number: pn });
  expect(r.status).toBe(200);
  return new Map<number, number[]>(
    (r.body.products as Json[]).map((p) => [p.product_id, p.exemplars.map((e: Json) => e.exemplar_id)]),
  );
}

/** an exemplar/set body giving each unit the code `codes(sku, i)` */
function setBody(pn: string, ids: Map<number, number[]>, codes: (sku: number, i: number) => string | undefined) {
  return {
    posting_number: pn,
    products: [...ids].map(([sku, list]) => ({
      product_id: sku,
      exemplars: list.map((exemplar_id, i) => {
        const c = codes(sku, i);
        return { exemplar_id, is_gtd_absent: true, is_rnpt_absent: true, marks: c === undefined ? [] : [mark(c)] };
      }),
    })),
  };
}

describe('exemplars of a posting that needs marks', () => {
  it('create-or-get, validate, set, status; ship waits for ship_available; get renders the exemplars', async () => {
    const { sb, clock } = await start();
    const pn = sb.createPosting({
      marksRequired: true,
      lines: [
        { offer_id: MUG.offer_id, quantity: 2 },
        { offer_id: TEA.offer_id, quantity: 1 },
      ],
    }).posting_number;
    const p0 = await get(sb, pn);
    expect(p0.available_actions).toEqual(expect.arrayContaining(['ship_with_additional_info', 'update_cis']));
    expect(p0.available_actions).not.toContain('ship');
    expect((await call(sb, SHIP, shipBody(p0))).body.message).toBe('EXEMPLAR_INFO_NOT_FILLED_COMPLETELY');
    expect((await call(sb, STATUS, { posting_number: pn })).body).toEqual({
      posting_number: pn,
      products: [],
      status: 'ship_not_available',
    });

    const cog = await call(sb, CREATE_OR_GET, { posting_number: pn });
    expect(cog.body.multi_box_qty).toBe(1);
    expect(cog.body.posting_number).toBe(pn);
    expect(cog.body.products).toHaveLength(2);
    expect(cog.body.products[0]).toMatchObject({
      product_id: MUG.sku,
      quantity: 2,
      is_gtd_needed: false,
      is_jw_uin_needed: false,
      is_mandatory_mark_needed: true,
      is_mandatory_mark_possible: true,
      is_rnpt_needed: false,
    });
    const blank = { gtd: '', is_gtd_absent: false, is_rnpt_absent: false, marks: [], rnpt: '' };
    expect(cog.body.products[0].exemplars).toEqual([
      { exemplar_id: expect.any(Number), ...blank },
      { exemplar_id: expect.any(Number), ...blank },
    ]);
    const ids = await exemplarIds(sb, pn);
    expect(new Set([...ids.values()].flat()).size).toBe(3); // one id per unit, stable across calls
    expect(ids).toEqual(
      new Map(cog.body.products.map((p: Json) => [p.product_id, p.exemplars.map((e: Json) => e.exemplar_id)])),
    );

    const codes = (sku: number, i: number) => code(`${sku % 1000}X${i}`);
    const valid = await call(sb, VALIDATE, {
      posting_number: pn,
      products: [...ids].map(([sku, list]) => ({
        product_id: sku,
        exemplars: list.map((_, i) => ({ gtd: '', rnpt: '', marks: [mark(codes(sku, i))] })),
      })),
    });
    expect(valid.body.products).toEqual([
      {
        error: '',
        exemplars: [0, 1].map((i) => ({
          errors: [],
          gtd: '',
          marks: [{ errors: [], mark: codes(MUG.sku, i), mark_type: 'mandatory_mark', valid: true }],
          rnpt: '',
          valid: true,
        })),
        product_id: MUG.sku,
        valid: true,
      },
      expect.objectContaining({ product_id: TEA.sku, valid: true }),
    ]);

    const set = await call(sb, SET, { ...setBody(pn, ids, codes), multi_box_qty: 0 });
    expect([set.status, set.body]).toEqual([200, {}]);
    const checking = await call(sb, STATUS, { posting_number: pn });
    expect(checking.body.status).toBe('validation_in_process');
    expect(checking.body.products[0].exemplars[0].marks[0]).toEqual({
      mark: codes(MUG.sku, 0),
      mark_type: 'mandatory_mark',
      check_status: 'processing',
      error_codes: [],
    });
    expect((await call(sb, SHIP, shipBody(p0))).body.message).toBe('EXEMPLAR_INFO_NOT_FILLED_COMPLETELY');

    clock.advance(5_000);
    const done = await call(sb, STATUS, { posting_number: pn });
    expect(done.body.status).toBe('ship_available');
    expect(done.body.products[1]).toEqual({
      product_id: TEA.sku,
      exemplars: [
        {
          exemplar_id: ids.get(TEA.sku)?.[0],
          gtd: '',
          gtd_check_status: 'passed',
          gtd_error_codes: [],
          is_gtd_absent: true,
          is_rnpt_absent: true,
          marks: [{ mark: codes(TEA.sku, 0), mark_type: 'mandatory_mark', check_status: 'passed', error_codes: [] }],
          rnpt: '',
          rnpt_check_status: 'passed',
          rnpt_error_codes: [],
        },
      ],
    });

    const p1 = await get(sb, pn, { product_exemplars: true });
    expect(p1.available_actions).toEqual(expect.arrayContaining(['ship', 'ship_async', 'update_cis']));
    expect(p1.products[0].mandatory_mark).toEqual([codes(MUG.sku, 0), codes(MUG.sku, 1)]);
    expect(p1.product_exemplars.products[1]).toEqual({
      sku: TEA.sku,
      exemplars: [
        {
          exemplar_id: ids.get(TEA.sku)?.[0],
          mandatory_mark: codes(TEA.sku, 0),
          gtd: '',
          is_gtd_absent: true,
          rnpt: '',
          is_rnpt_absent: true,
        },
      ],
    });
    expect((await get(sb, pn)).product_exemplars).toBeNull();

    const ship = await call(sb, SHIP, { ...shipBody(p1), with: { additional_data: true } });
    expect(ship.status).toBe(200);
    expect(ship.body.additional_data[0].products[1].mandatory_mark).toEqual([codes(TEA.sku, 0)]);
    clock.advance(30_000);
    expect((await get(sb, pn)).status).toBe('awaiting_deliver');
    // set and status need awaiting_packaging (swagger Частые ошибки); create-or-get still reads
    const late = "Posting must have 'awaiting_packaging' status";
    expect((await call(sb, STATUS, { posting_number: pn })).body).toEqual({ code: 3, message: late, details: [] });
    expect((await call(sb, SET, setBody(pn, ids, codes))).body.message).toBe(late);
    expect((await call(sb, CREATE_OR_GET, { posting_number: pn })).body.products[0].exemplars[1].marks).toEqual([
      mark(codes(MUG.sku, 1)),
    ]);
  });

  it('a failed check (bad format, not in circulation, duplicated, incomplete) keeps ship refused until fixed', async () => {
    const { sb, clock } = await start();
    const pn = sb.createPosting({
      marksRequired: true,
      lines: [{ offer_id: MUG.offer_id, quantity: 3 }],
    }).posting_number;
    const ids = await exemplarIds(sb, pn);
    const check = async (codes: (sku: number, i: number) => string | undefined) => {
      expect((await call(sb, SET, setBody(pn, ids, codes))).status).toBe(200);
      clock.advance(5_000);
      return (await call(sb, STATUS, { posting_number: pn })).body;
    };
    const errorsOf = (body: Json) =>
      (body.products[0].exemplars as Json[]).map((e) => e.marks.map((m: Json) => [m.check_status, ...m.error_codes]));

    // a unit without its code: every code passes, the posting is still incomplete
    const incomplete = await check((_, i) => (i < 2 ? code(`A${i}`) : undefined));
    expect(incomplete.status).toBe('ship_not_available');
    expect(errorsOf(incomplete)).toEqual([[['passed']], [['passed']], []]);

    const zeroGtin = code('Z1', '00000000000000');
    const validated = await call(sb, VALIDATE, {
      posting_number: pn,
      products: [{ product_id: MUG.sku, exemplars: [{ marks: [mark(zeroGtin)] }] }],
    });
    expect(validated.body.products[0].valid).toBe(true); // the format is fine: only the check refuses it
    const failed = await check((_, i) => [zeroGtin, code('B'), code('B')][i]);
    expect(failed.status).toBe('ship_not_available');
    expect(errorsOf(failed)).toEqual([
      [['failed', 'MARK_NOT_IN_CIRCULATION']],
      [['failed', 'MARK_DUPLICATED']],
      [['failed', 'MARK_DUPLICATED']],
    ]);
    const malformed = await check((_, i) => (i === 0 ? 'not-a-code' : code(`C${i}`)));
    expect(errorsOf(malformed)[0]).toEqual([['failed', 'MARK_INVALID_STRUCTURE']]);
    const p = await get(sb, pn);
    expect((await call(sb, SHIP, shipBody(p))).body.message).toBe('EXEMPLAR_INFO_NOT_FILLED_COMPLETELY');

    // the whole set again, fixed
    const fixed = await check((_, i) => code(`D${i}`));
    expect(fixed.status).toBe('ship_available');
    expect((await call(sb, SHIP, shipBody(p))).status).toBe(200);
  });

  it('exemplar/set refuses foreign exemplar ids, unknown products, redundant marks and unknown postings', async () => {
    const { sb } = await start();
    const pn = sb.createPosting({
      marksRequired: true,
      lines: [{ offer_id: MUG.offer_id, quantity: 1 }],
    }).posting_number;
    const [id] = (await exemplarIds(sb, pn)).get(MUG.sku) ?? [];
    const one = (product_id: number, exemplar_id: number, marks = [mark(code('E1'))]) => ({
      posting_number: pn,
      products: [{ product_id, exemplars: [{ exemplar_id, marks }] }],
    });
    const foreign = await call(sb, SET, one(MUG.sku, 123));
    expect([foreign.status, foreign.body]).toEqual([
      400,
      { code: 3, message: `123 does not belong to product ${MUG.sku}`, details: [] },
    ]);
    expect((await call(sb, SET, one(TEA.sku, id ?? 0))).body.message).toBe('UNKNOWN_PRODUCT_DEFINED');
    expect((await call(sb, SET, { posting_number: pn, products: [] })).status).toBe(400);
    expect((await call(sb, SET, { ...one(MUG.sku, id ?? 0), posting_number: '11111111-0001-1' })).status).toBe(404);
    expect((await call(sb, CREATE_OR_GET, { posting_number: '11111111-0001-1' })).status).toBe(404);
    expect((await call(sb, STATUS, {})).status).toBe(400);
    expect((await call(sb, STATUS, { posting_number: pn })).body.status).toBe('ship_not_available');

    // a posting whose products need no mark: marks are redundant; without any, status is ship_available
    const plain = sb.createPosting({ lines: [{ offer_id: TEA.offer_id, quantity: 1 }] }).posting_number;
    const [plainId] = (await exemplarIds(sb, plain)).get(TEA.sku) ?? [];
    const redundant = await call(sb, SET, { ...one(TEA.sku, plainId ?? 0), posting_number: plain });
    expect(redundant.body.message).toBe('MANDATORY_MARK_REDUNDANT');
    expect((await call(sb, STATUS, { posting_number: plain })).body.status).toBe('ship_available');
    expect((await call(sb, CREATE_OR_GET, { posting_number: plain })).body.products[0].is_mandatory_mark_needed).toBe(
      false,
    );
  });

  it('exemplar/validate checks the code format as the docs describe', async () => {
    const { sb } = await start();
    const pn = sb.createPosting({
      marksRequired: true,
      lines: [{ offer_id: MUG.offer_id, quantity: 1 }],
    }).posting_number;
    const cases: [string, string, string[]][] = [
      [code('OK1'), 'mandatory_mark', []],
      [code('OK2').replaceAll(GS, '\\u001d'), 'mandatory_mark', ['MARK_GS_DOUBLE_ESCAPED']],
      [code('Ж1'), 'mandatory_mark', ['MARK_INVALID_CHARACTERS']],
      [code('SP 1'), 'mandatory_mark', ['MARK_INVALID_CHARACTERS']],
      ['0104601234567891', 'mandatory_mark', ['MARK_INVALID_STRUCTURE']],
      ['0104601234567891' + '21ABC', 'mandatory_mark', ['MARK_INVALID_STRUCTURE']],
      [`0146012345678${GS}91EE06`, 'mandatory_mark', ['MARK_INVALID_STRUCTURE']],
      [`0104601234567891216789012345678901234567890${GS}92abc`, 'mandatory_mark', ['MARK_INVALID_STRUCTURE']],
      [`010460123456789121ABC${GS}${GS}92abc`, 'mandatory_mark', ['MARK_INVALID_STRUCTURE']],
      [`010460123456789121ABC${GS}24012345`, 'mandatory_mark', ['MARK_WITHOUT_CRYPTO_TAIL']],
      [`010460123456789121ABC${GS}93dGVz`, 'mandatory_mark', []],
      ['1234567890123456', 'jw_uin', []],
      ['UIN-1', 'jw_uin', ['JW_UIN_INVALID_FORMAT']],
      [code('OK3'), 'datamatrix', ['INVALID_MARK_TYPE']],
    ];
    const r = await call(sb, VALIDATE, {
      posting_number: pn,
      products: [
        {
          product_id: MUG.sku,
          exemplars: cases.map(([m, t]) => ({ marks: [{ mark: m, mark_type: t }] })),
        },
        { product_id: TEA.sku, exemplars: [{ marks: [mark(code('T1'))] }] },
        { product_id: MUG.sku, exemplars: [{ gtd: '10702070/010125/0000001', marks: [] }] },
      ],
    });
    expect(r.status).toBe(200);
    const [mugs, tea, unmarked] = r.body.products;
    expect((mugs.exemplars as Json[]).map((e) => e.marks[0].errors)).toEqual(cases.map(([, , errors]) => errors));
    expect((mugs.exemplars as Json[]).map((e) => e.valid)).toEqual(
      cases.map(([, type, errors]) => errors.length === 0 && type === 'mandatory_mark'),
    );
    // a jewellery UIN alone is not the "Честный ЗНАК" mark the product needs
    expect(mugs.exemplars[11].errors).toEqual(['EXEMPLAR_INFO_NOT_FILLED_COMPLETELY']);
    expect(mugs).toMatchObject({ product_id: MUG.sku, valid: false, error: '' });
    expect(tea).toMatchObject({ product_id: TEA.sku, valid: false, error: 'UNKNOWN_PRODUCT_DEFINED' });
    expect(unmarked).toMatchObject({
      valid: false,
      exemplars: [{ gtd: '10702070/010125/0000001', valid: false, errors: ['EXEMPLAR_INFO_NOT_FILLED_COMPLETELY'] }],
    });

    const dup = await call(sb, VALIDATE, {
      posting_number: pn,
      products: [{ product_id: MUG.sku, exemplars: [{ marks: [mark(code('X')), mark(code('X'))] }] }],
    });
    expect(dup.body.products[0].exemplars[0].marks.map((m: Json) => m.errors)).toEqual([
      ['MARK_DUPLICATED'],
      ['MARK_DUPLICATED'],
    ]);
    const plain = sb.createPosting({ lines: [{ offer_id: TEA.offer_id, quantity: 1 }] }).posting_number;
    const redundant = await call(sb, VALIDATE, {
      posting_number: plain,
      products: [{ product_id: TEA.sku, exemplars: [{ marks: [mark(code('R'))] }] }],
    });
    expect(redundant.body.products[0]).toMatchObject({ error: 'MANDATORY_MARK_REDUNDANT', valid: false });
    expect((await call(sb, VALIDATE, { posting_number: pn })).status).toBe(400);
  });
});

describe('multi-box postings', () => {
  it('is_multibox until assembled; ship waits for the box count; multiboxqty/set and exemplar/set give it', async () => {
    const { sb, clock } = await start();
    const plain = sb.createPosting().posting_number;
    expect(await get(sb, plain)).toMatchObject({ is_multibox: false, multi_box_qty: 1 });

    const pn = sb.createPosting({ is_multibox: true, lines: [{ offer_id: 'KETTLE-17L', quantity: 1 }] }).posting_number;
    expect(await get(sb, pn)).toMatchObject({ is_multibox: true, multi_box_qty: 0 });
    const listed = await call(sb, '/v4/posting/fbs/unfulfilled/list', { limit: 10 });
    expect(listed.body.postings.find((p: Json) => p.posting_number === pn)).toMatchObject({
      is_multibox: true,
      multi_box_qty: 0,
    });
    const p0 = await get(sb, pn);
    const refused = await call(sb, SHIP, shipBody(p0));
    expect([refused.status, refused.body]).toEqual([400, { code: 3, message: 'MULTI_BOX_QTY_NOT_SET', details: [] }]);

    expect((await call(sb, MULTIBOX, { posting_number: pn, multi_box_qty: 0 })).status).toBe(400);
    expect((await call(sb, MULTIBOX, { posting_number: pn })).status).toBe(400);
    expect((await call(sb, MULTIBOX, { posting_number: '11111111-0001-1', multi_box_qty: 2 })).status).toBe(404);
    expect((await call(sb, MULTIBOX, { posting_number: plain, multi_box_qty: 2 })).body.message).toBe(
      'POSTING_IS_NOT_MULTIBOX',
    );
    const set = await call(sb, MULTIBOX, { posting_number: pn, multi_box_qty: '3' });
    expect([set.status, set.body]).toEqual([200, { result: { result: true } }]);
    expect(await get(sb, pn)).toMatchObject({ is_multibox: true, multi_box_qty: 3 });
    expect((await call(sb, CREATE_OR_GET, { posting_number: pn })).body.multi_box_qty).toBe(3);

    expect((await call(sb, SHIP, shipBody(p0))).status).toBe(200);
    expect((await call(sb, MULTIBOX, { posting_number: pn, multi_box_qty: 4 })).body.message).toBe(
      'HAS_INCORRECT_STATUS',
    );
    clock.advance(30_000);
    // "false — отправление собрано с указанием количества коробок в параметре multi_box_qty"
    expect(await get(sb, pn)).toMatchObject({ status: 'awaiting_deliver', is_multibox: false, multi_box_qty: 3 });

    // v6 exemplar/set carries the box count as well
    const other = sb.createPosting({ is_multibox: true, lines: [{ offer_id: 'KETTLE-17L', quantity: 1 }] });
    const ids = await exemplarIds(sb, other.posting_number);
    const viaSet = await call(sb, SET, { ...setBody(other.posting_number, ids, () => undefined), multi_box_qty: 2 });
    expect(viaSet.status).toBe(200);
    expect((await get(sb, other.posting_number)).multi_box_qty).toBe(2);
    clock.advance(5_000);
    expect((await call(sb, SHIP, shipBody(await get(sb, other.posting_number)))).status).toBe(200);

    const cancelled = sb.createPosting({ is_multibox: true }).posting_number;
    sb.cancelByBuyer(cancelled);
    expect((await call(sb, MULTIBOX, { posting_number: cancelled, multi_box_qty: 2 })).body.message).toBe(
      'POSTING_ALREADY_CANCELLED',
    );
  });
});

describe('durable exemplars and boxes', () => {
  it('a restarted sandbox keeps the exemplars (mid-check), the box count and the call log by path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ozon-sandbox-marks-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'state.json');
    const { sb: a } = await start({ stateFile: file });
    const pn = a.createPosting({
      marksRequired: true,
      is_multibox: true,
      lines: [{ offer_id: MUG.offer_id, quantity: 2 }],
    }).posting_number;
    const ids = await exemplarIds(a, pn);
    await call(a, VALIDATE, { posting_number: pn, products: [{ product_id: MUG.sku, exemplars: [] }] });
    await call(a, MULTIBOX, { posting_number: pn, multi_box_qty: 2 });
    await call(
      a,
      SET,
      setBody(pn, ids, (_, i) => code(`S${i}`)),
    );
    await call(a, STATUS, { posting_number: pn });
    expect(a.calls.map((c) => c.path)).toEqual([CREATE_OR_GET, VALIDATE, MULTIBOX, SET, STATUS]);

    const killed = join(dir, 'killed.json');
    copyFileSync(file, killed);
    const saved = JSON.parse(readFileSync(killed, 'utf8')) as Json;
    expect(saved.postings[0]).toMatchObject({
      multiBox: true,
      multiBoxQty: 2,
      exemplars: { setAt: saved.savedAt, checkedAt: saved.savedAt + 5_000 },
    });
    expect(saved).toEqual(a.snapshot());

    const clock = manualClock(saved.savedAt + 1_000);
    const { sb: b } = await start({ stateFile: killed, clock });
    expect((await call(b, STATUS, { posting_number: pn })).body.status).toBe('validation_in_process');
    clock.advance(4_000);
    expect((await call(b, STATUS, { posting_number: pn })).body.status).toBe('ship_available');
    const p = await get(b, pn, { product_exemplars: true });
    expect(p).toMatchObject({ is_multibox: true, multi_box_qty: 2 });
    expect(p.product_exemplars.products[0].exemplars.map((e: Json) => e.mandatory_mark)).toEqual([
      code('S0'),
      code('S1'),
    ]);
    expect((await call(b, SHIP, shipBody(p))).status).toBe(200);
  });
});
