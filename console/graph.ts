/**
 * A state machine drawn from the ASL that runs it: states and transitions (Next, Default, Choices, Catch) laid out
 * by elkjs (layered, top to bottom) on the server, rendered as SVG with the states an execution passed highlighted
 * and its current one marked. A Catch that many tasks share (`States.ALL` → NeedsAttention, `PostingCancelled` →
 * ReleaseStock…) is not drawn from each of them, which would bury the graph in its edges: the legend lists them.
 */
import ELK, { type ElkExtendedEdge, type ElkNode, type ElkPoint } from 'elkjs/lib/elk.bundled.js';

type EdgeKind = 'next' | 'choice' | 'catch';
interface AslState {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next?: string }[];
  Catch?: { ErrorEquals?: string[]; Next?: string }[];
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: { id: string; type: string; lines: string[]; x: number; y: number; width: number; height: number }[];
  edges: { from: string; to: string; kind: EdgeKind; points: ElkPoint[] }[];
  /** Catches shared by many tasks, not drawn: `PostingCancelled → ReleaseStock`. */
  sharedCatches: string[];
}

/** A Catch on at least this many states is listed in the legend instead of drawn. */
const SHARED_CATCH_STATES = 5;
const LINE_HEIGHT = 14;
const CHAR_WIDTH = 6.6;
const LONG_NAME = 14;

const catchName = (c: { ErrorEquals?: string[]; Next?: string }) => `${(c.ErrorEquals ?? []).join(', ')} → ${c.Next}`;

/** A long name on two lines, split between its words where the longer line is shortest. */
function labelLines(name: string): string[] {
  if (name.length <= LONG_NAME) return [name];
  const words = name.split(/(?=[A-Z])/);
  let best = [name];
  for (let i = 1; i < words.length; i++) {
    const lines = [words.slice(0, i).join(''), words.slice(i).join('')];
    if (Math.max(...lines.map((l) => l.length)) < Math.max(...best.map((l) => l.length))) best = lines;
  }
  return best;
}

function transitions(states: Record<string, AslState>) {
  const catchCount = new Map<string, number>();
  for (const s of Object.values(states)) {
    for (const c of s.Catch ?? []) catchCount.set(catchName(c), (catchCount.get(catchName(c)) ?? 0) + 1);
  }
  const shared = (c: { ErrorEquals?: string[]; Next?: string }) =>
    (catchCount.get(catchName(c)) ?? 0) >= SHARED_CATCH_STATES;
  const edges = new Map<string, { from: string; to: string; kind: EdgeKind }>();
  const add = (from: string, to: string | undefined, kind: EdgeKind) => {
    if (to && to in states && !edges.has(`${from}>${to}`)) edges.set(`${from}>${to}`, { from, to, kind });
  };
  for (const [name, s] of Object.entries(states)) {
    add(name, s.Next, 'next');
    add(name, s.Default, 'choice');
    for (const c of s.Choices ?? []) add(name, c.Next, 'choice');
    for (const c of s.Catch ?? []) if (!shared(c)) add(name, c.Next, 'catch');
  }
  const sharedCatches = [...catchCount].filter(([, n]) => n >= SHARED_CATCH_STATES).map(([name]) => name);
  return { edges: [...edges.values()], sharedCatches };
}

const elk = new ELK();
const layouts = new Map<string, Promise<GraphLayout>>();

/** The layout of a definition, computed once per definition. */
export function layoutOf(definition: Record<string, unknown>): Promise<GraphLayout> {
  const key = JSON.stringify(definition);
  let layout = layouts.get(key);
  if (!layout) {
    layout = computeLayout(definition);
    layouts.set(key, layout);
  }
  return layout;
}

/**
 * The states in the order the flow reaches them from StartAt (breadth first), then any others: given to elk as
 * the model order, which breaks cycles against it, so the start is drawn on top and a timeout's way back to an
 * earlier state points up.
 */
function flowOrder(startAt: string, states: Record<string, AslState>, edges: { from: string; to: string }[]) {
  const order = [startAt];
  for (let i = 0; i < order.length; i++) {
    for (const e of edges) if (e.from === order[i] && !order.includes(e.to)) order.push(e.to);
  }
  return [...order, ...Object.keys(states).filter((s) => !order.includes(s))].filter((s) => s in states);
}

async function computeLayout(definition: Record<string, unknown>): Promise<GraphLayout> {
  const states = (definition.States ?? {}) as Record<string, AslState>;
  const { edges, sharedCatches } = transitions(states);
  const ordered = flowOrder(String(definition.StartAt), states, edges);
  const rank = (state: string) => ordered.indexOf(state);
  edges.sort((a, b) => rank(a.from) - rank(b.from) || rank(a.to) - rank(b.to));
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '26',
      'elk.spacing.nodeNode': '12',
      'elk.spacing.edgeNode': '8',
      'elk.spacing.edgeEdge': '6',
      'elk.layered.spacing.edgeNodeBetweenLayers': '10',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '6',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
    },
    children: ordered.map((id) => {
      const lines = labelLines(id);
      return {
        id,
        width: Math.max(...lines.map((l) => l.length)) * CHAR_WIDTH + 18,
        height: (lines.length + 1) * LINE_HEIGHT,
      };
    }),
    edges: edges.map((e, i): ElkExtendedEdge => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  };
  const laid = await elk.layout(graph);
  const sectionsOf = new Map((laid.edges ?? []).map((e) => [e.id, e.sections ?? []]));
  return {
    width: laid.width ?? 0,
    height: laid.height ?? 0,
    nodes: (laid.children ?? []).map((n) => ({
      id: n.id,
      type: states[n.id]?.Type ?? 'Task',
      lines: labelLines(n.id),
      x: n.x ?? 0,
      y: n.y ?? 0,
      width: n.width ?? 0,
      height: n.height ?? 0,
    })),
    edges: edges.map((e, i) => ({
      ...e,
      points: (sectionsOf.get(`e${i}`) ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]),
    })),
    sharedCatches,
  };
}

export interface Highlight {
  /** State → when it was first entered (shown in its tooltip). */
  passed: Map<string, string>;
  /** The state the execution is in now (running) or ended in. */
  current?: string;
  /** The execution failed in `current`. */
  failed?: boolean;
}

const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The layout as SVG; classes `passed`, `current`, `failed` and the state type style it (console.css). */
export function renderGraph(layout: GraphLayout, h: Highlight): string {
  const pad = 8;
  const traversed = (from: string, to: string) => h.passed.has(from) && h.passed.has(to);
  const edges = layout.edges.map((e) => {
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x + pad},${p.y + pad}`).join(' ');
    const cls = ['edge', e.kind, traversed(e.from, e.to) ? 'passed' : ''].join(' ').trim();
    return `<path class="${cls}" d="${d}" marker-end="url(#arrow)"/>`;
  });
  const nodes = layout.nodes.map((n) => {
    const at = h.passed.get(n.id);
    const cls = [
      'state',
      n.type.toLowerCase(),
      at ? 'passed' : '',
      h.current === n.id ? (h.failed ? 'current failed' : 'current') : '',
    ]
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    const title = escapeXml(at ? `${n.id} · ${at}` : n.id);
    const rx = n.type === 'Choice' ? 14 : 4;
    return (
      `<g class="${cls}" data-state="${escapeXml(n.id)}"><title>${title}</title>` +
      `<rect x="${n.x + pad}" y="${n.y + pad}" width="${n.width}" height="${n.height}" rx="${rx}"/>` +
      `<text y="${n.y + pad + (n.height - n.lines.length * LINE_HEIGHT) / 2 + 11}">${n.lines
        .map(
          (line, i) => `<tspan x="${n.x + pad + n.width / 2}" dy="${i ? LINE_HEIGHT : 0}">${escapeXml(line)}</tspan>`,
        )
        .join('')}</text></g>`
    );
  });
  const width = Math.ceil(layout.width + 2 * pad);
  const height = Math.ceil(layout.height + 2 * pad);
  return (
    `<svg class="graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" xmlns="http://www.w3.org/2000/svg">` +
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>' +
    `${edges.join('')}${nodes.join('')}</svg>`
  );
}
