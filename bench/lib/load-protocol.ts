/** Messages between the benchmark (parent) and its load-generator processes (load-worker.ts). */
import type { HistogramData } from './histogram.ts';
import type { QueryRequest } from './sign.ts';

export interface LoadPoint {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly request: QueryRequest;
  /** Requests kept in flight by this worker at all times. */
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** How often the worker signs the request again (the signed headers are reused in between). */
  readonly resignMs: number;
  /** When set, a 200 whose body is not exactly this many bytes counts as an error. */
  readonly expectBodyBytes: number | undefined;
  /** Each loop's first reply, and every `fullCheckEvery`th after it, must contain this text. */
  readonly expectBodyText: string;
  /** 1 checks every reply for `expectBodyText`; the default (256) keeps the check cheap for the client. */
  readonly fullCheckEvery: number;
  /** A request that takes longer than this counts as an error. */
  readonly requestTimeoutMs: number;
}

export type ToWorker = { readonly type: 'run'; readonly point: LoadPoint } | { readonly type: 'exit' };

export interface WorkerResult {
  readonly id: number;
  /** Requests completed (any outcome) inside the measured window. */
  readonly completed: number;
  /** Of those, the ones that answered 200 with the expected body. */
  readonly ok: number;
  /** Every error in warm-up, window and tail (not only the window), by kind: `status 403`, `body 312 bytes`, `ECONNRESET`, `timeout`, … */
  readonly errors: Readonly<Record<string, number>>;
  /** The first few error descriptions with detail, for the report. */
  readonly errorSamples: readonly string[];
  /** Length of the measured window, in seconds (completions after the warm-up and before its end count). */
  readonly windowSeconds: number;
  /** Latencies of the `ok` requests in the window. */
  readonly latency: { readonly buckets: HistogramData; readonly sum: number; readonly max: number };
  /** CPU time this worker used during the window, in seconds. */
  readonly cpuSeconds: number;
  /** Completed during warm-up (not counted), to show the warm-up did something. */
  readonly warmupCompleted: number;
  /** Every request that ended, warm-up and tail included: the denominator of the error rate. */
  readonly finished: number;
}

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'window-start'; readonly id: number }
  | { readonly type: 'window-end'; readonly id: number }
  | { readonly type: 'result'; readonly result: WorkerResult }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };
