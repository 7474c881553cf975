import type { DropoffLimits, RfbsTpl, SandboxProduct, SandboxWarehouse, Timing } from './types.js';

export const DEFAULT_PRODUCTS: SandboxProduct[] = [
  {
    sku: 1473290011,
    product_id: 873402101,
    offer_id: 'MUG-350-WHT',
    name: 'Кружка керамическая 350 мл, белая',
    price: '490.00',
  },
  {
    sku: 1473290028,
    product_id: 873402102,
    offer_id: 'TEA-GRN-100',
    name: 'Чай зелёный листовой, 100 г',
    price: '329.00',
  },
  {
    sku: 1473290035,
    product_id: 873402103,
    offer_id: 'LAMP-LED-E27',
    name: 'Лампа светодиодная E27 10 Вт',
    price: '159.00',
  },
  {
    sku: 1473290042,
    product_id: 873402104,
    offer_id: 'CABLE-USBC-1M',
    name: 'Кабель USB-C — USB-C, 1 м',
    price: '590.00',
  },
  {
    sku: 1473290059,
    product_id: 873402105,
    offer_id: 'BOTTLE-750-STL',
    name: 'Бутылка для воды стальная 750 мл',
    price: '1490.00',
  },
  {
    sku: 1473290066,
    product_id: 873402106,
    offer_id: 'NOTE-A5-DOT',
    name: 'Блокнот A5 в точку, 96 листов',
    price: '399.00',
  },
  {
    sku: 1473290073,
    product_id: 873402107,
    offer_id: 'SOCKS-WOOL-42',
    name: 'Носки шерстяные, размер 42',
    price: '749.00',
  },
  {
    sku: 1473290080,
    product_id: 873402108,
    offer_id: 'KETTLE-17L',
    name: 'Чайник электрический 1,7 л',
    price: '2990.00',
  },
];

/** Ozon's product_id of a catalogue product (types.ts `SandboxProduct.product_id`). */
export const productIdOf = (p: SandboxProduct) => p.product_id ?? p.sku + 10_000_000_000;

export const DEFAULT_WAREHOUSES: SandboxWarehouse[] = [
  { warehouse_id: 1020000075732000, name: 'Склад FBS Москва', is_rfbs: false },
  { warehouse_id: 1020000075733000, name: 'Склад rFBS Москва (своя доставка)', is_rfbs: true },
];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DEFAULT_TIMING: Omit<Timing, 'deliveryWindow'> = {
  assembly: 30_000,
  shipmentSla: DAY,
  handover: 2 * HOUR,
  transit: DAY,
  settlement: 6 * HOUR,
  exemplarCheck: 5_000,
  registration: 20 * 60_000,
  actForming: 60_000,
  actHandover: 0,
  labelTask: 30_000,
  actWindow: 2 * HOUR,
  // after-sale (aftersale.ts); the docs give none of these figures, each is explained in types.ts `Timing`
  cancellationAutoApprove: 48 * HOUR,
  returnDecision: 72 * HOUR,
  returnTransit: 48 * HOUR,
  returnFreeStorage: 7 * DAY,
  returnUtilization: 30 * DAY,
};

/**
 * The FBS delivery method's cutoff ("HH:MM", UTC) when the warehouse gives none (`SandboxWarehouse.cutoff`): a
 * carriage of departure date D has `cutoff_at` = D at this time, and hands its postings over then. "13:00" is the
 * `cutoff` of the docs' /v1/delivery-method/list example; reading it as UTC is the sandbox's choice.
 */
export const DEFAULT_CARRIAGE_CUTOFF = '13:00';

/**
 * The delivery method of an FBS warehouse's postings (the sandbox has one per FBS warehouse): id warehouse_id + 1,
 * as `delivery_method` has always rendered it. /v2/posting/fbs/act/create also takes the warehouse_id itself (docs:
 * "Для FBS-складов используйте значение параметра warehouse_id").
 */
export const fbsDeliveryMethod = (w: SandboxWarehouse) => ({
  id: w.warehouse_id + 1,
  name: `Ozon Логистика курьеру, ${w.name}`,
  warehouse_id: w.warehouse_id,
  warehouse: w.name,
  tpl_provider_id: 24,
  tpl_provider: 'Ozon Логистика',
});
export const DEFAULT_DELIVERY_WINDOW = { fbs: 5 * DAY, rfbs: 20 * DAY } as const;

/**
 * A drop-off point's limits when the warehouse gives none (`SandboxWarehouse.dropoffLimits`) — plausible numbers
 * of the sandbox's own; swagger's example has 40000 g and 500 cm sides.
 */
export const DEFAULT_DROPOFF_LIMITS: DropoffLimits = {
  max_posting_weight: 25_000,
  min_posting_weight: 0,
  width: 60,
  length: 40,
  height: 40,
  max_posting_price: 500_000,
  min_posting_price: 0,
};

export const RFBS_TPLS = ['non_integrated', '3pl_tracking', 'aggregator'] as const satisfies readonly RfbsTpl[];
export type TplIntegrationType = 'ozon' | RfbsTpl;
/** swagger tpl_integration_type: `ozon` for FBS; the carrier type for rFBS (default non_integrated) */
export const tplOf = (p: { schema: 'fbs' | 'rfbs'; tpl?: RfbsTpl }): TplIntegrationType =>
  p.schema === 'fbs' ? 'ozon' : (p.tpl ?? 'non_integrated');

/**
 * delivery_method of an rFBS posting per carrier type. The docs show no rFBS delivery method; names, ids and
 * providers are the sandbox's (the id is warehouse_id + offset).
 */
export const RFBS_DELIVERY = {
  non_integrated: {
    offset: 2,
    name: 'Доставка силами продавца',
    tpl_provider_id: 1000,
    tpl_provider: 'Собственная доставка продавца',
  },
  '3pl_tracking': { offset: 3, name: 'Доставка СДЭК', tpl_provider_id: 1001, tpl_provider: 'СДЭК' },
  aggregator: { offset: 4, name: 'Доставка Boxberry через Ozon', tpl_provider_id: 1002, tpl_provider: 'Boxberry' },
} as const;

/** Chat can be started / written to until this long after delivery (ozon-api.md §3.11). */
export const CHAT_AFTER_DELIVERY_MS = 72 * HOUR;
/**
 * After that, the seller may only answer, within this long of the buyer's last message (swagger
 * /v1/chat/send/message: "в течение 48 часов с момента получения последнего сообщения от покупателя"). chat.ts.
 */
export const CHAT_REPLY_WINDOW_MS = 48 * HOUR;

/** Cancel reasons (examples/response__v2_posting_fbs_cancel_reason_list__*.json, ozon-api.md §3.6). */
export const CANCEL_REASONS: { id: number; title: string; type_id: 'seller' | 'buyer' }[] = [
  { id: 352, title: 'Товар закончился на складе продавца', type_id: 'seller' },
  { id: 400, title: 'Остался только бракованный товар', type_id: 'seller' },
  { id: 401, title: 'Продавец отклонил арбитраж', type_id: 'seller' },
  { id: 402, title: 'Другое (вина продавца)', type_id: 'seller' },
  { id: 665, title: 'Покупатель не забрал заказ', type_id: 'buyer' },
  { id: 666, title: 'Возврат из службы доставки: нет доставки в указанный регион', type_id: 'seller' },
  { id: 667, title: 'Заказ утерян службой доставки', type_id: 'seller' },
];
/** Buyer-side reason used for buyer cancellations (swagger conditional-cancellation example: 507). */
export const BUYER_CANCEL_REASON = { id: 507, title: 'Покупатель передумал' };

/**
 * Accrual type ids for /v1/finance/accrual/postings. docs/35-betamethod.md documents the shape but not the id
 * values; these are the sandbox's own, served by /v1/finance/accrual/types.
 */
export const ACCRUAL_TYPES = {
  sale: {
    id: 1,
    name: 'OperationAgentDeliveredToCustomer',
    description: 'Выручка: продажа покупателю (цена × количество)',
  },
  commission: { id: 2, name: 'SaleCommission', description: 'Вознаграждение Ozon за продажу' },
  logistics: { id: 3, name: 'MarketplaceServiceItemDirectFlowLogistic', description: 'Логистика' },
  compensation: { id: 4, name: 'MarketplaceSellerCompensationOperation', description: 'Компенсация' },
  // after-sale reversals (aftersale.ts); the names are the return operations ozon-api.md §3.9 lists
  return: {
    id: 5,
    name: 'ClientReturnAgentOperation',
    description: 'Возврат покупателю: выручка за возвращённый товар или частичная компенсация (со знаком минус)',
  },
  returnDelivery: {
    id: 6,
    name: 'MarketplaceSellerReexposureDeliveryReturnOperation',
    description: 'Возмещение покупателю пересылки возврата rFBS (return_for_back_way)',
  },
} as const;

/**
 * The buyer's reasons for an rFBS cancellation request (`cancellation_reason`): docs/53-cancelreasonapi.md's list
 * (501–508 without 507, and 710) plus 507 "Покупатель передумал", the reason of swagger's conditional-cancellation
 * example. Default 507.
 */
export const CANCELLATION_REQUEST_REASONS: { id: number; name: string }[] = [
  { id: 501, name: 'Ozon перенёс срок доставки' },
  { id: 502, name: 'Отменили часть товаров из заказа' },
  { id: 503, name: 'Не применилась скидка или промокод' },
  { id: 504, name: 'Хочу изменить заказ и оформить заново' },
  { id: 505, name: 'Слишком долго ждать' },
  { id: 506, name: 'Нашёл дешевле' },
  { id: 507, name: 'Покупатель передумал' },
  { id: 508, name: 'Не нашёл нужную причину' },
  { id: 710, name: 'Указал неверный адрес' },
];

/**
 * Return reasons (`return_reason{id, name, is_defect}` of /v2/returns/rfbs/get, `return_reason_name` of
 * /v1/returns/list). The docs list none: ids and names are the sandbox's, in the wording of the docs' examples.
 */
export const RETURN_REASONS: { id: number; name: string; is_defect: boolean }[] = [
  { id: 1, name: 'Не подошёл товар', is_defect: false },
  { id: 2, name: 'Не подошёл размер', is_defect: false },
  { id: 3, name: 'Товар с браком', is_defect: true },
  { id: 4, name: 'Товар повреждён при доставке', is_defect: true },
  { id: 5, name: 'Привезли не тот товар', is_defect: true },
];

/**
 * Why the seller may reject an rFBS return request (`rejection_reason[]{id, name, hint, is_comment_required}` of
 * /v2/returns/rfbs/get; `rejection_reason_id` of /v1/returns/rfbs/action/set). The docs list none: the sandbox's.
 */
export const RETURN_REJECTION_REASONS: { id: number; name: string; hint: string; is_comment_required: boolean }[] = [
  {
    id: 1,
    name: 'Товар без недостатков',
    hint: 'Покупатель может открыть спор, если не согласен с решением',
    is_comment_required: true,
  },
  {
    id: 2,
    name: 'Истёк срок возврата',
    hint: 'Срок возврата товара надлежащего качества истёк',
    is_comment_required: false,
  },
  {
    id: 3,
    name: 'Товар был в использовании',
    hint: 'Приложите описание следов использования',
    is_comment_required: true,
  },
  { id: 4, name: 'Другое', hint: 'Опишите причину в комментарии', is_comment_required: true },
];

/** FBS returns at the drop-off point (/v1/returns/list `storage`): the sandbox's prices, RUB (the docs give none) */
export const RETURN_STORAGE_PER_DAY = 15;
export const RETURN_UTILIZATION_PRICE = 50;

export const COMMISSION_PERCENT = 15;
