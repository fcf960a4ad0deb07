import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { TEST_WORKER_SECRETS } from './test/workers/secrets.ts';

// Three projects, one `npm test`: node (unit + integration on real libSQL),
// workers (the app inside workerd on a real sqld), browser (Debian Chromium via playwright-core).
export default defineConfig({
  test: {
    // One temporary folder for the whole run, removed at its end (test/support/run-temp.ts).
    globalSetup: ['test/support/run-temp.ts'],
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.{ts,tsx}', 'test/integration/**/*.test.{ts,tsx}'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: './src/entry/worker.ts',
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: { NODE_ENV: 'test', DATABASE_URL: inject('databaseUrl'), PUBLIC_URL: 'https://acs.test', DS_ALLOWLIST_VISA: inject('dsPrefix'), ...TEST_WORKER_SECRETS },
            },
          })),
        ],
        test: {
          name: 'workers',
          include: ['test/workers/**/*.test.ts'],
          globalSetup: ['test/workers/global-setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One Chromium at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
