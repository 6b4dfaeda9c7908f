/**
 * The printed table, the verdicts against each scenario's goal, and the JSON results file. With several rounds,
 * each (target, concurrency) cell shows its median round, and ratios are medians of the per-round ratios
 * (each round's target and baseline were measured next to each other, so pairing them cancels slow drift).
 */
import { cpus, release, totalmem, type as osType } from 'node:os';
import type { PointResult } from './load.ts';
import type { BenchOptions, MeasuredPoint, ScenarioResult } from './scenario.ts';

export interface Machine {
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly node: string;
  readonly os: string;
  readonly memoryGiB: number;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpuCount: list.length,
    node: process.version,
    os: `${osType()} ${release()} ${process.arch}`,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

export function describeMachine(m: Machine): string {
  return `machine: ${m.cpuCount} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}`;
}

/** Other processes using more than this (in cores) during a window make the point suspect. */
const NOISY_OTHER_CPU = 0.2;
/** A load generator this busy is (close to) the bottleneck. */
const BUSY_CLIENT_CPU = 0.9;

/** The lower median (an element of the list, so it is a real measurement). */
function median<T>(items: readonly T[], key: (item: T) => number): T | undefined {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export interface Cell {
  readonly target: string;
  readonly concurrency: number;
  readonly rounds: readonly PointResult[];
  /** The round with the median rate. */
  readonly median: PointResult;
}

/** One cell per (target, concurrency), in the order they were first measured. */
export function cells(points: readonly MeasuredPoint[]): Cell[] {
  const groups = new Map<string, { target: string; concurrency: number; rounds: PointResult[] }>();
  for (const p of points) {
    const key = `${p.target}\u0000${p.result.concurrency}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { target: p.target, concurrency: p.result.concurrency, rounds: [] };
      groups.set(key, group);
    }
    group.rounds.push(p.result);
  }
  return [...groups.values()].flatMap((g) => {
    const m = median(g.rounds, (r) => r.rps);
    return m === undefined ? [] : [{ ...g, median: m }];
  });
}

export interface Ratio {
  readonly concurrency: number;
  readonly target: string;
  readonly baseline: string;
  /** Median over rounds of (target req/s ÷ baseline req/s in the same round). */
  readonly ratio: number;
  /** Each round's ratio. */
  readonly perRound: readonly number[];
  /** For the scenario's goal: the ratio required, and whether the median reached it. */
  readonly atLeast?: number;
  readonly meets?: boolean;
}

function pairedRatio(points: readonly MeasuredPoint[], target: string, baseline: string, concurrency: number) {
  const rate = (name: string, round: number) =>
    points.find((p) => p.target === name && p.round === round && p.result.concurrency === concurrency)?.result.rps;
  const perRound: number[] = [];
  for (const round of new Set(points.map((p) => p.round))) {
    const a = rate(target, round);
    const b = rate(baseline, round);
    if (a !== undefined && b !== undefined && b > 0) perRound.push(a / b);
  }
  const ratio = median(perRound, (x) => x);
  return ratio === undefined ? undefined : { ratio, perRound };
}

/** The goal's ratio at each concurrency, then each comparison's, where both sides were measured. */
export function ratios(result: ScenarioResult): Ratio[] {
  const out: Ratio[] = [];
  const levels = [...new Set(result.points.map((p) => p.result.concurrency))];
  for (const concurrency of levels) {
    const pairs = [result.goal, ...result.comparisons];
    for (const [i, pair] of pairs.entries()) {
      const r = pairedRatio(result.points, pair.target, pair.baseline, concurrency);
      if (r === undefined) continue;
      const base = { concurrency, target: pair.target, baseline: pair.baseline, ...r };
      out.push(i === 0 ? { ...base, atLeast: result.goal.atLeast, meets: r.ratio >= result.goal.atLeast } : base);
    }
  }
  return out;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const pct = (n: number | undefined) => (n === undefined ? 'n/a' : `${Math.round(n * 100)}%`);
const times = (n: number) => `${n.toFixed(2)}×`;

function table(rows: readonly (readonly string[])[], rightAligned: readonly boolean[]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatScenario(result: ScenarioResult, options: BenchOptions): string {
  const lines: string[] = [];
  const rounds = options.rounds;
  lines.push(`${result.name}: ${result.description}`);
  lines.push(
    `  ${options.seconds} s measured per point after ${options.warmupSeconds} s warm-up; ` +
      `${options.workers} load-generator process${options.workers === 1 ? '' : 'es'}` +
      (rounds > 1 ? `; ${rounds} rounds, medians shown` : ''),
  );
  for (const t of result.targets) {
    lines.push(`  ${t.name.padEnd(9)} ${t.skipped === undefined ? t.description : `skipped: ${t.skipped}`}`);
  }
  lines.push('');

  const baseline = result.goal.baseline;
  const all = ratios(result);
  const grid = cells(result.points);
  const header = ['conc', 'target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'server cpu', 'client cpu', 'other cpu'];
  if (rounds > 1) header.push('req/s range');
  header.push('req/s per server core', `vs ${baseline}`);
  const rows: string[][] = [header];
  for (const cell of grid) {
    const r = cell.median;
    const vs =
      cell.target === baseline ? 1 : pairedRatio(result.points, cell.target, baseline, cell.concurrency)?.ratio;
    const noisy = r.otherCpu !== undefined && r.otherCpu > NOISY_OTHER_CPU;
    const row = [
      String(cell.concurrency),
      cell.target,
      int(r.rps),
      ms(r.latency.p50),
      ms(r.latency.p99),
      String(cell.rounds.reduce((n, x) => n + x.errorCount, 0)),
      pct(r.serverCpu),
      pct(r.clientCpu),
      `${pct(r.otherCpu)}${noisy ? ' !' : ''}`,
    ];
    if (rounds > 1) {
      const rates = cell.rounds.map((x) => x.rps);
      row.push(`${int(Math.min(...rates))}–${int(Math.max(...rates))}`);
    }
    row.push(
      r.serverCpu === undefined || r.serverCpu === 0 ? 'n/a' : int(r.rps / r.serverCpu),
      vs === undefined ? '' : times(vs),
    );
    rows.push(row);
  }
  lines.push(...table(rows, [true, false, ...header.slice(2).map(() => true)]).map((l) => `  ${l}`));

  lines.push('');
  lines.push(`  verdict (goal: ${result.goal.target} ≥ ${result.goal.atLeast}× ${baseline} at each concurrency):`);
  for (const concurrency of options.concurrency) {
    const goal = all.find((x) => x.concurrency === concurrency && x.meets !== undefined);
    if (goal === undefined) continue;
    const others = all
      .filter((x) => x.concurrency === concurrency && x.meets === undefined)
      .map((x) => `, ${times(x.ratio)} ${x.baseline}`)
      .join('');
    const cellOf = (target: string) => grid.find((c) => c.target === target && c.concurrency === concurrency)?.median;
    const mine = cellOf(goal.target);
    const theirs = cellOf(baseline);
    const perCore = (r: PointResult | undefined) =>
      r?.serverCpu === undefined || r.serverCpu === 0 ? undefined : r.rps / r.serverCpu;
    const mineEff = perCore(mine);
    const theirsEff = perCore(theirs);
    const efficiency =
      mineEff === undefined || theirsEff === undefined ? '' : ` (per server core: ${times(mineEff / theirsEff)})`;
    lines.push(
      `    c=${String(concurrency).padEnd(4)} ${goal.target} ${int(mine?.rps ?? 0)} req/s = ${times(goal.ratio)} ` +
        `${baseline}${efficiency}${others} — ${goal.meets ? 'meets the goal' : 'BELOW the goal'}`,
    );
  }

  const notes: string[] = [];
  const clientBound = grid.filter((c) => c.target === baseline && c.median.clientCpu >= BUSY_CLIENT_CPU);
  if (clientBound.length > 0) {
    notes.push(
      `the load generator used ≥ ${pct(BUSY_CLIENT_CPU)} of a core against ${baseline} at ` +
        `${clientBound.map((c) => `c=${c.concurrency}`).join(', ')}: there the ceiling is partly the client's, so ` +
        `${baseline}'s rate is understated and the ratio flatters ${result.goal.target}; compare req/s per server core.`,
    );
  }
  if (grid.some((c) => c.median.otherCpu !== undefined && c.median.otherCpu > NOISY_OTHER_CPU)) {
    notes.push(
      `'!': other processes used > ${pct(NOISY_OTHER_CPU)} of a core during that window, so that figure is noisy; ` +
        `run again on a quieter machine, or with ${rounds > 1 ? 'more' : 'several'} --rounds.`,
    );
  }
  if (notes.length > 0) lines.push('', ...notes.map((n) => `  note: ${n}`));
  return lines.join('\n');
}

/** One measured point as stored in the JSON results. */
function pointJson(p: MeasuredPoint) {
  const r = p.result;
  return {
    target: p.target,
    round: p.round,
    concurrency: r.concurrency,
    rps: r.rps,
    ok: r.ok,
    completed: r.completed,
    errorCount: r.errorCount,
    errorRate: r.errorRate,
    errors: r.errors,
    errorSamples: r.errorSamples,
    latencyMs: r.latency,
    windowSeconds: r.windowSeconds,
    serverCpuCores: r.serverCpu ?? null,
    clientCpuCores: r.clientCpu,
    otherCpuCores: r.otherCpu ?? null,
    stealCpuCores: r.stealCpu ?? null,
  };
}

export function resultsJson(
  startedAt: Date,
  options: BenchOptions,
  results: readonly ScenarioResult[],
  failure: string | undefined,
) {
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machine(),
    options,
    valid: failure === undefined,
    ...(failure !== undefined && { failure }),
    scenarios: results.map((r) => ({
      name: r.name,
      description: r.description,
      targets: r.targets,
      goal: r.goal,
      points: r.points.map(pointJson),
      medians: cells(r.points).map((c) => ({ target: c.target, concurrency: c.concurrency, rps: c.median.rps })),
      ratios: ratios(r),
    })),
  };
}
