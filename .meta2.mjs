import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
const entries = [];
for (const d of readdirSync('functions')) if (d !== 'shared') for (const f of readdirSync('functions/'+d)) if (f.endsWith('.ts')) entries.push(`functions/${d}/${f}`);
for (const e of entries) {
  const r = await build({ entryPoints: [e], bundle: true, platform: 'node', minify: true, keepNames: true, target: 'node22', format: 'cjs', write: false, metafile: true, logLevel: 'silent', external: ['@aws-sdk/*'] });
  const out = Object.values(r.metafile.outputs)[0];
  const by = {};
  for (const [inp, v] of Object.entries(out.inputs)) { const m = inp.match(/node_modules\/((@[^/]+\/)?[^/]+)/); const k = m ? m[1] : 'own'; by[k]=(by[k]??0)+v.bytesInOutput; }
  console.log((out.bytes/1024).toFixed(0), e, Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0,5).map(([k,v])=>`${k}:${(v/1024).toFixed(0)}`).join(' '));
}
