/**
 * Lambda invocations (issue 8): what running a function through rolecall's execution layer costs, against
 * starting the same runtime directly, measured in the same run.
 *
 * For each runtime (the local node; python3 when installed), with the same trivial handler (echo a field of the
 * event):
 *   cold    FunctionRunner.invoke of a function never run before: a new process (bootstrap, handler loaded), the
 *           invocation, START/END/REPORT; from the call to the result. Each is retired afterwards.
 *   warm    FunctionRunner.invoke of the same function again and again, one at a time, for --seconds.
 *   direct  the baseline: `node -e` / `python3 -c` (the same interpreter rolecall starts) loading the handler's
 *           file, calling it with the event and printing the result as JSON; from spawn to the result read.
 * Cold and direct alternate, one of each in turn, so both see the same machine. No goal: the ratios are printed.
 *
 *   http    (node) Invoke through rolecall's Lambda API: the built `rolecall serve`, one function created with
 *           the same handler, warm invocations one at a time over a keep-alive connection (bench/lib/lambda-http.ts);
 *           skipped, with the reason, when the server does not serve Lambda.
 * cold, warm and direct are measured in the bench process itself (the runner is a library; its processes are the
 * children).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createProcessRunner } from '../../src/lambda/process-runner.ts';
import type { FunctionRunner, FunctionSpec, InvocationResult } from '../../src/lambda/types.ts';
import { measureHttpInvoke, type HttpFigures } from '../lib/lambda-http.ts';
import { table } from '../lib/report.ts';
import type { Scenario, ScenarioContext, ScenarioResult } from '../lib/scenario.ts';

/** Cold starts (and as many direct spawns) per runtime. */
const COLD_STARTS = 20;
/** Warm invocations at most, however long --seconds is. */
const MAX_WARM = 20_000;

const NODE_HANDLER = `exports.handler = async (event) => ({ ok: true, n: event.n });\n`;
const PYTHON_HANDLER = `def handler(event, context):\n    return {"ok": True, "n": event["n"]}\n`;

interface Runtime {
  readonly name: string;
  readonly runtime: string;
  readonly handler: string;
  /** The direct baseline: program and arguments, run in the code folder. */
  readonly direct: { command: string; args: string[] };
}

interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
}

function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return {
    n: sorted.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    mean: sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length),
  };
}

const ms = (n: number) => (Number.isNaN(n) ? 'n/a' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const times = (n: number) =>
  `${n >= 10 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n >= 0.01 ? n.toFixed(2) : n.toPrecision(2)}×`;

let functions = 0;
function spec(codeDir: string, rt: Runtime): FunctionSpec {
  const functionName = `bench-${rt.name}-${++functions}`;
  return {
    functionName,
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    version: '$LATEST',
    runtime: rt.runtime,
    handler: rt.handler,
    codeDir,
    codeSha256: 'bench',
    revisionId: 'bench',
    timeoutSeconds: 30,
    memorySizeMb: 128,
    environment: {},
    region: 'us-east-1',
    logGroupName: `/aws/lambda/${functionName}`,
    endpointUrl: 'http://127.0.0.1:1',
  };
}

const credentials = async () => ({
  accessKeyId: 'ASIABENCHBENCHBENCH1',
  secretAccessKey: 'bench',
  sessionToken: 'bench',
  expiration: new Date(Date.now() + 3_600_000),
});

let requests = 0;
async function invokeOnce(runner: FunctionRunner, s: FunctionSpec, n: number): Promise<InvocationResult> {
  const result = await runner.invoke({
    spec: s,
    credentials,
    payload: Buffer.from(JSON.stringify({ n })),
    requestId: `00000000-0000-4000-8000-${String(++requests).padStart(12, '0')}`,
  });
  const answer = JSON.parse(result.payload.toString('utf8')) as { n?: unknown };
  if (result.functionError !== undefined || answer.n !== n) {
    throw new Error(`${s.runtime} invocation failed: ${result.payload.toString('utf8')}`);
  }
  return result;
}

/** One direct run: spawn → the result on stdout (checked) → exit. */
function directOnce(rt: Runtime, codeDir: string, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(rt.direct.command, [...rt.direct.args, JSON.stringify({ n })], {
      cwd: codeDir,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = performance.now() - started;
      const answer = JSON.parse(out || '{}') as { n?: unknown };
      if (code !== 0 || answer.n !== n) reject(new Error(`direct ${rt.name} run failed (exit ${code}): ${out}`));
      else resolve(elapsed);
    });
  });
}

function realPython(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('python3', ['-c', 'import sys; print(sys.executable)'], (err, stdout) =>
      resolve(err === null ? String(stdout).trim() : undefined),
    );
  });
}

interface RuntimeFigures {
  readonly runtime: string;
  readonly cold: Summary;
  readonly initDuration: Summary;
  readonly warm: Summary & { readonly perSecond: number };
  readonly direct: Summary;
}

async function measureRuntime(ctx: ScenarioContext, rt: Runtime, codeDir: string): Promise<RuntimeFigures> {
  const runner = createProcessRunner({ log: pino({ level: 'silent' }), maxProcesses: 4 });
  try {
    // Untimed: the first spawn of each kind pays for the file cache and for resolving python3.
    const first = spec(codeDir, rt);
    await invokeOnce(runner, first, 0);
    await runner.retire(first.functionArn);
    await directOnce(rt, codeDir, 0);

    const cold: number[] = [];
    const init: number[] = [];
    const direct: number[] = [];
    for (let i = 1; i <= COLD_STARTS; i++) {
      const s = spec(codeDir, rt);
      const started = performance.now();
      const result = await invokeOnce(runner, s, i);
      cold.push(performance.now() - started);
      if (!result.coldStart) throw new Error('expected a cold start');
      const report = result.logLines.at(-1)?.message ?? '';
      const initMs = /Init Duration: ([\d.]+) ms/.exec(report)?.[1];
      if (initMs !== undefined) init.push(Number(initMs));
      await runner.retire(s.functionArn);
      direct.push(await directOnce(rt, codeDir, i));
    }
    ctx.log(`${rt.name}: ${COLD_STARTS} cold invocations and ${COLD_STARTS} direct runs`);

    const s = spec(codeDir, rt);
    await invokeOnce(runner, s, 0);
    for (let i = 1; i <= 200; i++) await invokeOnce(runner, s, i); // not counted: JIT of the path
    const warm: number[] = [];
    const until = performance.now() + ctx.options.seconds * 1000;
    const began = performance.now();
    while (performance.now() < until && warm.length < MAX_WARM) {
      const started = performance.now();
      const result = await invokeOnce(runner, s, warm.length + 1);
      warm.push(performance.now() - started);
      if (result.coldStart) throw new Error('expected a warm invocation');
    }
    const perSecond = warm.length / ((performance.now() - began) / 1000);
    ctx.log(`${rt.name}: ${warm.length} warm invocations, ${Math.round(perSecond)}/s one at a time`);
    return {
      runtime: rt.name,
      cold: summarize(cold),
      initDuration: summarize(init),
      warm: { ...summarize(warm), perSecond },
      direct: summarize(direct),
    };
  } finally {
    await runner.close();
  }
}

function lines(figures: readonly RuntimeFigures[], http: HttpFigures, skipped: readonly string[]): string[] {
  const header = ['runtime', 'what', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms', 'p50 vs direct'];
  const rows: string[][] = [header];
  for (const f of figures) {
    const row = (what: string, s: Summary) => [
      f.runtime,
      what,
      String(s.n),
      ms(s.p50),
      ms(s.p90),
      ms(s.p99),
      ms(s.mean),
      what === 'init duration' ? '' : times(s.p50 / f.direct.p50),
    ];
    rows.push(row('direct spawn', f.direct), row('cold invoke', f.cold), row('init duration', f.initDuration));
    rows.push(row('warm invoke', f.warm));
    if (f.runtime === 'node' && !('skipped' in http)) rows.push(row('http warm invoke', summarize(http.samples)));
  }
  const out = [
    'lambda-invoke: one invocation of a trivial handler through the FunctionRunner, cold and warm, against spawning',
    '  the same runtime directly (`node -e` / `python3 -c`: load the handler file, call it, print the result) —',
    `  ${COLD_STARTS} cold and ${COLD_STARTS} direct alternating, then warm ones one at a time for the measured seconds`,
    '',
    ...table(
      rows,
      header.map((_, i) => i >= 2),
    ).map((l) => `  ${l}`),
    '',
  ];
  for (const f of figures) {
    out.push(
      `  ${f.runtime}: cold = ${times(f.cold.p50 / f.direct.p50)} direct (p50 ${ms(f.cold.p50)} against ${ms(f.direct.p50)} ms); ` +
        `warm = ${times(f.warm.p50 / f.direct.p50)} direct, ${times(f.direct.p50 / f.warm.p50)} faster ` +
        `(${Math.round(f.warm.perSecond)} invocations/s one at a time)`,
    );
  }
  const node = figures.find((f) => f.runtime === 'node');
  if (node !== undefined && !('skipped' in http)) {
    const p50 = summarize(http.samples).p50;
    out.push(
      `  http: warm Invoke through rolecall serve p50 ${ms(p50)} ms = ${times(p50 / node.warm.p50)} the runner's warm ` +
        `invoke (+${ms(p50 - node.warm.p50)} ms for HTTP, SigV4, authorization, log delivery); ` +
        `${Math.round(http.perSecond)} invocations/s one at a time; its first (cold) Invoke took ${ms(http.firstMs)} ms`,
    );
  }
  out.push(
    '  cold invoke: from FunctionRunner.invoke to its result (process start, bootstrap, handler load, invocation,',
    '    log lines). init duration: what REPORT says (spawn until the handler is loaded).',
  );
  for (const reason of skipped) out.push(`  skipped: ${reason}`);
  return out;
}

async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const codeDir = mkdtempSync(join(tmpdir(), 'rolecall-bench-lambda-'));
  try {
    writeFileSync(join(codeDir, 'index.js'), NODE_HANDLER);
    writeFileSync(join(codeDir, 'app.py'), PYTHON_HANDLER);
    const runtimes: Runtime[] = [
      {
        name: 'node',
        runtime: 'nodejs20.x',
        handler: 'index.handler',
        direct: {
          command: process.execPath,
          args: [
            '-e',
            "require('./index.js').handler(JSON.parse(process.argv[1])).then((r) => process.stdout.write(JSON.stringify(r)))",
          ],
        },
      },
    ];
    const skipped: string[] = [];
    const python = await realPython();
    if (python === undefined) skipped.push('python: python3 is not installed');
    else {
      runtimes.push({
        name: 'python',
        runtime: 'python3.12',
        handler: 'app.handler',
        direct: {
          command: python,
          args: ['-c', 'import json, sys, app; print(json.dumps(app.handler(json.loads(sys.argv[1]), None)))'],
        },
      });
    }
    const figures: RuntimeFigures[] = [];
    for (const rt of runtimes) figures.push(await measureRuntime(ctx, rt, codeDir));
    const http = await measureHttpInvoke(NODE_HANDLER, ctx.options.seconds);
    if ('skipped' in http) skipped.push(`http (Invoke through rolecall serve): ${http.skipped}`);
    else ctx.log(`http: ${http.samples.length} warm invocations, ${Math.round(http.perSecond)}/s one at a time`);
    return {
      name: 'lambda-invoke',
      description: 'Lambda invocations through the execution layer, cold and warm, against a direct spawn',
      targets: [],
      points: [],
      comparisons: [],
      appendix: {
        lines: lines(figures, http, skipped),
        data: {
          coldStarts: COLD_STARTS,
          figures,
          http:
            'skipped' in http ? null : { ...summarize(http.samples), firstMs: http.firstMs, perSecond: http.perSecond },
          skipped,
        },
      },
    };
  } finally {
    rmSync(codeDir, { recursive: true, force: true });
  }
}

export const scenario: Scenario = {
  name: 'lambda-invoke',
  description: 'Lambda invocations (FunctionRunner), cold and warm, against spawning the runtime directly',
  defaultSeconds: 3,
  run,
};
