// Builds the PWA into ../dist, which the Go package web embeds:
//   index.html, crew.html, desk.html   the three pages, with their hashed assets linked
//   assets/*                           JS and CSS bundles named by content hash (cached for a year)
//   sw.js                              the service worker, with the list of files to keep offline
//   *.gz, *.br                         precompressed copies, served when the browser accepts them
//   build.json                         sizes, and the hash of the sources (checked by a Go test)
//
//   node build.mjs          build
//   node build.mjs --size   build and print the JavaScript each page loads, gzipped
import * as esbuild from 'esbuild';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import EN from './src/strings.en.js';
import NL from './src/strings.nl.js';

const STRINGS = { nl: NL, en: EN };

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, 'src');
const out = path.resolve(here, '../dist');
const PAGES = { index: 'resident', crew: 'crew', desk: 'desk' };

checkStrings();
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'assets'), { recursive: true });

const target = ['es2020', 'chrome100', 'firefox100', 'safari15'];
// One build per page, so each page's own code is one file (on a slow network every extra
// request costs a round trip, and browsers open only six connections at a time); only
// what a page loads later (the resident's map, the English strings) is split off.
const outputs = {};
for (const entry of Object.values(PAGES)) {
  const res = await esbuild.build({
    entryPoints: { [entry]: path.join(src, `${entry}.js`) },
    bundle: true,
    splitting: true,
    format: 'esm',
    outdir: path.join(out, 'assets'),
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    minify: true,
    target,
    metafile: true,
    legalComments: 'linked',
    loader: { '.png': 'file', '.svg': 'file' },
    logLevel: 'warning',
  });
  Object.assign(outputs, res.metafile.outputs);
}

const rel = (p) => path.relative(out, path.resolve(here, p)).split(path.sep).join('/');
// closure is every JS file an entry loads without waiting (itself and its static
// imports), or with lazy also what it may import later (import()).
function closure(file, lazy = false, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const imp of outputs[file].imports) {
    if ((imp.kind === 'import-statement' || (lazy && imp.kind === 'dynamic-import')) && outputs[imp.path]) closure(imp.path, lazy, seen);
  }
  return seen;
}

const pageInfo = {};
for (const [page, entry] of Object.entries(PAGES)) {
  const [file, meta] = Object.entries(outputs).find(([, o]) => o.entryPoint && path.basename(o.entryPoint) === `${entry}.js`);
  const js = [...closure(file)];
  const css = meta.cssBundle ? [meta.cssBundle] : [];
  const tags = [
    ...css.map((c) => `<link rel="stylesheet" href="/${rel(c)}">`),
    ...js.slice(1).map((j) => `<link rel="modulepreload" href="/${rel(j)}">`),
    `<script type="module" src="/${rel(file)}"></script>`,
  ];
  const html = fs.readFileSync(path.join(src, 'html', `${page}.html`), 'utf8').replace('<!--ASSETS-->', tags.join('\n  '));
  fs.writeFileSync(path.join(out, `${page}.html`), html);
  pageInfo[page] = { js: [...closure(file, true)].map(rel), critical: js.map(rel), css: css.map(rel) };
}

for (const f of fs.readdirSync(path.join(src, 'static'))) fs.copyFileSync(path.join(src, 'static', f), path.join(out, f));

// The service worker keeps, per app, its page (by its route) and the assets it loads,
// the lazy ones included; images from the stylesheets go with every app.
const assets = fs.readdirSync(path.join(out, 'assets')).filter((f) => !f.endsWith('.txt')).map((f) => `/assets/${f}`).sort();
const images = assets.filter((a) => !/\.(js|css)$/.test(a));
const ROUTES = { index: '/', crew: '/crew', desk: '/desk' };
// The resident page loads the Firebase SDK only for a resident who asks for updates (and
// is online then): its worker does not keep it, so a resident's phone does not download
// it for nothing. The crew app keeps it, to turn notifications on again offline.
const byRel = new Map(Object.keys(outputs).map((o) => [rel(o), o]));
const firebase = (f) => Object.keys(outputs[byRel.get(f)].inputs).some((i) => /node_modules\/(@firebase|firebase)\//.test(i));
const kept = (page, f) => page !== 'index' || !firebase(f);
const precache = {
  shared: ['/manifest.webmanifest', '/crew.webmanifest', '/icon.svg'],
  apps: Object.fromEntries(Object.entries(PAGES).map(([page, app]) => [app,
    [ROUTES[page], ...pageInfo[page].js.filter((f) => kept(page, f)).map((f) => `/${f}`), ...pageInfo[page].css.map((f) => `/${f}`), ...images]])),
};
const version = crypto.createHash('sha256')
  .update(assets.join('\n'))
  .update(Object.keys(PAGES).map((p) => fs.readFileSync(path.join(out, `${p}.html`))).join(''))
  .digest('hex').slice(0, 12);
await esbuild.build({
  entryPoints: [path.join(src, 'sw.js')],
  bundle: true,
  format: 'iife',
  outfile: path.join(out, 'sw.js'),
  minify: true,
  target,
  legalComments: 'none',
  define: { __PRECACHE__: JSON.stringify(precache), __VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});

// Precompress what the Go server sends as is (it compresses the pages itself, after
// writing the tile settings into them).
const compressible = /\.(js|css|svg|webmanifest|txt)$/;
function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}
for (const f of walk(out)) {
  if (!compressible.test(f)) continue;
  const body = fs.readFileSync(f);
  fs.writeFileSync(`${f}.gz`, zlib.gzipSync(body, { level: 9 }));
  fs.writeFileSync(`${f}.br`, zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
}

const size = (f, ext = '') => fs.statSync(path.join(out, f + ext)).size;
const sizes = {};
for (const [page, info] of Object.entries(pageInfo)) {
  const sum = (files, ext) => files.reduce((n, f) => n + size(f, ext), 0);
  // js_*: all JavaScript the page loads, the lazy map included; critical_*: what it
  // needs before it is usable.
  sizes[page] = {
    js_bytes: sum(info.js, ''), js_gzip_bytes: sum(info.js, '.gz'), js_brotli_bytes: sum(info.js, '.br'),
    critical_js_gzip_bytes: sum(info.critical, '.gz'), critical_js_brotli_bytes: sum(info.critical, '.br'),
    css_bytes: sum(info.css, ''), css_gzip_bytes: sum(info.css, '.gz'),
    files: [...info.js, ...info.css],
  };
}
fs.writeFileSync(path.join(out, 'build.json'), `${JSON.stringify({ version, source_hash: sourceHash(), pages: sizes }, null, 2)}\n`);

if (process.argv.includes('--size')) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const [page, s] of Object.entries(sizes)) {
    console.log(`${page.padEnd(6)} JS ${kb(s.js_bytes)} raw, ${kb(s.js_gzip_bytes)} gzip, ${kb(s.js_brotli_bytes)} brotli `
      + `(before usable: ${kb(s.critical_js_gzip_bytes)} gzip); CSS ${kb(s.css_gzip_bytes)} gzip`);
  }
} else {
  console.log(`built ${path.relative(process.cwd(), out) || '.'} (version ${version}); resident page JS ${(sizes.index.js_gzip_bytes / 1024).toFixed(1)} KB gzip`);
}

// sourceHash covers everything the build reads, the same way mobile-api/web's Go test
// does: every file under src/, build.mjs and package-lock.json, by path, sorted.
function sourceHash() {
  const files = [...walk(src).map((f) => path.relative(here, f).split(path.sep).join('/')), 'build.mjs', 'package-lock.json'].sort();
  const h = crypto.createHash('sha256');
  for (const f of files) {
    h.update(`${f}\n`);
    h.update(fs.readFileSync(path.join(here, f)));
    h.update('\n');
  }
  return h.digest('hex');
}

// checkStrings fails the build when a text used with t('key') is missing in a language.
function checkStrings() {
  const used = new Set();
  for (const f of walk(src).filter((x) => x.endsWith('.js'))) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/\b(?:t|plural)\('([\w.-]+)'/g)) used.add(m[1]);
  }
  const missing = [];
  for (const lang of Object.keys(STRINGS)) {
    for (const k of used) {
      const plain = STRINGS[lang][k] != null;
      const plural = STRINGS[lang][`${k}.one`] != null && STRINGS[lang][`${k}.other`] != null;
      if (!plain && !plural) missing.push(`${lang}: ${k}`);
    }
  }
  const nl = Object.keys(STRINGS.nl);
  const en = new Set(Object.keys(STRINGS.en));
  for (const k of nl) if (!en.has(k)) missing.push(`en: ${k} (in nl)`);
  if (missing.length) {
    console.error(`missing strings:\n  ${missing.join('\n  ')}`);
    process.exit(1);
  }
}
