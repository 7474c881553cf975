/**
 * Configuration per function role, read once: each section is the environment one capability needs (the table,
 * the alerts topic, Ozon, the push queue...), parsed on first use with its own zod schema. A function reads only
 * the sections it uses, the CDK stack sets only their variables (infra/constructs/autopilot-function.ts binds a
 * resource's grant and its variable together), and a missing or malformed variable is a ConfigError naming it.
 * Nothing else in functions/ reads `process.env`.
 */
import * as z from 'zod';
import { onReset } from './clients';
import { DEFAULT_WAIT_SETTINGS, type WaitSettings } from './deadlines';
import { ConfigError } from './errors';

/** Ozon's published push source networks (ozon-api.md §4). */
export const OZON_PUSH_CIDRS = '195.34.21.0/24,185.73.192.0/22,91.223.93.0/24';

const flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');

export const SECTIONS = {
  table: z.object({ TABLE_NAME: z.string().min(1) }),
  alerts: z.object({
    ALERTS_TOPIC_ARN: z.string().min(1),
    SELLER_LANGUAGE: z.enum(['en', 'ru', 'zh']).default('en'),
    CONSOLE_REGION: z.string().default('eu-central-1'),
  }),
  ozon: z.object({
    OZON_API_URL: z.url().default('https://api-seller.ozon.ru'),
    /** AWS: the secret `{"clientId","apiKey"}`. Locally: the two variables below instead. */
    OZON_SECRET_ARN: z.string().min(1).optional(),
    OZON_CLIENT_ID: z.string().min(1).optional(),
    OZON_API_KEY: z.string().min(1).optional(),
    OZON_READ_ONLY: flag,
    /** First and largest backoff before a retry, "min-max" ms, jittered. */
    OZON_RETRY_BACKOFF_MS: z
      .string()
      .regex(/^\d+-\d+$/, 'expected "min-max" in ms')
      .default('200-2000')
      .transform((v) => {
        const [min, max] = v.split('-').map(Number) as [number, number];
        return { min, max };
      }),
    /** The account's share of Ozon's 50 requests/s that this product may use, across all its functions. */
    OZON_RATE_PER_SECOND: z.coerce.number().int().min(1).max(50).default(40),
    /**
     * `account`: every call takes a place in the account-wide budget in DynamoDB (AWS: many Lambda instances).
     * `instance`: this process's own limiter is the whole account's (the local runtime runs every function in one).
     */
    OZON_RATE_BUDGET: z.enum(['account', 'instance']).default('account'),
  }),
  pushes: z.object({
    PUSH_QUEUE_URL: z.string().min(1),
    /** Ozon's published networks unless set (local runs add loopback). */
    WEBHOOK_ALLOWED_CIDRS: z
      .string()
      .default('')
      .transform((v) => v.trim() || OZON_PUSH_CIDRS),
    /** AWS: the push token's SHA-256 (hex), never the token itself (infra/constructs/push-token.ts). */
    PUSH_TOKEN_SHA256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    /** Local runs: the token itself. */
    OZON_WEBHOOK_TOKEN: z.string().min(16).optional(),
  }),
  workflow: z.object({ STATE_MACHINE_ARN: z.string().min(1) }),
  labels: z.object({ LABELS_BUCKET: z.string().min(1) }),
  labelQueue: z.object({
    LABEL_QUEUE_URL: z.string().min(1),
    /** Ozon serves a label 45–60 s after assembly; the local runtime, on its compressed clock, sets 0. */
    LABEL_DELAY_SECONDS: z.coerce.number().int().min(0).max(900).default(45),
  }),
  sellerApi: z.object({
    SELLER_API_KEY: z.string().min(32).optional(),
    SELLER_API_SECRET_ARN: z.string().min(1).optional(),
  }),
  /** The seller's exception-path knobs (README "Exception paths"). */
  policy: z.object({
    PAYOUT_TOLERANCE_RUB: z.coerce.number().nonnegative().default(1),
    SETTLEMENT_WINDOW_DAYS: z.coerce.number().positive().default(14),
    ASSEMBLY_BUFFER_HOURS: z.coerce.number().nonnegative().default(4),
    DEADLINE_WARNING_HOURS: z.coerce.number().nonnegative().default(6),
    PACKED_REMINDER_HOURS: z.coerce.number().positive().default(2),
    HANDOVER_STALL_HOURS: z.coerce.number().positive().default(24),
    TRANSIT_STALL_DAYS: z.coerce.number().positive().default(5),
    TRACKING_GRACE_HOURS: z.coerce.number().positive().default(24),
    MAX_STALL_ESCALATIONS: z.coerce.number().int().positive().default(3),
    ATTENTION_RECHECK_HOURS: z.coerce.number().positive().default(24),
    PARTIAL_CANCEL: flag,
    REQUIRE_PACKED_CONFIRMATION: flag,
    /** Sent to the buyer (in Russian) through Ozon chat when a parcel stalls; {posting} is replaced. */
    BUYER_STALL_MESSAGE: z
      .string()
      .min(1)
      .max(1000)
      .default(
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
  };
}

export const policy = () => ({ requirePacked: env('policy').REQUIRE_PACKED_CONFIRMATION });
export const payoutTolerance = () => env('policy').PAYOUT_TOLERANCE_RUB;
