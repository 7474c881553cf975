/** The console's one stylesheet, inlined in every page (no request, nothing from outside). */
export const STYLE = `
:root { --fg:#1d2330; --muted:#6b7385; --line:#e3e6ec; --bg:#f6f7f9; --ok:#1f8a4c; --bad:#c0392b; --warn:#b7791f;
  --accent:#005bff; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif; }
* { box-sizing: border-box; }
body { margin:0; color:var(--fg); background:var(--bg); }
header { display:flex; gap:18px; align-items:center; padding:10px 20px; background:#fff; border-bottom:1px solid var(--line); }
header nav a, .langs a { margin-right:12px; color:var(--muted); text-decoration:none; }
header nav a.active, .langs a.active { color:var(--fg); font-weight:600; }
.brand { color:var(--accent); }
.source { color:var(--muted); margin-left:auto; }
.auth { display:flex; gap:8px; align-items:center; margin:0; }
main { padding:16px 20px 40px; max-width:1400px; }
h1 { font-size:20px; margin:4px 0 14px; } h2 { font-size:16px; margin:22px 0 8px; }
table { border-collapse:collapse; width:100%; background:#fff; border:1px solid var(--line); }
th, td { text-align:left; padding:7px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:600; color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
a { color:var(--accent); }
td a, td.when { white-space:nowrap; }
.muted { color:var(--muted); } .ok { color:var(--ok); } .bad, .overdue { color:var(--bad); font-weight:600; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; background:#eef1f6; white-space:nowrap; }
.badge.short_stock, .badge.needs_attention, .badge.marking_codes { background:#fde8e6; color:var(--bad); }
.badge.tracking, .badge.packed, .badge.quality_check, .badge.return_decision, .badge.buyer_message { background:#fdf3e1; color:var(--warn); }
.todo { white-space:pre-line; max-width:560px; }
form.inline { display:flex; gap:6px; align-items:center; flex-wrap:wrap; margin:2px 0; }
input, select, textarea, button { font:inherit; padding:4px 8px; border:1px solid #c8ced9; border-radius:4px; background:#fff; }
button { background:var(--accent); color:#fff; border-color:var(--accent); cursor:pointer; }
header button { background:#fff; color:var(--fg); border-color:#c8ced9; }
input[type=number] { width:90px; }
.flash { margin:12px 20px 0; padding:8px 12px; border-radius:4px; background:#fff; border:1px solid var(--line); }
.flash.ok { border-color:var(--ok); } .flash.bad { border-color:var(--bad); }
.chips a { display:inline-block; margin:0 6px 6px 0; padding:2px 10px; border:1px solid var(--line); border-radius:12px;
  background:#fff; text-decoration:none; color:var(--fg); font-size:13px; }
.chips a.active { border-color:var(--accent); color:var(--accent); }
.chips .n { color:var(--muted); margin-left:4px; }
.cols { display:grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap:14px; align-items:start; }
.panel { background:#fff; border:1px solid var(--line); padding:10px 14px; margin-bottom:14px; }
.panel h2 { margin-top:0; }
.graphbox { background:#fff; border:1px solid var(--line); overflow:auto; padding:6px; }
svg.graph { display:block; margin:0 auto; max-width:100%; height:auto; font-size:11px; }
svg.graph .state rect { fill:#fff; stroke:#aab2c0; }
svg.graph .state.choice rect { fill:#f6f7f9; }
svg.graph .state.succeed rect { stroke:#7fb08f; } svg.graph .state.fail rect { stroke:#d99a93; }
svg.graph .state text { text-anchor:middle; fill:#5d6576; }
svg.graph .state.passed rect { fill:#dff3e6; stroke:var(--ok); } svg.graph .state.passed text { fill:#124a2a; }
svg.graph .state.current rect { stroke:var(--accent); stroke-width:3; fill:#e5eeff; }
svg.graph .state.current.failed rect { stroke:var(--bad); fill:#fde8e6; }
svg.graph .edge { fill:none; stroke:#c3c9d4; stroke-width:1.2; } svg.graph .edge.catch { stroke-dasharray:4 3; }
svg.graph .edge.passed { stroke:var(--ok); stroke-width:2; }
svg.graph marker path { fill:#9aa3b2; }
.timeline td:first-child { white-space:nowrap; color:var(--muted); width:1%; }
.timeline .kind-state { font-weight:600; } .timeline .kind-ozon { color:#4b5563; } .timeline .kind-alert { color:var(--bad); }
pre.record { background:#fff; border:1px solid var(--line); padding:10px; overflow:auto; max-height:520px; font-size:12px; }
.cards { display:grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap:14px; }
.card { background:#fff; border:1px solid var(--line); padding:12px 14px; }
.card .big { font-size:28px; font-weight:600; } .card svg rect { fill:var(--accent); opacity:.75; }
.card svg text { font-size:10px; fill:var(--muted); }
`;
