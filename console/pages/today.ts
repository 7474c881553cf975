/** Today: what needs the seller, soonest deadline first, each with what to do; the carriages leaving today. */
import { html } from 'hono/html';
import { formatTime, type Key } from '../i18n';
import { type CarriageView, type Need, needs, postingViews, todaysCarriages } from '../model';
import { needActions } from './actions';
import { deadlineCell, type Html, type PageContext, postingLink } from './layout';

function needRow(ctx: PageContext, need: Need): Html {
  const { t } = ctx;
  const todo = need.todo ?? t(`todo_${need.kind}` as Key);
  return html`<tr data-posting="${need.postingNumber}" data-need="${need.kind}">
    <td><span class="badge ${need.kind}">${t(`need_${need.kind}` as Key)}</span></td>
    <td>${need.postingNumber ? postingLink(need.postingNumber) : ''}</td>
    <td class="when">${deadlineCell(ctx, need.deadline)}</td>
    <td class="todo">${need.text ? html`<q>${need.text}</q>\n` : ''}${todo}</td>
    <td>${needActions(ctx, need)}</td>
  </tr>`;
}

function carriageRow(ctx: PageContext, c: CarriageView): Html {
  return html`<tr>
    <td>${c.deliveryMethodName || c.name}</td>
    <td>${c.warehouseId ?? ''}</td>
    <td>${deadlineCell(ctx, c.cutoffAt)}</td>
    <td>${c.mandatory ?? 0} ${ctx.t('parcels')}, ${c.packaged ?? 0} ${ctx.t('packed')}</td>
    <td>${c.status === 'RUNNING' ? (c.lastState ?? '') : c.lastState || c.status}</td>
  </tr>`;
}

export async function todayPage(ctx: PageContext): Promise<Html> {
  const { t } = ctx;
  const [list, carriages] = await Promise.all([
    postingViews(ctx.source).then((postings) => needs(ctx.source, postings)),
    todaysCarriages(ctx.source),
  ]);
  return html`<h1>${t('today')} · ${formatTime(ctx.source.now()).slice(0, 10)}</h1>
<h2>${t('needsYou')} (${list.length})</h2>
${
  list.length
    ? html`<table class="needs"><thead><tr><th></th><th>${t('posting')}</th><th>${t('deadline')}</th><th>${t('whatToDo')}</th><th>${t('actions')}</th></tr></thead>
<tbody>${list.map((n) => needRow(ctx, n))}</tbody></table>`
    : html`<p class="muted">${t('nothingNeeded')}</p>`
}
<h2>${t('carriages')}</h2>
${
  carriages.length
    ? html`<table><thead><tr><th></th><th>${t('warehouse')}</th><th>${t('cutoff')}</th><th></th><th>${t('state')}</th></tr></thead>
<tbody>${carriages.map((c) => carriageRow(ctx, c))}</tbody></table>`
    : html`<p class="muted">${t('noCarriages')}</p>`
}`;
}
