import { z } from 'zod';
import { onReset } from './clients';
import { ConfigError } from './errors';
import { DEFAULT_WAIT_SETTINGS, type WaitSettings } from './order';

const Env = z.object({
  TABLE_NAME: z.string().min(1),
  ALERTS_TOPIC_ARN: z.string().min(1),
  STATE_MACHINE_ARN: z.string().min(1).optional(),
  LABELS_BUCKET: z.string().min(1).optional(),
  OZON_API_URL: z.url().default('https://api-seller.ozon.ru'),
  OZON_SECRET_ARN: z.string().min(1).optional(),
  OZON_READ_ONLY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  SELLER_LANGUAGE: z.enum(['en', 'ru', 'zh']).default('en'),
  PAYOUT_TOLERANCE_RUB: z.coerce.number().nonnegative().default(1),
  SETTLEMENT_WINDOW_DAYS: z.coerce.number().positive().default(14),
  CONSOLE_REGION: z.string().default(process.env.AWS_REGION ?? 'eu-central-1'),
  // Exception-path knobs (README "Exception paths").
  ASSEMBLY_BUFFER_HOURS: z.coerce.number().nonnegative().default(4),
  DEADLINE_WARNING_HOURS: z.coerce.number().nonnegative().default(6),
  PACKED_REMINDER_HOURS: z.coerce.number().positive().default(2),
  HANDOVER_STALL_HOURS: z.coerce.number().positive().default(24),
  TRANSIT_STALL_DAYS: z.coerce.number().positive().default(5),
  TRACKING_GRACE_HOURS: z.coerce.number().positive().default(24),
  MAX_STALL_ESCALATIONS: z.coerce.number().int().positive().default(3),
  PARTIAL_CANCEL: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  REQUIRE_PACKED_CONFIRMATION: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Sent to the buyer (in Russian) through Ozon chat when a parcel stalls; {posting} is replaced. */
  BUYER_STALL_MESSAGE: z
    .string()
    .min(1)
    .max(1000)
    .default(
      'Здравствуйте! Ваш заказ {posting} задерживается в пути. Мы уже связались со службой доставки и следим за ним. Приносим извинения за ожидание.',
    ),
});
export type Config = z.infer<typeof Env>;

let cached: Config | undefined;

/** Reads the environment once; a missing or malformed variable is a ConfigError naming it. */
export function config(): Config {
  if (cached) return cached;
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  cached = parsed.data;
  return cached;
}

// The local runtime changes the environment between runs (tests): forget the cached values then.
onReset(() => {
  cached = undefined;
});

/** Wait timeouts with the seller's configured settlement window. */
export function waitSettings(): WaitSettings {
  const c = config();
  const hour = 3600;
  return {
    ...DEFAULT_WAIT_SETTINGS,
    assemblyBufferSeconds: c.ASSEMBLY_BUFFER_HOURS * hour,
    packedReminderSeconds: c.PACKED_REMINDER_HOURS * hour,
    handoverStallSeconds: c.HANDOVER_STALL_HOURS * hour,
    transitStallSeconds: c.TRANSIT_STALL_DAYS * 24 * hour,
    trackingGraceSeconds: c.TRACKING_GRACE_HOURS * hour,
    settlementWindowSeconds: c.SETTLEMENT_WINDOW_DAYS * 24 * hour,
  };
}

export const policy = () => ({ requirePacked: config().REQUIRE_PACKED_CONFIRMATION });
