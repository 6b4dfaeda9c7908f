/**
 * The parent side of load generation: forks the load-worker processes once, hands each measured point to them
 * (the concurrency split between workers), samples the server's CPU over the measured window, and merges what
 * the workers report into one result per point.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { processCpuSeconds, systemCpuSeconds, type SystemCpu } from './cpu.ts';
import { Histogram, type LatencySummary } from './histogram.ts';
import type { FromWorker, LoadPoint, LoadRequest, ToWorker, WorkerResult } from './load-protocol.ts';

const WORKER = join(import.meta.dirname, 'load-worker.ts');
const START_TIMEOUT_MS = 30_000;
/** Re-sign every few seconds: far inside SigV4's 15 minutes, and rare enough to cost the client nothing. */
const RESIGN_MS = 4_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** By default one reply in this many (and each loop's first) is searched for the expected text. */
export const FULL_CHECK_EVERY = 256;

export interface PointSpec {
  readonly host: string;
  readonly port: number;
  /** A signed request (query protocol, or any method and path), or a sequence of plain requests measured as one unit (load-protocol.ts). */
  readonly request: LoadRequest;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly expectBodyBytes: number | undefined;
  readonly expectBodyText: string;
  /** Search every n-th reply (and each loop's first) for `expectBodyText`; default FULL_CHECK_EVERY, 1 = every reply. */
  readonly fullCheckEvery?: number | undefined;
  /** The server's process id, to report its CPU use; undefined when unknown. */
  readonly serverPid: number | undefined;
}

export interface PointResult {
  readonly concurrency: number;
  /** Successful requests per second in the measured window. */
  readonly rps: number;
  readonly completed: number;
  readonly ok: number;
  readonly errorCount: number;
  /** Every request (or sequence) that ended, warm-up and tail included, answered or not. */
  readonly finished: number;
  /** Errors over every request that ended (warm-up included). */
  readonly errorRate: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly errorSamples: readonly string[];
  /** Milliseconds. */
  readonly latency: LatencySummary;
  readonly windowSeconds: number;
  /** CPU of all load workers together during the window, in cores (1 = one core fully busy). */
  readonly clientCpu: number;
  /** CPU of the server process during the window, in cores; undefined when it cannot be read. */
  readonly serverCpu: number | undefined;
  /**
   * CPU used by everything else on the machine during the window (other processes, the kernel's share not
   * charged to the two), in cores; a busy neighbour makes the point noisy. Undefined when it cannot be read.
   */
  readonly otherCpu: number | undefined;
  /** CPU the hypervisor gave to other guests during the window, in cores. */
  readonly stealCpu: number | undefined;
}

interface Worker {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

function startWorker(): Promise<Worker> {
  const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the load worker did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the load worker exited (code ${code}) before it was ready`));
    });
    child.once('message', (message: FromWorker) => {
      clearTimeout(timer);
      if (message.type === 'ready') resolve({ child, exited });
      else reject(new Error(`unexpected first message from the load worker: ${JSON.stringify(message)}`));
    });
  });
}

/** Splits `total` as evenly as possible into `parts` non-negative integers. */
export function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

export class LoadGenerator {
  private nextId = 1;

  private constructor(private readonly workers: readonly Worker[]) {}

  static async start(count: number): Promise<LoadGenerator> {
    const started = await Promise.allSettled(Array.from({ length: count }, startWorker));
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failure = started.find((s) => s.status === 'rejected');
    if (failure !== undefined) {
      for (const w of workers) w.child.kill('SIGKILL');
      throw (failure as PromiseRejectedResult).reason;
    }
    return new LoadGenerator(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  async run(spec: PointSpec): Promise<PointResult> {
    const id = this.nextId++;
    const shares = split(spec.concurrency, this.workers.length);
    const active = this.workers.map((worker, i) => ({ worker, share: shares[i] ?? 0 })).filter((a) => a.share > 0);
    let serverCpuStart: number | undefined;
    let serverCpuEnd: number | undefined;
    let systemStart: SystemCpu | undefined;
    let systemEnd: SystemCpu | undefined;
    let started = 0;
    let ended = 0;
    // Generous: warm-up, window, then the slowest request still in flight, plus process scheduling.
    const limitMs = spec.warmupMs + spec.durationMs + REQUEST_TIMEOUT_MS + 30_000;

    const results = await Promise.all(
      active.map(
        ({ worker, share }) =>
          new Promise<WorkerResult>((resolve, reject) => {
            const onMessage = (message: FromWorker) => {
              if (message.type === 'ready') return;
              if ((message.type === 'result' ? message.result.id : message.id) !== id) return;
              if (message.type === 'window-start') {
                if (started++ === 0) {
                  serverCpuStart = processCpuSeconds(spec.serverPid);
                  systemStart = systemCpuSeconds();
                }
              } else if (message.type === 'window-end') {
                if (++ended === active.length) {
                  serverCpuEnd = processCpuSeconds(spec.serverPid);
                  systemEnd = systemCpuSeconds();
                }
              } else {
                cleanup();
                if (message.type === 'result') resolve(message.result);
                else reject(new Error(`load worker: ${message.message}`));
              }
            };
            const onExit = (code: number | null) => {
              cleanup();
              reject(new Error(`the load worker exited (code ${code}) during a point`));
            };
            const timer = setTimeout(() => {
              cleanup();
              reject(new Error(`the load worker did not finish the point within ${limitMs} ms`));
            }, limitMs);
            const cleanup = () => {
              clearTimeout(timer);
              worker.child.off('message', onMessage);
              worker.child.off('exit', onExit);
            };
            worker.child.on('message', onMessage);
            worker.child.once('exit', onExit);
            const point: LoadPoint = {
              id,
              host: spec.host,
              port: spec.port,
              request: spec.request,
              concurrency: share,
              warmupMs: spec.warmupMs,
              durationMs: spec.durationMs,
              resignMs: RESIGN_MS,
              expectBodyBytes: spec.expectBodyBytes,
              expectBodyText: spec.expectBodyText,
              fullCheckEvery: Math.max(1, Math.floor(spec.fullCheckEvery ?? FULL_CHECK_EVERY)),
              requestTimeoutMs: REQUEST_TIMEOUT_MS,
            };
            worker.child.send({ type: 'run', point } satisfies ToWorker);
          }),
      ),
    );

    const histogram = new Histogram();
    const errors: Record<string, number> = {};
    const errorSamples: string[] = [];
    let completed = 0;
    let ok = 0;
    let finished = 0;
    let clientCpuSeconds = 0;
    for (const r of results) {
      histogram.merge(r.latency);
      for (const [kind, n] of Object.entries(r.errors)) errors[kind] = (errors[kind] ?? 0) + n;
      errorSamples.push(...r.errorSamples);
      completed += r.completed;
      ok += r.ok;
      finished += r.finished;
      clientCpuSeconds += r.cpuSeconds;
    }
    const windowSeconds = spec.durationMs / 1000;
    const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
    const serverCpu =
      serverCpuStart === undefined || serverCpuEnd === undefined
        ? undefined
        : (serverCpuEnd - serverCpuStart) / windowSeconds;
    const clientCpu = clientCpuSeconds / windowSeconds;
    const machineCpu =
      systemStart === undefined || systemEnd === undefined
        ? undefined
        : (systemEnd.busy - systemStart.busy) / windowSeconds;
    return {
      concurrency: spec.concurrency,
      rps: ok / windowSeconds,
      completed,
      ok,
      errorCount,
      finished,
      errorRate: finished === 0 ? 1 : errorCount / finished,
      errors,
      errorSamples: errorSamples.slice(0, 5),
      latency: histogram.summary(),
      windowSeconds,
      clientCpu,
      serverCpu,
      otherCpu:
        machineCpu === undefined || serverCpu === undefined
          ? undefined
          : Math.max(0, machineCpu - serverCpu - clientCpu),
      stealCpu:
        systemStart === undefined || systemEnd === undefined
          ? undefined
          : (systemEnd.steal - systemStart.steal) / windowSeconds,
    };
  }

  async close(): Promise<void> {
    for (const w of this.workers) {
      if (w.child.connected) w.child.send({ type: 'exit' } satisfies ToWorker);
    }
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000).unref());
    if ((await Promise.race([Promise.all(this.workers.map((w) => w.exited)), timeout])) === 'timeout') {
      for (const w of this.workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    }
  }
}
