import { build } from 'esbuild';
const r = await build({ entryPoints: [process.argv[2]], bundle: true, platform: 'node', minify: true, target: 'node22', format: 'cjs', write: false, metafile: true, logLevel: 'silent', external: ['@aws-sdk/*'] });
const by = {};
for (const [f, i] of Object.entries(r.metafile.outputs)) for (const [inp, v] of Object.entries(i.inputs)) {
  if (!inp.includes(process.argv[3] ?? 'zod')) continue;
  const k = inp.replace(/.*node_modules\//,'').split('/').slice(0,4).join('/');
  by[k] = (by[k] ?? 0) + v.bytesInOutput;
}
console.log(Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0,15).map(([k,v])=>`${(v/1024).toFixed(0)}KB ${k}`).join('\n'));
