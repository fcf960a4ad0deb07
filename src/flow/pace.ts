/**
 * Every answer to a submitted code or password takes at least this long, whatever happened,
 * so that timing cannot tell a wrong member ID from a wrong code. This is wall time on purpose
 * (not the injected business clock): it paces real responses.
 */
export const ANSWER_FLOOR_MS = 400;

export async function atLeast<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  const left = ms - (performance.now() - started);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  return result;
}
