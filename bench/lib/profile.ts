/**
 * A short text summary of a V8 .cpuprofile (as written by `node --cpu-prof`): the functions with the most self
 * time, and the most time including what they call, as shares of the non-idle samples. For a closer look, open
 * the file in Chrome DevTools (Performance panel) or https://www.speedscope.app.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const IDLE = new Set(['(idle)', '(root)']);

function label(node: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  if (url === '') return name;
  const path = url.startsWith('file://') ? relative(root, new URL(url).pathname) : url;
  return `${name} ${path}:${lineNumber + 1}`;
}

export interface ProfileSummary {
  /** Non-idle sampled time, in milliseconds. */
  readonly busyMs: number;
  readonly self: readonly { readonly label: string; readonly share: number }[];
  readonly total: readonly { readonly label: string; readonly share: number }[];
}

export function summarizeProfile(file: string, root: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const labels = new Map(profile.nodes.map((n) => [n.id, label(n, root)]));

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] ?? 0;
    const node = byId.get(id);
    const delta = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    if (node === undefined || IDLE.has(node.callFrame.functionName)) continue;
    busy += delta;
    const own = labels.get(id) ?? '?';
    self.set(own, (self.get(own) ?? 0) + delta);
    // Each function once per sample, however often it recurs on the stack.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const l = labels.get(at) ?? '?';
      if (l === '(root)' || seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + delta);
    }
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([l, t]) => ({ label: l, share: busy === 0 ? 0 : t / busy }));
  return { busyMs: busy / 1000, self: rank(self), total: rank(total) };
}

export function formatProfile(summary: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  return [
    `  ${Math.round(summary.busyMs)} ms of non-idle samples`,
    '  most self time:',
    ...summary.self.map((e) => `    ${pct(e.share)}  ${e.label}`),
    '  most time including callees:',
    ...summary.total.map((e) => `    ${pct(e.share)}  ${e.label}`),
  ].join('\n');
}
