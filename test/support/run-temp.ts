/**
 * Vitest's global setup, once per `npm test`: the run's temporary files (each test's database, the
 * CLI and server folders, sqld's data, Chromium's profiles) go into one folder of the run's own,
 * removed when the run ends, so repeated runs do not leave a gigabyte each in the system's temp
 * folder. `MAMORI_KEEP_TEST_FILES=1 npm test` keeps it (its path is printed) to look at afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-run-'));
  const before = process.env.TMPDIR;
  // Test workers and every process they start inherit it (os.tmpdir() reads TMPDIR).
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    if (process.env.MAMORI_KEEP_TEST_FILES) console.log(`test files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
}
