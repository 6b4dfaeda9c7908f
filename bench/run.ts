/**
 * `npm run bench`: runs every scenario in bench/scenarios/ (or those named with --scenario), prints a table per
 * scenario (or per request kind of a scenario) with each target's rate, latency and CPU and the ratios against
 * the baselines measured in the same run, then the in-process policy-engine figures (bench/engine.ts, scenario
 * name `policy-engine`), and writes everything to .bench/results-<timestamp>.json. See bench/README.md.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runEngineBench } from './engine.ts';
import { LoadGenerator } from './lib/load.ts';
import { isSequence } from './lib/load-protocol.ts';
import { parseOptions, USAGE, UsageError } from './lib/options.ts';
import { formatProfile, summarizeProfile } from './lib/profile.ts';
import { describeMachine, formatScenario, machine, ratios, resultsJson } from './lib/report.ts';
import {
  BenchError,
  MAX_ERROR_RATE,
  type BenchOptions,
  type PointRequest,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from './lib/scenario.ts';
import { liveTargets, type Target } from './lib/targets.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SCENARIOS = join(ROOT, 'bench', 'scenarios');
const RESULTS = join(ROOT, '.bench');
/** Each target is driven this long before its first measured point, so no point measures a cold JIT. */
const PRIME_MS = 2_000;
/** The in-process policy-engine benchmark (bench/engine.ts): not a file in bench/scenarios/, but named like one. */
const ENGINE = 'policy-engine';

/** The HTTP scenarios named (all when none is), and whether to run the policy-engine figures. */
async function loadScenarios(requested: readonly string[]): Promise<{ http: Scenario[]; engine: boolean }> {
  const names = requested.filter((n) => n !== ENGINE);
  const files = readdirSync(SCENARIOS)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
  const all: Scenario[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(SCENARIOS, file)).href)) as { scenario?: Scenario };
    if (module.scenario === undefined) throw new Error(`bench/scenarios/${file} does not export a 'scenario'`);
    all.push(module.scenario);
  }
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length > 0) {
    const known = [...all.map((s) => s.name), ENGINE].join(', ');
    throw new UsageError(`unknown scenario ${unknown.join(', ')} (there are: ${known})`);
  }
  return {
    http: requested.length === 0 ? all : all.filter((s) => names.includes(s.name)),
    engine: requested.length === 0 || requested.includes(ENGINE),
  };
}

/** The options a scenario runs with: its own default seconds per point unless --seconds was given. */
function optionsFor(scenario: Scenario, options: BenchOptions): BenchOptions {
  return scenario.defaultSeconds === undefined || options.secondsGiven
    ? options
    : { ...options, seconds: scenario.defaultSeconds };
}

/** What the progress lines count per second: requests, or whole request sequences. */
const unit = (spec: Pick<PointRequest, 'request'>) => (isSequence(spec.request) ? 'sequences/s' : 'req/s');

function context(
  options: BenchOptions,
  load: LoadGenerator,
  scenario: string,
  stamp: string,
  profiles: string[],
): ScenarioContext {
  const log = (line: string) => console.log(`  · ${line}`);
  /** One point; a BenchError when more than MAX_ERROR_RATE of its requests failed. */
  const run = async (target: Target, spec: PointRequest, warmupMs: number, durationMs: number) => {
    const result = await load.run({
      ...spec,
      host: target.host,
      port: target.port,
      serverPid: target.pid,
      warmupMs,
      durationMs,
    });
    if (result.ok === 0 || result.errorRate > MAX_ERROR_RATE) {
      const kinds = Object.entries(result.errors)
        .map(([kind, n]) => `${n} × ${kind}`)
        .join(', ');
      throw new BenchError(
        `${target.name} at c=${spec.concurrency}: ${result.errorCount} of the requests failed ` +
          `(${(result.errorRate * 100).toFixed(2)}%, more than ${MAX_ERROR_RATE * 100}% allowed; ${result.ok} answered 200)` +
          `${kinds === '' ? '' : `: ${kinds}`}\n` +
          result.errorSamples.map((s) => `    ${s}`).join('\n') +
          '\n  a benchmark of error responses measures nothing: fix the setup (or the server) and run again.',
      );
    }
    return result;
  };
  return {
    options,
    load,
    log,
    profilePath: (target) => {
      if (!options.profile) return undefined;
      const file = join(RESULTS, `profile-${stamp}-${scenario}-${target}.cpuprofile`);
      profiles.push(file);
      return file;
    },
    measure: async (round, target, spec) => {
      const result = await run(target, spec, options.warmupSeconds * 1000, options.seconds * 1000);
      const tag = options.rounds > 1 ? `round ${round + 1}/${options.rounds} ` : '';
      log(
        `${tag}c=${spec.concurrency} ${target.name}: ${Math.round(result.rps)} ${unit(spec)}, p50 ${result.latency.p50.toFixed(2)} ms, ` +
          `p99 ${result.latency.p99.toFixed(2)} ms, ${result.errorCount} errors`,
      );
      return { target: target.name, round, result };
    },
    prime: async (target, spec) => {
      const concurrency = Math.max(...options.concurrency);
      const result = await run(target, { ...spec, concurrency }, 0, PRIME_MS);
      log(
        `primed ${target.name} (${PRIME_MS / 1000} s at c=${concurrency}, not counted): ${Math.round(result.rps)} ${unit(spec)}`,
      );
    },
  };
}

async function main(): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`bench: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === undefined) {
    console.log(USAGE);
    return 0;
  }
  let selected: Awaited<ReturnType<typeof loadScenarios>>;
  try {
    selected = await loadScenarios(options.scenarios);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`bench: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  const scenarios = selected.http;
  const startedAt = new Date();
  console.log(`rolecall benchmark — ${startedAt.toISOString()}`);
  console.log(describeMachine(machine()));
  const names = [...scenarios.map((s) => s.name), ...(selected.engine ? [ENGINE] : [])];
  console.log(`scenarios: ${names.join(', ')}; concurrency ${options.concurrency.join(', ')}\n`);

  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const profiles: string[] = [];
  const results: ScenarioResult[] = [];
  /** The options each table was measured with (a scenario's own default seconds apply unless --seconds was given). */
  const measuredWith = new Map<ScenarioResult, BenchOptions>();
  let engine: string | undefined;
  let failure: string | undefined;
  const load = await LoadGenerator.start(options.workers);
  try {
    for (const scenario of scenarios) {
      const own = optionsFor(scenario, options);
      console.log(`${scenario.name}: starting (${own.seconds} s per point)`);
      const tables = await scenario.run(context(own, load, scenario.name, stamp, profiles));
      for (const table of Array.isArray(tables) ? tables : [tables as ScenarioResult]) {
        results.push(table);
        measuredWith.set(table, own);
      }
    }
  } catch (err) {
    failure = err instanceof BenchError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  } finally {
    await load.close();
  }
  // In-process, once every server and load generator has stopped; only when the HTTP scenarios succeeded.
  if (selected.engine && failure === undefined) {
    console.log(`${ENGINE}: starting (in-process, ${options.seconds} s per figure)`);
    engine = await runEngineBench(options.seconds);
  }

  console.log('');
  for (const result of results) console.log(`${formatScenario(result, measuredWith.get(result) ?? options)}\n`);
  if (engine !== undefined) console.log(`${engine}\n`);
  console.log(describeMachine(machine()));

  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `results-${stamp}.json`);
  writeFileSync(file, JSON.stringify(resultsJson(startedAt, options, results, failure, engine), null, 2) + '\n');
  console.log(`results: ${file}`);
  for (const profile of profiles.filter((p) => existsSync(p))) {
    console.log(`\nCPU profile: ${profile}\n${formatProfile(summarizeProfile(profile, ROOT))}`);
  }

  if (failure !== undefined) {
    console.error(`\nBENCHMARK FAILED — the figures are not valid:\n  ${failure}`);
    return 1;
  }
  const missed = results.flatMap((r) => ratios(r).filter((x) => x.meets === false));
  if (missed.length > 0 && options.strict) {
    console.error(`\n--strict: ${missed.length} point(s) below the goal`);
    return 1;
  }
  return 0;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\nbench: ${signal}, stopping the servers`);
    void Promise.allSettled(liveTargets().map((t) => t.stop())).then(() => process.exit(130));
  });
}

process.exitCode = await main().catch(async (err: unknown) => {
  console.error(err);
  await Promise.allSettled(liveTargets().map((t) => t.stop()));
  return 1;
});
