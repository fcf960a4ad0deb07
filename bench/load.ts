/**
 * One timed load run with autocannon, with latencies kept at microsecond resolution (autocannon's
 * own histogram rounds to whole milliseconds) and, for request sequences, per kind of request.
 */
import autocannon, { type Request } from 'autocannon';

export interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  durationS: number;
  requests: number;
  /** Completed requests per second over the run. */
  rps: number;
  latencyMs: Latency;
  /** Latency per request kind, when the run labels its requests. */
  byKind?: Record<string, Latency>;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  requests: Request[];
  /** Names the request whose response just arrived (set from its onResponse). */
  kindOfLastResponse?: () => string;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const all = new Samples();
  const kinds = new Map<string, Samples>();
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    timeout: 10,
    requests: options.requests,
  });
  // autocannon runs a request's onResponse just before it emits 'response' with the duration.
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
    all.add(ms);
    if (options.kindOfLastResponse) {
      const kind = options.kindOfLastResponse();
      let s = kinds.get(kind);
      if (!s) kinds.set(kind, (s = new Samples()));
      s.add(ms);
    }
  });
  const result = await instance;
  const requests = all.count;
  return {
    durationS: result.duration,
    requests,
    rps: requests / result.duration,
    latencyMs: all.summary(),
    byKind: options.kindOfLastResponse ? Object.fromEntries([...kinds].map(([k, s]) => [k, s.summary()])) : undefined,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

/** A growable list of latencies in milliseconds. */
export class Samples {
  private values = new Float64Array(1 << 16);
  count = 0;

  add(ms: number) {
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = ms;
  }

  summary(): Latency {
    const v = this.values.subarray(0, this.count).sort();
    const at = (q: number) => (v.length ? v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)] : 0);
    let sum = 0;
    for (const x of v) sum += x;
    return { count: v.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: v.length ? v[v.length - 1] : 0, mean: v.length ? sum / v.length : 0 };
  }
}
