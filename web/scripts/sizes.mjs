// Writes SIZES.md: every built asset with its size as served and gzipped,
// and the total each page loads. Run by `npm run build`.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const files = readdirSync(join(dist, 'assets')).sort().map((f) => join('assets', f));
const size = (f) => {
  const b = readFileSync(join(dist, f));
  return { raw: b.length, gz: gzipSync(b, { level: 9 }).length };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const pages = ['index.html', 'graphiql.html'].map((page) => {
  const html = readFileSync(join(dist, page), 'utf8');
  const used = files.filter((f) => html.includes(`/${f}`));
  const t = [page, ...used].map(size).reduce((a, b) => ({ raw: a.raw + b.raw, gz: a.gz + b.gz }), { raw: 0, gz: 0 });
  return { page, used, t };
});
let out = '# Bundle sizes\n\nWritten by `npm run build` (scripts/sizes.mjs) from `dist/`.\n\n';
out += '| page | loads | size | gzipped |\n| --- | --- | ---: | ---: |\n';
for (const p of pages) out += `| ${p.page} | ${p.used.length} assets | ${kb(p.t.raw)} | ${kb(p.t.gz)} |\n`;
out += '\n| asset | size | gzipped |\n| --- | ---: | ---: |\n';
for (const f of files) {
  const s = size(f);
  out += `| ${f} | ${kb(s.raw)} | ${kb(s.gz)} |\n`;
}
writeFileSync(new URL('../SIZES.md', import.meta.url), out);
process.stdout.write(out);
