/**
 * The console: a hono app on loopback, server-rendered pages refreshed by htmx, read-only until the seller signs in
 * with the seller API key. An action is never done here: it is forwarded to the seller API with that key, which
 * checks it as it checks the seller's own systems. The key stays on the server (the browser holds a random session
 * id in an HttpOnly, SameSite=Strict cookie) and is never printed or logged; form posts from another origin are
 * refused (hono's csrf).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Language } from '#shared/alert-text';
import { type Key, LANGUAGES, translator } from './i18n';
import { figuresPage } from './pages/figures';
import { journeyPage } from './pages/journey';
import { type Html, layout, type PageContext } from './pages/layout';
import { postingsPage } from './pages/postings';
import { signInPage } from './pages/signin';
import { todayPage } from './pages/today';
import type { ConsoleSource } from './source';

export interface ConsoleOptions {
  source: ConsoleSource;
  /** The alerts' language: the console's until the seller picks another. */
  language: Language;
  /** 0: any free port. Another port that is taken falls back to a free one. */
  port?: number;
}

export interface ConsoleServer {
  url: string;
  close(): Promise<void>;
}

const SESSION = 'console_session';
const LANGUAGE = 'console_language';
const FLASH = 'console_flash';
const COOKIE = { httpOnly: true, sameSite: 'Strict', path: '/' } as const;

/** The seller API actions the console offers, each built from its form's fields. */
const ACTIONS: Record<string, (f: Record<string, string>) => unknown> = {
  stock: (f) => ({ warehouseId: Number(f.warehouseId), offerId: f.offerId, quantity: Number(f.quantity) }),
  tracking: (f) => ({ postingNumber: f.postingNumber, trackingNumber: (f.trackingNumber ?? '').trim() }),
  marks: (f) => ({
    postingNumber: f.postingNumber,
    products: [
      {
        offerId: f.offerId,
        marks: (f.codes ?? '')
          .split(/\r?\n/)
          .map((c) => c.trim())
          .filter(Boolean),
      },
    ],
  }),
  resume: (f) => ({ postingNumber: f.postingNumber }),
  packed: (f) => ({ postingNumber: f.postingNumber }),
  qualityCheck: (f) =>
    f.passed === 'true'
      ? { postingNumber: f.postingNumber, passed: true }
      : { postingNumber: f.postingNumber, passed: false, offerId: f.offerId, reason: f.reason },
  returnRequest: (f) => ({
    returnId: Number(f.returnId),
    answer: f.answer,
    ...(f.amount ? { amount: Number(f.amount) } : {}),
    ...(f.comment ? { comment: f.comment } : {}),
  }),
};

/** The message an action left for the next page; a cookie that is not one is no message. */
function flashOf(cookie: string): PageContext['flash'] {
  try {
    const { ok, text } = JSON.parse(cookie) as { ok?: unknown; text?: unknown };
    return typeof text === 'string' ? { ok: ok === true, text } : undefined;
  } catch {
    return undefined;
  }
}

/** Only a path of this console: a `back` field never sends the browser elsewhere. */
const localPath = (back: string | undefined) => (back?.startsWith('/') && !back.startsWith('//') ? back : '/');

const htmxFile = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');

export function consoleApp(options: ConsoleOptions): Hono {
  const { source } = options;
  const sessions = new Map<string, string>();
  const htmx = readFileSync(htmxFile);
  const keyOf = (c: Context) => sessions.get(getCookie(c, SESSION) ?? '');
  const languageOf = (c: Context) => {
    const chosen = getCookie(c, LANGUAGE) as Language | undefined;
    return chosen && LANGUAGES.includes(chosen) ? chosen : options.language;
  };
  const contextOf = (c: Context): PageContext => {
    const language = languageOf(c);
    const flash = getCookie(c, FLASH);
    if (flash) deleteCookie(c, FLASH, { path: '/' });
    const url = new URL(c.req.url);
    return {
      t: translator(language),
      language,
      signedIn: keyOf(c) !== undefined,
      source,
      url: `${url.pathname}${url.search}`,
      flash: flash ? flashOf(flash) : undefined,
    };
  };
  /** The whole page, or (asked by htmx's refresh) its live region alone. */
  const page = async (c: Context, title: Key, render: (ctx: PageContext) => Promise<Html | undefined>) => {
    const ctx = contextOf(c);
    const content = await render(ctx);
    if (content === undefined) return c.html(layout(ctx, ctx.t('notFound'), html`${ctx.t('notFound')}`, false), 404);
    return c.html(c.req.header('hx-request') ? content : layout(ctx, ctx.t(title), content));
  };
  const flash = (c: Context, ok: boolean, text: string) =>
    setCookie(c, FLASH, JSON.stringify({ ok, text }), { ...COOKIE, maxAge: 60 });

  const app = new Hono();
  app.use(secureHeaders());
  app.use(csrf());
  app.get('/assets/htmx.min.js', (c) =>
    c.body(htmx, 200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=86400' }),
  );
  app.get('/', (c) => page(c, 'today', todayPage));
  app.get('/postings', (c) =>
    page(c, 'postings', (ctx) =>
      postingsPage(ctx, {
        q: c.req.query('q') ?? '',
        phase: c.req.query('phase') ?? '',
        final: c.req.query('final') ?? '',
      }),
    ),
  );
  app.get('/postings/:postingNumber', (c) =>
    page(c, 'journey', (ctx) => journeyPage(ctx, c.req.param('postingNumber'))),
  );
  app.get('/figures', (c) => page(c, 'figures', figuresPage));
  app.get('/language/:language', (c) => {
    const language = c.req.param('language') as Language;
    if (LANGUAGES.includes(language)) setCookie(c, LANGUAGE, language, { ...COOKIE, maxAge: 365 * 86400 });
    return c.redirect(localPath(new URL(c.req.header('referer') ?? '/', c.req.url).pathname), 303);
  });
  app.get('/signin', (c) => {
    const ctx = contextOf(c);
    return c.html(layout(ctx, ctx.t('signIn'), signInPage(ctx, localPath(c.req.query('back'))), false));
  });
  app.post('/signin', async (c) => {
    const form = (await c.req.parseBody()) as Record<string, string>;
    const ctx = contextOf(c);
    // The seller API checks the key before the body: an empty body says whether it takes the key (400) or not (401).
    const probe = await forward(source.sellerApiUrl, form.key ?? '', 'stock', {});
    if (probe.status === 401 || probe.status >= 500) {
      const refused = { ...ctx, flash: { ok: false, text: ctx.t('keyRefused') } };
      return c.html(layout(refused, ctx.t('signIn'), signInPage(refused, localPath(form.back)), false), 401);
    }
    const session = randomBytes(24).toString('base64url');
    sessions.set(session, form.key ?? '');
    setCookie(c, SESSION, session, COOKIE);
    return c.redirect(localPath(form.back), 303);
  });
  app.post('/signout', (c) => {
    sessions.delete(getCookie(c, SESSION) ?? '');
    deleteCookie(c, SESSION, { path: '/' });
    return c.redirect('/', 303);
  });
  app.post('/act/:action', async (c) => {
    const action = c.req.param('action');
    const build = ACTIONS[action];
    if (!build) return c.text('No such action', 404);
    const key = keyOf(c);
    const ctx = contextOf(c);
    if (key === undefined) {
      const refused = { ...ctx, flash: { ok: false, text: ctx.t('signInToAct') } };
      return c.html(layout(refused, ctx.t('signIn'), signInPage(refused, '/'), false), 401);
    }
    const form = (await c.req.parseBody()) as Record<string, string>;
    const response = await forward(source.sellerApiUrl, key, action, build(form));
    const answer = await response.text();
    flash(
      c,
      response.ok,
      `${ctx.t(response.ok ? 'done' : 'refused')} · ${action} · HTTP ${response.status}: ${readable(answer)}`,
    );
    return c.redirect(localPath(form.back), 303);
  });
  app.onError((error, c) =>
    error instanceof HTTPException ? error.getResponse() : c.text(`The console failed: ${error.message}`, 500),
  );
  return app;
}

function forward(sellerApiUrl: string, key: string, action: string, body: unknown): Promise<Response> {
  return fetch(`${sellerApiUrl.replace(/\/$/, '')}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
}

/** The seller API's answer as one line: its message, the details of a 400, or the JSON as it came. */
function readable(answer: string): string {
  try {
    const parsed = JSON.parse(answer) as { message?: string; details?: string[] };
    return parsed.message ?? parsed.details?.join('; ') ?? answer;
  } catch {
    return answer.slice(0, 300);
  }
}

/** Serves the console on 127.0.0.1; a taken port falls back to a free one. */
export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  const app = consoleApp(options);
  const listen = (port: number) =>
    new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(server));
      server.once('error', reject);
    });
  const server = await listen(options.port ?? 0).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    return listen(0);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        // Open keep-alive connections (a browser tab polling) would hold close() forever.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
