/**
 * Configuration per function role, read once: each section is the environment one capability needs (the table,
 * the alerts topic, Ozon, the push queue...), parsed on first use with its own zod schema. A function reads only
 * the sections it uses, the CDK stack sets only their variables (infra/constructs/autopilot-function.ts binds a
 * resource's grant and its variable together), and a missing or malformed variable is a ConfigError naming it.
 * Nothing else in functions/ reads `process.env`.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { onReset } from './clients';
import { DEFAULT_WAIT_SETTINGS, type WaitSettings } from './deadlines';
import { ConfigError } from './errors';

// zod/mini loads no locale: without this every issue reads "Invalid input". The messages of config errors, the
// webhook's answers to Ozon and the seller API's are read by people. Every function imports this module.
z.config(en());

/** Ozon's published push source networks (ozon-api.md §4). */
export const OZON_PUSH_CIDRS = '195.34.21.0/24,185.73.192.0/22,91.223.93.0/24';

const flag = z.pipe(
  z._default(z.enum(['true', 'false']), 'false'),
  z.transform((v) => v === 'true'),
);
/** A non-empty string. */
const nonEmpty = () => z.string().check(z.minLength(1));
/** A number from the environment (a string there) with its default. */
const num = (fallback: number, ...checks: z.core.$ZodCheck<number>[]) =>
  z._default(z.coerce.number().check(...checks), fallback);

export const SECTIONS = {
  table: z.object({ TABLE_NAME: nonEmpty() }),
  alerts: z.object({
    ALERTS_TOPIC_ARN: nonEmpty(),
    SELLER_LANGUAGE: z._default(z.enum(['en', 'ru', 'zh']), 'en'),
    CONSOLE_REGION: z._default(z.string(), 'eu-central-1'),
  }),
  ozon: z.object({
    OZON_API_URL: z._default(z.url(), 'https://api-seller.ozon.ru'),
    /** AWS: the secret `{"clientId","apiKey"}`. Locally: the two variables below instead. */
    OZON_SECRET_ARN: z.optional(nonEmpty()),
    OZON_CLIENT_ID: z.optional(nonEmpty()),
    OZON_API_KEY: z.optional(nonEmpty()),
    OZON_READ_ONLY: flag,
    /** First and largest backoff before a retry, "min-max" ms, jittered. */
    OZON_RETRY_BACKOFF_MS: z.pipe(
      z._default(z.string().check(z.regex(/^\d+-\d+$/, 'expected "min-max" in ms')), '200-2000'),
      z.transform((v) => {
        const [min, max] = v.split('-').map(Number) as [number, number];
        return { min, max };
      }),
    ),
    /** The account's share of Ozon's 50 requests/s that this product may use, across all its functions. */
    OZON_RATE_PER_SECOND: num(40, z.int(), z.minimum(1), z.maximum(50)),
    /**
     * `account`: every call takes a place in the account-wide budget in DynamoDB (AWS: many Lambda instances).
     * `instance`: this process's own limiter is the whole account's (the local runtime runs every function in one).
     */
    OZON_RATE_BUDGET: z._default(z.enum(['account', 'instance']), 'account'),
  }),
  pushes: z.object({
    PUSH_QUEUE_URL: nonEmpty(),
    /** Ozon's published networks unless set (local runs add loopback). */
    WEBHOOK_ALLOWED_CIDRS: z.pipe(
      z._default(z.string(), ''),
      z.transform((v) => v.trim() || OZON_PUSH_CIDRS),
    ),
    /** AWS: the push token's SHA-256 (hex), never the token itself (infra/constructs/push-token.ts). */
    PUSH_TOKEN_SHA256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
    /** Local runs: the token itself. */
    OZON_WEBHOOK_TOKEN: z.optional(z.string().check(z.minLength(16))),
  }),
  workflow: z.object({ STATE_MACHINE_ARN: nonEmpty() }),
  /** The Handover state machine: one execution per carriage (functions/handover/). */
  handover: z.object({ HANDOVER_MACHINE_ARN: nonEmpty() }),
  returns: z.object({ RETURN_MACHINE_ARN: nonEmpty() }),
  labels: z.object({ LABELS_BUCKET: nonEmpty() }),
  labelQueue: z.object({
    LABEL_QUEUE_URL: nonEmpty(),
    /** A packing batch that failed comes back this much later (AWS: instead of the queue's 6 minutes). */
    LABEL_RETRY_SECONDS: num(60, z.int(), z.minimum(0), z.maximum(900)),
  }),
  sellerApi: z.object({
    SELLER_API_KEY: z.optional(z.string().check(z.minLength(32))),
    SELLER_API_SECRET_ARN: z.optional(nonEmpty()),
  }),
  /** The seller's exception-path knobs (README "Exception paths"). */
  policy: z.object({
    PAYOUT_TOLERANCE_RUB: num(1, z.nonnegative()),
    SETTLEMENT_WINDOW_DAYS: num(14, z.positive()),
    /** How often the payout sweep asks Ozon's finance API about delivered postings (accruals come days later). */
    PAYOUT_CHECK_HOURS: num(6, z.positive()),
    /**
     * The catch-up poll delivers a status change only once it is this old: until then its push is on its way (Ozon
     * sends it within seconds, the queue delivers it), and a poll recording it too would race the push — a write
     * refused and a read for every posting whose push comes second. A lost push is made up for this much later.
     */
    STATUS_PUSH_GRACE_MINUTES: num(10, z.nonnegative()),
    /** How often the poller reads Ozon's stock figures back and alerts a drift from the seller's (stock/publish.ts). */
    STOCK_CHECK_HOURS: num(24, z.positive()),
    ASSEMBLY_BUFFER_HOURS: num(4, z.nonnegative()),
    DEADLINE_WARNING_HOURS: num(6, z.nonnegative()),
    PACKED_REMINDER_HOURS: num(2, z.positive()),
    HANDOVER_STALL_HOURS: num(24, z.positive()),
    TRANSIT_STALL_DAYS: num(5, z.positive()),
    TRACKING_GRACE_HOURS: num(24, z.positive()),
    MAX_STALL_ESCALATIONS: num(3, z.int(), z.positive()),
    ATTENTION_RECHECK_HOURS: num(24, z.positive()),
    PARTIAL_CANCEL: flag,
    /** FBS: the carriage's act is made this many hours before its cutoff (the parcels packed by then go in it). */
    HANDOVER_LEAD_HOURS: num(2, z.positive()),
    /**
     * The poller starts a carriage's Handover this long before its cutoff (it then waits for the lead itself): a
     * poll may come late or be slow, the act must not be missed for it.
     */
    HANDOVER_PLAN_HOURS: num(24, z.positive()),
    /** rFBS: the shipment date given to Ozon when it asks for one (`set_cutoff`), this many hours from receipt. */
    CUTOFF_HANDLING_HOURS: num(24, z.positive()),
    REQUIRE_PACKED_CONFIRMATION: flag,
    /**
     * A buyer's cancellation request for an rFBS parcel already with the carrier: `reject` (with
     * CANCELLATION_REJECT_COMMENT) or `ask` the seller, who answers before Ozon approves it itself. Before the
     * hand-over a request is always approved: nothing has left and the buyer gets what they asked for.
     */
    CANCELLATION_AFTER_HANDOVER: z._default(z.enum(['reject', 'ask']), 'ask'),
    /** Answered this many hours before Ozon's `auto_approve_date`, whatever the seller has said by then. */
    CANCELLATION_MARGIN_HOURS: num(2, z.positive()),
    CANCELLATION_REJECT_COMMENT: z._default(
      z.string().check(z.minLength(1), z.maxLength(500)),
      'Заказ уже передан в доставку. Вы можете отказаться от него при получении.',
    ),
    /**
     * rFBS return requests: Ozon approves one itself if the seller has not answered (3 days in Ozon's rFBS rules;
     * the API gives no date): the product counts from the request's creation. The seller is asked (when no rule
     * decides) until RETURN_MARGIN_HOURS before that; then the seller hears that Ozon will approve it.
     */
    RETURN_DECISION_HOURS: num(72, z.positive()),
    RETURN_MARGIN_HOURS: num(6, z.positive()),
    /**
     * The deployment's return rules, JSON (functions/aftersale/return-rules.ts ReturnPolicy): refund a defect or a
     * cheap unit at once, take back for a check, or ask the seller; per offer where the seller wants. The seller
     * API's `returnPolicy` replaces it at run time.
     */
    RETURN_POLICY: z._default(z.string().check(z.maxLength(20_000)), '{}'),
    /** The rejection reason and comment the product gives when the seller rejects without naming one. */
    RETURN_REJECT_COMMENT: z._default(
      z.string().check(z.minLength(1), z.maxLength(500)),
      'Товар проверен: недостатков, указанных в заявке, не обнаружено.',
    ),
    /** FBS: the seller is warned this many hours before paid storage and before utilization of a return. */
    RETURN_STORAGE_WARNING_HOURS: num(48, z.positive()),
    /** How often the poller reads the seller's rating indicators from Ozon (a worsened one is alerted once). */
    RATING_CHECK_HOURS: num(24, z.positive()),
    /** How often the seller gets the digest of their figures and Ozon's analytics (performance/digest.ts). */
    DIGEST_EVERY_HOURS: num(168, z.positive()),
    /** Defect returns of one offer before it is flagged for a quality check at packing. */
    QUALITY_DEFECT_THRESHOLD: num(3, z.int(), z.positive()),
    /**
     * The seller's quality check before shipping, JSON `{"offers": [...], "skus": [...]}` (quality/rules.ts): a
     * posting with such a line waits for the warehouse's check before Ozon is asked to assemble it. The seller API's
     * `packing` (`qualityCheck`) adds or removes offers at run time; defect returns add them too.
     */
    QUALITY_CHECK: z._default(z.string().check(z.maxLength(200_000)), '{}'),
    /**
     * The seller's own texts to buyers, JSON `{moment: text}` (functions/buyers/rules.ts: stock_short,
     * partial_cancel, stock_cancelled, ship_date_moved, stalled, return_decided, cancellation_decided); the rest
     * are the product's Russian texts.
     */
    BUYER_MESSAGES: z._default(z.string().check(z.maxLength(20_000)), '{}'),
    /** A buyer's message is reminded this many hours before Ozon's 24 h for a reply (its rating counts them). */
    BUYER_REPLY_REMINDER_HOURS: num(4, z.positive()),
    /** Sent to the buyer (in Russian) through Ozon chat when a parcel stalls; {posting} is replaced. */
    BUYER_STALL_MESSAGE: z._default(
      z.string().check(z.minLength(1), z.maxLength(1000)),
      'Здравствуйте! Ваш заказ {posting} задерживается в пути. Мы уже связались со службой доставки и следим за ним. Приносим извинения за ожидание.',
    ),
  }),
};
export type Section = keyof typeof SECTIONS;
export type SectionConfig<S extends Section> = z.infer<(typeof SECTIONS)[S]>;

const cached = new Map<Section, unknown>();
// The local runtime changes the environment between runs (tests): forget the cached values then.
onReset(() => cached.clear());

/** One section of the configuration, parsed once. */
export function env<S extends Section>(section: S): SectionConfig<S> {
  if (!cached.has(section)) {
    const parsed = SECTIONS[section].safeParse(process.env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new ConfigError(`Invalid configuration (${section}): ${problems}`);
    }
    cached.set(section, parsed.data);
  }
  return cached.get(section) as SectionConfig<S>;
}

/** Wait timeouts with the seller's configured settings. */
export function waitSettings(): WaitSettings {
  const c = env('policy');
  const hour = 3600;
  return {
    ...DEFAULT_WAIT_SETTINGS,
    assemblyBufferSeconds: c.ASSEMBLY_BUFFER_HOURS * hour,
    packedReminderSeconds: c.PACKED_REMINDER_HOURS * hour,
    handoverStallSeconds: c.HANDOVER_STALL_HOURS * hour,
    transitStallSeconds: c.TRANSIT_STALL_DAYS * 24 * hour,
    trackingGraceSeconds: c.TRACKING_GRACE_HOURS * hour,
    settlementWindowSeconds: c.SETTLEMENT_WINDOW_DAYS * 24 * hour,
    attentionRecheckSeconds: c.ATTENTION_RECHECK_HOURS * hour,
    cancellationMarginSeconds: c.CANCELLATION_MARGIN_HOURS * hour,
  };
}

export const policy = () => ({
  requirePacked: env('policy').REQUIRE_PACKED_CONFIRMATION,
  cutoffHandlingHours: env('policy').CUTOFF_HANDLING_HOURS,
});
export const payoutTolerance = () => env('policy').PAYOUT_TOLERANCE_RUB;
