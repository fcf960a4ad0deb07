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
  // The server, the operators' tools (`node dist/cards.mjs import FILE`, …) and the import's worker
  // threads, which the tools find beside themselves (src/cards/import/prepare-pool.ts).
  entryPoints: {
    node: 'src/entry/node.ts',
    cards: 'src/cards/cards-cli.ts',
    'prepare-worker': 'src/cards/import/prepare-worker.ts',
    'checkpoint-worker': 'src/cards/import/checkpoint-worker.ts',
    'bin-ranges': 'src/cards/bin-ranges-cli.ts',
    staff: 'src/admin/staff-cli.ts',
    audit: 'src/admin/audit-cli.ts',
    migrate: 'src/db/migrate-cli.ts',
    'av-verify': 'src/acs/av-cli.ts',
  },
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
const bytes = result.metafile.outputs[join(outdir, 'node.mjs')]?.bytes ?? 0;
const tools = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.mjs') && !file.endsWith('node.mjs') && !file.includes('-worker'));
console.log(`built ${join(outdir, 'node.mjs')} (${Math.round(bytes / 1024)} KiB) and ${tools.join(', ')} in ${Date.now() - started} ms; start it with npm run start:prod`);
