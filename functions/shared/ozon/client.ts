/**
 * The only way the product talks to Ozon. Every endpoint is a row in ENDPOINTS with its current version, its
 * response schema and whether it changes anything on Ozon (read-only mode refuses those).
 */
import pLimit from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import pThrottle from 'p-throttle';
import type * as z from 'zod/mini';
import { onReset } from '#shared/clients';
import { env } from '#shared/config';
import {
  MutationNotAllowed,
  OzonAuthError,
  OzonRateLimited,
  OzonRequestRejected,
  OzonResponseInvalid,
  OzonUnavailable,
  PostingNotFound,
} from '#shared/errors';
import { emitMetric, MetricUnit } from '../powertools';
import { type OzonCredentials, ozonCredentials } from './credentials';
import { backOffAccount, takeRateBudget } from './rate-budget';
import * as S from './schemas';

interface Endpoint<T extends z.ZodMiniType> {
  path: string;
  schema: T;
  mutates: boolean;
  /** Ozon's stricter per-method limit for the account (ozon-api.md §1), on top of the global 50/s. */
  perMinute?: number;
  /** Set when no workflow step calls it yet: the feature it is for (doctor warns instead of failing). */
  optionalFor?: string;
}
const endpoint = <T extends z.ZodMiniType>(
  path: string,
  schema: T,
  mutates: boolean,
  limits: { perMinute?: number; optionalFor?: string } = {},
): Endpoint<T> => ({ path, schema, mutates, ...limits });

export const ENDPOINTS = {
  getPosting: endpoint('/v3/posting/fbs/get', S.GetPostingResponse, false),
  listUnfulfilled: endpoint('/v4/posting/fbs/unfulfilled/list', S.V4ListResponse, false),
  listPostings: endpoint('/v4/posting/fbs/list', S.V4ListResponse, false),
  ship: endpoint('/v4/posting/fbs/ship', S.ShipResponse, true),
  exemplars: endpoint('/v6/fbs/posting/product/exemplar/create-or-get', S.ExemplarsResponse, false),
  validateExemplars: endpoint('/v5/fbs/posting/product/exemplar/validate', S.ExemplarValidateResponse, false),
  setExemplars: endpoint('/v6/fbs/posting/product/exemplar/set', S.EmptyResponse, true),
  exemplarStatus: endpoint('/v5/fbs/posting/product/exemplar/status', S.ExemplarStatusResponse, false),
  setMultiBoxQty: endpoint('/v3/posting/multiboxqty/set', S.MultiBoxQtyResponse, true),
  restrictions: endpoint('/v1/posting/fbs/restrictions', S.RestrictionsResponse, false),
  setCutoff: endpoint('/v1/posting/cutoff/set', S.BooleanResult, true),
  carriages: endpoint('/v2/carriage/delivery/list', S.CarriageDeliveryListResponse, false),
  createAct: endpoint('/v2/posting/fbs/act/create', S.ActCreateResponse, true),
  actStatus: endpoint('/v2/posting/fbs/act/check-status', S.ActStatusResponse, false),
  // Files: read with `document()`, not `call()` (the schema is the docs' JSON form, for documentBytes).
  actPdf: endpoint('/v2/posting/fbs/act/get-pdf', S.FileResponse, false),
  actBarcode: endpoint('/v2/posting/fbs/act/get-barcode', S.FileResponse, false),
  cancellationRequests: endpoint('/v2/conditional-cancellation/list', S.CancellationListResponse, false),
  approveCancellation: endpoint('/v2/conditional-cancellation/approve', S.EmptyResponse, true),
  rejectCancellation: endpoint('/v2/conditional-cancellation/reject', S.EmptyResponse, true),
  rfbsReturns: endpoint('/v2/returns/rfbs/list', S.RfbsReturnListResponse, false),
  rfbsReturn: endpoint('/v2/returns/rfbs/get', S.RfbsReturnResponse, false),
  rfbsReturnAction: endpoint('/v1/returns/rfbs/action/set', S.EmptyResponse, true),
  fbsReturns: endpoint('/v1/returns/list', S.FbsReturnListResponse, false),
  ratingSummary: endpoint('/v1/rating/summary', S.RatingSummaryResponse, false, {
    optionalFor: "the daily watch of the seller's rating",
  }),
  labelTasks: endpoint('/v2/posting/fbs/package-label/create', S.LabelTasksResponse, false),
  labelTask: endpoint('/v1/posting/fbs/package-label/get', S.LabelTaskResponse, false),
  cancel: endpoint('/v2/posting/fbs/cancel', S.BooleanResult, true),
  cancelProducts: endpoint('/v2/posting/fbs/product/cancel', S.StringResult, true),
  setTrackingNumbers: endpoint('/v2/fbs/posting/tracking-number/set', S.PerPostingResults, true),
  markDelivering: endpoint('/v2/fbs/posting/delivering', S.PerPostingResults, true),
  markLastMile: endpoint('/v2/fbs/posting/last-mile', S.PerPostingResults, true),
  markDelivered: endpoint('/v2/fbs/posting/delivered', S.PerPostingResults, true),
  accruals: endpoint('/v1/finance/accrual/postings', S.AccrualPostingsResponse, false),
  accrualTypes: endpoint('/v1/finance/accrual/types', S.AccrualTypesResponse, false),
  roles: endpoint('/v1/roles', S.RolesResponse, false),
  startChat: endpoint('/v1/chat/start', S.StartChatResponse, true),
  sendChatMessage: endpoint('/v1/chat/send/message', S.StringResult, true),
  // Premium Plus only (swagger): which order a chat the buyer started is about. Without it the message still reaches
  // the seller, without its posting.
  chatHistory: endpoint('/v3/chat/history', S.ChatHistoryResponse, false, {
    optionalFor: 'finding the posting of a chat the buyer started (Premium Plus)',
  }),
  warehouses: endpoint('/v2/warehouse/list', S.WarehouseListResponse, false),
  notifications: endpoint('/v1/notification/list', S.NotificationListResponse, false),
  updateStocks: endpoint('/v2/products/stocks', S.StocksUpdateResponse, true, { perMinute: 80 }),
  productStocks: endpoint('/v4/product/info/stocks', S.ProductStocksResponse, false),
  // "Метод можно использовать не больше 1 раза в минуту"; the fields depend on the seller's plan (docs/52-premium.md).
  // One call per digest, made without retries (performance/digest.ts): no per-method spacing that would hold a poll
  // for a minute.
  analytics: endpoint('/v1/analytics/data', S.AnalyticsResponse, false, {
    optionalFor: "the weekly digest's views, conversion and cancellations per SKU",
  }),
} as const;
export type EndpointName = keyof typeof ENDPOINTS;

const LABEL_PATH = '/v2/posting/fbs/package-label';
const AUTH_MESSAGES = [
  /invalid api-key/i,
  /client is blocked/i,
  /api-key is deactivated/i,
  /missing a required role/i,
  /restricted to specific ip/i,
];
const OBSOLETE_MESSAGES = [/obsolete method/i, /method .* is unavailable/i];

type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * At most `concurrency` tasks in progress, each started at least `spacingMs` after the one before: a place is
 * taken first, then the start waits for its turn (p-limit around a strict p-throttle).
 */
function spacedLimiter(concurrency: number, spacingMs: number): Limiter {
  const place = pLimit(concurrency);
  const turn = pThrottle({ limit: 1, interval: spacingMs, strict: true })(() => undefined);
  return (task) =>
    place(async () => {
      await turn();
      return task();
    });
}

/**
 * Ozon allows 50 requests/s per Client-Id. The account-wide budget (rate-budget.ts) keeps every instance together
 * under it; this instance's own spacing (25 ms) smooths its share and bounds its concurrency.
 */
const limiter = spacedLimiter(16, 25);

/**
 * One limiter per method with its own limit: one call at a time, spaced by the per-minute limit, each then taking
 * its place in the global limiter.
 */
const methodLimiters = new Map<string, Limiter>();
function limiterFor(path: string): Limiter {
  const perMinute = Object.values(ENDPOINTS).find((e) => e.path === path)?.perMinute;
  if (!perMinute) return limiter;
  let own = methodLimiters.get(path);
  if (!own) {
    const spaced = spacedLimiter(1, Math.ceil(60_000 / perMinute));
    own = (task) => spaced(() => limiter(task));
    methodLimiters.set(path, own);
  }
  return own;
}

export type CallObserver = (call: { path: string; status: number; ms: number }) => void;
const observers = new Set<CallObserver>();
/** Lets the local runtime and the benchmark count Ozon calls without wrapping the client. */
export function observeOzonCalls(observer: CallObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

function errorFromBody(path: string, status: number, text: string): Error {
  let code: string | number | undefined;
  let message = text.slice(0, 500);
  try {
    const body = S.OzonErrorBody.parse(JSON.parse(text));
    const inner =
      'message' in body && typeof body.message === 'string' ? body : (body as { error?: typeof body }).error;
    code = (inner?.code as string | number | null | undefined) ?? undefined;
    message = (typeof inner?.message === 'string' && inner.message) || message;
  } catch {
    // Not Ozon's JSON error body (a proxy's HTML page, say): keep the raw text in the message.
  }
  const detail = `${path}: HTTP ${status}${code === undefined ? '' : ` code ${code}`}: ${message}`;
  if (status === 429 || code === 8 || /circle is open/i.test(message)) return new OzonRateLimited(detail);
  if (status >= 500) return new OzonUnavailable(detail);
  // 401, and 403 with code 7 (a key refused or an account blocked): retrying cannot help, the seller must act.
  if (AUTH_MESSAGES.some((r) => r.test(message)) || status === 401 || (status === 403 && String(code) === '7')) {
    return new OzonAuthError(detail);
  }
  if (OBSOLETE_MESSAGES.some((r) => r.test(message)))
    return new OzonAuthError(`Ozon switched this method off. ${detail}`);
  if (/POSTING_NOT_FOUND/.test(message) || (status === 404 && /posting/i.test(message))) {
    return new PostingNotFound(detail);
  }
  return new OzonRequestRejected(path, status, code, message);
}

const isTransient = (e: unknown) => e instanceof OzonRateLimited || e instanceof OzonUnavailable;

export interface OzonClientOptions {
  baseUrl?: string;
  credentials?: () => Promise<OzonCredentials>;
  readOnly?: boolean;
  /** Attempts per call for 429/5xx/timeouts before the error reaches the state machine's own Retry. */
  attempts?: number;
  timeoutMs?: number;
  /** The whole call, retries included, ends within this; it stays under the Lambda timeout (60 s). */
  budgetMs?: number;
  /** Take a place in the account-wide rate budget (DynamoDB) before each request; default from OZON_RATE_BUDGET. */
  sharedBudget?: boolean;
  /** First and largest backoff before a retry; jittered. Default from OZON_RETRY_BACKOFF_MS ("min-max"), 200-2000. */
  backoffMs?: { min: number; max: number };
}

/**
 * Backoff is real time (Ozon's limits count real seconds). The local runtime shortens it against the sandbox,
 * whose faults are random rather than a real window: at 10,000× compression 2 s of backoff would be 5 simulated
 * hours in which no wait hears anything.
 */

export class OzonClient {
  private readonly baseUrl: string;
  private readonly credentials: () => Promise<OzonCredentials>;
  private readonly readOnly: boolean;
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly backoff: { min: number; max: number };
  private readonly budgetMs: number;
  private readonly sharedBudget: boolean;

  constructor(options: OzonClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? env('ozon').OZON_API_URL).replace(/\/$/, '');
    this.credentials = options.credentials ?? ozonCredentials;
    this.readOnly = options.readOnly ?? env('ozon').OZON_READ_ONLY;
    this.attempts = options.attempts ?? 3;
    // Ozon can take over 10 s under load; a slow answer is waited for, not given up on (issue 8).
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.budgetMs = options.budgetMs ?? 48_000;
    this.sharedBudget = options.sharedBudget ?? env('ozon').OZON_RATE_BUDGET === 'account';
    this.backoff = options.backoffMs ?? env('ozon').OZON_RETRY_BACKOFF_MS;
  }

  async call<N extends EndpointName>(name: N, body: unknown): Promise<z.infer<(typeof ENDPOINTS)[N]['schema']>> {
    const ep = ENDPOINTS[name];
    if (ep.mutates && this.readOnly) {
      throw new MutationNotAllowed(
        `Refusing ${ep.path}: read-only mode. Pass --allow-changes to let the product change postings on Ozon.`,
      );
    }
    const response = await this.send(ep.path, body);
    const json: unknown = JSON.parse(new TextDecoder().decode(response));
    const parsed = ep.schema.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new OzonResponseInvalid(`${ep.path} answered in an unexpected shape: ${where}`);
    }
    return parsed.data as z.infer<(typeof ENDPOINTS)[N]['schema']>;
  }

  /**
   * A document endpoint's answer as bytes (the act PDF, the carriage barcode): Ozon sends the file itself, or JSON
   * carrying it (`file_content`, as the docs show) — the caller tells them apart (handover/rules `documentBytes`).
   */
  async document(name: 'actPdf' | 'actBarcode', body: unknown): Promise<Uint8Array> {
    return this.send(ENDPOINTS[name].path, body);
  }

  /**
   * A file a label task made (`file_url`): a plain download, no API headers. Only from Ozon's own hosts (or the API
   * host this client talks to, the sandbox's): a link in an answer must not make the function fetch anything else.
   */
  async download(fileUrl: string): Promise<Uint8Array> {
    const url = new URL(fileUrl);
    const api = new URL(this.baseUrl);
    const ozonHost = /(^|\.)(ozon\.ru|ozone\.ru)$/i.test(url.hostname) && url.protocol === 'https:';
    if (!ozonHost && url.origin !== api.origin) {
      throw new OzonResponseInvalid(`A file link outside Ozon was refused: ${url.hostname}`);
    }
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new OzonUnavailable(`${url.pathname}: the file answered ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** The label is a PDF, not JSON. Ozon needs 45–60 s after assembly before it is ready. */
  async packageLabel(postingNumbers: string[]): Promise<Uint8Array> {
    return this.send(LABEL_PATH, { posting_number: postingNumbers });
  }

  private async send(path: string, body: unknown): Promise<Uint8Array> {
    const creds = await this.credentials();
    const method = path.replace(/^\/v\d+\//, '/');
    return pRetry(
      async () => {
        if (this.sharedBudget) await takeRateBudget(creds.clientId);
        const started = performance.now();
        let response: Response;
        try {
          response = await limiterFor(path)(() =>
            fetch(`${this.baseUrl}${path}`, {
              method: 'POST',
              headers: { 'Client-Id': creds.clientId, 'Api-Key': creds.apiKey, 'Content-Type': 'application/json' },
              body: JSON.stringify(body ?? {}),
              signal: AbortSignal.timeout(this.timeoutMs),
            }),
          );
        } catch (cause) {
          emitMetric('OzonUnanswered', 1, { method });
          throw new OzonUnavailable(`${path}: no answer from Ozon (${(cause as Error).message})`, { cause });
        }
        const bytes = new Uint8Array(await response.arrayBuffer());
        const ms = performance.now() - started;
        for (const observe of observers) observe({ path, status: response.status, ms });
        emitMetric('OzonCalls', 1, { method });
        emitMetric('OzonLatency', ms, { method }, MetricUnit.Milliseconds);
        if (response.ok) return bytes;
        const error = errorFromBody(path, response.status, new TextDecoder().decode(bytes));
        if (error instanceof OzonRateLimited) {
          emitMetric('OzonRateLimited', 1, { method });
          if (this.sharedBudget) await backOffAccount(creds.clientId);
        }
        if (!isTransient(error)) throw new AbortError(error);
        throw error;
      },
      {
        retries: this.attempts - 1,
        minTimeout: this.backoff.min,
        maxTimeout: this.backoff.max,
        randomize: true,
        maxRetryTime: this.budgetMs,
      },
    );
  }
}

let shared: OzonClient | undefined;
/** Module-level singleton so a warm Lambda reuses the limiter, the connection pool and the cached secret. */
export function ozon(): OzonClient {
  shared ??= new OzonClient();
  return shared;
}
/** The local runtime points the product at a sandbox or switches to read-only between runs. */
onReset(() => {
  shared = undefined;
});
