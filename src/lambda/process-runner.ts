/**
 * The FunctionRunner of rolecall: each invocation runs in a child process of the function's runtime. Warm
 * processes are kept per function, code and configuration (functionArn + codeSha256 + revisionId) and reused, one
 * invocation at a time each; there are at most `maxProcesses` in all, and invocations beyond that wait in order
 * (FIFO), taking the place of an idle process of another function when there is one. Idle processes are retired
 * after `idleMs`, and before their role credentials (given once, as environment variables) come within
 * REFRESH_BEFORE_EXPIRY_MS of expiring: the next invocation then starts a process with fresh credentials.
 */
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { functionEnvironment } from './environment.ts';
import { FunctionProcess, type PhaseEnd } from './function-process.ts';
import {
  endLine,
  logStreamName,
  reportLine,
  runtimeExited,
  startLine,
  timedOut,
  type LogLine,
  type Report,
} from './log-format.ts';
import { RuntimeResolver } from './runtimes.ts';
import type { FunctionRunner, FunctionSpec, InvocationResult, InvokeRequest, RoleCredentials } from './types.ts';

export { isUnsupportedRuntime, UnsupportedRuntimeError } from './runtimes.ts';

/** A process is not given another invocation once its credentials have less than this left (SDKs refresh at 5–15 min). */
export const REFRESH_BEFORE_EXPIRY_MS = 15 * 60_000;
/** How long an idle process is kept warm (AWS keeps execution environments for minutes, unspecified). */
export const DEFAULT_IDLE_MS = 10 * 60_000;
const SWEEP_MS = 30_000;

export interface ProcessRunnerOptions {
  readonly log: Logger;
  /** Processes of all functions at once; default: 4 per CPU, between 2 and 16. */
  readonly maxProcesses?: number;
  /** Idle processes are stopped after this long; default DEFAULT_IDLE_MS. */
  readonly idleMs?: number;
  /** The python3 to ask for the real interpreter; default `python3` on PATH. */
  readonly pythonCommand?: string;
  /**
   * rolecall's clock (ms), on which the role credentials' expiration is stated; default Date.now. Users and tests
   * move that clock forward (POST /_rolecall/clock), so comparing the expiry with the wall clock would keep a
   * warm process whose credentials rolecall already refuses (ExpiredToken).
   */
  readonly now?: () => number;
}

interface Worker {
  readonly key: string;
  readonly functionArn: string;
  readonly process: FunctionProcess;
  readonly logStreamName: string;
  readonly credentials: RoleCredentials;
  busy: boolean;
  /** Stop it once its invocation is over (retired, or its function changed). */
  retiring: boolean;
  idleSince: number;
}

interface Waiting {
  readonly request: InvokeRequest;
  readonly key: string;
  resolve(result: InvocationResult): void;
  reject(err: unknown): void;
}

export class RunnerClosedError extends Error {
  override readonly name = 'RunnerClosedError';
  readonly code = 'RunnerClosed';
}

const keyOf = (spec: FunctionSpec) => `${spec.functionArn}\u0000${spec.codeSha256}\u0000${spec.revisionId}`;

/** One exit hook for all runners (a listener each would trip Node's listener-leak warning in tests). */
const liveRunners = new Set<{ killAll(): void }>();
process.on('exit', () => {
  for (const runner of liveRunners) runner.killAll();
});

export function defaultMaxProcesses(): number {
  return Math.min(16, Math.max(2, availableParallelism() * 4));
}

export function createProcessRunner(options: ProcessRunnerOptions): FunctionRunner {
  return new ProcessRunner(options);
}

class ProcessRunner implements FunctionRunner {
  private readonly log: Logger;
  private readonly max: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly runtimes: RuntimeResolver;
  private readonly workers = new Set<Worker>();
  /** Processes being started: they count against the cap before they exist. */
  private starting = 0;
  private readonly queue: Waiting[] = [];
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;
  /** rolecall exiting without close(): no function process may outlive it. */
  readonly killAll = () => {
    for (const w of this.workers) w.process.killNow();
  };

  constructor(options: ProcessRunnerOptions) {
    this.log = options.log;
    this.max = Math.max(1, options.maxProcesses ?? defaultMaxProcesses());
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.now = options.now ?? Date.now;
    this.runtimes = new RuntimeResolver(options.pythonCommand);
    this.sweeper = setInterval(() => this.sweep(), Math.min(SWEEP_MS, Math.max(1_000, this.idleMs / 2)));
    this.sweeper.unref();
    liveRunners.add(this);
  }

  invoke(request: InvokeRequest): Promise<InvocationResult> {
    if (this.closed) return Promise.reject(new RunnerClosedError('the function runner is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request, key: keyOf(request.spec), resolve, reject });
      this.dispatch();
    });
  }

  async retire(functionArn: string): Promise<void> {
    const idle: Worker[] = [];
    for (const w of this.workers) {
      if (w.functionArn !== functionArn) continue;
      if (w.busy) w.retiring = true;
      else idle.push(w);
    }
    await Promise.all(idle.map((w) => this.stop(w)));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const waiting of this.queue.splice(0)) waiting.reject(new RunnerClosedError('the function runner is closed'));
    await Promise.all([...this.workers].map((w) => this.stop(w)));
    liveRunners.delete(this);
  }

  /** Gives waiting invocations a warm process, a new one, or the place of an idle process of another function. */
  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const next = this.queue[0];
      if (next === undefined) return;
      this.retireStale(next.request.spec.functionArn, next.key);
      const warm = this.idleWorker(next.key, next.request.spec.timeoutSeconds);
      if (warm !== undefined) {
        this.queue.shift();
        this.run(warm, next, false);
        continue;
      }
      if (this.occupied() >= this.max) {
        const evictable = this.oldestIdle();
        if (evictable === undefined) return; // everyone is busy: wait for an invocation to end
        void this.stop(evictable);
      }
      this.queue.shift();
      void this.startAndRun(next);
    }
  }

  /** Processes that hold a place: those starting, and all but those already being stopped. */
  private occupied(): number {
    let n = this.starting;
    for (const w of this.workers) if (w.busy || !w.retiring) n++;
    return n;
  }

  /** An idle process for the key, whose credentials outlast REFRESH_BEFORE_EXPIRY_MS after this invocation's timeout. */
  private idleWorker(key: string, timeoutSeconds: number): Worker | undefined {
    const now = this.now();
    for (const w of this.workers) {
      if (w.busy || w.retiring || w.key !== key || !w.process.alive) continue;
      if (w.credentials.expiration.getTime() - now < REFRESH_BEFORE_EXPIRY_MS + timeoutSeconds * 1000) {
        void this.stop(w);
        continue;
      }
      return w;
    }
    return undefined;
  }

  private oldestIdle(): Worker | undefined {
    let oldest: Worker | undefined;
    for (const w of this.workers) {
      if (w.busy || w.retiring) continue;
      if (oldest === undefined || w.idleSince < oldest.idleSince) oldest = w;
    }
    return oldest;
  }

  /** Processes of an older code or configuration of the function: stopped now, or after their invocation. */
  private retireStale(functionArn: string, key: string): void {
    for (const w of this.workers) {
      if (w.functionArn !== functionArn || w.key === key) continue;
      if (w.busy) w.retiring = true;
      else void this.stop(w);
    }
  }

  private async startAndRun(waiting: Waiting): Promise<void> {
    const { spec } = waiting.request;
    this.starting++;
    let counted = true;
    const uncount = () => {
      if (counted) this.starting--;
      counted = false;
    };
    let worker: Worker;
    let started: number;
    let init: Timed;
    try {
      const launch = await this.runtimes.launch(spec.runtime);
      const credentials = await waiting.request.credentials();
      // close() ran meanwhile: it can no longer see this process, so it must not start.
      if (this.closed) throw new RunnerClosedError('the function runner is closed');
      const stream = logStreamName(spec.version);
      started = performance.now();
      const proc = new FunctionProcess({
        launch,
        cwd: spec.codeDir,
        env: functionEnvironment(spec, launch.language, { logStreamName: stream, credentials }),
      });
      worker = {
        key: waiting.key,
        functionArn: spec.functionArn,
        process: proc,
        logStreamName: stream,
        credentials,
        busy: true,
        retiring: false,
        idleSince: Date.now(),
      };
      this.workers.add(worker);
      uncount();
      void proc.exited.then(() => this.forget(worker));
      this.log.debug({ functionName: spec.functionName, pid: proc.pid, logStream: stream }, 'lambda process started');
      init = await this.withDeadline(worker, spec, proc.init(), Date.now() + initLimitMs(spec));
    } catch (err) {
      uncount();
      waiting.reject(err);
      this.dispatch();
      return;
    }
    const initDurationMs = performance.now() - started;
    if (init.kind === 'message' && init.message.type === 'ready') {
      this.run(worker, waiting, true, { initDurationMs, lines: init.lines });
      return;
    }
    // Init failed (the handler could not be loaded, or the process ended, or init outlasted the timeout): the
    // invocation reports it, and the process goes; the next invocation tries again with a new one.
    worker.retiring = true;
    waiting.resolve(this.failedInit(worker, waiting.request, init, initDurationMs));
    await this.stop(worker);
  }

  private failedInit(worker: Worker, request: InvokeRequest, init: Timed, initDurationMs: number): InvocationResult {
    const { spec, requestId } = request;
    const lines: LogLine[] = [...init.lines, startLine(requestId, spec.version)];
    let payload: string;
    let report: Partial<Report>;
    if (init.kind === 'timeout') {
      const t = timedOut(requestId, spec.timeoutSeconds);
      lines.push(t.line);
      payload = t.payload;
      report = { status: 'timeout' };
    } else if (init.kind === 'exit') {
      const e = runtimeExited(requestId, init.code, init.signal);
      lines.push(e.line);
      payload = e.payload;
      report = { status: 'error', errorType: 'Runtime.ExitError' };
    } else {
      payload = init.message.payload ?? '{}';
      const errorType = errorTypeOf(payload);
      report = { status: 'error', ...(errorType !== undefined && { errorType }) };
    }
    lines.push(endLine(requestId));
    lines.push(
      reportLine({
        requestId,
        durationMs: 0,
        memorySizeMb: spec.memorySizeMb,
        maxMemoryUsedMb: toMb(worker.process.maxRssKb),
        initDurationMs,
        ...report,
      }),
    );
    return {
      payload: Buffer.from(payload),
      functionError: 'Unhandled',
      logStreamName: worker.logStreamName,
      logLines: lines,
      durationMs: 0,
      coldStart: true,
    };
  }

  private run(
    worker: Worker,
    waiting: Waiting,
    coldStart: boolean,
    init?: { initDurationMs: number; lines: LogLine[] },
  ) {
    worker.busy = true;
    void this.execute(worker, waiting.request, coldStart, init).then(
      (result) => {
        waiting.resolve(result);
        this.release(worker);
      },
      (err: unknown) => {
        waiting.reject(err);
        void this.stop(worker);
      },
    );
  }

  private async execute(
    worker: Worker,
    request: InvokeRequest,
    coldStart: boolean,
    init?: { initDurationMs: number; lines: LogLine[] },
  ): Promise<InvocationResult> {
    const { spec, requestId } = request;
    const deadlineMs = Date.now() + spec.timeoutSeconds * 1000;
    const lines: LogLine[] = [...(init?.lines ?? []), ...worker.process.takeLines()];
    lines.push(startLine(requestId, spec.version));
    const began = performance.now();
    const end = await this.withDeadline(
      worker,
      spec,
      worker.process.invoke({
        requestId,
        event: request.payload.length === 0 ? '{}' : request.payload.toString('utf8'),
        deadlineMs,
        invokedFunctionArn: spec.functionArn,
      }),
      deadlineMs,
    );
    // A timeout lasts until the deadline, not until the process is gone.
    const durationMs = (end.kind === 'timeout' ? end.firedAt : performance.now()) - began;
    lines.push(...end.lines);
    let payload: string;
    let functionError: 'Unhandled' | undefined;
    let report: Partial<Report> = {};
    if (end.kind === 'timeout') {
      const t = timedOut(requestId, spec.timeoutSeconds);
      lines.push(t.line);
      payload = t.payload;
      functionError = 'Unhandled';
      report = { status: 'timeout' };
    } else if (end.kind === 'exit') {
      const e = runtimeExited(requestId, end.code, end.signal);
      lines.push(e.line);
      payload = e.payload;
      functionError = 'Unhandled';
      report = { status: 'error', errorType: 'Runtime.ExitError' };
    } else {
      payload = end.message.payload ?? 'null';
      // `fatal`: an uncaught exception outside the handler's own promise; the bootstrap exits after reporting it.
      if (end.message.type !== 'result') functionError = 'Unhandled';
      if (end.message.type === 'fatal') worker.retiring = true;
    }
    lines.push(endLine(requestId));
    lines.push(
      reportLine({
        requestId,
        durationMs,
        memorySizeMb: spec.memorySizeMb,
        maxMemoryUsedMb: toMb(end.kind === 'message' ? worker.process.maxRssKb : end.peakRssKb),
        ...(init !== undefined && { initDurationMs: init.initDurationMs }),
        ...report,
      }),
    );
    return {
      payload: Buffer.from(payload),
      ...(functionError !== undefined && { functionError }),
      logStreamName: worker.logStreamName,
      logLines: lines,
      durationMs,
      coldStart,
    };
  }

  /** A phase, or a timeout once the deadline passes: then the process is killed (its output so far is kept). */
  private async withDeadline(worker: Worker, spec: FunctionSpec, phase: Promise<PhaseEnd>, deadlineMs: number) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadlineMs - Date.now()));
    });
    const first = await Promise.race([phase, timeout]);
    clearTimeout(timer);
    if (first !== 'timeout') return { ...first, peakRssKb: worker.process.maxRssKb } as Timed;
    const firedAt = performance.now();
    const peakRssKb = worker.process.peakRssKbFromProc();
    worker.retiring = true;
    this.log.info({ functionName: spec.functionName, pid: worker.process.pid }, 'lambda invocation timed out');
    await worker.process.kill();
    const ended = await phase; // the process is gone: the phase ends with its exit and the lines it printed
    return { kind: 'timeout', lines: ended.lines, peakRssKb, firedAt } as Timed;
  }

  private release(worker: Worker): void {
    worker.busy = false;
    worker.idleSince = Date.now();
    if (worker.retiring || !worker.process.alive || this.closed) void this.stop(worker);
    this.dispatch();
  }

  private async stop(worker: Worker): Promise<void> {
    worker.retiring = true;
    await worker.process.kill();
    this.forget(worker);
  }

  private forget(worker: Worker): void {
    if (!this.workers.delete(worker)) return;
    this.log.debug({ pid: worker.process.pid, logStream: worker.logStreamName }, 'lambda process stopped');
    this.dispatch();
  }

  private sweep(): void {
    const now = Date.now();
    const clockNow = this.now();
    for (const w of this.workers) {
      if (w.busy) continue;
      const expiring = w.credentials.expiration.getTime() - clockNow < REFRESH_BEFORE_EXPIRY_MS;
      if (expiring || now - w.idleSince >= this.idleMs) void this.stop(w);
    }
  }
}

type Timed =
  | (Extract<PhaseEnd, { kind: 'message' }> & { peakRssKb: number })
  | (Extract<PhaseEnd, { kind: 'exit' }> & { peakRssKb: number })
  | { kind: 'timeout'; lines: LogLine[]; peakRssKb: number; firedAt: number };

/**
 * Init has its own limit on AWS, 10 s (a longer one is retried within the invocation's timeout); here it is the
 * longer of the two, so a slow start on a busy machine does not fail a function with a short timeout.
 */
const initLimitMs = (spec: FunctionSpec) => Math.max(10, spec.timeoutSeconds) * 1000;

const toMb = (kb: number) => Math.max(1, Math.ceil(kb / 1024));

function errorTypeOf(payload: string): string | undefined {
  try {
    const doc = JSON.parse(payload) as { errorType?: unknown };
    return typeof doc.errorType === 'string' ? doc.errorType : undefined;
  } catch {
    return undefined;
  }
}
