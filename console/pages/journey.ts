/**
 * A posting's journey: OrderLifecycle drawn from its ASL with the states passed and the current one, the current
 * wait and its deadline, what the seller can do now, the alerts, every state, event and Ozon call in order, the
 * order record; and each of its returns with its ReturnLifecycle.
 */
import { html, raw } from 'hono/html';
import { getReturn, type ReturnRecord } from '#aftersale/return-store';
import { listEvents } from '#shared/event-store';
import { getOrder } from '#shared/order-store';
import { layoutOf, renderGraph } from '../graph';
import { formatTime } from '../i18n';
import { alertText, needOf, needOfOrder, returnIdOf } from '../model';
import {
  type ConsoleSource,
  type ExecutionDetail,
  type Machine,
  ozonPostingLink,
  postingOfExecution,
  type SellerAlert,
} from '../source';
import { needActions, returnForm } from './actions';
import { deadlineCell, type Html, type PageContext } from './layout';

interface Line {
  at: number;
  kind: 'state' | 'error' | 'event' | 'ozon' | 'alert';
  text: string;
}

async function executionsOf(source: ConsoleSource, machine: Machine, match: (name: string) => boolean) {
  const found = (await source.executions(machine)).filter((e) => match(e.name));
  const details = await Promise.all(found.map((e) => source.execution(machine, e.name)));
  return details.filter((d): d is ExecutionDetail => d !== undefined).sort((a, b) => a.startDate - b.startDate);
}

function historyLines(e: ExecutionDetail): Line[] {
  return e.history.flatMap((h): Line[] => {
    if (h.type === 'StateEntered' && h.state) return [{ at: h.at, kind: 'state', text: h.state }];
    if (h.error)
      return [{ at: h.at, kind: 'error', text: `${h.state ?? e.name}: ${h.error}${h.cause ? ` — ${h.cause}` : ''}` }];
    if (/^Execution(Succeeded|Failed|Aborted|TimedOut|Started|Resumed)$/.test(h.type)) {
      return [{ at: h.at, kind: 'event', text: `${e.name}: ${h.type}` }];
    }
    return [];
  });
}

/** The graph of a machine with what these executions passed; the latest one's last state is current. */
async function graphOf(ctx: PageContext, machine: Machine, executions: ExecutionDetail[]): Promise<Html> {
  const passed = new Map<string, string>();
  for (const h of executions.flatMap((e) => e.history)) {
    if (h.type === 'StateEntered' && h.state && !passed.has(h.state)) passed.set(h.state, formatTime(h.at));
  }
  const latest = executions.at(-1);
  const current = latest?.history.findLast((h) => h.type === 'StateEntered')?.state;
  const layout = await layoutOf(await ctx.source.definition(machine));
  const svg = renderGraph(layout, {
    passed,
    current,
    failed: latest?.status === 'FAILED' || latest?.status === 'TIMED_OUT',
  });
  return html`<div class="graphbox" data-machine="${machine}">${raw(svg)}
  <p class="muted">${ctx.t('legend')}${layout.sharedCatches.length ? html` ${ctx.t('sharedCatches')} ${layout.sharedCatches.join(' · ')}.` : ''}</p></div>`;
}

function alertsPanel(ctx: PageContext, alerts: SellerAlert[]): Html {
  const { t } = ctx;
  return html`<div class="panel alerts"><h2>${t('alerts')} (${alerts.length})</h2>
  ${alerts.length ? '' : html`<p class="muted">${t('noAlerts')}</p>`}
  ${alerts.map(
    (a) => html`<p><span class="badge">${a.kind}</span> <span class="muted">${formatTime(a.at)}</span><br>
    <span class="todo">${a.message ? alertText(a.message) : (a.severity ?? '')}</span></p>`,
  )}</div>`;
}

async function returnPanel(ctx: PageContext, e: ExecutionDetail, record: ReturnRecord | undefined): Promise<Html> {
  const open = e.status === 'RUNNING' && record?.schema === 'rfbs' && !record.decision && !record.seller;
  return html`<div class="panel return" data-return="${returnIdOf(e.name)}">
  <h2>${ctx.t('returns')} · ${returnIdOf(e.name)} · ${e.status}</h2>
  ${record ? html`<p>${record.offerId} · ${record.reason} · ${record.price} ${record.currency}</p>` : ''}
  ${open ? html`${deadlineCell(ctx, record?.answerBy ?? record?.deadline)} ${ctx.signedIn ? returnForm(ctx, record.returnId) : ''}` : ''}
  ${await graphOf(ctx, 'ReturnLifecycle', [e])}
  ${record ? html`<pre class="record">${JSON.stringify(record, null, 2)}</pre>` : ''}</div>`;
}

export async function journeyPage(ctx: PageContext, postingNumber: string): Promise<Html | undefined> {
  const { t, source } = ctx;
  const [executions, returns] = await Promise.all([
    executionsOf(source, 'OrderLifecycle', (n) => postingOfExecution(n) === postingNumber),
    executionsOf(source, 'ReturnLifecycle', (n) => n.startsWith(`${postingNumber}_R`)),
  ]);
  const order = await getOrder(postingNumber, { consistent: false });
  if (!executions.length && !order) return undefined;
  const [events, alerts, calls, graph] = await Promise.all([
    listEvents(postingNumber),
    source.alerts(postingNumber),
    source.ozonCalls(postingNumber),
    graphOf(ctx, 'OrderLifecycle', executions),
  ]);
  const latest = executions.at(-1);
  const running = latest?.status === 'RUNNING';
  // The wait item outlives its wait (kept a week for ops): it is the current one only while the execution is in it.
  const inState = latest?.history.findLast((h) => h.type === 'StateEntered')?.state ?? '';
  const waiting = running && order?.wait && (inState.startsWith('Await') || inState === 'NeedsAttention');
  const kind = running && order ? needOfOrder(order) : undefined;
  const need = kind && order ? await needOf(order, kind) : undefined;
  const lines: Line[] = [
    ...executions.flatMap(historyLines),
    ...events
      .filter((e) => e.type !== 'alert')
      .map(
        (e): Line => ({
          at: Date.parse(e.at),
          kind: 'event',
          text: [e.type, e.status, e.substatus, `(${e.source})`].filter(Boolean).join(' '),
        }),
      ),
    ...(calls ?? []).map((c): Line => ({ at: c.at, kind: 'ozon', text: `${t('ozonCall')} ${c.path} → ${c.status}` })),
    ...alerts.map((a): Line => ({ at: a.at, kind: 'alert', text: `${t('alerts')}: ${a.kind}` })),
  ].sort((a, b) => a.at - b.at);
  const awsLink = latest ? source.executionLink(latest.arn) : undefined;
  const records = await Promise.all(returns.map((r) => getReturn(returnIdOf(r.name))));
  return html`<h1>${t('journey')} · ${postingNumber}</h1>
<p><a href="${ozonPostingLink(postingNumber)}" rel="noreferrer" target="_blank">${t('openInOzon')}</a>
${awsLink ? html` · <a href="${awsLink}" rel="noreferrer" target="_blank">${t('openInAws')}</a>` : ''}
· ${order ? html`${t('phase')}: <strong data-phase="${order.phase}">${order.phase}</strong> · Ozon: ${order.status}` : ''}
· ${latest ? html`${latest.name}: ${latest.status}` : ''}</p>
<div class="cols">
  ${
    waiting && order?.wait
      ? html`<div class="panel wait"><h2>${t('wait')}</h2>
    <p>${t('waitsFor')} <strong>${order.wait.on}</strong><br>${t('deadline')}: ${deadlineCell(ctx, order.wait.deadlineAt ?? order.wait.timeoutAt)}</p></div>`
      : ''
  }
  ${need ? html`<div class="panel act"><h2>${t('actions')}</h2>${needActions(ctx, need)}</div>` : ''}
  ${alertsPanel(ctx, alerts)}
</div>
${graph}
<h2>${t('events')}</h2>
<table class="timeline"><tbody>${lines.map(
    (l) => html`<tr class="kind-${l.kind}"><td>${formatTime(l.at)}</td><td>${l.text}</td></tr>`,
  )}</tbody></table>
${await Promise.all(returns.map((r, i) => returnPanel(ctx, r, records[i])))}
<h2>${t('record')}</h2>
<pre class="record">${order ? JSON.stringify(order, null, 2) : ''}</pre>`;
}
