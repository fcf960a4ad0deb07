// `npm run dev:worker`: a local sqld (libSQL server) under data/sqld, migrated, and
// `wrangler dev` against it, so the app runs inside workerd as it will on Cloudflare.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { startSqld } from './sqld.mjs';

const port = Number(process.env.PORT ?? 8787);
const sqldPort = Number(process.env.SQLD_PORT ?? 8080);
mkdirSync('data', { recursive: true });

const sqld = await startSqld({ dbPath: 'data/sqld', port: sqldPort, quiet: true });
console.log(`sqld listening on ${sqld.url} (data/sqld)`);

const migrate = spawnSync(process.execPath, ['--import', 'tsx', 'src/db/migrate-cli.ts'], {
  env: { ...process.env, DATABASE_URL: sqld.url },
  stdio: 'inherit',
});
if (migrate.status !== 0) {
  sqld.stop();
  process.exit(migrate.status ?? 1);
}

// Development secrets for workerd live in .dev.vars (git-ignored), made once.
const secretNames = ['PAN_LOOKUP_KEY', 'PAN_ENCRYPTION_KEY', 'AUTH_VALUE_KEY', 'SESSION_SECRET'];
const existing = existsSync('.dev.vars') ? readFileSync('.dev.vars', 'utf8') : '';
const missing = secretNames.filter((n) => !new RegExp(`^${n}=`, 'm').test(existing));
if (missing.length) {
  writeFileSync('.dev.vars', existing + missing.map((n) => `${n}=${randomBytes(32).toString('base64')}\n`).join(''), { mode: 0o600 });
  console.warn(`development secrets written to .dev.vars: ${missing.join(', ')}`);
}

const wrangler = spawn(
  'npx',
  ['wrangler', 'dev', '--env', 'dev', '--port', String(port), '--var', `DATABASE_URL:${sqld.url}`, '--var', `PUBLIC_URL:http://localhost:${port}`, ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
);
const stop = () => {
  wrangler.kill('SIGTERM');
  sqld.stop();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
wrangler.on('exit', (code) => {
  sqld.stop();
  process.exit(code ?? 0);
});
