/**
 * The seller's rating (swagger SellerRating: /v1/rating/summary, /v1/rating/history; the docs mirror has no page
 * for it). The indicator names are the ones swagger's v1RatingHistoryV1Request documents; which of them the sandbox
 * shows, their Russian names, groups, start values, units and thresholds are the sandbox's (the docs give none;
 * the cancellation and late hand-over danger thresholds are ozon-api.md §5's UNCONFIRMED 20 % for FBS).
 *
 * Over time: every change is a record `{ at, rating, value, status }` (absolute simulated ms), those given at start
 * (`SandboxOptions.rating.changes`, at startedAt + afterMs) as well as `OzonSandbox.setRating` (at now). A change
 * takes effect when the clock reaches `at`: the answers read the records up to now, so nothing is scheduled and a
 * state file carries them as they are (state.ts). Without any record an indicator keeps its start value.
 */
import { ApiError } from './model.js';
import type { RatingChange, RatingStatus, SandboxClock } from './types.js';
import { iso } from './util.js';

export const RATING_STATUSES = ['OK', 'WARNING', 'CRITICAL'] as const satisfies readonly RatingStatus[];

export interface RatingDef {
  rating: string;
  /** `name` (sandbox's wording) */
  name: string;
  /** the summary group's `group_name` (sandbox's) */
  group: string;
  /** swagger v1RatingItem.value_type */
  value_type: 'INDEX' | 'PERCENT' | 'TIME' | 'RATIO' | 'REVIEW_SCORE' | 'COUNT';
  /** swagger v1RatingItem.rating_direction */
  rating_direction: 'HIGHER_IS_BETTER' | 'LOWER_IS_BETTER';
  /** the value before any change */
  start: number;
  /** v1Rating.warning_threshold, danger_threshold, premium_threshold */
  warning: number;
  danger: number;
  premium: number;
}

const ORDERS = 'Выполнение заказов';
const GOODS = 'Товары и цены';
const CHAT = 'Общение с покупателями';

/**
 * The indicators an FBS / rFBS seller has. TIME values are minutes (sandbox's unit: the docs give none). The FBO ones
 * (`RATING_FBO`) are accepted by /v1/rating/history and answered without values.
 */
export const RATINGS: readonly RatingDef[] = [
  {
    rating: 'rating_on_time',
    name: 'Заказы, выполненные вовремя',
    group: ORDERS,
    value_type: 'PERCENT',
    rating_direction: 'HIGHER_IS_BETTER',
    start: 98.5,
    warning: 93,
    danger: 90,
    premium: 97,
  },
  {
    rating: 'rating_order_cancellation',
    name: 'Отмены FBS-отправлений по вине продавца',
    group: ORDERS,
    value_type: 'PERCENT',
    rating_direction: 'LOWER_IS_BETTER',
    start: 0.5,
    warning: 10,
    danger: 20,
    premium: 2,
  },
  {
    rating: 'rating_shipment_delay',
    name: 'FBS-отправления, не переданные в доставку вовремя',
    group: ORDERS,
    value_type: 'PERCENT',
    rating_direction: 'LOWER_IS_BETTER',
    start: 1,
    warning: 10,
    danger: 20,
    premium: 3,
  },
  {
    rating: 'rating_review_avg_score_total',
    name: 'Средняя оценка товаров',
    group: GOODS,
    value_type: 'REVIEW_SCORE',
    rating_direction: 'HIGHER_IS_BETTER',
    start: 4.8,
    warning: 4,
    danger: 3.5,
    premium: 4.5,
  },
  {
    rating: 'rating_price',
    name: 'Индекс цен',
    group: GOODS,
    value_type: 'INDEX',
    rating_direction: 'LOWER_IS_BETTER',
    start: 0.98,
    warning: 1.05,
    danger: 1.2,
    premium: 1,
  },
  {
    rating: 'rating_reaction_time',
    name: 'Время ответа на первое сообщение покупателя',
    group: CHAT,
    value_type: 'TIME',
    rating_direction: 'LOWER_IS_BETTER',
    start: 45,
    warning: 240,
    danger: 1440,
    premium: 120,
  },
  {
    rating: 'rating_average_response_time',
    name: 'Среднее время ответа покупателям',
    group: CHAT,
    value_type: 'TIME',
    rating_direction: 'LOWER_IS_BETTER',
    start: 60,
    warning: 240,
    danger: 1440,
    premium: 120,
  },
  {
    rating: 'rating_replied_dialogs_ratio',
    name: 'Диалоги с ответом в течение 24 часов',
    group: CHAT,
    value_type: 'PERCENT',
    rating_direction: 'HIGHER_IS_BETTER',
    start: 97,
    warning: 90,
    danger: 80,
    premium: 95,
  },
];

/** documented FBO indicators (swagger v1RatingHistoryV1Request.ratings): no values for an FBS / rFBS seller */
export const RATING_FBO = [
  'rating_ssl',
  'rating_on_time_supply_delivery',
  'rating_order_accuracy',
  'rating_on_time_supply_cancellation',
] as const;

/** `with_premium_scores`: the indicators Premium penalty points are given for (swagger) */
const PREMIUM_SCORED = ['rating_on_time', 'rating_review_avg_score_total'];

/** one change of an indicator; `status` null = from the thresholds */
export interface RatingEntry {
  /** absolute simulated ms it takes effect */
  at: number;
  rating: string;
  value: number;
  status: RatingStatus | null;
}

export interface RatingState {
  entries: RatingEntry[];
}

const defOf = (rating: string) => RATINGS.find((r) => r.rating === rating);

/** Misuse of the option or hook fails loudly. */
function checkChange(rating: string, value: number, status: string | null | undefined) {
  if (!defOf(rating)) throw new Error(`sandbox: unknown rating ${rating} (one of ${RATINGS.map((r) => r.rating)})`);
  if (!Number.isFinite(value)) throw new Error('sandbox: a rating value must be a finite number');
  if (status != null && !(RATING_STATUSES as readonly string[]).includes(status))
    throw new Error(`sandbox: rating status must be one of ${RATING_STATUSES}`);
}

/** status by the thresholds: past danger CRITICAL, past warning WARNING, else OK */
function statusOf(def: RatingDef, value: number): RatingStatus {
  const worse = (v: number, t: number) => (def.rating_direction === 'HIGHER_IS_BETTER' ? v < t : v > t);
  if (worse(value, def.danger)) return 'CRITICAL';
  if (worse(value, def.warning)) return 'WARNING';
  return 'OK';
}

interface Span {
  from: number;
  /** null: still in force */
  to: number | null;
  value: number;
  status: RatingStatus;
}

export interface RatingDeps {
  clock: SandboxClock;
  /** the sandbox's start (simulated ms): start values hold from then */
  startedAt(): number;
  premium: 'none' | 'premium' | 'premium_plus';
  penaltyScoreExceeded: boolean;
}

export class Rating {
  readonly entries: RatingEntry[] = [];

  constructor(private readonly d: RatingDeps) {}

  /** SandboxOptions.rating.changes, on a fresh start (a restored state file has them already) */
  planned(changes: readonly RatingChange[], startedAt: number) {
    for (const c of changes) {
      if (!Number.isFinite(c.afterMs) || c.afterMs < 0) throw new Error('sandbox: rating afterMs must be >= 0');
      checkChange(c.rating, c.value, c.status);
    }
    for (const c of changes)
      this.entries.push({ at: startedAt + c.afterMs, rating: c.rating, value: c.value, status: c.status ?? null });
  }

  /** OzonSandbox.setRating: from now */
  set(rating: string, value: number, status?: RatingStatus) {
    checkChange(rating, value, status);
    this.entries.push({ at: this.d.clock.now(), rating, value, status: status ?? null });
  }

  restore(s: RatingState) {
    this.entries.push(...s.entries);
  }

  state(): RatingState {
    return { entries: this.entries };
  }

  /** the indicator's values up to now, oldest first: the start value, then each change in force for a while */
  private spans(def: RatingDef): Span[] {
    const now = this.d.clock.now();
    const changes = this.entries
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.rating === def.rating && e.at <= now)
      .sort((a, b) => a.e.at - b.e.at || a.i - b.i)
      .map(({ e }) => e);
    const spans: Span[] = [{ from: this.d.startedAt(), to: null, value: def.start, status: statusOf(def, def.start) }];
    for (const e of changes) {
      const last = spans[spans.length - 1] as Span;
      const span = { from: e.at, to: null, value: e.value, status: e.status ?? statusOf(def, e.value) };
      // a later change at the same instant replaces the earlier one
      if (last.from >= e.at) spans[spans.length - 1] = { ...span, from: last.from };
      else {
        last.to = e.at;
        spans.push(span);
      }
    }
    return spans;
  }

  /** /v1/rating/summary (swagger v1RatingSummaryV1Response) */
  summary() {
    const groups: { group_name: string; items: unknown[] }[] = [];
    for (const def of RATINGS) {
      const spans = this.spans(def);
      const cur = spans[spans.length - 1] as Span;
      const past = spans[spans.length - 2] ?? cur;
      const direction =
        cur.value > past.value ? 'DIRECTION_RISE' : cur.value < past.value ? 'DIRECTION_FALL' : 'DIRECTION_NONE';
      const better = def.rating_direction === 'HIGHER_IS_BETTER' ? cur.value > past.value : cur.value < past.value;
      const item = {
        change: {
          direction,
          meaning: direction === 'DIRECTION_NONE' ? 'MEANING_NONE' : better ? 'MEANING_GOOD' : 'MEANING_BAD',
        },
        current_value: cur.value,
        name: def.name,
        // "Предыдущее значение рейтинга": the value before the current one (the start value has none: itself)
        past_value: past.value,
        rating: def.rating,
        rating_direction: def.rating_direction,
        status: cur.status,
        value_type: def.value_type,
      };
      const group = groups.find((g) => g.group_name === def.group);
      if (group) group.items.push(item);
      else groups.push({ group_name: def.group, items: [item] });
    }
    return {
      groups,
      // FBO warehouses' localization: "Если за последние 14 дней у вас не было продаж, поля параметра будут пустыми";
      // the sandbox's seller sells FBS / rFBS only: none
      localization_index: [],
      penalty_score_exceeded: this.d.penaltyScoreExceeded,
      // the plan (SandboxOptions.premium): one flag per subscription
      premium: this.d.premium === 'premium',
      premium_plus: this.d.premium === 'premium_plus',
    };
  }

  /**
   * /v1/rating/history (swagger v1RatingHistoryV1Response): per indicator asked for, its thresholds and one value
   * per span in force within [from, to] — `date_from` when it took effect, `date_to` when the next one did (or now).
   * Ozon's own granularity (daily?) is not documented; spans keep every change a test makes.
   */
  history(ratings: string[], from: number, to: number, withPremiumScores: boolean) {
    const unknown = ratings.find((r) => !defOf(r) && !(RATING_FBO as readonly string[]).includes(r));
    if (unknown) throw new ApiError(400, 3, `invalid request payload: ratings: unknown rating ${unknown}`);
    const now = this.d.clock.now();
    return {
      // penalty points are not modelled: the indicators they are given for, without points
      premium_scores: withPremiumScores
        ? ratings.filter((r) => PREMIUM_SCORED.includes(r)).map((rating) => ({ rating, scores: [] }))
        : [],
      ratings: ratings.map((rating) => {
        const def = defOf(rating);
        if (!def) return { danger_threshold: 0, premium_threshold: 0, rating, values: [], warning_threshold: 0 };
        const premium = (v: number) =>
          def.rating_direction === 'HIGHER_IS_BETTER' ? v >= def.premium : v <= def.premium;
        return {
          danger_threshold: def.danger,
          premium_threshold: def.premium,
          rating,
          values: this.spans(def)
            .filter((s) => s.from <= to && (s.to ?? now) >= from)
            .map((s) => ({
              date_from: iso(s.from),
              date_to: iso(s.to ?? now),
              status: { danger: s.status === 'CRITICAL', premium: premium(s.value), warning: s.status === 'WARNING' },
              value: s.value,
            })),
          warning_threshold: def.warning,
        };
      }),
    };
  }
}
