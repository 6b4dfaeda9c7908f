/**
 * Conditional requests and ranges of GetObject/HeadObject (docs/research/s3-facts.md §D.2–D.3, after RFC 7232
 * §6 as S3 applies it): If-Match, then If-Unmodified-Since (only without If-Match) fail with 412; then
 * If-None-Match, then If-Modified-Since (only without If-None-Match) answer 304. One byte range only.
 */
import type { ObjectRecord } from '../../model/s3.ts';

export interface Conditions {
  readonly IfMatch?: string | undefined;
  readonly IfNoneMatch?: string | undefined;
  readonly IfModifiedSince?: Date | undefined;
  readonly IfUnmodifiedSince?: Date | undefined;
}

export type Verdict = { ok: true } | { ok: false; status: 304 | 412; condition: string };

/** An entity-tag list matches when any member (quotes optional, `*` for any) is the object's ETag. */
function matches(list: string, etag: string): boolean {
  const bare = etag.replace(/^"|"$/g, '');
  return list.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return v === '*' || v === bare;
  });
}

/** HTTP dates have whole seconds; S3 compares at that precision. */
const seconds = (d: Date | string): number => Math.floor(new Date(d).getTime() / 1000);

export function evaluateConditions(object: ObjectRecord, c: Conditions): Verdict {
  if (c.IfMatch !== undefined && !matches(c.IfMatch, object.etag)) {
    return { ok: false, status: 412, condition: 'If-Match' };
  }
  if (c.IfMatch === undefined && c.IfUnmodifiedSince !== undefined) {
    if (seconds(object.lastModified) > seconds(c.IfUnmodifiedSince)) {
      return { ok: false, status: 412, condition: 'If-Unmodified-Since' };
    }
  }
  if (c.IfNoneMatch !== undefined && matches(c.IfNoneMatch, object.etag)) {
    return { ok: false, status: 304, condition: 'If-None-Match' };
  }
  if (c.IfNoneMatch === undefined && c.IfModifiedSince !== undefined) {
    if (seconds(object.lastModified) <= seconds(c.IfModifiedSince)) {
      return { ok: false, status: 304, condition: 'If-Modified-Since' };
    }
  }
  return { ok: true };
}

/**
 * A Range header against an object's size: the inclusive byte range, undefined when the header is not one
 * single byte range (ignored, whole object), or 'unsatisfiable' (416) when it starts past the end. An end past
 * the object is clamped.
 */
export function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
