/** What a benchmark scenario is, and what run.ts gives it and gets back from it. */
import type { LoadGenerator, PointResult, PointSpec } from './load.ts';
import type { Target } from './targets.ts';

export interface BenchOptions {
  /** Measured seconds per point. */
  readonly seconds: number;
  /** Whether --seconds was given; when not, a scenario with a `defaultSeconds` of its own uses that. */
  readonly secondsGiven: boolean;
  /** Warm-up seconds before each measured window (not counted). */
  readonly warmupSeconds: number;
  readonly concurrency: readonly number[];
  /** Times the whole sweep is repeated; the report takes medians over rounds. */
  readonly rounds: number;
  /** Load-generator processes (the concurrency is split between them). */
  readonly workers: number;
  /** Whether to measure moto_server when it is installed. */
  readonly moto: boolean;
  /** Exit non-zero when a goal is missed (by default the verdict is printed only). */
  readonly strict: boolean;
  /** Run rolecall under node --cpu-prof and summarise the profile. */
  readonly profile: boolean;
  /** Scenario names to run; empty: all. */
  readonly scenarios: readonly string[];
}

/** More errors than this fraction of requests makes a point (and the run) invalid. */
export const MAX_ERROR_RATE = 0.001;

export class BenchError extends Error {
  override readonly name = 'BenchError';
}

export interface TargetReport {
  readonly name: string;
  readonly description: string;
  /** Why the target was not measured; undefined when it was. */
  readonly skipped: string | undefined;
}

export interface MeasuredPoint {
  readonly target: string;
  /** 0-based repetition of the sweep. */
  readonly round: number;
  readonly result: PointResult;
}

/** "`target` should reach at least `atLeast` × `baseline`'s rate at every concurrency." */
export interface Goal {
  readonly target: string;
  readonly baseline: string;
  readonly atLeast: number;
}

/**
 * "What does `target` cost on top of `baseline`?", from the server CPU of both, e.g. rolecall with enforcement
 * on against the same server with `--enforce off`: the rate ratio and the difference in server CPU per request.
 */
export interface CostComparison {
  readonly target: string;
  readonly baseline: string;
  /** What the difference is the cost of, e.g. `authorization`. */
  readonly what: string;
}

/** One printed table. A scenario returns one, or several (one per request kind, say). */
export interface ScenarioResult {
  readonly name: string;
  readonly description: string;
  readonly targets: readonly TargetReport[];
  readonly points: readonly MeasuredPoint[];
  /** The goal whose verdict is printed (and fails the run under --strict); a table may have none. */
  readonly goal?: Goal;
  /** The target of the `vs …` column; default: the goal's baseline, else `bare`. */
  readonly baseline?: string;
  /** Other ratios to print (target / baseline), e.g. rolecall against moto. */
  readonly comparisons: readonly { readonly target: string; readonly baseline: string }[];
  /** Costs to print per concurrency, from server CPU per request. */
  readonly costs?: readonly CostComparison[];
  /**
   * What one unit of load is called in the table's rate columns (`<unit>/s`), when it is not a single request:
   * e.g. `fetch` for an IMDSv2 token PUT plus credentials GET measured as one. Default `req`.
   */
  readonly unit?: string;
  /**
   * A second rate derived from the first, printed as its own column and in the ratio lines: `perUnit` of `label`
   * per unit of load, e.g. `{ label: 'MiB/s', perUnit: 1 }` for GetObject of 1 MiB, or `{ label: 'events/s',
   * perUnit: 100 }` for PutLogEvents batches of 100 events. Its ratios are those of the first rate.
   */
  readonly throughput?: { readonly label: string; readonly perUnit: number };
  /**
   * Figures that are not load points (e.g. memory and start-up cost), printed after the table as they are and
   * stored in the JSON results as `data`.
   */
  readonly appendix?: { readonly lines: readonly string[]; readonly data: unknown };
}

/** What a scenario decides about a point; run.ts adds the target's address and the timings. */
export type PointRequest = Omit<PointSpec, 'host' | 'port' | 'serverPid' | 'warmupMs' | 'durationMs'>;

export interface ScenarioContext {
  readonly options: BenchOptions;
  readonly load: LoadGenerator;
  /** Progress for the console. */
  log(line: string): void;
  /** With --profile, where the scenario should have a target's CPU profile written (run.ts summarises it). */
  profilePath(target: string): string | undefined;
  /** Runs one measured point against a target; throws a BenchError when more than MAX_ERROR_RATE of requests failed. */
  measure(round: number, target: Target, spec: PointRequest): Promise<MeasuredPoint>;
  /**
   * Drives a freshly started target for a couple of seconds at the highest concurrency, unrecorded, so that its
   * first measured point does not include JIT compilation. Fails like `measure` on errors.
   */
  prime(target: Target, spec: Omit<PointRequest, 'concurrency'>): Promise<void>;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Measured seconds per point when --seconds is not given (default: the global default). */
  readonly defaultSeconds?: number;
  /** One table, or several (each with its own targets, points and goal). */
  run(ctx: ScenarioContext): Promise<ScenarioResult | readonly ScenarioResult[]>;
}
