/**
 * Issue 10's targets for a happy FBS posting, each next to what this run measured. The throughput target is
 * relative: the product should reach 85% of what Ozon's rate allows (the client's rate ÷ the Ozon calls a posting
 * takes, both from this run), so the row's measured figure is that ratio.
 */
import Table from 'cli-table3';

export interface Target {
  figure: string;
  target: number;
  /** null when it could not be measured (a cold-start measurement that failed): never met. */
  measured: number | null;
  better: 'lower' | 'higher';
  met: boolean;
  /** How far from the target, in the figure's unit; 0 when met. */
  gap: number;
}

/** What the targets are judged on, per happy FBS posting unless named otherwise. */
export interface TargetFigures {
  ozonCallsPerPosting: number;
  /** Steady-state throughput ÷ the Ozon-rate ceiling. */
  throughputRatio: number;
  dynamoWriteUnitsPerPosting: number;
  dynamoReadUnitsPerPosting: number;
  transitionsPerPosting: number;
  costPer1000: number;
  maxBundleKb: number | null;
  maxColdStartP50Ms: number | null;
}

const TARGETS: { figure: string; target: number; better: Target['better']; of: keyof TargetFigures }[] = [
  { figure: 'Ozon calls per posting', target: 2.3, better: 'lower', of: 'ozonCallsPerPosting' },
  {
    figure: 'throughput end to end ÷ Ozon-rate ceiling',
    target: 0.85,
    better: 'higher',
    of: 'throughputRatio',
  },
  { figure: 'DynamoDB write units per posting', target: 16, better: 'lower', of: 'dynamoWriteUnitsPerPosting' },
  { figure: 'DynamoDB read units per posting', target: 8, better: 'lower', of: 'dynamoReadUnitsPerPosting' },
  { figure: 'state transitions per posting', target: 11, better: 'lower', of: 'transitionsPerPosting' },
  { figure: 'AWS cost per 1,000 postings ($)', target: 0.3, better: 'lower', of: 'costPer1000' },
  { figure: 'largest Lambda bundle (KB, minified)', target: 250, better: 'lower', of: 'maxBundleKb' },
  {
    figure: 'Lambda cold start, module init p50 (ms, worst function)',
    target: 150,
    better: 'lower',
    of: 'maxColdStartP50Ms',
  },
];

const r2 = (x: number) => Math.round(x * 100) / 100;

export function judgeTargets(figures: TargetFigures): Target[] {
  return TARGETS.map(({ figure, target, better, of }) => {
    const measured = figures[of];
    if (measured === null || !Number.isFinite(measured)) {
      return { figure, target, measured: null, better, met: false, gap: Number.NaN };
    }
    const met = better === 'lower' ? measured <= target : measured >= target;
    const gap = met ? 0 : r2(Math.abs(measured - target));
    return { figure, target, measured, better, met, gap };
  });
}

export function targetsTable(targets: Target[]): string {
  const table = new Table({ head: ['figure (happy FBS posting)', 'measured', 'target', ''] });
  for (const t of targets) {
    const verdict = t.measured === null ? 'NOT MEASURED' : t.met ? 'met' : `MISSED by ${t.gap}`;
    table.push([t.figure, t.measured ?? '—', `${t.better === 'lower' ? '≤' : '≥'} ${t.target}`, verdict]);
  }
  return table.toString();
}
