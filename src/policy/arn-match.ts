/**
 * Segment-aware ARN matching for Resource elements and the Arn condition operators: an ARN's first five
 * colon-separated segments (arn, partition, service, region, account) are matched one by one, so a wildcard
 * never spans a colon there; the last pattern segment takes the rest of the ARN, colons and slashes included
 * (IAM User Guide, "IAM JSON policy elements: Resource" and "Amazon Resource Names").
 */
import { compilePattern, matchPattern, type Pattern, type VariableLookup } from './pattern.ts';

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

/**
 * Whether the ARN matches; `unresolved` when a policy variable in the pattern has no value. `split` may supply
 * the ARN already cut into n segments, so one request's ARN is split once for all patterns.
 */
export function matchArn(
  pattern: ArnPattern,
  arn: string,
  lookup: VariableLookup,
  split: (count: number) => readonly string[] = (count) => splitSegments(arn, count),
): boolean | 'unresolved' {
  if (pattern.any) return true;
  const parts = split(pattern.segments.length);
  if (parts.length !== pattern.segments.length) return false;
  let unresolved = false;
  for (let i = 0; i < parts.length; i++) {
    const segment = pattern.segments[i];
    if (!segment) return false;
    const result = matchPattern(segment, parts[i] ?? '', lookup);
    if (result === 'unresolved') unresolved = true;
    else if (!result) return false;
  }
  return unresolved ? 'unresolved' : true;
}
