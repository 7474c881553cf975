/**
 * One zod schema per Ozon endpoint version the product calls. Objects are loose: Ozon adds fields without notice
 * and that must not break a seller's orders; fields we act on are validated strictly enough to catch a change of
 * meaning. When Ozon moves a method to a new version, this file and the endpoint table in client.ts change.
 */
import * as z from 'zod';

const money = z.union([z.string(), z.number()]).transform((v) => String(v));
const nullableString = z.string().nullish();
const isoDate = z.string().nullish();

export const PostingStatus = z.string();

export const PostingProduct = z.looseObject({
  sku: z.number().int(),
  offer_id: z.string(),
  name: z.string().default(''),
  quantity: z.number().int().positive(),
  price: money,
  currency_code: z.string().nullish(),
});

export const FinancialProduct = z.looseObject({
  product_id: z.number().int(),
  price: z.coerce.number(),
  payout: z.coerce.number(),
  commission_amount: z.coerce.number().nullish(),
  quantity: z.number().int(),
  currency_code: z.string().nullish(),
});

const Tariffication = z.looseObject({
  current_tariff_rate: z.number().nullish(),
  current_tariff_type: z.string().nullish(),
  current_tariff_charge: z.union([z.string(), z.number(), z.looseObject({})]).nullish(),
  next_tariff_rate: z.number().nullish(),
  next_tariff_type: z.string().nullish(),
  next_tariff_starts_at: isoDate,
});

/** `/v3/posting/fbs/get` result (also the v3 list element). */
export const Posting = z.looseObject({
  posting_number: z.string().min(1),
  order_id: z.number().nullish(),
  order_number: nullableString,
  status: PostingStatus,
  substatus: nullableString,
  tracking_number: nullableString,
  tpl_integration_type: nullableString,
  available_actions: z.array(z.string()).nullish(),
  in_process_at: isoDate,
  shipment_date: isoDate,
  delivering_date: isoDate,
  delivery_method: z
    .looseObject({
      id: z.number().nullish(),
      name: nullableString,
      warehouse_id: z.number(),
      warehouse: nullableString,
      tpl_provider: nullableString,
    })
    .nullish(),
  products: z.array(PostingProduct).min(1),
  cancellation: z
    .looseObject({
      cancel_reason_id: z.number().nullish(),
      cancel_reason: nullableString,
      cancellation_type: nullableString,
      cancelled_after_ship: z.boolean().nullish(),
      cancellation_initiator: nullableString,
    })
    .nullish(),
  analytics_data: z
    .looseObject({
      delivery_date_begin: isoDate,
      delivery_date_end: isoDate,
    })
    .nullish(),
  financial_data: z
    .looseObject({
      products: z.array(FinancialProduct).nullish(),
    })
    .nullish(),
  // The reference documents an object; live payloads show an array of one. Accept both.
  tariffication: z.union([Tariffication, z.array(Tariffication)]).nullish(),
});
export type Posting = z.infer<typeof Posting>;

export const GetPostingResponse = z.looseObject({ result: Posting });

/** v4 lists return the posting with `price` as `{amount, currency}`; we read only identity and status from them. */
export const V4ListPosting = z.looseObject({
  posting_number: z.string().min(1),
  status: PostingStatus,
  substatus: nullableString,
  shipment_date: isoDate,
  /** When the posting came in: the catch-up poll looks only at postings newer than its last run. */
  in_process_at: isoDate.optional(),
});
export type V4ListPosting = z.infer<typeof V4ListPosting>;

export const V4ListResponse = z.looseObject({
  postings: z.array(V4ListPosting),
  cursor: z.string().nullish(),
  has_next: z.boolean(),
});
export type V4ListResponse = z.infer<typeof V4ListResponse>;

export const ShipResponse = z.looseObject({
  result: z.array(z.string()),
});

/** `{"result": true}`; some answers carry the string "true" (examples/response__v2_posting_fbs_cancel__2.json). */
export const BooleanResult = z.looseObject({
  result: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]),
});
export const StringResult = z.looseObject({ result: z.string() });
export const StartChatResponse = z.looseObject({ result: z.looseObject({ chat_id: z.string().min(1) }) });

/** rFBS status and tracking-number calls report success per posting. */
export const PerPostingResults = z.looseObject({
  result: z.array(
    z.looseObject({
      posting_number: z.string(),
      result: z.boolean(),
      error: z.union([z.string(), z.array(z.string())]).nullish(),
    }),
  ),
});
export type PerPostingResults = z.infer<typeof PerPostingResults>;

/** The errors of the postings Ozon refused in a per-posting answer ("unknown error" where it gave none). */
export const refusedItems = (r: PerPostingResults): string[] =>
  r.result.filter((x) => !x.result).map((x) => [x.error].flat().join(', ') || 'unknown error');

const Amount = z.looseObject({ amount: money, currency: z.string().nullish() });
export const AccrualPostingsResponse = z.looseObject({
  posting_accruals: z.array(
    z.looseObject({
      posting_number: z.string(),
      accruals: z.array(
        z.looseObject({
          accrual_date: z.string().nullish(),
          type_id: z.number().int(),
          sku: z.number().nullish(),
          quantity: z.number().nullish(),
          accrued: Amount,
          seller_price: Amount.nullish(),
        }),
      ),
    }),
  ),
});
export type AccrualPostingsResponse = z.infer<typeof AccrualPostingsResponse>;

export const RolesResponse = z.looseObject({
  expires_at: isoDate,
  roles: z.array(z.looseObject({ name: z.string(), methods: z.array(z.string()).nullish() })),
});

export const WarehouseListResponse = z.looseObject({
  warehouses: z.array(
    z.looseObject({
      warehouse_id: z.number(),
      name: z.string(),
      status: z.string().nullish(),
      is_rfbs: z.boolean().nullish(),
    }),
  ),
  cursor: z.string().nullish(),
  has_next: z.boolean().nullish(),
});

/** `/v1/notification/list`: the push URLs connected to the account and the types each receives. */
export const NotificationListResponse = z.looseObject({
  urls: z.array(
    z.looseObject({
      url: z.string(),
      enable: z.boolean().nullish(),
      created_at: isoDate,
      types: z.array(z.looseObject({ type: z.string(), description: z.string().nullish() })).nullish(),
    }),
  ),
});
export type NotificationListResponse = z.infer<typeof NotificationListResponse>;

/** `/v2/products/stocks`: per (offer, warehouse) whether the update was taken, with Ozon's error codes if not. */
export const StocksUpdateResponse = z.looseObject({
  result: z.array(
    z.looseObject({
      offer_id: z.string().nullish(),
      product_id: z.number().nullish(),
      warehouse_id: z.number().nullish(),
      updated: z.boolean(),
      errors: z.array(z.looseObject({ code: z.string().nullish(), message: z.string().nullish() })).nullish(),
    }),
  ),
});

/** Ozon's error body (`rpcStatus`); legacy envelopes nest it under `error`. */
export const OzonErrorBody = z.union([
  z.looseObject({ code: z.union([z.number(), z.string()]).optional(), message: z.string() }),
  z.looseObject({
    error: z.looseObject({ code: z.union([z.number(), z.string()]).nullish(), message: z.string().nullish() }),
  }),
]);
