// Build the web application into --out DIR (meson calls this through
// scripts/web_build.sh): app.js, charts.js (echarts, loaded by the
// dashboard only), app.css and index.html with a content hash on each
// asset URL. Nothing here is fetched from elsewhere at run time.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf('--out');
const out = i > 0 ? process.argv[i + 1] : join(here, 'dist');
mkdirSync(out, { recursive: true });

const common = { bundle: true, minify: true, sourcemap: false, target: ['es2020'], legalComments: 'none', logLevel: 'warning' };
await build({ ...common, entryPoints: [join(here, 'src/main.js')], outfile: join(out, 'app.js'), format: 'esm',
	external: ['/assets/charts.js', '/assets/graph.js'] });
await build({ ...common, entryPoints: [join(here, 'src/charts.js')], outfile: join(out, 'charts.js'), format: 'esm' });
// graph.js: cytoscape, loaded by the network page only.
await build({ ...common, entryPoints: [join(here, 'src/graph.js')], outfile: join(out, 'graph.js'), format: 'esm' });
await build({ ...common, entryPoints: [join(here, 'src/app.css')], outfile: join(out, 'app.css') });

const v = (f) => createHash('sha256').update(readFileSync(join(out, f))).digest('hex').slice(0, 12);
let html = readFileSync(join(here, 'index.html'), 'utf8');
html = html.replace('__APP_JS__', v('app.js')).replace('__APP_CSS__', v('app.css'));
writeFileSync(join(out, 'index.html'), html);
