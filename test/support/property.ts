/**
 * One fast-check seed per test file, printed when the file loads: a failure's log line names the
 * seed, and `FC_SEED=<seed> npx vitest run …` replays exactly the same runs. (fast-check's own
 * failure report adds the seed and the shrink path as well.)
 */
import type { Parameters } from 'fast-check';

export const FC_SEED = seedFromEnv(process.env.FC_SEED) ?? crypto.getRandomValues(new Int32Array(1))[0];
console.info(`fast-check seed ${FC_SEED} (replay with FC_SEED=${FC_SEED})`);

/** fast-check parameters with the file's seed; `numRuns` as the property needs. */
export function seeded<T>(numRuns?: number): Parameters<T> {
  return numRuns === undefined ? { seed: FC_SEED } : { seed: FC_SEED, numRuns };
}

function seedFromEnv(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(text)}`);
  return seed | 0;
}
