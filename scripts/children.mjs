// Child processes that are stopped with their whole tree. Each child leads its own process
// group, so a stop reaches what it started in turn (wrangler's workerd, the deno binary behind
// its npm shim), and SIGINT/SIGTERM to this process are forwarded to every group before it
// exits. Without this, a stopped `npm run dev:worker` or `start:deno` left workerd or deno
// holding the port.
import { spawn } from 'node:child_process';

/** How long a group gets to stop after SIGTERM before it is killed. */
const GRACE_MS = 5000;

/** Every group started here: should this process end any other way (an uncaught error), they get SIGTERM. */
const groups = new Set();
process.once('exit', () => {
  for (const pid of groups) {
    try {
      signalGroup(pid, 'SIGTERM');
    } catch {
      // not ours to signal any more
    }
  }
});

/**
 * Starts `command` as the leader of a new process group.
 * @returns {import('node:child_process').ChildProcess & { exited: Promise<number | null> }}
 */
export function spawnGroup(command, args, options = {}) {
  const child = spawn(command, args, { stdio: 'inherit', ...options, detached: true });
  if (child.pid) groups.add(child.pid);
  child.exited = new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? null : 0)));
    child.once('error', () => resolve(null));
  });
  return child;
}

/**
 * Stops a child's whole process group: SIGTERM, then SIGKILL for whatever is left after
 * `graceMs`. Resolves once no process of the group is left (or, for a group whose members
 * cannot be reaped here, after the SIGKILL).
 */
export async function stopGroup(child, { signal = 'SIGTERM', graceMs = GRACE_MS } = {}) {
  if (!child.pid) return;
  if (signalGroup(child.pid, signal) && !(await groupGone(child.pid, graceMs))) {
    signalGroup(child.pid, 'SIGKILL');
    await groupGone(child.pid, 1000);
  }
  groups.delete(child.pid);
}

/**
 * On SIGINT, SIGTERM or SIGHUP: runs `stop` once (stopping the children), then exits with
 * 128 + the signal's number, as a shell reports a process ended by that signal.
 */
export function stopOnSignals(stop) {
  const numbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
  let stopping;
  for (const name of Object.keys(numbers)) {
    process.on(name, () => {
      stopping ??= Promise.resolve()
        .then(stop)
        .catch((error) => console.error(error))
        .finally(() => process.exit(128 + numbers[name]));
    });
  }
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if (error.code === 'ESRCH') return false; // the group has already gone
    throw error;
  }
}

/** Polls until no process of the group is left; false when `ms` pass first. */
async function groupGone(pid, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!signalGroup(pid, 0)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !signalGroup(pid, 0);
}
