// `npm run start:deno`: the Deno entry on the Deno binary from node_modules (the `deno` npm
// package), run directly rather than through its npm shim, in its own process group, so that
// SIGINT/SIGTERM here stop Deno too and free the port (see children.mjs).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { spawnGroup, stopGroup, stopOnSignals } from './children.mjs';

/** The permissions the README documents for `deno run`. */
const DENO_ARGS = ['run', '--allow-net', '--allow-read', '--allow-write', '--allow-env', '--allow-ffi', '--allow-sys', fileURLToPath(new URL('../src/entry/deno.ts', import.meta.url))];

const require = createRequire(import.meta.url);
// The package's own resolver: the binary of this platform's @deno/* package.
const denoBinary = require('deno/install_api.cjs').runInstall();

const deno = spawnGroup(denoBinary, [...DENO_ARGS, ...process.argv.slice(2)]);
let stopping = false;
stopOnSignals(async () => {
  stopping = true;
  await stopGroup(deno);
});
const code = await deno.exited;
if (!stopping) process.exit(code ?? 1);
