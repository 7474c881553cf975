/**
 * The v3 (`/v3/posting/fbs/get`) and v4 (`/v4/posting/fbs/list`, `/v4/posting/fbs/unfulfilled/list`) renderings
 * of a posting. Pure functions of the posting and the model's money/action rules.
 */
import { COMMISSION_PERCENT, tplOf } from './catalogue.js';
import { mandatoryMarksOf, renderProductExemplars } from './exemplars.js';
import type { Cancellation, Model, Posting } from './model.js';
import { RESERVING_STATUSES } from './stock.js';
import { iso, money } from './util.js';

/** the buyer's id (rFBS `customer.customer_id`; the buyer's `user.id` in chats, chat.ts) */
export const customerIdOf = (p: Posting) => 100_000 + (p.order_id % 900_000);

function customer(p: Posting) {
  if (p.schema === 'fbs') return null;
  return {
    customer_id: customerIdOf(p),
    name: 'Иван Покупатель',
    phone: '+79990000000',
    address: {
      address_tail: 'ул. Тверская, д. 1, кв. 1',
      city: 'Москва',
      comment: '',
      country: 'Россия',
      district: '',
      region: 'Москва',
      zip_code: '125009',
      latitude: 55.757,
      longitude: 37.615,
      pvz_code: 0,
      provider_pvz_code: '',
    },
  };
}

function analytics(m: Model, p: Posting) {
  const dm = m.deliveryMethod(p);
  return {
    region: 'Москва',
    city: 'Москва',
    delivery_type: p.schema === 'fbs' ? 'Courier' : 'Seller',
    is_premium: false,
    payment_type_group_name: 'Карты оплаты',
    warehouse_id: dm.warehouse_id,
    warehouse: dm.warehouse,
    tpl_provider_id: dm.tpl_provider_id,
    tpl_provider: dm.tpl_provider,
    delivery_date_begin: iso(p.deliveryBegin),
    delivery_date_end: iso(p.deliveryEnd),
    is_legal: false,
    client_delivery_date_begin: iso(p.deliveryBegin),
    client_delivery_date_end: iso(p.deliveryEnd),
  };
}

/** 0 before hand-over for a posting created with `payoutUnknownUntilShipped` (Ozon's examples before shipping). */
function payoutShown(p: Posting, payout: number): number {
  return p.payoutUnknownUntilShipped && RESERVING_STATUSES.has(p.status) ? 0 : payout;
}

function requirements(p: Posting) {
  return {
    products_requiring_mandatory_mark: p.marksRequired ? p.lines.map((l) => l.sku) : [],
    products_requiring_gtd: [],
    products_requiring_country: [],
    products_requiring_change_country: [],
    products_requiring_rnpt: [],
    products_requiring_jw_uin: [],
  };
}

/**
 * swagger v3FbsPostingDetail: is_multibox true — "до сборки передайте количество коробок"; false — assembled with
 * the count in multi_box_qty, or no multi-box product (Ozon's examples: false / 1). Until the count is given,
 * multi_box_qty is 0 (the sandbox's reading: the exemplar examples' default for "not given").
 */
export function multiBoxFields(p: Posting) {
  if (!p.multiBox) return { is_multibox: false, multi_box_qty: 1 };
  return { is_multibox: p.status === 'awaiting_packaging', multi_box_qty: p.multiBoxQty ?? 0 };
}

function cancellation(p: Posting): Cancellation {
  return (
    p.cancellation ?? {
      cancel_reason_id: 0,
      cancel_reason: '',
      cancellation_type: '',
      cancelled_after_ship: false,
      affect_cancellation_rating: false,
      cancellation_initiator: '',
    }
  );
}

function barcodes(p: Posting) {
  return { upper_barcode: `%101%${p.order_id}`, lower_barcode: `${p.order_id}000` };
}

/** /v3/posting/fbs/get `result` (also used by sandbox.posting()) */
export function renderV3(m: Model, p: Posting, w: Record<string, unknown> = {}): Record<string, unknown> {
  const fin = m.financialLines(p);
  return {
    posting_number: p.posting_number,
    order_id: p.order_id,
    order_number: p.order_number,
    parent_posting_number: p.parentPostingNumber,
    status: p.status,
    substatus: p.substatus,
    previous_substatus: p.previous_substatus,
    delivery_method: m.deliveryMethod(p),
    tracking_number: p.tracking_number,
    tpl_integration_type: tplOf(p),
    in_process_at: iso(p.createdAt),
    shipment_date: iso(p.shipmentDate),
    shipment_date_without_delay: iso(p.shipmentDate),
    delivering_date: p.deliveringDate === null ? null : iso(p.deliveringDate),
    provider_status: '',
    delivery_price: '',
    available_actions: m.availableActions(p),
    cancellation: cancellation(p),
    customer: customer(p),
    addressee: p.schema === 'fbs' ? null : { name: 'Иван Покупатель', phone: '+79990000000' },
    products: p.lines.map((l) => ({
      sku: l.sku,
      offer_id: l.offer_id,
      name: l.name,
      quantity: l.quantity,
      price: l.price,
      currency_code: 'RUB',
      mandatory_mark: mandatoryMarksOf(p, l.sku),
      is_blr_traceable: false,
      dimensions: { height: '100.00', length: '200.00', weight: '500', width: '150.00' },
    })),
    barcodes: w.barcodes ? barcodes(p) : null,
    analytics_data: w.analytics_data ? analytics(m, p) : null,
    financial_data: w.financial_data
      ? {
          cluster_from: 'Москва, МО и Дальние регионы',
          cluster_to: 'Москва, МО и Дальние регионы',
          products: fin.map((f) => ({
            product_id: f.line.sku,
            price: f.price,
            old_price: f.price,
            payout: payoutShown(p, f.payout),
            commission_amount: f.commission,
            commission_percent: COMMISSION_PERCENT,
            quantity: f.line.quantity,
            currency_code: 'RUB',
            total_discount_value: 0,
            total_discount_percent: 0,
            actions: [],
            picking: null,
            client_price: '',
          })),
        }
      : null,
    legal_info: w.legal_info ? { company_name: '', inn: '', kpp: '' } : null,
    product_exemplars: w.product_exemplars ? renderProductExemplars(p) : null,
    related_postings: w.related_postings ? { related_posting_numbers: m.relatedPostings(p) } : null,
    courier: null,
    additional_data: [],
    is_express: false,
    ...multiBoxFields(p),
    requirements: requirements(p),
    optional: { products_with_possible_mandatory_mark: [] },
    tariffication: tarifficationV3(m, p),
    tariffication_steps: tarifficationSteps(m, p),
    prr_option: null,
  };
}

/** v4 list posting (price objects, commission object; ozon-api.md §3.2 "v4:" notes) */
export function renderV4(model: Model, p: Posting, w: Record<string, unknown> = {}): Record<string, unknown> {
  const v3 = renderV3(model, p, w);
  const m = (n: number | string) => ({ amount: typeof n === 'number' ? money(n) : n, currency: 'RUB' });
  const fin = model.financialLines(p);
  return {
    ...v3,
    integration_type_flow: v3.tpl_integration_type,
    products: p.lines.map((l) => ({
      sku: l.sku,
      offer_id: l.offer_id,
      name: l.name,
      quantity: l.quantity,
      price: m(l.price),
      imei: [],
      weight: null,
      is_blr_traceable: false,
    })),
    requirements: { ...requirements(p), products_requiring_imei: [], products_requiring_weight: [] },
    financial_data: w.financial_data
      ? {
          cluster_from: 'Москва, МО и Дальние регионы',
          cluster_to: 'Москва, МО и Дальние регионы',
          products: fin.map((f) => ({
            product_id: f.line.sku,
            quantity: f.line.quantity,
            price: m(f.price),
            old_price: m(f.price),
            customer_price: m(f.price),
            payout: m(payoutShown(p, f.payout)),
            commission: { amount: money(f.commission), currency: 'RUB', percent: COMMISSION_PERCENT },
            total_discount_value: m(0),
            total_discount_percent: 0,
            actions: [],
          })),
        }
      : null,
    tariffication: tarifficationV4(model, p),
  };
}

// ------------------------------------------------------------------ tariffication (CreatePostingSpec.tariffSteps)
//
// Field names and types: swagger v3FbsTariffication (v3: charges are strings with a *_currency_code beside them)
// and the v4 list example in docs/14-fbs.md (charges are {amount, currency}); tariffication_steps[] {min_charge,
// tariff_charge{amount, currency}, tariff_deadline_at, tariff_rate, tariff_type} as in docs/14-fbs.md's examples.
// swagger types v3 `tariffication` as an array of one and lists no tariffication_steps; the newer docs (which
// ozon-api.md lets win) document an object and the steps, and the sandbox always rendered an object: kept.
// Sandbox choices where the docs are silent: the charge is rate % of the goods' total; tariff_type is
// `no_discount` at rate 0 and `commission` above it (the docs' values), `discount` below it (swagger: "скидка или
// надбавка"); no minimum charge (min_charge null); after the last step the next tariff is empty, with
// next_tariff_starts_at null; the last step's deadline is 9999-12-31T23:59:59.999Z (the docs' "never").

const NEVER = '9999-12-31T23:59:59.999Z';
const tariffType = (rate: number) => (rate === 0 ? 'no_discount' : rate > 0 ? 'commission' : 'discount');
const chargeOf = (m: Model, p: Posting, rate: number) => Math.round(m.postingPrice(p) * rate) / 100;

function tarifficationV3(m: Model, p: Posting) {
  const t = m.tariffAt(p);
  if (!t)
    return {
      current_tariff_rate: 0,
      current_tariff_type: '',
      current_tariff_charge: '',
      current_tariff_charge_currency_code: '',
      next_tariff_rate: 0,
      next_tariff_type: '',
      next_tariff_charge: '',
      next_tariff_starts_at: iso(p.shipmentDate),
      next_tariff_charge_currency_code: '',
    };
  return {
    current_tariff_rate: t.current.rate,
    current_tariff_type: tariffType(t.current.rate),
    current_tariff_charge: money(chargeOf(m, p, t.current.rate)),
    current_tariff_charge_currency_code: 'RUB',
    next_tariff_rate: t.next?.rate ?? 0,
    next_tariff_type: t.next ? tariffType(t.next.rate) : '',
    next_tariff_charge: t.next ? money(chargeOf(m, p, t.next.rate)) : '',
    next_tariff_starts_at: t.next ? iso(t.next.startsAt) : null,
    next_tariff_charge_currency_code: t.next ? 'RUB' : '',
  };
}

function tarifficationV4(m: Model, p: Posting) {
  const rub = (n: number) => ({ amount: money(n), currency: 'RUB' });
  const t = m.tariffAt(p);
  if (!t)
    return {
      current_tariff_rate: 0,
      current_tariff_type: '',
      current_tariff_charge: rub(0),
      next_tariff_rate: 0,
      next_tariff_type: '',
      next_tariff_charge: rub(0),
      next_tariff_starts_at: iso(p.shipmentDate),
    };
  return {
    current_tariff_rate: t.current.rate,
    current_tariff_type: tariffType(t.current.rate),
    current_tariff_charge: rub(chargeOf(m, p, t.current.rate)),
    next_tariff_rate: t.next?.rate ?? 0,
    next_tariff_type: t.next ? tariffType(t.next.rate) : '',
    next_tariff_charge: rub(t.next ? chargeOf(m, p, t.next.rate) : 0),
    next_tariff_starts_at: t.next ? iso(t.next.startsAt) : null,
  };
}

function tarifficationSteps(m: Model, p: Posting) {
  const t = m.tariffAt(p);
  if (!t) return [];
  return t.steps.map((st) => ({
    min_charge: null,
    tariff_charge: { amount: money(chargeOf(m, p, st.rate)), currency: 'RUB' },
    tariff_deadline_at: st.endsAt === null ? NEVER : iso(st.endsAt),
    tariff_rate: st.rate,
    tariff_type: tariffType(st.rate),
  }));
}
