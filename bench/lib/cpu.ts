/** CPU time and memory of another process (the server under test), read from /proc on Linux; undefined elsewhere. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    ticksPerSecond = r.status === 0 && Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** User + system CPU seconds used so far by the process `pid` (all its threads), or undefined if unreadable. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return (utime + stime) / clockTicks();
  } catch {
    return undefined;
  }
}

export interface SystemCpu {
  /** CPU seconds spent busy (user, nice, system, irq, softirq) on all cores so far. */
  readonly busy: number;
  /** CPU seconds the hypervisor gave to someone else. */
  readonly steal: number;
}

/** Machine-wide CPU time so far, from the first line of /proc/stat; undefined off Linux. */
export function systemCpuSeconds(): SystemCpu | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [label, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/);
    if (label !== 'cpu') return undefined;
    const ticks = clockTicks();
    const n = (v: string | undefined) => Number(v ?? 0) || 0;
    return { busy: (n(user) + n(nice) + n(system) + n(irq) + n(softirq)) / ticks, steal: n(steal) / ticks };
  } catch {
    return undefined;
  }
}

/** The resident set size (VmRSS) of the process `pid` in bytes, from /proc/<pid>/status; undefined off Linux. */
export function processRssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}
