import { describe, expect, it } from 'vitest';
import {
  ALERT_REPEAT_WINDOW_MS,
  type AlertFacts,
  buildAlert,
  isRepeat,
  type Language,
  SEVERITY,
} from '#shared/alert-text';

const POSTING = '57195475-0050-3';
const ARN = 'arn:aws:states:eu-central-1:000000000000:execution:OrderLifecycle:57195475-0050-3';
const OZON_LINK = `https://seller.ozon.ru/app/postings/fbs?search=${POSTING}`;
const EXECUTION_LINK = `https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/${ARN}`;

const FACTS: AlertFacts[] = [
  { kind: 'out_of_stock', lines: [{ offerId: 'cup', missing: 2 }], deadline: '2021-11-23T10:00:00Z' },
  { kind: 'ship_refused', reason: 'HAS_INCORRECT_STATUS', deadline: '2021-11-23T10:00:00Z' },
  { kind: 'rfbs_handover', callbackPath: '/carrier/tracking', deadline: '2021-11-23T10:00:00Z' },
  { kind: 'delivery_stalled', status: 'delivering', since: '2021-11-24T10:00:00Z' },
  { kind: 'cancelled_after_ship', reason: 'buyer refused' },
  { kind: 'payout_mismatch', expected: 250.1, actual: 240.1, difference: -10, currency: 'RUB' },
  { kind: 'payout_missing', expected: 250.1, currency: 'RUB' },
  { kind: 'partial_cancel', lines: [{ offerId: 'socks', missing: 1 }] },
  { kind: 'stock_cancelled', lines: [{ offerId: 'socks', missing: 1 }] },
  { kind: 'packing_reminder', deadline: '2021-11-23T10:00:00Z' },
  { kind: 'confirmation_deadline', deadline: '2021-11-23T10:00:00Z' },
  { kind: 'confirmation_deadline_missed', deadline: '2021-11-23T10:00:00Z', cost: "Ozon's tariff changes to 5%." },
  {
    kind: 'marking_codes_required',
    deadline: '2021-11-23T10:00:00Z',
    problems: ['MUG-350-WHT: 1 marking code(s) of 1'],
    callbackPath: 'POST /marks',
  },
  {
    kind: 'marking_codes_refused',
    deadline: '2021-11-23T10:00:00Z',
    problems: ['MUG-350-WHT unit 1: code 0100000000000000021S1… MARK_NOT_IN_CIRCULATION'],
    callbackPath: 'POST /marks',
  },
  { kind: 'carrier_registration_failed', substatus: 'posting_registration_error', carrier: 'CDEK' },
  { kind: 'dropoff_limits', problems: ['declared value 600000 RUB is above the point’s 500000 RUB'] },
  { kind: 'posting_split', postings: ['12345678-0001-2', '12345678-0001-3'] },
  { kind: 'tariff_step', rate: 5, type: 'commission', deadline: '2021-11-24T10:00:00Z' },
  {
    kind: 'handover',
    warehouseId: 1,
    deliveryMethod: 'Drop-off Moscow',
    parcels: 12,
    notPacked: 1,
    removed: ['12345678-0001-1'],
    deadline: '2021-11-24T10:00:00Z',
    act: 'https://example.test/act.pdf',
    barcode: 'https://example.test/barcode.png',
    labels: ['https://example.test/act-42-labels-1.pdf'],
    unprinted: ["12345678-0001-4 (The next postings aren't ready)"],
    linksValidHours: 12,
  },
  { kind: 'removed_from_act', actId: 42, deadline: '2021-11-24T10:00:00Z' },
  {
    kind: 'cancellation_request',
    reason: 'Покупатель передумал',
    deadline: '2021-11-24T10:00:00Z',
    callbackPath: 'POST /cancellationRequest',
  },
  {
    kind: 'cancellation_answered',
    decision: 'rejected',
    by: 'policy',
    reason: 'Покупатель передумал',
    comment: 'Уже в пути',
  },
  { kind: 'label_unprinted', reason: "The next postings aren't ready", deadline: '2021-11-24T10:00:00Z' },
  {
    kind: 'handover_missed',
    deadline: '2021-11-24T10:00:00Z',
    cost: 'Ozon charges 5% of the price for each late day.',
  },
  {
    kind: 'handover_failed',
    warehouseId: 1,
    deliveryMethod: 'Drop-off Moscow',
    deadline: '2021-11-24T10:00:00Z',
    reason: 'ActRefused: has_postings_with_registration_error',
  },
  { kind: 'tracking_missing', deadline: '2021-11-23T10:00:00Z' },
  { kind: 'delivery_window_passed', deadline: '2021-11-28T10:00:00Z' },
  { kind: 'possibly_lost', status: 'delivering', since: '2021-11-24T10:00:00Z', checks: 3 },
  { kind: 'arbitration', status: 'arbitration' },
  { kind: 'not_accepted' },
  { kind: 'cancel_skipped', status: 'awaiting_deliver' },
  { kind: 'needs_attention', problem: 'ShipRefused', cause: 'HAS_INCORRECT_STATUS' },
  { kind: 'ozon_access', message: 'Invalid Api-Key, please contact support' },
  { kind: 'stock_publish_refused', items: [{ offerId: 'MUG-350-WHT', warehouseId: 1, code: 'PRICE_IS_NOT_SENT' }] },
  { kind: 'stock_drift', items: [{ offerId: 'MUG-350-WHT', warehouseId: 1, ozon: 7, product: 5 }] },
  {
    kind: 'pack_batch',
    warehouseId: 1,
    postings: [POSTING],
    fragile: 1,
    packingList: 'https://example.test/list.txt',
    linksValidHours: 6,
  },
  {
    kind: 'return_request',
    offerId: 'MUG-350-WHT',
    reason: 'Товар с браком',
    price: 490,
    currency: 'RUB',
    photos: ['https://example.test/1.png'],
    deadline: '2021-11-26T10:00:00Z',
    callbackPath: 'POST <seller API>/returnRequest',
  },
  { kind: 'return_answered', answer: 'compensate', by: 'seller', offerId: 'MUG-350-WHT', reason: 'x', amount: 100 },
  { kind: 'return_unanswered', offerId: 'MUG-350-WHT', reason: 'x', deadline: '2021-11-26T10:00:00Z' },
  { kind: 'return_arrived', offerId: 'MUG-350-WHT', where: 'dropoff', callbackPath: 'POST <seller API>/returnCheck' },
  { kind: 'return_storage', offerId: 'MUG-350-WHT', stage: 'paid_storage', deadline: '2021-11-26T10:00:00Z' },
  { kind: 'return_done', offerId: 'MUG-350-WHT', outcome: 'restocked' },
  { kind: 'return_left', offerId: 'MUG-350-WHT', reason: 'the parcel was not collected' },
  { kind: 'payout_reversed', before: 420, after: 0, difference: -420, currency: 'RUB' },
  { kind: 'quality_flag', offerId: 'MUG-350-WHT', defects: 3 },
  {
    kind: 'quality_check',
    lines: [{ offerId: 'MUG-350-WHT', missing: 2 }],
    failures: 1,
    deadline: '2021-11-26T10:00:00Z',
    callbackPath: 'POST <seller API>/qualityCheck',
  },
  {
    kind: 'quality_failed',
    offerId: 'MUG-350-WHT',
    units: 1,
    reason: 'chipped rim',
    failures: 1,
    next: 'next_unit',
    deadline: '2021-11-26T10:00:00Z',
    callbackPath: 'POST <seller API>/qualityCheck',
  },
  {
    kind: 'digest',
    from: '2021-11-19',
    to: '2021-11-25',
    incidents: { confirmation_missed: 1, seller_cancelled: 2, quality_failed: 1 },
    offers: [{ offerId: 'MUG-350-WHT', incidents: { seller_cancelled: 2 } }],
    skus: [{ sku: '1473290035', name: 'Лампа', metrics: { revenue: 318, ordered_units: 2, conv_tocart: 1.5 } }],
    missing: ['hits_view', 'conv_tocart', 'cancellations', 'returns'],
  },
  { kind: 'quality_check_due', deadline: '2021-11-26T10:00:00Z', callbackPath: 'POST <seller API>/qualityCheck' },
  {
    kind: 'rating_warning',
    rating: 'rating_shipment_delay',
    name: 'Просроченные отправления',
    status: 'WARNING',
    value: '4.2%',
    past: '1.1%',
    postings: [POSTING],
  },
  { kind: 'rating_penalty' },
  {
    kind: 'buyer_not_told',
    moment: 'stalled',
    reason: 'more than 72 h after delivery',
    text: 'Здравствуйте! Ваш заказ задерживается.',
  },
  {
    kind: 'buyer_message',
    chatId: 'c-1',
    posting: POSTING,
    text: 'Когда отправите?',
    deadline: '2021-11-24T10:00:00Z',
    callbackPath: 'POST <seller API>/buyerReply',
  },
  {
    kind: 'buyer_reply_due',
    chatId: 'c-1',
    text: 'Когда отправите?',
    deadline: '2021-11-24T10:00:00Z',
    callbackPath: 'POST <seller API>/buyerReply',
  },
];
const TODO_LABEL: Record<Language, string> = { en: 'What to do', ru: 'Что сделать', zh: '处理办法' };
const OZON_LABEL: Record<Language, string> = { en: 'Posting in Ozon', ru: 'Отправление в Ozon', zh: 'Ozon 订单' };
const EXECUTION_LABEL: Record<Language, string> = { en: 'Execution', ru: 'Выполнение', zh: '执行记录' };
const DEADLINE_LABEL: Record<Language, string> = { en: 'Deadline', ru: 'Срок', zh: '截止时间' };
const LANGUAGES: Language[] = ['en', 'ru', 'zh'];
const CASES = LANGUAGES.flatMap((language) => FACTS.map((facts) => [facts.kind, language, facts] as const));

describe('buildAlert', () => {
  it('has a fact for every alert kind', () => {
    const kinds = Object.keys(SEVERITY).sort();

    const covered = FACTS.map((f) => f.kind).sort();

    expect(covered).toEqual(kinds);
  });

  it.each(CASES)('%s in %s names the posting, what to do and the Ozon cabinet link', (kind, language, facts) => {
    const ctx = { postingNumber: POSTING, language, region: 'eu-central-1' };

    const alert = buildAlert(facts, ctx);

    const lines = alert.message.split('\n');
    expect(alert.kind).toBe(kind);
    expect(alert.severity).toBe(SEVERITY[kind]);
    expect(alert.postingNumber).toBe(POSTING);
    expect(lines[0]).toMatch(new RegExp(`^\\[${SEVERITY[kind].toUpperCase()}\\] ${POSTING}: .+`));
    expect(
      lines.some((l) => l.startsWith(`${TODO_LABEL[language]}: `) && l.length > TODO_LABEL[language].length + 2),
    ).toBe(true);
    expect(lines).toContain(`${OZON_LABEL[language]}: ${OZON_LINK}`);
    expect(alert.message).not.toContain('console.aws.amazon.com');
    expect(alert.message).not.toContain('undefined');
  });

  it.each(CASES)('%s in %s links the execution only when an ARN is given', (_kind, language, facts) => {
    const ctx = { postingNumber: POSTING, language, region: 'eu-central-1', executionArn: ARN };

    const alert = buildAlert(facts, ctx);

    const lines = alert.message.split('\n');
    expect(lines.at(-1)).toBe(`${EXECUTION_LABEL[language]}: ${EXECUTION_LINK}`);
    expect(lines.at(-2)).toBe(`${OZON_LABEL[language]}: ${OZON_LINK}`);
  });

  it.each(CASES)('%s in %s has an ASCII subject of at most 100 characters', (kind, language, facts) => {
    const ctx = { postingNumber: POSTING, language, region: 'eu-central-1' };

    const alert = buildAlert(facts, ctx);

    expect(alert.subject).toBe(`[${SEVERITY[kind]}] ${kind} ${POSTING}`);
    expect(alert.subject.length).toBeLessThanOrEqual(100);
    expect(alert.subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('cuts a subject with a very long posting number to 100 characters', () => {
    const ctx = { postingNumber: '1'.repeat(200), language: 'zh' as const, region: 'eu-central-1' };

    const alert = buildAlert({ kind: 'payout_missing', expected: 1, currency: 'CNY' }, ctx);

    expect(alert.subject).toHaveLength(100);
    expect(alert.subject.startsWith('[warning] payout_missing 111')).toBe(true);
  });

  it.each(LANGUAGES)('shows the deadline line in %s when the facts carry one', (language) => {
    const facts: AlertFacts = {
      kind: 'ship_refused',
      reason: 'HAS_INCORRECT_STATUS',
      deadline: '2021-11-23T10:00:00Z',
    };

    const alert = buildAlert(facts, { postingNumber: POSTING, language, region: 'eu-central-1' });

    expect(alert.message.split('\n')[1]).toBe(`${DEADLINE_LABEL[language]}: 2021-11-23T10:00:00Z`);
  });

  it('leaves the deadline line out when there is none', () => {
    const facts: AlertFacts = { kind: 'ship_refused', reason: 'HAS_INCORRECT_STATUS' };

    const alert = buildAlert(facts, { postingNumber: POSTING, language: 'en', region: 'eu-central-1' });

    expect(alert.message).toBe(
      [
        `[CRITICAL] ${POSTING}: Ozon refused to assemble the posting: HAS_INCORRECT_STATUS.`,
        'What to do: Fix the cause in the Ozon seller cabinet (marking codes, quantities, status) before the deadline.',
        `Posting in Ozon: ${OZON_LINK}`,
      ].join('\n'),
    );
  });

  it('puts the facts into the text: missing lines, amounts and the callback path', () => {
    const [outOfStock, , handover, , , mismatch] = FACTS as [
      AlertFacts,
      AlertFacts,
      AlertFacts,
      AlertFacts,
      AlertFacts,
      AlertFacts,
    ];
    const ctx = { postingNumber: POSTING, language: 'en' as const, region: 'eu-central-1' };

    const messages = [outOfStock, handover, mismatch].map((f) => buildAlert(f, ctx).message);

    expect(messages[0]).toContain('Not enough stock to reserve: cup ×2 missing.');
    expect(messages[1]).toContain('send the tracking number to /carrier/tracking.');
    expect(messages[2]).toContain('Ozon accrued 240.1 RUB, expected 250.1 (difference -10).');
  });

  it('encodes the posting number in the Ozon link', () => {
    const ctx = { postingNumber: 'a b&c', language: 'en' as const, region: 'eu-central-1' };

    const alert = buildAlert({ kind: 'payout_missing', expected: 1, currency: 'RUB' }, ctx);

    expect(alert.message).toContain('https://seller.ozon.ru/app/postings/fbs?search=a%20b%26c');
  });
});

describe('isRepeat', () => {
  it('sends one-off alerts (a missed deadline) once per posting, however long ago the first was', () => {
    const previous = [{ kind: 'confirmation_deadline_missed', at: '2000-01-01T00:00:00.000Z' }];

    const result = isRepeat(previous, 'confirmation_deadline_missed', Date.parse('2021-11-20T12:00:00.000Z'));

    expect(result).toBe(true);
  });

  const NOW = Date.parse('2021-11-20T12:00:00.000Z');
  const at = (msBefore: number) => new Date(NOW - msBefore).toISOString();

  it('is a repeat when the same kind was sent inside the window', () => {
    const previous = [{ kind: 'out_of_stock', at: at(ALERT_REPEAT_WINDOW_MS - 1) }];

    const result = isRepeat(previous, 'out_of_stock', NOW);

    expect(result).toBe(true);
  });

  it('is not a repeat once the window has passed (the boundary is outside)', () => {
    const previous = [
      { kind: 'out_of_stock', at: at(ALERT_REPEAT_WINDOW_MS) },
      { kind: 'out_of_stock', at: at(ALERT_REPEAT_WINDOW_MS + 60_000) },
    ];

    const result = isRepeat(previous, 'out_of_stock', NOW);

    expect(result).toBe(false);
  });

  it('is not a repeat when only other kinds were sent', () => {
    const previous = [
      { kind: 'ship_refused', at: at(1000) },
      { kind: 'payout_missing', at: at(0) },
    ];

    const result = isRepeat(previous, 'out_of_stock', NOW);

    expect(result).toBe(false);
  });

  it('is not a repeat without previous alerts', () => {
    const previous: { kind: string; at: string }[] = [];

    const result = isRepeat(previous, 'delivery_stalled', NOW);

    expect(result).toBe(false);
  });

  it('uses a custom window', () => {
    const previous = [{ kind: 'delivery_stalled', at: at(30 * 60_000) }];

    const inside = isRepeat(previous, 'delivery_stalled', NOW, 31 * 60_000);
    const outside = isRepeat(previous, 'delivery_stalled', NOW, 29 * 60_000);

    expect([inside, outside]).toEqual([true, false]);
  });

  it('has a six-hour default window', () => {
    const window = ALERT_REPEAT_WINDOW_MS;

    const hours = window / 3_600_000;

    expect(hours).toBe(6);
  });
});
