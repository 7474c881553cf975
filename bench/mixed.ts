/**
 * The mixed week, path by path: where each posting was meant to end and where it did, what a posting of each path
 * cost, and what it cost beyond a well-going posting of the same run and the same schema (FBS or rFBS; same
 * configuration: packing confirmation required) — which states it entered more often, which Ozon endpoints it
 * called more often.
 */
import Table from 'cli-table3';
import type { Execution } from '../local/engine';
import type { Measured } from '../local/metrics';
import { afterSaleSettled, failStatesOf, finalState, postingOf, statesEntered, waitStates } from '../local/report';
import type { Runtime } from '../local/runtime';
import { HAPPY_PATH, type PathEnd, pathIntents } from '../local/scenarios';
import { executionOf } from './admission';

interface Costs {
  transitions: number;
  lambdaInvocations: number;
  ozonCalls: number;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
}

export interface PathReport extends Costs {
  postings: number;
  intended: PathEnd;
  /** Postings by the state they ended in (a posting parked in NeedsAttention counts as `NeedsAttention`). */
  reached: Record<string, number>;
  /** Alert kinds the path should raise that some of its postings did not get, with how many lacked each. */
  missingAlerts: Record<string, number>;
  alerts: Record<string, number>;
  /** The well-going postings `extra` is measured from: `happy fbs` or `happy rfbs`. */
  baseline: string;
  /** Per posting, beyond the baseline. */
  extra: Costs & { states: Record<string, number>; ozonByPath: Record<string, number> };
}

export interface MixedReport {
  /** Every posting ended as its path intends. */
  valid: boolean;
  paths: Record<string, PathReport>;
  /** Per posting of the well-going postings by schema: what each path's `extra` is measured from. */
  baselines: Record<string, Costs & { postings: number }>;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const meanCounts = (maps: Record<string, number>[]) => {
  const sum: Record<string, number> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) sum[k] = (sum[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, v / Math.max(1, maps.length)]));
};
const countBy = (xs: string[]) =>
  xs.reduce<Record<string, number>>((acc, x) => {
    acc[x] = (acc[x] ?? 0) + 1;
    return acc;
  }, {});
/** a − b per key, rounded, without the keys where they agree. */
const difference = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(
    [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .map((k) => [k, r2((a[k] ?? 0) - (b[k] ?? 0))] as const)
      .filter(([, v]) => v !== 0),
  );

/** Where a posting ended: its latest execution's final state, or NeedsAttention while it is parked there. */
function reachedBy(rt: Runtime, attention: ReadonlySet<string>, failStates: ReadonlySet<string>) {
  return (pn: string): string => {
    const e = executionOf(rt, pn);
    if (!e) return 'not started';
    if (e.status === 'RUNNING' && statesEntered(e).some((s) => attention.has(s))) return 'NeedsAttention';
    return finalState(e, failStates);
  };
}

/** True once every posting is where its path ends, or parked waiting for the seller: nothing will change. */
export function mixedSettled(rt: Runtime, paths: Map<string, string>): () => boolean {
  const attention = waitStates(rt.stack.definition, ['attention']);
  const intents = pathIntents();
  return () => {
    for (const [pn, path] of paths) {
      const e = executionOf(rt, pn);
      if (!e) return false;
      if (e.status === 'RUNNING') {
        const parked = intents.get(path)?.ends === 'NeedsAttention' && statesEntered(e).some((s) => attention.has(s));
        if (!parked) return false;
      }
    }
    // The mixed week's return (after delivery and settlement) is part of it too.
    return afterSaleSettled(rt);
  };
}

export function mixedReport(
  rt: Runtime,
  measured: Measured,
  paths: Map<string, string>,
  schemas: Map<string, 'fbs' | 'rfbs'>,
): MixedReport {
  const intents = pathIntents();
  const reached = reachedBy(rt, waitStates(rt.stack.definition, ['attention']), failStatesOf(rt.stack.definition));
  const executionsOf = new Map<string, Execution[]>();
  for (const e of measured.executions) executionsOf.set(postingOf(e), [...(executionsOf.get(postingOf(e)) ?? []), e]);
  const postingsOf = new Map<string, string[]>();
  for (const [pn, path] of paths) postingsOf.set(path, [...(postingsOf.get(path) ?? []), pn]);

  const costs = (pns: string[]) => {
    const of = (pn: string) => {
      const executions = executionsOf.get(pn) ?? [];
      const use = measured.byPosting.get(pn);
      return {
        transitions: executions.reduce((s, e) => s + e.transitions, 0),
        lambdaInvocations: executions.reduce((s, e) => s + e.lambdaInvocations, 0),
        ozonCalls: use?.ozonCalls ?? 0,
        dynamoWriteUnits: (use?.dynamoWrite ?? 0) + (use?.dynamoRefusedWrite ?? 0),
        dynamoReadUnits: use?.dynamoRead ?? 0,
        states: countBy(executions.flatMap(statesEntered)),
        ozonByPath: use?.ozonByPath ?? {},
      };
    };
    const each = pns.map(of);
    const avg = (k: keyof Costs) => mean(each.map((c) => c[k]));
    return {
      transitions: avg('transitions'),
      lambdaInvocations: avg('lambdaInvocations'),
      ozonCalls: avg('ozonCalls'),
      dynamoWriteUnits: avg('dynamoWriteUnits'),
      dynamoReadUnits: avg('dynamoReadUnits'),
      states: meanCounts(each.map((c) => c.states)),
      ozonByPath: meanCounts(each.map((c) => c.ozonByPath)),
    };
  };
  const happyPostings = postingsOf.get(HAPPY_PATH) ?? [];
  const happyOf = {
    fbs: costs(happyPostings.filter((pn) => schemas.get(pn) !== 'rfbs')),
    rfbs: costs(happyPostings.filter((pn) => schemas.get(pn) === 'rfbs')),
  };

  const report: Record<string, PathReport> = {};
  let valid = true;
  for (const [path, pns] of postingsOf) {
    const intent = intents.get(path) ?? { ends: 'Completed' as PathEnd, alerts: [] };
    const ends = countBy(pns.map(reached));
    if (Object.keys(ends).some((k) => k !== intent.ends)) valid = false;
    const kindsOf = (pn: string) => new Set(rt.alerts.filter((a) => a.postingNumber === pn).map((a) => a.kind));
    const missing = pns.flatMap((pn) => intent.alerts.filter((k) => !kindsOf(pn).has(k)));
    const schema = schemas.get(pns[0] ?? '') ?? 'fbs';
    const c = costs(pns);
    // The well-going postings are their own baseline (FBS and rFBS together), every other path its schema's.
    const happy = path === HAPPY_PATH ? c : happyOf[schema];
    const perPosting = (k: keyof Costs) => r2(c[k]);
    const extra = (k: keyof Costs) => r2(c[k] - happy[k]);
    report[path] = {
      postings: pns.length,
      intended: intent.ends,
      reached: ends,
      missingAlerts: countBy(missing),
      alerts: countBy(rt.alerts.filter((a) => pns.includes(a.postingNumber)).map((a) => a.kind)),
      baseline: path === HAPPY_PATH ? HAPPY_PATH : `${HAPPY_PATH} ${schema}`,
      transitions: perPosting('transitions'),
      lambdaInvocations: perPosting('lambdaInvocations'),
      ozonCalls: perPosting('ozonCalls'),
      dynamoWriteUnits: perPosting('dynamoWriteUnits'),
      dynamoReadUnits: perPosting('dynamoReadUnits'),
      extra: {
        transitions: extra('transitions'),
        lambdaInvocations: extra('lambdaInvocations'),
        ozonCalls: extra('ozonCalls'),
        dynamoWriteUnits: extra('dynamoWriteUnits'),
        dynamoReadUnits: extra('dynamoReadUnits'),
        states: difference(c.states, happy.states),
        ozonByPath: difference(c.ozonByPath, happy.ozonByPath),
      },
    };
  }
  const baseline = (pns: string[]) => {
    const c = costs(pns);
    return {
      postings: pns.length,
      transitions: r2(c.transitions),
      lambdaInvocations: r2(c.lambdaInvocations),
      ozonCalls: r2(c.ozonCalls),
      dynamoWriteUnits: r2(c.dynamoWriteUnits),
      dynamoReadUnits: r2(c.dynamoReadUnits),
    };
  };
  const baselines = {
    [`${HAPPY_PATH} fbs`]: baseline(happyPostings.filter((pn) => schemas.get(pn) !== 'rfbs')),
    [`${HAPPY_PATH} rfbs`]: baseline(happyPostings.filter((pn) => schemas.get(pn) === 'rfbs')),
  };
  return { valid, paths: report, baselines };
}

export function mixedTable(report: MixedReport): string {
  const table = new Table({
    head: [
      'path',
      'n',
      'intended',
      'reached',
      'transitions',
      'Ozon',
      'WRU',
      'RRU',
      'extra: Ozon / WRU',
      'alerts missing',
    ],
  });
  for (const [path, p] of Object.entries(report.paths)) {
    const reached = Object.entries(p.reached)
      .map(([k, v]) => (k === p.intended ? `${v}` : `${k} ${v} ✗`))
      .join(', ');
    table.push([
      path,
      p.postings,
      p.intended,
      reached,
      p.transitions,
      p.ozonCalls,
      p.dynamoWriteUnits,
      p.dynamoReadUnits,
      path === HAPPY_PATH ? '' : `${p.extra.ozonCalls} / ${p.extra.dynamoWriteUnits} (vs ${p.baseline})`,
      Object.keys(p.missingAlerts).join(', '),
    ]);
  }
  for (const [name, b] of Object.entries(report.baselines)) {
    table.push([
      `(${name})`,
      b.postings,
      '',
      '',
      b.transitions,
      b.ozonCalls,
      b.dynamoWriteUnits,
      b.dynamoReadUnits,
      '',
      '',
    ]);
  }
  return table.toString();
}
