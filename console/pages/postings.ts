/** Postings: searchable by number, filtered by phase and final state, with counts; each row links to its journey. */
import { html } from 'hono/html';
import { formatTime } from '../i18n';
import { type PostingView, postingViews } from '../model';
import { deadlineCell, type Html, type PageContext, postingLink } from './layout';

export interface PostingFilter {
  q: string;
  phase: string;
  final: string;
}

/** The rows shown at most: a search narrows them. */
const MAX_ROWS = 300;

const countBy = (rows: PostingView[], key: (r: PostingView) => string) => {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
};

function chips(
  ctx: PageContext,
  f: PostingFilter,
  field: 'phase' | 'final',
  counts: [string, number][],
  total: number,
): Html {
  const link = (value: string) => {
    const params = new URLSearchParams({ ...f, [field]: value });
    for (const [k, v] of [...params]) if (!v) params.delete(k);
    return `/postings${params.size ? `?${params}` : ''}`;
  };
  return html`<div class="chips" data-filter="${field}">
    <a href="${link('')}" class="${f[field] ? '' : 'active'}">${ctx.t('all')}<span class="n">${total}</span></a>
    ${counts.map(
      ([value, n]) =>
        html`<a href="${link(value)}" class="${f[field] === value ? 'active' : ''}">${value}<span class="n">${n}</span></a>`,
    )}</div>`;
}

export async function postingsPage(ctx: PageContext, f: PostingFilter): Promise<Html> {
  const { t } = ctx;
  const all = await postingViews(ctx.source);
  const searched = f.q ? all.filter((p) => p.postingNumber.includes(f.q.trim())) : all;
  const rows = searched.filter((p) => (!f.phase || p.phase === f.phase) && (!f.final || p.finalState === f.final));
  const shown = await ctx.source.withLastStates(rows.slice(0, MAX_ROWS).map((r) => r.execution));
  const lastState = new Map(shown.map((e) => [e.name, e.lastState]));
  return html`<h1>${t('postings')} · ${rows.length} ${t('count')}</h1>
<form method="get" action="/postings" class="inline">
  <input type="search" name="q" value="${f.q}" placeholder="${t('search')}" aria-label="${t('search')}">
  ${f.phase ? html`<input type="hidden" name="phase" value="${f.phase}">` : ''}
  ${f.final ? html`<input type="hidden" name="final" value="${f.final}">` : ''}
  <button>${t('filter')}</button>
</form>
<p class="muted">${t('phase')}</p>${chips(
    ctx,
    f,
    'phase',
    countBy(searched, (p) => p.phase),
    searched.length,
  )}
<p class="muted">${t('finalState')}</p>${chips(
    ctx,
    f,
    'final',
    countBy(searched, (p) => p.finalState),
    searched.length,
  )}
<table class="postings"><thead><tr><th>${t('posting')}</th><th>${t('phase')}</th><th>${t('state')}</th><th>${t('finalState')}</th><th>${t('deadline')}</th><th>${t('started')}</th></tr></thead>
<tbody>${rows.slice(0, MAX_ROWS).map(
    (p) => html`<tr data-posting="${p.postingNumber}">
  <td>${postingLink(p.postingNumber)}${p.order ? html` <span class="muted">${p.order.schema.toUpperCase()}</span>` : ''}</td>
  <td>${p.phase}</td>
  <td>${lastState.get(p.execution.name) ?? ''}</td>
  <td>${p.finalState === 'running' ? html`<span class="muted">${t('running')}</span>` : p.finalState}</td>
  <td>${p.execution.status === 'RUNNING' ? deadlineCell(ctx, p.order?.wait?.deadlineAt ?? p.order?.wait?.timeoutAt) : ''}</td>
  <td>${formatTime(p.execution.startDate)}</td>
</tr>`,
  )}</tbody></table>`;
}
