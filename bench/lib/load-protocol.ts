/** Messages between the benchmark (parent) and its load-generator processes (load-worker.ts). */
import type { HistogramData } from './histogram.ts';
import type { QueryRequest, RestRequest } from './sign.ts';

/** One unsigned request of an HttpSequence, with the checks its reply must pass (every reply is checked). */
export interface HttpStep {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Send the previous step's reply body as this header, e.g. an IMDSv2 token as x-aws-ec2-metadata-token. */
  readonly previousBodyAs?: string;
  /** When set, a 200 whose body is not exactly this many bytes counts as an error. */
  readonly expectBodyBytes?: number;
  /** Every reply of this step must contain each of these texts. */
  readonly expectTexts?: readonly string[];
}

/**
 * Unsigned requests sent one after the other on the same keep-alive agent, measured as one unit: the point's
 * rate counts whole sequences, its latency is the whole sequence's, and a sequence fails when any step does.
 * The steps carry their own checks; the point's expectBodyBytes, expectBodyText and fullCheckEvery apply to a
 * single signed request only.
 */
export interface HttpSequence {
  readonly steps: readonly HttpStep[];
}

/** What a point sends: one SigV4-signed request (query protocol, or any method and path), or a sequence of plain requests. */
export type LoadRequest = QueryRequest | RestRequest | HttpSequence;

export const isSequence = (request: LoadRequest): request is HttpSequence => 'steps' in request;

export interface LoadPoint {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly request: LoadRequest;
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
