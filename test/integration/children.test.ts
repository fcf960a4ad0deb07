/**
 * scripts/children.mjs, which `npm run dev:worker` and `npm run start:deno` use to stop what they
 * started: a child's whole process tree stops with it (what the child started in turn too), one
 * that ignores SIGTERM is killed after the grace period, and SIGTERM to the parent is forwarded
 * before it exits. Real processes holding a real port.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { spawnGroup, stopGroup } from '../../scripts/children.mjs';
import { freePort } from '../../scripts/sqld.mjs';
import { alive, descendants, eventually, killGroup, listening } from '../support/processes.ts';

/** A process that starts another which listens on `port` (as wrangler starts workerd), and waits. */
function parentOfListener(port: number, { ignoreTerm = false } = {}) {
  const listener = `${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''} require('node:net').createServer().listen(${port}, '127.0.0.1');`;
  return `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(listener)}], { stdio: 'inherit' }); setInterval(() => {}, 1000);`;
}

const until = (check: () => boolean | Promise<boolean>) => eventually(check, 10_000);
// The port is looked at until it is free, not once: a killed process shows as a zombie ('Z') as soon
// as its main thread has exited, while its other threads (Node has several) may still be exiting and
// the listening socket closes only with the last of them.

describe('stopping child process trees', () => {
  it('stops a child and the process it started, and the port is free', async () => {
    const port = await freePort();
    const child = spawnGroup(process.execPath, ['-e', parentOfListener(port)], { stdio: 'ignore' });
    try {
      expect(await until(() => listening(port))).toBe(true);
      const tree = [child.pid!, ...descendants(child.pid!)];
      expect(tree).toHaveLength(2);
      await stopGroup(child);
      expect(tree.filter(alive)).toEqual([]);
      expect(await until(async () => !(await listening(port)))).toBe(true);
    } finally {
      killGroup(child.pid);
    }
  });

  it('kills what ignores SIGTERM once the grace period is over', async () => {
    const port = await freePort();
    const child = spawnGroup(process.execPath, ['-e', parentOfListener(port, { ignoreTerm: true })], { stdio: 'ignore' });
    try {
      expect(await until(() => listening(port))).toBe(true);
      const tree = [child.pid!, ...descendants(child.pid!)];
      await stopGroup(child, { graceMs: 300 });
      expect(tree.filter(alive)).toEqual([]);
      expect(await until(async () => !(await listening(port)))).toBe(true);
    } finally {
      killGroup(child.pid);
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('forwards %s to the children before the parent exits', async (signal) => {
    const port = await freePort();
    const script = `
      import { spawnGroup, stopGroup, stopOnSignals } from ${JSON.stringify(new URL('../../scripts/children.mjs', import.meta.url).href)};
      const child = spawnGroup(process.execPath, ['-e', ${JSON.stringify(parentOfListener(port))}], { stdio: 'ignore' });
      stopOnSignals(() => stopGroup(child));`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore', detached: true });
    const exited = new Promise<number | null>((done) => parent.once('exit', (code) => done(code)));
    try {
      expect(await until(() => listening(port))).toBe(true);
      const tree = descendants(parent.pid!);
      expect(tree).toHaveLength(2);
      parent.kill(signal);
      expect(await exited).toBe(signal === 'SIGTERM' ? 143 : 130);
      expect(tree.filter(alive)).toEqual([]);
      expect(await until(async () => !(await listening(port)))).toBe(true);
    } finally {
      for (const pid of descendants(parent.pid!)) killGroup(pid);
      killGroup(parent.pid);
    }
  });

  it('stops the children when the parent dies of an uncaught error', async () => {
    const port = await freePort();
    const script = `
      import { spawnGroup } from ${JSON.stringify(new URL('../../scripts/children.mjs', import.meta.url).href)};
      spawnGroup(process.execPath, ['-e', ${JSON.stringify(parentOfListener(port))}], { stdio: 'ignore' });
      setTimeout(() => { throw new Error('crash'); }, 1500);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore', detached: true });
    const exited = new Promise<number | null>((done) => parent.once('exit', (code) => done(code)));
    try {
      expect(await until(() => listening(port))).toBe(true);
      const tree = descendants(parent.pid!);
      expect(await exited).toBe(1);
      expect(await until(() => tree.every((pid) => !alive(pid)))).toBe(true);
      expect(await until(async () => !(await listening(port)))).toBe(true);
    } finally {
      for (const pid of descendants(parent.pid!)) killGroup(pid);
      killGroup(parent.pid);
    }
  });
});
