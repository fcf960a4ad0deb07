/**
 * Runs in Node before the browser project: one real Node server shared by the tests that only
 * read (tests that change state start their own with test/support/server.ts).
 */
import type { TestProject } from 'vitest/node';
import { startServer } from '../support/server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    /** The shared server's database file, for tests that check what the ACS stored. */
    databaseFile: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startServer();
  project.provide('baseUrl', server.baseUrl);
  project.provide('databaseFile', server.databaseFile);
  return () => server.stop();
}
