/**
 * The page shell: header with the pages, the language, sign-in state and the source; the live region htmx refreshes
 * every 2 s (the same URL asked with `HX-Request` answers the region alone, see server.ts), paused while the seller
 * types in one of its forms.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Language } from '#shared/alert-text';
import { formatTime, LANGUAGES, type Translate } from '../i18n';
import type { ConsoleSource } from '../source';
import { STYLE } from './style';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageContext {
  t: Translate;
  language: Language;
  signedIn: boolean;
  source: ConsoleSource;
  /** The page's own URL (path and query): what the live region asks again. */
  url: string;
  flash?: { ok: boolean; text: string };
}

const NAV = [
  ['/', 'today'],
  ['/postings', 'postings'],
  ['/figures', 'figures'],
] as const;

/** `live`: the main region is asked again every 2 s (not for a page that is only a form). */
export function layout(ctx: PageContext, title: string, content: Html, live = true): Html {
  const { t } = ctx;
  const path = ctx.url.split('?')[0];
  return html`<!doctype html>
<html lang="${ctx.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ozon-autopilot</title>
<style>${raw(STYLE)}</style>
<script src="/assets/htmx.min.js"></script>
<script>window.consoleIdle = () => !(document.activeElement && document.activeElement.closest('main form'));</script>
</head>
<body>
<header>
  <strong class="brand">ozon-autopilot</strong>
  <nav>${NAV.map(([href, key]) => html`<a href="${href}" class="${path === href ? 'active' : ''}">${t(key)}</a>`)}</nav>
  <span class="source">${ctx.source.label} · ${formatTime(ctx.source.now())}</span>
  <span class="langs">${LANGUAGES.map(
    (l) => html`<a href="/language/${l}" class="${l === ctx.language ? 'active' : ''}">${l}</a>`,
  )}</span>
  ${
    ctx.signedIn
      ? html`<form method="post" action="/signout" class="auth"><span class="ok">● ${t('signedIn')}</span> <button>${t('signOut')}</button></form>`
      : html`<span class="auth"><span class="muted">○ ${t('readOnly')}</span> <a href="/signin">${t('signIn')}</a></span>`
  }
</header>
${ctx.flash ? html`<p class="flash ${ctx.flash.ok ? 'ok' : 'bad'}" role="status">${ctx.flash.text}</p>` : ''}
${
  live
    ? html`<main id="live" hx-get="${ctx.url}" hx-trigger="every 2s [window.consoleIdle()]" hx-swap="innerHTML">${content}</main>`
    : html`<main>${content}</main>`
}
</body>
</html>`;
}

/** A hidden field that brings an action back to the page it came from. */
export const backTo = (ctx: PageContext) => html`<input type="hidden" name="back" value="${ctx.url}">`;

export const deadlineCell = (ctx: PageContext, deadline: string | undefined) => {
  if (!deadline) return '';
  const overdue = Date.parse(deadline) < ctx.source.now();
  return html`<span class="${overdue ? 'overdue' : ''}">${formatTime(deadline)}${overdue ? html` · ${ctx.t('overdue')}` : ''}</span>`;
};

export const postingLink = (postingNumber: string) =>
  html`<a href="/postings/${encodeURIComponent(postingNumber)}">${postingNumber}</a>`;
