// `npm run dev:worker`: a local sqld (libSQL server), migrated, and `wrangler dev` against it, so
// the app runs inside workerd as it will on Cloudflare; the Worker's scheduled handler (the cron
// trigger's sweep of due timers) is fired every few seconds, and SIGINT/SIGTERM stop it all.
//
// Settings (environment): PORT (8787), SQLD_PORT (8080), SQLD_DB_PATH (data/sqld),
// DEV_WORKER_SWEEP_SECONDS (5). The Worker's development secrets are made once into
// worker-secrets.env beside the sqld database, whose PANs they encrypt.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { spawnGroup, stopGroup, stopOnSignals } from './children.mjs';
import { startSqld } from './sqld.mjs';

const port = Number(process.env.PORT ?? 8787);
const sqldPort = Number(process.env.SQLD_PORT ?? 8080);
const dbPath = process.env.SQLD_DB_PATH ?? 'data/sqld';
const sweepMs = 1000 * Number(process.env.DEV_WORKER_SWEEP_SECONDS ?? 5);

const sqld = await startSqld({ dbPath, port: sqldPort, quiet: true });
console.log(`sqld listening on ${sqld.url} (${dbPath})`);
let wrangler;
let ticker;
let stopping = false;
let lastFailure = '';
stopOnSignals(async () => {
  stopping = true;
  clearInterval(ticker);
  if (wrangler) await stopGroup(wrangler);
  await sqld.stop();
});

const migrate = spawnSync(process.execPath, ['--import', 'tsx', 'src/db/migrate-cli.ts'], {
  env: { ...process.env, DATABASE_URL: sqld.url },
  stdio: 'inherit',
});
if (migrate.status !== 0) {
  await sqld.stop();
  process.exit(migrate.status ?? 1);
}

const secretsFile = join(dirname(dbPath), 'worker-secrets.env');
writeSecrets(secretsFile);

// wrangler's own CLI, not `npx wrangler`: no npm or shell in between that a signal would stop
// without stopping wrangler.
const require = createRequire(import.meta.url);
const wranglerCli = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
wrangler = spawnGroup(
  process.execPath,
  [
    wranglerCli,
    'dev',
    '--env',
    'dev',
    '--port',
    String(port),
    '--env-file',
    secretsFile,
    '--var',
    `DATABASE_URL:${sqld.url}`,
    '--var',
    `PUBLIC_URL:http://localhost:${port}`,
    // Serves /__scheduled, which runs the Worker's scheduled handler (see fireScheduled).
    '--test-scheduled',
    ...process.argv.slice(2),
  ],
  { env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
);
ticker = setInterval(fireScheduled, sweepMs);
const code = await wrangler.exited;
// Stopped by a signal: the handler above finishes and exits. Otherwise wrangler ended on its own.
if (!stopping) {
  clearInterval(ticker);
  await sqld.stop();
  process.exit(code ?? 1);
}

/**
 * The cron trigger's sweep, run locally. Miniflare's /cdn-cgi/handler/scheduled cannot reach a
 * Worker that has static assets in wrangler 4.86 (it calls the assets router, which has no
 * scheduled handler: cloudflare/workers-sdk#9882), so this calls wrangler's /__scheduled, which
 * goes through the Worker's fetch to the same `scheduled` export.
 */
async function fireScheduled() {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/__scheduled?cron=${encodeURIComponent('* * * * *')}`, { signal: AbortSignal.timeout(sweepMs * 4) });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    lastFailure = '';
  } catch (error) {
    // Until wrangler listens, and on each new kind of failure, say so once.
    const text = String(error?.cause?.code ?? error?.message ?? error);
    if (text !== lastFailure && text !== 'ECONNREFUSED') console.warn(`dev:worker: the scheduled sweep failed: ${text}`);
    lastFailure = text;
  }
}

/** Development secrets for workerd, made once. A .dev.vars from before this file existed is carried over. */
function writeSecrets(file) {
  const names = ['PAN_LOOKUP_KEY', 'PAN_ENCRYPTION_KEY', 'AUTH_VALUE_KEY', 'SESSION_SECRET'];
  const legacy = dbPath === 'data/sqld' && existsSync('.dev.vars') ? readFileSync('.dev.vars', 'utf8') : '';
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const has = (source, name) => new RegExp(`^${name}=`, 'm').test(source);
  const added = [];
  for (const name of names.filter((n) => !has(text, n))) {
    const old = legacy.match(new RegExp(`^${name}=.*$`, 'm'));
    text += `${old ? old[0] : `${name}=${randomBytes(32).toString('base64')}`}\n`;
    if (!old) added.push(name);
  }
  writeFileSync(file, text, { mode: 0o600 });
  if (added.length) console.warn(`development secrets written to ${file}: ${added.join(', ')}`);
}
