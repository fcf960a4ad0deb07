// `npm run build`: the production server as plain JavaScript, so production runs without a
// TypeScript loader (`npm run start:prod` = `node dist/node.mjs`). One esbuild bundle of
// src/entry/node.ts with the static assets built beside it. The packages in "dependencies" stay
// external (loaded from node_modules at run time: libSQL's native binding must not be bundled,
// and `npm ci --omit=dev` installs exactly these); anything the server imports from a dev
// dependency is bundled in, so the output runs without dev dependencies installed.
//
//   node scripts/build.mjs [--outdir DIR]     (default dist/; the server reads drizzle/ and
//                                              static/ relative to its working directory)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const at = process.argv.indexOf('--outdir');
const outdir = at > 0 ? process.argv[at + 1] : 'dist';

await import('./build-static.mjs');

const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8'));
const started = Date.now();
const result = await build({
  entryPoints: { node: 'src/entry/node.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // A package and its subpaths (hono/jsx, @hono/node-server/serve-static, …).
  external: Object.keys(dependencies).flatMap((name) => [name, `${name}/*`]),
  // Bundled CommonJS code may call require(): give the ES module one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.mjs'))?.[1].bytes ?? 0;
console.log(`built ${join(outdir, 'node.mjs')} (${Math.round(bytes / 1024)} KiB) in ${Date.now() - started} ms; start it with npm run start:prod`);
