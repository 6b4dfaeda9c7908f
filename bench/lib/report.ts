/**
 * The printed table, the verdicts against each scenario's goal, and the JSON results file. With several rounds,
 * each (target, concurrency) cell shows its median round, and ratios are medians of the per-round ratios
 * (each round's target and baseline were measured next to each other, so pairing them cancels slow drift).
 */
import { cpus, release, totalmem, type as osType } from 'node:os';
import type { PointResult } from './load.ts';
import type { BenchOptions, CostComparison, MeasuredPoint, ScenarioResult } from './scenario.ts';

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
  const goal = result.goal;
  for (const concurrency of levels) {
    if (goal !== undefined) {
      const r = pairedRatio(result.points, goal.target, goal.baseline, concurrency);
      if (r !== undefined) {
        out.push({
          concurrency,
          target: goal.target,
          baseline: goal.baseline,
          ...r,
          atLeast: goal.atLeast,
          meets: r.ratio >= goal.atLeast,
        });
      }
    }
    for (const pair of result.comparisons) {
      const r = pairedRatio(result.points, pair.target, pair.baseline, concurrency);
      if (r !== undefined) out.push({ concurrency, target: pair.target, baseline: pair.baseline, ...r });
    }
  }
  return out;
}

/** Server CPU time per successful request, in microseconds; undefined when the server's CPU was not read. */
export function cpuMicrosPerRequest(r: PointResult): number | undefined {
  return r.serverCpu === undefined || r.rps === 0 ? undefined : (r.serverCpu / r.rps) * 1e6;
}

export interface Cost {
  readonly concurrency: number;
  readonly target: string;
  readonly baseline: string;
  readonly what: string;
  /** From the round with the median CPU difference (each round's two points were measured next to each other). */
  readonly round: number;
  readonly targetRps: number;
  readonly baselineRps: number;
  /** target req/s ÷ baseline req/s in that round. */
  readonly ratio: number;
  readonly targetMicros: number;
  readonly baselineMicros: number;
  /** targetMicros − baselineMicros: the server CPU the target spends per request on top of the baseline. */
  readonly extraMicros: number;
  /** Each round's extraMicros. */
  readonly perRound: readonly number[];
}

/** Each cost comparison at each concurrency, where both sides were measured with their server CPU. */
export function costs(result: ScenarioResult): Cost[] {
  const out: Cost[] = [];
  const levels = [...new Set(result.points.map((p) => p.result.concurrency))];
  const at = (name: string, round: number, concurrency: number) =>
    result.points.find((p) => p.target === name && p.round === round && p.result.concurrency === concurrency)?.result;
  for (const c of result.costs ?? []) {
    for (const concurrency of levels) {
      const rounds: Omit<Cost, 'perRound'>[] = [];
      for (const round of new Set(result.points.map((p) => p.round))) {
        const mine = at(c.target, round, concurrency);
        const theirs = at(c.baseline, round, concurrency);
        if (mine === undefined || theirs === undefined || theirs.rps === 0) continue;
        const targetMicros = cpuMicrosPerRequest(mine);
        const baselineMicros = cpuMicrosPerRequest(theirs);
        if (targetMicros === undefined || baselineMicros === undefined) continue;
        rounds.push({
          ...costHeader(c, concurrency),
          round,
          targetRps: mine.rps,
          baselineRps: theirs.rps,
          ratio: mine.rps / theirs.rps,
          targetMicros,
          baselineMicros,
          extraMicros: targetMicros - baselineMicros,
        });
      }
      const m = median(rounds, (r) => r.extraMicros);
      if (m !== undefined) out.push({ ...m, perRound: rounds.map((r) => r.extraMicros) });
    }
  }
  return out;
}

const costHeader = (c: CostComparison, concurrency: number) => ({
  concurrency,
  target: c.target,
  baseline: c.baseline,
  what: c.what,
});

/** The target of a table's `vs …` column. */
const baselineOf = (result: ScenarioResult): string => result.goal?.baseline ?? result.baseline ?? 'bare';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
/** A derived rate (MiB/s, events/s): whole numbers from 100 up, else three significant digits or so. */
const amount = (n: number) => (n >= 100 ? int(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const pct = (n: number | undefined) => (n === undefined ? 'n/a' : `${Math.round(n * 100)}%`);
const times = (n: number) => `${n.toFixed(2)}×`;
const micros = (n: number) => `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} µs`;
const signed = (text: string, n: number) => (n < 0 ? `−${text.replace(/^-/, '')}` : `+${text}`);

export function table(rows: readonly (readonly string[])[], rightAligned: readonly boolean[]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatScenario(result: ScenarioResult, options: BenchOptions): string {
  // A scenario measured without the load generator (e.g. lambda-invoke) prints its own figures only.
  if (result.points.length === 0 && result.targets.length === 0 && result.appendix !== undefined) {
    return result.appendix.lines.join('\n');
  }
  const lines: string[] = [];
  const rounds = options.rounds;
  const rate = `${result.unit ?? 'req'}/s`;
  lines.push(`${result.name}: ${result.description}`);
  lines.push(
    `  ${options.seconds} s measured per point after ${options.warmupSeconds} s warm-up; ` +
      `${options.workers} load-generator process${options.workers === 1 ? '' : 'es'}` +
      (rounds > 1 ? `; ${rounds} rounds, medians shown` : ''),
  );
  const nameWidth = Math.max(9, ...result.targets.map((t) => t.name.length));
  for (const t of result.targets) {
    lines.push(`  ${t.name.padEnd(nameWidth)} ${t.skipped === undefined ? t.description : `skipped: ${t.skipped}`}`);
  }
  lines.push('');

  const baseline = baselineOf(result);
  const goal = result.goal;
  const all = ratios(result);
  const grid = cells(result.points);
  const extra = result.throughput;
  const header = [
    'conc',
    'target',
    rate,
    ...(extra === undefined ? [] : [extra.label]),
    'p50 ms',
    'p99 ms',
    'errors',
    'server cpu',
    'client cpu',
    'other cpu',
  ];
  if (rounds > 1) header.push(`${rate} range`);
  header.push(`${rate} per server core`, `vs ${baseline}`);
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
      ...(extra === undefined ? [] : [amount(r.rps * extra.perUnit)]),
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
  const subject = goal?.target ?? 'rolecall';
  const cellOf = (target: string, concurrency: number) =>
    grid.find((c) => c.target === target && c.concurrency === concurrency)?.median;
  const perCore = (r: PointResult | undefined) =>
    r?.serverCpu === undefined || r.serverCpu === 0 ? undefined : r.rps / r.serverCpu;
  lines.push(
    goal === undefined
      ? `  ratios (no goal for this table):`
      : `  verdict (goal: ${goal.target} ≥ ${goal.atLeast}× ${baseline} at each concurrency):`,
  );
  for (const concurrency of options.concurrency) {
    const head = all.find(
      (x) =>
        x.concurrency === concurrency &&
        x.target === subject &&
        x.baseline === baseline &&
        (goal === undefined || x.meets !== undefined),
    );
    const mine = cellOf(subject, concurrency);
    if (mine === undefined) continue;
    const others = all
      .filter((x) => x.concurrency === concurrency && x !== head)
      .map((x) => `, ${x.target === subject ? '' : `${x.target} `}${times(x.ratio)} ${x.baseline}`)
      .join('');
    const mineEff = perCore(mine);
    const theirsEff = perCore(cellOf(baseline, concurrency));
    const efficiency =
      mineEff === undefined || theirsEff === undefined ? '' : ` (per server core: ${times(mineEff / theirsEff)})`;
    const versus = head === undefined ? '' : ` = ${times(head.ratio)} ${baseline}${efficiency}`;
    const verdict = head?.meets === undefined ? '' : ` — ${head.meets ? 'meets the goal' : 'BELOW the goal'}`;
    const derived = extra === undefined ? '' : ` (${amount(mine.rps * extra.perUnit)} ${extra.label})`;
    lines.push(
      `    c=${String(concurrency).padEnd(4)} ${subject} ${int(mine.rps)} ${rate}${derived}${versus}${others}${verdict}`,
    );
  }

  const priced = costs(result);
  for (const c of result.costs ?? []) {
    const rows = priced.filter((x) => x.target === c.target && x.baseline === c.baseline);
    if (rows.length === 0) continue;
    lines.push('');
    lines.push(
      `  cost of ${c.what} (${c.target} against ${c.baseline}; server CPU per ${result.unit ?? 'request'} = server cpu ÷ ${rate}` +
        `${rounds > 1 ? ', round with the median difference' : ''}):`,
    );
    for (const x of rows) {
      const share =
        x.baselineMicros === 0
          ? ''
          : ` (${signed(`${Math.round((x.extraMicros / x.baselineMicros) * 100)}%`, x.extraMicros)})`;
      lines.push(
        `    c=${String(x.concurrency).padEnd(4)} ${x.target} ${int(x.targetRps)} ${rate} = ${times(x.ratio)} ${x.baseline} ` +
          `(${int(x.baselineRps)} ${rate}); ${micros(x.targetMicros)} against ${micros(x.baselineMicros)} of server CPU ` +
          `per ${result.unit ?? 'request'}: ${c.what} ${signed(micros(x.extraMicros), x.extraMicros)}${share}`,
      );
    }
  }

  const notes: string[] = [];
  const clientBound = grid.filter((c) => c.target === baseline && c.median.clientCpu >= BUSY_CLIENT_CPU);
  if (clientBound.length > 0) {
    notes.push(
      `the load generator used ≥ ${pct(BUSY_CLIENT_CPU)} of a core against ${baseline} at ` +
        `${clientBound.map((c) => `c=${c.concurrency}`).join(', ')}: there the ceiling is partly the client's, so ` +
        `${baseline}'s rate is understated and the ratio flatters ${subject}; compare ${rate} per server core.`,
    );
  }
  if (grid.some((c) => c.median.otherCpu !== undefined && c.median.otherCpu > NOISY_OTHER_CPU)) {
    notes.push(
      `'!': other processes used > ${pct(NOISY_OTHER_CPU)} of a core during that window, so that figure is noisy; ` +
        `run again on a quieter machine, or with ${rounds > 1 ? 'more' : 'several'} --rounds.`,
    );
  }
  if (notes.length > 0) lines.push('', ...notes.map((n) => `  note: ${n}`));
  if (result.appendix !== undefined) lines.push('', ...result.appendix.lines);
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
  engine?: string,
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
      goal: r.goal ?? null,
      unit: r.unit ?? 'req',
      throughput: r.throughput ?? null,
      points: r.points.map(pointJson),
      medians: cells(r.points).map((c) => ({
        target: c.target,
        concurrency: c.concurrency,
        rps: c.median.rps,
        ...(r.throughput !== undefined && { throughput: c.median.rps * r.throughput.perUnit }),
      })),
      ratios: ratios(r),
      costs: costs(r),
      ...(r.appendix !== undefined && { appendix: r.appendix.data }),
    })),
    ...(engine !== undefined && { policyEngine: engine.split('\n') }),
  };
}
