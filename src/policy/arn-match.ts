/**
 * ARN matching, two ways, because AWS matches Resource elements and Arn condition operators differently
 * (IAM User Guide, "IAM JSON policy elements: Resource" and "Condition operators"; docs/research/
 * evaluation-logic.md §6):
 *  - Resource/NotResource: wildcards stay within their colon-separated segment, except a `*` that ends a segment
 *    (or anything in the last segment), which may run past colons: `arn:aws:ec2:*:*:instance/*` matches
 *    `arn:aws:ec2:us-east-1:111122223333:volume:instance/x`.
 *  - ArnEquals/ArnLike: each of the six components is matched on its own, and a pattern with fewer components
 *    does not match a full ARN.
 * Both run in time linear in the ARN for a given pattern; no regular expression is built from policy text.
 */
import {
  ANY,
  STAR,
  compilePattern,
  matchPattern,
  resolve,
  matchProgram,
  type Pattern,
  type VariableLookup,
} from './pattern.ts';

/** A star that may not cross a colon (a wildcard inside one of the first five segments). */
const SEGMENT_STAR = -3;
const COLON = ':'.charCodeAt(0);

export interface ArnPattern {
  readonly source: string;
  /** `*` alone matches every resource, ARN or not. */
  readonly any: boolean;
  readonly segments: readonly Pattern[];
}

export function splitSegments(text: string, count: number): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < count - 1; i++) {
    const colon = text.indexOf(':', start);
    if (colon < 0) break;
    out.push(text.slice(start, colon));
    start = colon + 1;
  }
  out.push(text.slice(start));
  return out;
}

export function compileArnPattern(source: string, variables: boolean): ArnPattern {
  if (source === '*') return { source, any: true, segments: [] };
  const segments = splitSegments(source, 6).map((s) => compilePattern(s, variables));
  return { source, any: false, segments };
}

/** The Resource pattern as one program over the whole ARN; undefined when a variable has no value. */
function resourceProgram(pattern: ArnPattern, lookup: VariableLookup): number[] | undefined {
  const program: number[] = [];
  const last = pattern.segments.length - 1;
  for (let i = 0; i <= last; i++) {
    const segment = resolve(pattern.segments[i] as Pattern, lookup);
    if (!segment) return undefined;
    for (let j = 0; j < segment.length; j++) {
      const op = segment[j] as number;
      // Inside the first five segments a star keeps to its segment, unless it ends the segment.
      program.push(op === STAR && i < last && j < segment.length - 1 ? SEGMENT_STAR : op);
    }
    if (i < last) program.push(COLON);
  }
  return program;
}

/** Matching with stars of two kinds: one set of live pattern positions per character (an NFA, O(n·m)). */
function matchSegmentAware(program: readonly number[], text: string): boolean {
  const m = program.length;
  let states = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  const close = (set: Uint8Array) => {
    // A star may match nothing: from a star position, the position after it is live too.
    for (let p = 0; p < m; p++) if (set[p] && (program[p] === STAR || program[p] === SEGMENT_STAR)) set[p + 1] = 1;
  };
  states[0] = 1;
  close(states);
  for (let t = 0; t < text.length; t++) {
    const c = text.charCodeAt(t);
    next.fill(0);
    let any = false;
    for (let p = 0; p < m; p++) {
      if (!states[p]) continue;
      const op = program[p] as number;
      if (op === STAR || (op === SEGMENT_STAR && c !== COLON)) next[p] = 1;
      else if (op === ANY || op === c) next[p + 1] = 1;
      else continue;
      any = true;
    }
    if (!any) return false;
    close(next);
    [states, next] = [next, states];
  }
  return states[m] === 1;
}

/** Whether a Resource/NotResource pattern matches; `unresolved` when a policy variable in it has no value. */
export function matchResource(pattern: ArnPattern, arn: string, lookup: VariableLookup): boolean | 'unresolved' {
  if (pattern.any) return true;
  const program = resourceProgram(pattern, lookup);
  if (!program) return 'unresolved';
  return program.includes(SEGMENT_STAR) ? matchSegmentAware(program, arn) : matchProgram(program, arn, false);
}

/**
 * Whether an Arn condition value matches, component by component; `unresolved` when a policy variable has no
 * value. `split` may supply the ARN already cut into n segments.
 */
export function matchArn(
  pattern: ArnPattern,
  arn: string,
  lookup: VariableLookup,
  split: (count: number) => readonly string[] = (count) => splitSegments(arn, count),
): boolean | 'unresolved' {
  if (pattern.any) return true;
  const parts = split(6);
  if (parts.length !== pattern.segments.length) return false;
  let unresolved = false;
  for (let i = 0; i < parts.length; i++) {
    const result = matchPattern(pattern.segments[i] as Pattern, parts[i] ?? '', lookup);
    if (result === 'unresolved') unresolved = true;
    else if (!result) return false;
  }
  return unresolved ? 'unresolved' : true;
}
