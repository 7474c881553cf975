/**
 * What every request goes through before its handler: credentials, the runtime block switch, the rate limit and
 * the fault draws — each refused the way Ozon refuses it — plus the `slow` draw that holds the answer back.
 */

import { json, rpcError } from './http.js';
import type { Rng } from './rng.js';
import type { Faults } from './types.js';

/** Ozon's documented limit: 50 requests per second per Client-Id (docs/00-overview.md). */
export const RATE_LIMIT_PER_SECOND = 50;

/**
 * Per-method limits on top of it, per Client-Id ("с одного аккаунта продавца", swagger /v2/products/stocks: 80
 * requests per minute; /v1/analytics/data: "Метод можно использовать не больше 1 раза в минуту"). Measured in real
 * time like the per-second window: both limit how fast a client talks to Ozon, whatever the simulated clock does.
 */
export const RATE_LIMITS_PER_MINUTE: Readonly<Record<string, number>> = {
  '/v2/products/stocks': 80,
  '/v1/analytics/data': 1,
};

/** Over either limit: examples/error__rate_limit__1.json (HTTP 429, no details key). The "Частые ошибки" table
 * gives this one message for both ("Также учитываются ограничения конкретных методов"). */
const rateLimited = () => json(429, { code: 8, message: 'You have reached request rate limit per second' });

export interface GateDeps {
  clientId: string;
  apiKey: string;
  enforceRateLimit: boolean;
  /** the live faults object (setFaults changes it in place) */
  faults: Faults;
  rngFaults: Rng;
  rngSlow: Rng;
  isBlocked(): boolean;
}

export interface GateVerdict {
  /** the answer instead of the handler's, if the request is refused */
  refusal?: Response;
  /** real ms to hold the answer back (0 = none) */
  delayMs: number;
}

export class Gate {
  /** sliding 1-second windows of admitted requests, per Client-Id */
  private readonly windows = new Map<string, number[]>();
  /** sliding 1-minute windows of admitted requests, per Client-Id and rate-limited method */
  private readonly minuteWindows = new Map<string, number[]>();

  constructor(private readonly d: GateDeps) {}

  check(clientId: string, apiKey: string, at: number, path: string): GateVerdict {
    const { d } = this;
    // examples/error__client_id_api_key_required__1.json (HTTP 401, no details key)
    if (!clientId || !apiKey)
      return { refusal: json(401, { code: 16, message: 'Client-Id and Api-Key headers are required' }), delayMs: 0 };
    // examples/error__invalid_api_key__1.json
    if (clientId !== d.clientId || apiKey !== d.apiKey)
      return { refusal: rpcError(403, 7, 'Invalid Api-Key, please contact support'), delayMs: 0 };

    // One draw per authenticated call, always, on its own stream: adding `slow` leaves the sequence of the other
    // faults for a seed as it was.
    const slow = d.rngSlow.chance(d.faults.slow);
    const delayMs = slow ? Math.max(0, d.faults.slowMs ?? 0) : 0;

    if (d.isBlocked()) {
      // An account blocked by Ozon: rpcStatus PERMISSION_DENIED (code 7, HTTP 403) like
      // examples/error__invalid_api_key__1.json. The message text is not documented; this one is the sandbox's.
      return { refusal: rpcError(403, 7, 'client is blocked'), delayMs };
    }
    if (d.enforceRateLimit) {
      if (!admit(this.windows, clientId, at, 1000, RATE_LIMIT_PER_SECOND)) return { refusal: rateLimited(), delayMs };
      const perMinute = RATE_LIMITS_PER_MINUTE[path];
      if (perMinute !== undefined && !admit(this.minuteWindows, `${clientId} ${path}`, at, 60_000, perMinute))
        return { refusal: rateLimited(), delayMs };
    }
    // three draws per admitted call, always, so a seed gives one fixed fault sequence
    const fRate = d.rngFaults.chance(d.faults.rateLimit);
    const fServer = d.rngFaults.chance(d.faults.serverError);
    const fCircle = d.rngFaults.chance(d.faults.circleOpen);
    if (d.faults.unavailablePaths?.includes(path)) return { refusal: rpcError(503, 14, 'Circle is open'), delayMs };
    if (fRate) return { refusal: rateLimited(), delayMs };
    if (fServer) return { refusal: rpcError(500, 13, 'Internal error'), delayMs };
    if (fCircle) return { refusal: rpcError(503, 14, 'Circle is open'), delayMs };
    return { delayMs };
  }
}

/** Sliding window: true (and the request counted) if fewer than `limit` were admitted within the last `spanMs`. */
function admit(windows: Map<string, number[]>, key: string, at: number, spanMs: number, limit: number): boolean {
  const w = windows.get(key) ?? [];
  while (w.length && (w[0] ?? 0) <= at - spanMs) w.shift();
  windows.set(key, w);
  if (w.length >= limit) return false;
  w.push(at);
  return true;
}

/** Real-time wait that never ends early (timers may fire ~1 ms early) and that `wakeAll` can end at close. */
export class Sleeper {
  private readonly waiting = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    const until = performance.now() + ms;
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const arm = () => {
        const left = until - performance.now();
        if (left <= 0) done();
        else timer = setTimeout(arm, Math.ceil(left));
      };
      this.waiting.add(done);
      arm();
    });
  }

  wakeAll() {
    for (const done of [...this.waiting]) done();
  }
}
