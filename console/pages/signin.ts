/** The sign-in form: the seller API key, once; the server keeps it and the browser holds only a session cookie. */
import { html } from 'hono/html';
import type { Html, PageContext } from './layout';

export function signInPage(ctx: PageContext, back: string): Html {
  const { t } = ctx;
  return html`<h1>${t('signIn')}</h1>
<p class="muted">${t('signInHint')}</p>
<form method="post" action="/signin" class="inline">
  <input type="hidden" name="back" value="${back}">
  <label>${t('keyLabel')} <input type="password" name="key" required autocomplete="off" size="40"></label>
  <button>${t('signIn')}</button>
</form>`;
}
