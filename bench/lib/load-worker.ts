/**
 * A load-generator process, forked by load.ts so that the server under test never shares an event loop with the
 * client. For each point it keeps `concurrency` signed requests (or plain request sequences) in flight over a
 * keep-alive agent for the warm-up and then the measured window, and reports completions, errors and a latency
 * histogram.
 *
 * Client CPU is kept out of the way: the request is signed once and the signed headers are reused, signed again
 * every `resignMs` (a SigV4 signature stays valid for 15 minutes). Bodies are counted, not parsed; every
 * loop's first response (and every `fullCheckEvery`th after, 256 by default) is also checked for the expected text.
 * A sequence's steps are unsigned, and every reply of every step is checked (load-protocol.ts, HttpSequence).
 */
import { Agent, request } from 'node:http';
import { Histogram } from './histogram.ts';
import {
  isSequence,
  type FromWorker,
  type HttpSequence,
  type LoadPoint,
  type ToWorker,
  type WorkerResult,
} from './load-protocol.ts';
import { restOf, signRequest, type RestRequest } from './sign.ts';

const MAX_ERROR_SAMPLES = 5;

function post(message: FromWorker): void {
  process.send?.(message);
}

/** Keeps a signed request's headers fresh: signed now, and again every `resignMs`. */
async function signer(
  toSign: RestRequest,
  resignMs: number,
): Promise<{ headers: () => Record<string, string>; stop: () => void }> {
  let headers = await signRequest(toSign);
  let resigning = false;
  const timer = setInterval(() => {
    if (resigning) return;
    resigning = true;
    signRequest(toSign)
      .then((fresh) => (headers = fresh))
      .catch(() => undefined) // keep the previous signature: it stays valid for 15 minutes
      .finally(() => (resigning = false));
  }, resignMs);
  return { headers: () => headers, stop: () => clearInterval(timer) };
}

async function runPoint(point: LoadPoint): Promise<WorkerResult> {
  const sequence: HttpSequence | undefined = isSequence(point.request) ? point.request : undefined;
  const rest: RestRequest | undefined = isSequence(point.request) ? undefined : restOf(point.request);
  const body = Buffer.from(rest?.body ?? '', 'utf8');
  const method = rest?.method ?? 'POST';
  const path = rest?.path ?? '/';
  const expectText = Buffer.from(point.expectBodyText, 'utf8');
  const signed = rest === undefined ? undefined : await signer(rest, point.resignMs);
  const stepTexts = (sequence?.steps ?? []).map((step) => (step.expectTexts ?? []).map((t) => Buffer.from(t, 'utf8')));

  const agent = new Agent({ keepAlive: true, maxSockets: point.concurrency, maxFreeSockets: point.concurrency });
  const histogram = new Histogram();
  const errors: Record<string, number> = {};
  const errorSamples: string[] = [];
  let completed = 0;
  let ok = 0;
  let warmupCompleted = 0;
  let finished = 0;

  const fail = (kind: string, detail = ''): string => {
    errors[kind] = (errors[kind] ?? 0) + 1;
    if (errorSamples.length < MAX_ERROR_SAMPLES) errorSamples.push(detail === '' ? kind : `${kind}: ${detail}`);
    return kind;
  };

  /** One signed request; resolves with undefined when it answered 200 with the expected body, else the error kind. */
  const signedOnce = (fullCheck: boolean): Promise<string | undefined> =>
    new Promise((resolve) => {
      const headers = signed?.headers() ?? {};
      const req = request({ agent, host: point.host, port: point.port, method, path, headers }, (res) => {
        const status = res.statusCode ?? 0;
        const keep = fullCheck || status !== 200;
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (keep) chunks.push(chunk);
        });
        res.on('error', (err: NodeJS.ErrnoException) => resolve(fail(err.code ?? 'response error', err.message)));
        res.on('end', () => {
          const text = () => Buffer.concat(chunks).toString('utf8').slice(0, 300);
          if (status !== 200) return resolve(fail(`status ${status}`, text()));
          if (point.expectBodyBytes !== undefined && bytes !== point.expectBodyBytes) {
            return resolve(fail(`body of ${bytes} bytes (expected ${point.expectBodyBytes})`, text()));
          }
          if (keep && !Buffer.concat(chunks).includes(expectText)) {
            return resolve(fail(`body without '${point.expectBodyText}'`, text()));
          }
          resolve(undefined);
        });
      });
      req.setTimeout(point.requestTimeoutMs, () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })),
      );
      req.on('error', (err: NodeJS.ErrnoException) => resolve(fail(err.code ?? 'request error', err.message)));
      if (body.length === 0) req.end();
      else req.end(body);
    });

  /**
   * Step `index` of the sequence, every reply read whole and checked; resolves with the reply's body, or with
   * the error kind. A timeout covers the whole step.
   */
  const stepOnce = (index: number, previous: Buffer | undefined): Promise<{ body: Buffer } | { error: string }> =>
    new Promise((resolve) => {
      const step = sequence?.steps[index];
      if (step === undefined) return resolve({ error: fail('no such step') });
      const tag = `step ${index + 1} (${step.method} ${step.path})`;
      const headers: Record<string, string> = { ...step.headers };
      if (step.previousBodyAs !== undefined) headers[step.previousBodyAs] = previous?.toString('utf8') ?? '';
      const req = request(
        { agent, host: point.host, port: point.port, method: step.method, path: step.path, headers },
        (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (err: NodeJS.ErrnoException) =>
            resolve({ error: fail(`${tag}: ${err.code ?? 'response error'}`, err.message) }),
          );
          res.on('end', () => {
            const reply = Buffer.concat(chunks);
            const text = () => reply.toString('utf8').slice(0, 300);
            if (status !== 200) return resolve({ error: fail(`${tag}: status ${status}`, text()) });
            if (step.expectBodyBytes !== undefined && reply.length !== step.expectBodyBytes) {
              return resolve({
                error: fail(`${tag}: body of ${reply.length} bytes (expected ${step.expectBodyBytes})`, text()),
              });
            }
            const missing = (stepTexts[index] ?? []).findIndex((t) => !reply.includes(t));
            if (missing >= 0) {
              return resolve({ error: fail(`${tag}: body without '${step.expectTexts?.[missing] ?? ''}'`, text()) });
            }
            resolve({ body: reply });
          });
        },
      );
      req.setTimeout(point.requestTimeoutMs, () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })),
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        resolve({ error: fail(`${tag}: ${err.code ?? 'request error'}`, err.message) }),
      );
      req.end();
    });

  /** The whole sequence, step by step; stops at the first failed step. */
  const sequenceOnce = async (): Promise<string | undefined> => {
    let previous: Buffer | undefined;
    for (let i = 0; i < (sequence?.steps.length ?? 0); i++) {
      const outcome = await stepOnce(i, previous);
      if ('error' in outcome) return outcome.error;
      previous = outcome.body;
    }
    return undefined;
  };

  /** One unit of load: a signed request, or a whole sequence. */
  const once = (fullCheck: boolean): Promise<string | undefined> =>
    sequence === undefined ? signedOnce(fullCheck) : sequenceOnce();

  const started = performance.now();
  const windowStart = started + point.warmupMs;
  const windowEnd = windowStart + point.durationMs;
  let cpuAtStart = process.cpuUsage();
  let cpuUsed: NodeJS.CpuUsage | undefined;
  let windowOpen = false;
  // The parent samples the server's CPU when these arrive. Idempotent: the loops may see the end of the window
  // (by the clock) before the end timer fires, and then the finally block below closes it.
  const openWindow = () => {
    if (windowOpen) return;
    windowOpen = true;
    cpuAtStart = process.cpuUsage();
    post({ type: 'window-start', id: point.id });
  };
  const closeWindow = () => {
    if (cpuUsed !== undefined) return;
    openWindow();
    cpuUsed = process.cpuUsage(cpuAtStart);
    post({ type: 'window-end', id: point.id });
  };
  const startTimer = setTimeout(openWindow, point.warmupMs);
  const endTimer = setTimeout(closeWindow, point.warmupMs + point.durationMs);

  const loop = async (): Promise<void> => {
    // Bounded by time: each iteration waits for one request (or sequence), which ends by reply, error or timeout.
    for (let i = 0; performance.now() < windowEnd; i++) {
      const t0 = performance.now();
      const error = await once(i % point.fullCheckEvery === 0);
      const t1 = performance.now();
      finished++;
      if (t1 < windowStart) warmupCompleted++;
      else if (t1 > windowEnd) closeWindow();
      else {
        completed++;
        if (error === undefined) {
          ok++;
          histogram.record(t1 - t0);
        }
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: point.concurrency }, loop));
  } finally {
    closeWindow();
    signed?.stop();
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    agent.destroy();
  }
  const cpu = cpuUsed ?? process.cpuUsage(cpuAtStart); // always set by closeWindow; the fallback satisfies the types
  return {
    id: point.id,
    completed,
    ok,
    errors,
    errorSamples,
    windowSeconds: point.durationMs / 1000,
    latency: histogram.toData(),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    warmupCompleted,
    finished,
  };
}

let busy = false;
process.on('message', (message: ToWorker) => {
  if (message.type === 'exit') {
    process.disconnect?.();
    return;
  }
  if (busy) {
    post({ type: 'failed', id: message.point.id, message: 'the worker is already running a point' });
    return;
  }
  busy = true;
  runPoint(message.point)
    .then((result) => post({ type: 'result', result }))
    .catch((err: unknown) => post({ type: 'failed', id: message.point.id, message: String(err) }))
    .finally(() => (busy = false));
});
process.on('disconnect', () => process.exit(0));
post({ type: 'ready' });
