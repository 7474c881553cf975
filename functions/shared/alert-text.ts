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
  | { kind: 'payout_missing'; expected: number; currency: string }
  | { kind: 'ozon_access'; message: string }
  | { kind: 'partial_cancel'; lines: { offerId: string; missing: number }[] }
  | { kind: 'stock_cancelled'; lines: { offerId: string; missing: number }[] }
  | { kind: 'packing_reminder'; deadline?: string }
  | { kind: 'confirmation_deadline'; deadline?: string }
  | { kind: 'confirmation_deadline_missed'; deadline?: string; cost: string }
  | { kind: 'marking_codes_required'; deadline?: string }
  | { kind: 'tracking_missing'; deadline?: string }
  | { kind: 'delivery_window_passed'; deadline?: string }
  | { kind: 'possibly_lost'; status: string; since: string; checks: number }
  | { kind: 'arbitration'; status: string }
  | { kind: 'not_accepted' }
  | { kind: 'cancel_skipped'; status: string }
  | { kind: 'needs_attention'; problem: string; cause: string };
export type AlertKind = AlertFacts['kind'];

export const SEVERITY: Record<AlertKind, Severity> = {
  out_of_stock: 'warning',
  ship_refused: 'critical',
  rfbs_handover: 'info',
  delivery_stalled: 'warning',
  cancelled_after_ship: 'warning',
  payout_mismatch: 'warning',
  payout_missing: 'warning',
  ozon_access: 'critical',
  partial_cancel: 'info',
  stock_cancelled: 'warning',
  packing_reminder: 'warning',
  confirmation_deadline: 'warning',
  confirmation_deadline_missed: 'critical',
  marking_codes_required: 'critical',
  tracking_missing: 'critical',
  delivery_window_passed: 'warning',
  possibly_lost: 'critical',
  arbitration: 'warning',
  not_accepted: 'critical',
  cancel_skipped: 'warning',
  needs_attention: 'critical',
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
    ozon_access: (f) => ({
      what: `Ozon refuses the product's API key: ${f.message}. No posting can be read or changed until this is fixed.`,
      todo: 'Create or extend the key in the seller cabinet (Settings → API keys) with the roles `npm run doctor` lists, and store it in the OzonCredentials secret.',
    }),
    partial_cancel: (f) => ({
      what: `Cancelled on Ozon the lines that could not be stocked in time: ${lines(f)}. The rest ships.`,
      todo: 'Nothing for this posting; restock these items to avoid further cancellations.',
    }),
    stock_cancelled: (f) => ({
      what: `Cancelled on Ozon as out of stock (reason 352): ${lines(f)} missing at the decision deadline.`,
      todo: 'Restock these items and check the stock you publish to Ozon: seller-fault cancellations count against your rating.',
    }),
    packing_reminder: () => ({
      what: 'The warehouse has not confirmed the posting as packed.',
      todo: 'Pack it and confirm (POST <SellerApiUrl>/<token>/packed); it is shipped on Ozon right after.',
    }),
    confirmation_deadline: () => ({
      what: 'The posting is not assembled yet and its shipping deadline is near.',
      todo: 'Pack it now; after the deadline Ozon charges late-shipment tariffs and may cancel it.',
    }),
    confirmation_deadline_missed: (f) => ({
      what: `The shipping deadline passed before the posting was assembled. ${f.cost}`,
      todo: 'Assemble and hand it over today, or cancel it yourself before Ozon does.',
    }),
    marking_codes_required: () => ({
      what: 'Ozon requires marking codes (Честный ЗНАК) for items in this posting before assembly.',
      todo: 'Enter the marking codes for each item in the seller cabinet, then assemble the posting.',
    }),
    tracking_missing: () => ({
      what: 'Your carrier has not sent a tracking number for this rFBS posting.',
      todo: 'Get the tracking number from the carrier and send it (POST <SellerApiUrl>/<token>/tracking).',
    }),
    delivery_window_passed: () => ({
      what: 'The delivery window promised to the buyer has passed and the posting is not delivered.',
      todo: 'Ask the carrier for the parcel status and tell the buyer when it will arrive.',
    }),
    possibly_lost: (f) => ({
      what: `Possibly lost: status "${f.status}" since ${f.since}, ${f.checks} checks without progress.`,
      todo: 'Open a search or claim with the carrier (or Ozon support for FBS); prepare a refund or a replacement.',
    }),
    arbitration: (f) => ({
      what: `The posting is in a dispute (${f.status}).`,
      todo: 'Send Ozon the hand-over documents (act, photos) in the seller cabinet to win the dispute.',
    }),
    not_accepted: () => ({
      what: 'The sorting centre did not accept the parcel.',
      todo: 'Collect the parcel from the sorting centre and check the packaging and label before shipping again.',
    }),
    cancel_skipped: (f) => ({
      what: `The posting was not cancelled: Ozon shows it as "${f.status}", where the seller can no longer cancel it.`,
      todo: 'Nothing was changed on Ozon. The product follows the posting from its current status; check the stock count.',
    }),
    needs_attention: (f) => ({
      what: `The posting is stopped and needs you: ${f.problem} — ${f.cause}`,
      todo: 'Fix the cause (in the Ozon cabinet or your stock), then resume: seller API POST /resume {"postingNumber"} or npm run resume -- <posting>. It is re-checked with Ozon daily meanwhile.',
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
    ozon_access: (f) => ({
      what: `Ozon отклоняет API-ключ: ${f.message}. Пока это не исправлено, отправления не читаются и не меняются.`,
      todo: 'Создайте или продлите ключ в личном кабинете (Настройки → API-ключи) с ролями из `npm run doctor` и сохраните его в секрете OzonCredentials.',
    }),
    partial_cancel: (f) => ({
      what: `Отменены позиции, которых не было в наличии к сроку: ${lines(f)}. Остальное отправляется.`,
      todo: 'По этому отправлению ничего не нужно; пополните остатки этих товаров.',
    }),
    stock_cancelled: (f) => ({
      what: `Отправление отменено как «нет в наличии» (причина 352): к сроку не хватило ${lines(f)}.`,
      todo: 'Пополните остатки и проверьте остатки на Ozon: отмены по вине продавца снижают рейтинг.',
    }),
    packing_reminder: () => ({
      what: 'Склад не подтвердил, что отправление упаковано.',
      todo: 'Упакуйте и подтвердите (POST <SellerApiUrl>/<token>/packed); сборка на Ozon начнётся сразу.',
    }),
    confirmation_deadline: () => ({
      what: 'Отправление ещё не собрано, а срок отгрузки близко.',
      todo: 'Соберите его сейчас: после срока Ozon применяет тарифы за опоздание и может отменить заказ.',
    }),
    confirmation_deadline_missed: (f) => ({
      what: `Срок отгрузки прошёл, а отправление не собрано. ${f.cost}`,
      todo: 'Соберите и передайте его сегодня или отмените сами, пока не отменил Ozon.',
    }),
    marking_codes_required: () => ({
      what: 'Для сборки Ozon требует коды маркировки (Честный ЗНАК).',
      todo: 'Укажите коды маркировки для каждого товара в личном кабинете и соберите отправление.',
    }),
    tracking_missing: () => ({
      what: 'Служба доставки не прислала трек-номер для отправления rFBS.',
      todo: 'Получите трек-номер у перевозчика и отправьте его (POST <SellerApiUrl>/<token>/tracking).',
    }),
    delivery_window_passed: () => ({
      what: 'Срок доставки, обещанный покупателю, прошёл, а заказ не доставлен.',
      todo: 'Уточните статус у перевозчика и сообщите покупателю новый срок.',
    }),
    possibly_lost: (f) => ({
      what: `Возможно, посылка утеряна: статус «${f.status}» с ${f.since}, проверок без изменений: ${f.checks}.`,
      todo: 'Откройте розыск или претензию у перевозчика (для FBS — в поддержке Ozon); подготовьте возврат денег или замену.',
    }),
    arbitration: (f) => ({
      what: `По отправлению открыт спор (${f.status}).`,
      todo: 'Отправьте Ozon документы о передаче (акт, фото) в личном кабинете.',
    }),
    not_accepted: () => ({
      what: 'Сортировочный центр не принял посылку.',
      todo: 'Заберите посылку из сортировочного центра и проверьте упаковку и этикетку.',
    }),
    cancel_skipped: (f) => ({
      what: `Отправление не отменено: в Ozon оно в статусе «${f.status}», отменить его продавец уже не может.`,
      todo: 'В Ozon ничего не изменено. Отправление ведётся дальше с текущего статуса; проверьте остатки.',
    }),
    needs_attention: (f) => ({
      what: `Обработка отправления остановлена, нужны вы: ${f.problem} — ${f.cause}`,
      todo: 'Устраните причину (в кабинете Ozon или в остатках) и возобновите: seller API POST /resume {"postingNumber"} или npm run resume -- <отправление>. Пока что раз в сутки проверяем статус в Ozon.',
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
    ozon_access: (f) => ({
      what: `Ozon 拒绝了本系统的 API 密钥：${f.message}。修复之前无法读取或处理任何订单。`,
      todo: '请在卖家后台（设置 → API 密钥）创建或续期密钥，授予 `npm run doctor` 列出的角色，并保存到 OzonCredentials 密钥中。',
    }),
    partial_cancel: (f) => ({
      what: `已在 Ozon 取消未能按时备货的商品：${lines(f)}，其余商品照常发货。`,
      todo: '此订单无需操作；请为这些商品补货。',
    }),
    stock_cancelled: (f) => ({
      what: `因缺货已在 Ozon 取消订单（原因 352）：截止时缺少 ${lines(f)}。`,
      todo: '请补货并核对在 Ozon 上公布的库存：卖家原因的取消会影响评分。',
    }),
    packing_reminder: () => ({
      what: '仓库尚未确认该订单已打包。',
      todo: '请打包并确认（POST <SellerApiUrl>/<token>/packed），随后系统会在 Ozon 上备货。',
    }),
    confirmation_deadline: () => ({
      what: '订单尚未备货，发货截止时间临近。',
      todo: '请立即打包；超过截止时间 Ozon 会收取延迟费用并可能取消订单。',
    }),
    confirmation_deadline_missed: (f) => ({
      what: `发货截止时间已过，订单仍未备货。${f.cost}`,
      todo: '请今天完成备货并交接，或在 Ozon 取消之前自行取消。',
    }),
    marking_codes_required: () => ({
      what: 'Ozon 要求在备货前填写商品标记码（Честный ЗНАК）。',
      todo: '请在卖家后台为每件商品填写标记码，然后备货。',
    }),
    tracking_missing: () => ({
      what: '物流商尚未提供该 rFBS 订单的运单号。',
      todo: '请向物流商索取运单号并发送（POST <SellerApiUrl>/<token>/tracking）。',
    }),
    delivery_window_passed: () => ({
      what: '承诺给买家的送达时间已过，订单仍未送达。',
      todo: '请向物流商确认包裹状态，并告知买家新的送达时间。',
    }),
    possibly_lost: (f) => ({
      what: `包裹可能丢失：自 ${f.since} 起状态为「${f.status}」，已检查 ${f.checks} 次无进展。`,
      todo: '请向物流商（FBS 则向 Ozon 客服）发起查件或索赔，并准备退款或补发。',
    }),
    arbitration: (f) => ({
      what: `该订单处于争议中（${f.status}）。`,
      todo: '请在卖家后台向 Ozon 提交交接凭证（交接单、照片）。',
    }),
    not_accepted: () => ({
      what: '分拣中心未接收该包裹。',
      todo: '请从分拣中心取回包裹，检查包装和标签后重新发货。',
    }),
    cancel_skipped: (f) => ({
      what: `未取消该订单：Ozon 显示其状态为「${f.status}」，卖家已无法取消。`,
      todo: '未在 Ozon 上做任何更改。系统将从当前状态继续跟进该订单；请核对库存。',
    }),
    needs_attention: (f) => ({
      what: `订单处理已暂停，需要您处理：${f.problem} — ${f.cause}`,
      todo: '请先排除原因（在 Ozon 后台或库存中），然后恢复：seller API POST /resume {"postingNumber"} 或 npm run resume -- <订单号>。在此期间每天向 Ozon 复核一次。',
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

/** An alert about the seller's Ozon account as a whole (no posting): same text and severity, no posting links. */
export function buildAccountAlert(facts: AlertFacts, language: Language): Omit<Alert, 'postingNumber'> {
  const text = (TEMPLATES[language][facts.kind] as (f: AlertFacts) => Text)(facts);
  const severity = SEVERITY[facts.kind];
  const message = [`[${severity.toUpperCase()}] ${text.what}`, `${LABELS[language].todo}: ${text.todo}`].join('\n');
  return { kind: facts.kind, severity, subject: `[${severity}] ${facts.kind}`, message };
}

/** The same kind for the same posting is not repeated within this window. */
export const ALERT_REPEAT_WINDOW_MS = 6 * 3600 * 1000;

/** Alerts about something that happened once are sent once per posting, however often it is noticed. */
const ONCE: ReadonlySet<AlertKind> = new Set([
  'confirmation_deadline_missed',
  'confirmation_deadline',
  'delivery_window_passed',
  'not_accepted',
  'cancelled_after_ship',
  'partial_cancel',
  'stock_cancelled',
  'rfbs_handover',
  'payout_mismatch',
  'payout_missing',
]);

/**
 * The earliest time a previous alert of this kind must be older than for a new one to go out; `null` means any
 * previous alert of the kind blocks it (one-off facts). The store applies this as a write condition.
 */
export function repeatCutoff(kind: AlertKind, nowMs: number, windowMs = ALERT_REPEAT_WINDOW_MS): number | null {
  return ONCE.has(kind) ? null : nowMs - windowMs;
}

export function isRepeat(
  previous: { kind: string; at: string }[],
  kind: AlertKind,
  nowMs: number,
  windowMs = ALERT_REPEAT_WINDOW_MS,
): boolean {
  if (ONCE.has(kind)) return previous.some((a) => a.kind === kind);
  return previous.some((a) => a.kind === kind && nowMs - Date.parse(a.at) < windowMs);
}
