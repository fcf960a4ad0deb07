/**
 * A time budget for one request, as an AbortSignal: the work goes on in the background when the
 * budget runs out (nothing can take back a call already made), but the answer does not wait for it,
 * and the work can check `budget.aborted` before it starts anything the answer said did not happen.
 *
 * @example
 *   const budget = AbortSignal.timeout(config.AREQ_BUDGET_MS);
 *   const answer = await withinBudget(work(budget), budget).catch(() => fallback);
 */
export function withinBudget<T>(work: Promise<T>, budget: AbortSignal | undefined): Promise<T> {
  if (!budget) return work;
  if (budget.aborted) return Promise.reject(budget.reason);
  let onAbort: () => void = () => {};
  const spent = new Promise<never>((_, reject) => {
    onAbort = () => reject(budget.reason);
    budget.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, spent]).finally(() => budget.removeEventListener('abort', onAbort));
}
