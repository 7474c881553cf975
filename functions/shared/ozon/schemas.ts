/**
 * One zod schema per Ozon endpoint version the product calls. Objects are loose: Ozon adds fields without notice
 * and that must not break a seller's orders; fields we act on are validated strictly enough to catch a change of
 * meaning. When Ozon moves a method to a new version, this file and the endpoint table in client.ts change.
 */
import * as z from 'zod/mini';

const money = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((v) => String(v)),
);
const nullableString = z.nullish(z.string());
const isoDate = z.nullish(z.string());

export const PostingStatus = z.string();

export const PostingProduct = z.looseObject({
  sku: z.int(),
  offer_id: z.string(),
  name: z._default(z.string(), ''),
  quantity: z.int().check(z.positive()),
  price: money,
  currency_code: z.nullish(z.string()),
});

export const FinancialProduct = z.looseObject({
  product_id: z.int(),
  price: z.coerce.number(),
  payout: z.coerce.number(),
  commission_amount: z.nullish(z.coerce.number()),
  quantity: z.int(),
  currency_code: z.nullish(z.string()),
});

const Tariffication = z.looseObject({
  current_tariff_rate: z.nullish(z.number()),
  current_tariff_type: z.nullish(z.string()),
  current_tariff_charge: z.nullish(z.union([z.string(), z.number(), z.looseObject({})])),
  next_tariff_rate: z.nullish(z.number()),
  next_tariff_type: z.nullish(z.string()),
  next_tariff_starts_at: isoDate,
});

/** `/v3/posting/fbs/get` result (also the v3 list element). */
export const Posting = z.looseObject({
  posting_number: z.string().check(z.minLength(1)),
  order_id: z.nullish(z.number()),
  order_number: nullableString,
  status: PostingStatus,
  substatus: nullableString,
  tracking_number: nullableString,
  tpl_integration_type: nullableString,
  available_actions: z.nullish(z.array(z.string())),
  in_process_at: isoDate,
  shipment_date: isoDate,
  delivering_date: isoDate,
  delivery_method: z.nullish(
    z.looseObject({
      id: z.nullish(z.number()),
      name: nullableString,
      warehouse_id: z.number(),
      warehouse: nullableString,
      tpl_provider: nullableString,
    }),
  ),
  products: z.array(PostingProduct).check(z.minLength(1)),
  cancellation: z.nullish(
    z.looseObject({
      cancel_reason_id: z.nullish(z.number()),
      cancel_reason: nullableString,
      cancellation_type: nullableString,
      cancelled_after_ship: z.nullish(z.boolean()),
      cancellation_initiator: nullableString,
    }),
  ),
  analytics_data: z.nullish(
    z.looseObject({
      delivery_date_begin: isoDate,
      delivery_date_end: isoDate,
    }),
  ),
  financial_data: z.nullish(
    z.looseObject({
      products: z.nullish(z.array(FinancialProduct)),
    }),
  ),
  // The reference documents an object; live payloads show an array of one. Accept both.
  tariffication: z.nullish(z.union([Tariffication, z.array(Tariffication)])),
  /** What Ozon needs before it assembles: per requirement, the SKUs that need it (docs/19-fbsandrfbsmarks.md). */
  requirements: z.nullish(
    z.looseObject({
      products_requiring_mandatory_mark: z.nullish(z.array(z.number())),
      products_requiring_gtd: z.nullish(z.array(z.number())),
      products_requiring_country: z.nullish(z.array(z.number())),
      products_requiring_rnpt: z.nullish(z.array(z.number())),
      products_requiring_jw_uin: z.nullish(z.array(z.number())),
    }),
  ),
  /** A multi-box product: the box count goes to Ozon before assembly (/v3/posting/multiboxqty/set). */
  is_multibox: z.nullish(z.boolean()),
  /** Set on a posting that came out of a split (a ship in several packages): the posting it came from. */
  parent_posting_number: nullableString,
});
export type Posting = z.infer<typeof Posting>;

export const GetPostingResponse = z.looseObject({ result: Posting });

/** v4 lists return the posting with `price` as `{amount, currency}`; we read only identity and status from them. */
export const V4ListPosting = z.looseObject({
  posting_number: z.string().check(z.minLength(1)),
  status: PostingStatus,
  substatus: nullableString,
  shipment_date: isoDate,
  // The carriage an FBS posting goes with (handover/carriage-plan.ts): its method, warehouse and shipment date.
  tpl_integration_type: nullableString,
  delivery_method: z.nullish(z.looseObject({ id: z.nullish(z.number()), warehouse_id: z.nullish(z.number()) })),
});
export type V4ListPosting = z.infer<typeof V4ListPosting>;

export const V4ListResponse = z.looseObject({
  postings: z.array(V4ListPosting),
  cursor: z.nullish(z.string()),
  has_next: z.boolean(),
});
export type V4ListResponse = z.infer<typeof V4ListResponse>;

export const ShipResponse = z.looseObject({
  result: z.array(z.string()),
});

const ExemplarMark = z.looseObject({ mark: z.string(), mark_type: z.string() });
/** `/v6/fbs/posting/product/exemplar/create-or-get`: one exemplar id per unit, and what each product needs. */
export const ExemplarsResponse = z.looseObject({
  posting_number: z.string(),
  multi_box_qty: z.nullish(z.number()),
  products: z.array(
    z.looseObject({
      product_id: z.int(),
      quantity: z.nullish(z.int()),
      exemplars: z.array(z.looseObject({ exemplar_id: z.int(), marks: z.nullish(z.array(ExemplarMark)) })),
      is_gtd_needed: z.nullish(z.boolean()),
      is_mandatory_mark_needed: z.nullish(z.boolean()),
      is_rnpt_needed: z.nullish(z.boolean()),
      is_jw_uin_needed: z.nullish(z.boolean()),
    }),
  ),
});
export type ExemplarsResponse = z.infer<typeof ExemplarsResponse>;
const ValidatedExemplar = z.looseObject({
  errors: z.nullish(z.array(z.string())),
  valid: z.boolean(),
  marks: z.nullish(
    z.array(z.looseObject({ mark: z.string(), valid: z.boolean(), errors: z.nullish(z.array(z.string())) })),
  ),
});
/** `/v5/fbs/posting/product/exemplar/validate`: the codes' format, per product and unit. */
export const ExemplarValidateResponse = z.looseObject({
  products: z.array(
    z.looseObject({
      product_id: z.int(),
      valid: z.boolean(),
      error: z.nullish(z.string()),
      exemplars: z.nullish(z.array(ValidatedExemplar)),
    }),
  ),
});
export type ExemplarValidateResponse = z.infer<typeof ExemplarValidateResponse>;
/** `/v5/fbs/posting/product/exemplar/status`: Ozon's check of what exemplar/set stored. */
export const ExemplarStatusResponse = z.looseObject({
  posting_number: z.nullish(z.string()),
  status: z.string(),
  products: z.nullish(
    z.array(
      z.looseObject({
        product_id: z.int(),
        exemplars: z.nullish(
          z.array(
            z.looseObject({
              marks: z.nullish(
                z.array(z.looseObject({ mark: z.string(), error_codes: z.nullish(z.array(z.string())) })),
              ),
              gtd_error_codes: z.nullish(z.array(z.string())),
              rnpt_error_codes: z.nullish(z.array(z.string())),
            }),
          ),
        ),
      }),
    ),
  ),
});
export type ExemplarStatusResponse = z.infer<typeof ExemplarStatusResponse>;
/** exemplar/set documents a 200 without a body. */
export const EmptyResponse = z.looseObject({});
/** `/v3/posting/multiboxqty/set` */
export const MultiBoxQtyResponse = z.looseObject({ result: z.looseObject({ result: z.boolean() }) });
/** `/v1/posting/fbs/restrictions`: the drop-off point's limits for the posting (grams, centimetres, roubles). */
export const RestrictionsResponse = z.looseObject({
  result: z.looseObject({
    posting_number: z.nullish(z.string()),
    max_posting_weight: z.nullish(z.number()),
    min_posting_weight: z.nullish(z.number()),
    width: z.nullish(z.number()),
    length: z.nullish(z.number()),
    height: z.nullish(z.number()),
    max_posting_price: z.nullish(z.number()),
    min_posting_price: z.nullish(z.number()),
  }),
});
export type RestrictionsResponse = z.infer<typeof RestrictionsResponse>;

/** `{"result": true}`; some answers carry the string "true" (examples/response__v2_posting_fbs_cancel__2.json). */
export const BooleanResult = z.looseObject({
  result: z.union([
    z.boolean(),
    z.pipe(
      z.enum(['true', 'false']),
      z.transform((v) => v === 'true'),
    ),
  ]),
});
export const StringResult = z.looseObject({ result: z.string() });
export const StartChatResponse = z.looseObject({
  result: z.looseObject({ chat_id: z.string().check(z.minLength(1)) }),
});

/** rFBS status and tracking-number calls report success per posting. */
export const PerPostingResults = z.looseObject({
  result: z.array(
    z.looseObject({
      posting_number: z.string(),
      result: z.boolean(),
      error: z.nullish(z.union([z.string(), z.array(z.string())])),
    }),
  ),
});
export type PerPostingResults = z.infer<typeof PerPostingResults>;

/** The errors of the postings Ozon refused in a per-posting answer ("unknown error" where it gave none). */
export const refusedItems = (r: PerPostingResults): string[] =>
  r.result.filter((x) => !x.result).map((x) => [x.error].flat().join(', ') || 'unknown error');

const Amount = z.looseObject({ amount: money, currency: z.nullish(z.string()) });
export const AccrualPostingsResponse = z.looseObject({
  posting_accruals: z.array(
    z.looseObject({
      posting_number: z.string(),
      accruals: z.array(
        z.looseObject({
          accrual_date: z.nullish(z.string()),
          type_id: z.int(),
          sku: z.nullish(z.number()),
          quantity: z.nullish(z.number()),
          accrued: Amount,
          seller_price: z.nullish(Amount),
        }),
      ),
    }),
  ),
});
export type AccrualPostingsResponse = z.infer<typeof AccrualPostingsResponse>;

/** `/v1/finance/accrual/types`: the names of the accrual type ids `/v1/finance/accrual/postings` answers with. */
export const AccrualTypesResponse = z.looseObject({
  accrual_types: z.array(z.looseObject({ id: z.int(), name: z.string(), description: z.nullish(z.string()) })),
});

export const RolesResponse = z.looseObject({
  expires_at: isoDate,
  roles: z.array(z.looseObject({ name: z.string(), methods: z.nullish(z.array(z.string())) })),
});

export const WarehouseListResponse = z.looseObject({
  warehouses: z.array(
    z.looseObject({
      warehouse_id: z.number(),
      name: z.string(),
      status: z.nullish(z.string()),
      is_rfbs: z.nullish(z.boolean()),
    }),
  ),
  cursor: z.nullish(z.string()),
  has_next: z.nullish(z.boolean()),
});

/** `/v1/notification/list`: the push URLs connected to the account and the types each receives. */
export const NotificationListResponse = z.looseObject({
  urls: z.array(
    z.looseObject({
      url: z.string(),
      enable: z.nullish(z.boolean()),
      created_at: isoDate,
      types: z.nullish(z.array(z.looseObject({ type: z.string(), description: z.nullish(z.string()) }))),
    }),
  ),
});
export type NotificationListResponse = z.infer<typeof NotificationListResponse>;

/** `/v2/products/stocks`: per (offer, warehouse) whether the update was taken, with Ozon's error codes if not. */
export const StocksUpdateResponse = z.looseObject({
  result: z.array(
    z.looseObject({
      offer_id: z.nullish(z.string()),
      product_id: z.nullish(z.number()),
      warehouse_id: z.nullish(z.number()),
      updated: z.boolean(),
      errors: z.nullish(z.array(z.looseObject({ code: z.nullish(z.string()), message: z.nullish(z.string()) }))),
    }),
  ),
});

/**
 * `/v4/product/info/stocks`: per offer, Ozon's stock by scheme (`type` fbs, rfbs, …), with the warehouses each
 * figure covers — `reserved` is what Ozon holds for postings not yet shipped.
 */
export const ProductStocksResponse = z.looseObject({
  items: z.array(
    z.looseObject({
      offer_id: z.string(),
      product_id: z.nullish(z.number()),
      stocks: z.array(
        z.looseObject({
          sku: z.nullish(z.number()),
          present: z.number(),
          reserved: z.number(),
          type: z.nullish(z.string()),
          // int64 in Ozon's schema: sent as strings.
          warehouse_ids: z.nullish(z.array(z.coerce.number())),
        }),
      ),
    }),
  ),
  cursor: z.nullish(z.string()),
  total: z.nullish(z.number()),
});
export type ProductStocksResponse = z.infer<typeof ProductStocksResponse>;

/** Ozon's error body (`rpcStatus`); legacy envelopes nest it under `error`. */
export const OzonErrorBody = z.union([
  z.looseObject({ code: z.optional(z.union([z.number(), z.string()])), message: z.string() }),
  z.looseObject({
    error: z.looseObject({ code: z.nullish(z.union([z.number(), z.string()])), message: z.nullish(z.string()) }),
  }),
]);

/** `/v2/carriage/delivery/list`: the delivery methods with postings to hand over on a date, and their carriages. */
export const CarriageDeliveryListResponse = z.looseObject({
  methods: z._default(
    z.array(
      z.looseObject({
        delivery_method_id: z.number(),
        delivery_method_name: nullableString,
        warehouse_id: z.nullish(z.number()),
        warehouse_name: nullableString,
        departure_date: nullableString,
        cutoff_at: nullableString,
        is_rfbs: z.nullish(z.boolean()),
        mandatory_postings_count: z.nullish(z.number()),
        mandatory_packaged_count: z.nullish(z.number()),
        carriages: z.nullish(z.array(z.looseObject({ id: z.number(), status: nullableString }))),
      }),
    ),
    [],
  ),
  cursor: nullableString,
  has_next: z.nullish(z.boolean()),
});
export type CarriageDeliveryListResponse = z.infer<typeof CarriageDeliveryListResponse>;
/** `/v2/posting/fbs/act/create`: the carriage (act) id. */
export const ActCreateResponse = z.looseObject({ result: z.looseObject({ id: z.number() }) });
/** `/v2/posting/fbs/act/check-status`. */
export const ActStatusResponse = z.looseObject({
  result: z.looseObject({
    status: z.string(),
    act_type: nullableString,
    added_to_act: z._default(z.array(z.string()), []),
    removed_from_act: z._default(z.array(z.string()), []),
    has_postings_for_next_carriage: z.nullish(z.boolean()),
  }),
});
export type ActStatusResponse = z.infer<typeof ActStatusResponse>;
/** `/v2/conditional-cancellation/list` (docs/26-cancellationapi.md). */
export const CancellationListResponse = z.looseObject({
  result: z._default(
    z.array(
      z.looseObject({
        cancellation_id: z.number(),
        posting_number: z.string(),
        auto_approve_date: isoDate,
        cancelled_at: isoDate,
        cancellation_initiator: nullableString,
        cancellation_reason: z.nullish(z.looseObject({ id: z.nullish(z.number()), name: nullableString })),
        cancellation_reason_message: nullableString,
        state: z.nullish(z.looseObject({ id: z.nullish(z.number()), name: nullableString, state: nullableString })),
      }),
    ),
    [],
  ),
  last_id: z.nullish(z.union([z.number(), z.string()])),
});
export type CancellationListResponse = z.infer<typeof CancellationListResponse>;
/** `/v2/posting/fbs/package-label/create`: a task per label size (`big_label`, `small_label`). */
export const LabelTasksResponse = z.looseObject({
  result: z.looseObject({
    tasks: z._default(z.array(z.looseObject({ task_id: z.number(), task_type: nullableString })), []),
  }),
});
/**
 * `/v1/posting/fbs/package-label/get`: the task's status, and once done the file's link and the postings Ozon could
 * not print (docs/14-fbs.md: `unprinted_postings`, "Array of objects" with no fields named; the posting number and a
 * message are read where present).
 */
export const LabelTaskResponse = z.looseObject({
  result: z.looseObject({
    status: z.string(),
    error: nullableString,
    file_url: nullableString,
    printed_postings_count: z.nullish(z.number()),
    unprinted_postings: z._default(
      z.array(z.looseObject({ posting_number: nullableString, msg: nullableString, error: nullableString })),
      [],
    ),
  }),
});
export type LabelTaskResponse = z.infer<typeof LabelTaskResponse>;
/** `/v2/posting/fbs/act/get-pdf`, `/v2/posting/fbs/act/get-barcode`: a file in JSON. */
export const FileResponse = z.looseObject({
  file_content: z.string(),
  file_name: nullableString,
  content_type: nullableString,
});
export type FileResponse = z.infer<typeof FileResponse>;

/** `product` of an rFBS return (docs/24: the price is a number in the docs' examples, a string in swagger). */
const RfbsReturnProduct = z.looseObject({
  sku: z.nullish(z.number()),
  offer_id: z._default(z.string(), ''),
  name: z._default(z.string(), ''),
  price: z.nullish(z.coerce.number()),
  currency_code: nullableString,
});
/** `/v2/returns/rfbs/list` (docs/24-rfbsreturnsapi.md): `returns` is an array in the docs' example. */
export const RfbsReturnListResponse = z.looseObject({
  returns: z._default(
    z.array(
      z.looseObject({
        return_id: z.number(),
        posting_number: z.string(),
        created_at: isoDate,
        product: z.nullish(RfbsReturnProduct),
        state: z.nullish(z.looseObject({ state: nullableString, group_state: nullableString })),
      }),
    ),
    [],
  ),
});
export type RfbsReturnListResponse = z.infer<typeof RfbsReturnListResponse>;
/** `/v2/returns/rfbs/get`: the request, what the seller may do now, and the reasons a rejection may give. */
export const RfbsReturnResponse = z.looseObject({
  returns: z.looseObject({
    // The docs' shape {action{id, name}}; swagger's {id, name} is read too.
    available_actions: z._default(
      z.array(
        z.looseObject({
          action: z.nullish(z.looseObject({ id: z.number(), name: nullableString })),
          id: z.nullish(z.number()),
          name: nullableString,
        }),
      ),
      [],
    ),
    client_photo: z._default(z.array(z.string()), []),
    comment: nullableString,
    created_at: isoDate,
    posting_number: z.string(),
    product: z.nullish(RfbsReturnProduct),
    rejection_reason: z._default(
      z.array(z.looseObject({ id: z.number(), name: nullableString, is_comment_required: z.nullish(z.boolean()) })),
      [],
    ),
    return_reason: z.nullish(
      z.looseObject({ id: z.nullish(z.number()), name: nullableString, is_defect: z.nullish(z.boolean()) }),
    ),
    state: z.nullish(z.looseObject({ state: nullableString, state_name: nullableString })),
  }),
});
export type RfbsReturn = z.infer<typeof RfbsReturnResponse>['returns'];
/** `/v1/returns/list` (docs/23-returnsapi.md; examples/response__v1_returns_list__1.json). */
export const FbsReturnListResponse = z.looseObject({
  returns: z._default(
    z.array(
      z.looseObject({
        id: z.number(),
        posting_number: z.string(),
        schema: nullableString,
        type: nullableString,
        return_reason_name: nullableString,
        product: z.nullish(
          z.looseObject({
            sku: z.nullish(z.number()),
            offer_id: z._default(z.string(), ''),
            name: z._default(z.string(), ''),
            quantity: z.nullish(z.number()),
            price: z.nullish(z.looseObject({ price: z.nullish(z.coerce.number()), currency_code: nullableString })),
          }),
        ),
        logistic: z.nullish(z.looseObject({ return_date: isoDate, final_moment: isoDate, barcode: nullableString })),
        storage: z.nullish(
          z.looseObject({
            arrived_moment: isoDate,
            tariffication_start_date: isoDate,
            utilization_forecast_date: isoDate,
          }),
        ),
        visual: z.nullish(
          z.looseObject({
            status: z.nullish(z.looseObject({ sys_name: nullableString, display_name: nullableString })),
            change_moment: isoDate,
          }),
        ),
      }),
    ),
    [],
  ),
  has_next: z.nullish(z.boolean()),
});
export type FbsReturn = z.infer<typeof FbsReturnListResponse>['returns'][number];

/** `/v1/rating/summary` (swagger RatingSummaryV1Response): the seller's rating indicators by group. */
export const RatingSummaryResponse = z.looseObject({
  groups: z._default(
    z.array(
      z.looseObject({
        group_name: nullableString,
        items: z._default(
          z.array(
            z.looseObject({
              rating: z.string(),
              name: nullableString,
              current_value: z.nullish(z.number()),
              past_value: z.nullish(z.number()),
              status: nullableString,
              value_type: nullableString,
              rating_direction: nullableString,
            }),
          ),
          [],
        ),
      }),
    ),
    [],
  ),
  penalty_score_exceeded: z.nullish(z.boolean()),
  premium: z.nullish(z.boolean()),
  premium_plus: z.nullish(z.boolean()),
});
export type RatingSummaryResponse = z.infer<typeof RatingSummaryResponse>;

/** `/v3/chat/history` (swagger): a chat's messages; `context.order_number` names the order a buyer writes about. */
export const ChatHistoryResponse = z.looseObject({
  messages: z._default(
    z.array(
      z.looseObject({
        message_id: z.nullish(z.union([z.number(), z.string()])),
        context: z.nullish(z.looseObject({ order_number: nullableString })),
      }),
    ),
    [],
  ),
});

/** `/v1/analytics/data`: one row per dimension value (the SKU here), the metrics in the order asked for. */
export const AnalyticsResponse = z.looseObject({
  result: z.looseObject({
    data: z._default(
      z.array(
        z.looseObject({
          dimensions: z._default(z.array(z.looseObject({ id: z.string(), name: nullableString })), []),
          metrics: z._default(z.array(z.nullish(z.number())), []),
        }),
      ),
      [],
    ),
    totals: z._default(z.array(z.nullish(z.number())), []),
  }),
});
export type AnalyticsResponse = z.infer<typeof AnalyticsResponse>;
