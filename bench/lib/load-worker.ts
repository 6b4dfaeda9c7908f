/**
 * A load-generator process, forked by load.ts so that the server under test never shares an event loop with the
 * client. For each point it keeps `concurrency` signed requests in flight over a keep-alive agent for the
 * warm-up and then the measured window, and reports completions, errors and a latency histogram.
 *
 * Client CPU is kept out of the way: the request is signed once and the signed headers are reused, signed again
 * every `resignMs` (a SigV4 signature stays valid for 15 minutes). Bodies are counted, not parsed; every
 * loop's first response (and every `fullCheckEvery`th after, 256 by default) is also checked for the expected text.
 */
import { Agent, request } from 'node:http';
import { Histogram } from './histogram.ts';
import type { FromWorker, LoadPoint, ToWorker, WorkerResult } from './load-protocol.ts';
import { signQuery } from './sign.ts';

const MAX_ERROR_SAMPLES = 5;

function post(message: FromWorker): void {
  process.send?.(message);
}

async function runPoint(point: LoadPoint): Promise<WorkerResult> {
  const body = Buffer.from(point.request.body, 'utf8');
  const expectText = Buffer.from(point.expectBodyText, 'utf8');
  let headers = await signQuery(point.request);
  let resigning = false;
  const resign = setInterval(() => {
    if (resigning) return;
    resigning = true;
    signQuery(point.request)
      .then((fresh) => (headers = fresh))
      .catch(() => undefined) // keep the previous signature: it stays valid for 15 minutes
      .finally(() => (resigning = false));
  }, point.resignMs);

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

  /** One request; resolves with undefined when it answered 200 with the expected body, else the error kind. */
  const once = (fullCheck: boolean): Promise<string | undefined> =>
    new Promise((resolve) => {
      const req = request({ agent, host: point.host, port: point.port, method: 'POST', path: '/', headers }, (res) => {
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
      req.end(body);
    });

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
    // Bounded by time: each iteration waits for one request, which ends by reply, error or timeout.
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
    clearInterval(resign);
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
