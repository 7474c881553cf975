/**
 * The one alert builder. Every alert says what happened, the deadline that matters, what to do now, and links to
 * the posting in the Ozon seller cabinet and to the execution in the AWS console, in the seller's language.
 */
export type Severity = 'info' | 'warning' | 'critical';
export type Language = 'en' | 'ru' | 'zh';

export type AlertFacts =
  | { kind: 'out_of_stock'; lines: { offerId: string; missing: number }[]; deadline?: string }
  | { kind: 'ship_refused'; reason: string; deadline?: string }
  | { kind: 'rfbs_handover'; deadline?: string; callbackPath: string }
  | { kind: 'delivery_stalled'; status: string; since: string; deadline?: string }
  | { kind: 'cancelled_after_ship'; reason: string }
  | { kind: 'payout_mismatch'; expected: number; actual: number; difference: number; currency: string }
  | { kind: 'payout_missing'; expected: number; currency: string };
export type AlertKind = AlertFacts['kind'];

export const SEVERITY: Record<AlertKind, Severity> = {
  out_of_stock: 'warning',
  ship_refused: 'critical',
  rfbs_handover: 'info',
  delivery_stalled: 'warning',
  cancelled_after_ship: 'warning',
  payout_mismatch: 'warning',
  payout_missing: 'warning',
};

type Text = { what: string; todo: string };
type Templates = { [K in AlertKind]: (f: Extract<AlertFacts, { kind: K }>) => Text };

const lines = (f: { lines: { offerId: string; missing: number }[] }) =>
  f.lines.map((l) => `${l.offerId} ×${l.missing}`).join(', ');

const TEMPLATES: Record<Language, Templates> = {
  en: {
    out_of_stock: (f) => ({
      what: `Not enough stock to reserve: ${lines(f)} missing.`,
      todo: 'Restock these items (or add stock in the product); the posting is reserved as soon as stock arrives.',
    }),
    ship_refused: (f) => ({
      what: `Ozon refused to assemble the posting: ${f.reason}.`,
      todo: 'Fix the cause in the Ozon seller cabinet (marking codes, quantities, status) before the deadline.',
    }),
    rfbs_handover: (f) => ({
      what: 'The posting is packed and labelled for your carrier.',
      todo: `Hand it to your carrier and send the tracking number to ${f.callbackPath}.`,
    }),
    delivery_stalled: (f) => ({
      what: `No delivery progress: status "${f.status}" since ${f.since}.`,
      todo: 'Ask the carrier where the parcel is; open a claim if it is lost.',
    }),
    cancelled_after_ship: (f) => ({
      what: `The posting was cancelled after it left your warehouse (${f.reason}).`,
      todo: 'Arrange the return of the parcel from the carrier or the sorting centre.',
    }),
    payout_mismatch: (f) => ({
      what: `Ozon accrued ${f.actual} ${f.currency}, expected ${f.expected} (difference ${f.difference}).`,
      todo: 'Check the accruals in Finance → Accruals and dispute the difference with Ozon support if it is wrong.',
    }),
    payout_missing: (f) => ({
      what: `No accruals from Ozon within the settlement window (expected ${f.expected} ${f.currency}).`,
      todo: 'Check Finance → Accruals; contact Ozon support if the posting is missing.',
    }),
  },
  ru: {
    out_of_stock: (f) => ({
      what: `Не хватает остатков для резерва: ${lines(f)}.`,
      todo: 'Пополните остатки; отправление будет зарезервировано, как только товар появится.',
    }),
    ship_refused: (f) => ({
      what: `Ozon отказал в сборке отправления: ${f.reason}.`,
      todo: 'Устраните причину в личном кабинете (коды маркировки, количество, статус) до крайнего срока.',
    }),
    rfbs_handover: (f) => ({
      what: 'Отправление собрано и промаркировано для вашей службы доставки.',
      todo: `Передайте его перевозчику и отправьте трек-номер на ${f.callbackPath}.`,
    }),
    delivery_stalled: (f) => ({
      what: `Доставка не движется: статус «${f.status}» с ${f.since}.`,
      todo: 'Уточните у перевозчика, где посылка; при утере откройте претензию.',
    }),
    cancelled_after_ship: (f) => ({
      what: `Отправление отменено после передачи в доставку (${f.reason}).`,
      todo: 'Организуйте возврат посылки от перевозчика или из сортировочного центра.',
    }),
    payout_mismatch: (f) => ({
      what: `Ozon начислил ${f.actual} ${f.currency}, ожидалось ${f.expected} (разница ${f.difference}).`,
      todo: 'Проверьте начисления в разделе «Финансы» и оспорьте разницу через поддержку Ozon.',
    }),
    payout_missing: (f) => ({
      what: `Начисления от Ozon не поступили в срок (ожидалось ${f.expected} ${f.currency}).`,
      todo: 'Проверьте раздел «Финансы»; обратитесь в поддержку Ozon.',
    }),
  },
  zh: {
    out_of_stock: (f) => ({
      what: `库存不足，无法预留：缺少 ${lines(f)}。`,
      todo: '请补货；到货后系统会立即为该订单预留库存。',
    }),
    ship_refused: (f) => ({
      what: `Ozon 拒绝了该订单的备货：${f.reason}。`,
      todo: '请在截止时间前于 Ozon 卖家后台处理（标记码、数量、状态）。',
    }),
    rfbs_handover: (f) => ({
      what: '订单已打包并贴好标签，等待交给您的物流商。',
      todo: `请交给物流商，并将运单号发送到 ${f.callbackPath}。`,
    }),
    delivery_stalled: (f) => ({
      what: `物流无进展：自 ${f.since} 起状态一直为「${f.status}」。`,
      todo: '请联系物流商确认包裹位置；如已丢失请发起索赔。',
    }),
    cancelled_after_ship: (f) => ({
      what: `订单在发货后被取消（${f.reason}）。`,
      todo: '请安排从物流商或分拣中心取回包裹。',
    }),
    payout_mismatch: (f) => ({
      what: `Ozon 结算 ${f.actual} ${f.currency}，预期 ${f.expected}（差额 ${f.difference}）。`,
      todo: '请在「财务 → 结算」中核对，如有误请联系 Ozon 客服申诉。',
    }),
    payout_missing: (f) => ({
      what: `结算期内未收到 Ozon 的结算（预期 ${f.expected} ${f.currency}）。`,
      todo: '请查看「财务 → 结算」，必要时联系 Ozon 客服。',
    }),
  },
};

const LABELS: Record<Language, { deadline: string; todo: string; ozon: string; execution: string }> = {
  en: { deadline: 'Deadline', todo: 'What to do', ozon: 'Posting in Ozon', execution: 'Execution' },
  ru: { deadline: 'Срок', todo: 'Что сделать', ozon: 'Отправление в Ozon', execution: 'Выполнение' },
  zh: { deadline: '截止时间', todo: '处理办法', ozon: 'Ozon 订单', execution: '执行记录' },
};

export interface Alert {
  kind: AlertKind;
  severity: Severity;
  postingNumber: string;
  subject: string;
  message: string;
}

export interface AlertContext {
  postingNumber: string;
  language: Language;
  executionArn?: string;
  region: string;
}

export function buildAlert(facts: AlertFacts, ctx: AlertContext): Alert {
  const template = TEMPLATES[ctx.language][facts.kind] as (f: AlertFacts) => Text;
  const text = template(facts);
  const label = LABELS[ctx.language];
  const severity = SEVERITY[facts.kind];
  const deadline = 'deadline' in facts && facts.deadline ? `${label.deadline}: ${facts.deadline}` : undefined;
  const links = [
    `${label.ozon}: https://seller.ozon.ru/app/postings/fbs?search=${encodeURIComponent(ctx.postingNumber)}`,
    ctx.executionArn
      ? `${label.execution}: https://${ctx.region}.console.aws.amazon.com/states/home?region=${ctx.region}#/v2/executions/details/${ctx.executionArn}`
      : undefined,
  ];
  const message = [
    `[${severity.toUpperCase()}] ${ctx.postingNumber}: ${text.what}`,
    deadline,
    `${label.todo}: ${text.todo}`,
    ...links,
  ]
    .filter(Boolean)
    .join('\n');
  // SNS subjects are ASCII-only and at most 100 characters; the message carries the seller's language.
  const subject = `[${severity}] ${facts.kind} ${ctx.postingNumber}`.slice(0, 100);
  return { kind: facts.kind, severity, postingNumber: ctx.postingNumber, subject, message };
}

/** The same kind for the same posting is not repeated within this window. */
export const ALERT_REPEAT_WINDOW_MS = 6 * 3600 * 1000;

export function isRepeat(
  previous: { kind: string; at: string }[],
  kind: AlertKind,
  nowMs: number,
  windowMs = ALERT_REPEAT_WINDOW_MS,
): boolean {
  return previous.some((a) => a.kind === kind && nowMs - Date.parse(a.at) < windowMs);
}
