/**
 * Which operation a REST request names. Each operation of a REST model has an HTTP binding: a method and a
 * request URI template such as `/{Bucket}/{Key+}?uploads`. Several operations can share one (S3's PutObject,
 * CopyObject, UploadPart and UploadPartCopy are all `PUT /{Bucket}/{Key+}`); they differ in the query
 * parameters and headers they require, so the binding that requires the most of what the request carries wins
 * (CopyObject requires x-amz-copy-source, UploadPart requires partNumber and uploadId).
 */
import type { HeaderMap } from '../codec.ts';
import type { ServiceModel } from '../model.ts';

interface Segment {
  readonly literal?: string;
  readonly label?: string;
  /** `{Key+}`: the rest of the path, slashes included. */
  readonly greedy?: boolean;
}

export interface Binding {
  readonly operation: string;
  readonly method: string;
  readonly segments: readonly Segment[];
  /** Query parameters the URI template names (`?uploads`, `?list-type=2`): name → value ('' for none). */
  readonly literals: ReadonlyMap<string, string>;
  /** Query parameters and headers (lower-case) that required input members are bound to. */
  readonly requiredQuery: readonly string[];
  readonly requiredHeaders: readonly string[];
}

function parseTemplate(model: ServiceModel, operation: string): Binding | undefined {
  const op = model.operations[operation];
  if (!op?.http) return undefined;
  const [pathPart = '', queryPart = ''] = op.http.requestUri.split('?');
  const segments: Segment[] = pathPart
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^\{([^}+]+)(\+?)\}$/.exec(s);
      return m ? { label: m[1] ?? '', greedy: m[2] === '+' } : { literal: s };
    });
  const literals = new Map<string, string>();
  for (const part of queryPart.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    literals.set(eq < 0 ? part : part.slice(0, eq), eq < 0 ? '' : part.slice(eq + 1));
  }
  const requiredQuery: string[] = [];
  const requiredHeaders: string[] = [];
  const input = op.input === undefined ? undefined : model.shapes[op.input];
  if (input?.type === 'structure') {
    for (const name of input.required ?? []) {
      const ref = input.members[name];
      if (ref?.location === 'querystring') requiredQuery.push(ref.locationName ?? name);
      if (ref?.location === 'header') requiredHeaders.push((ref.locationName ?? name).toLowerCase());
    }
  }
  return { operation, method: op.http.method, segments, literals, requiredQuery, requiredHeaders };
}

const bindingCache = new WeakMap<ServiceModel, readonly Binding[]>();

export function bindingsOf(model: ServiceModel): readonly Binding[] {
  let list = bindingCache.get(model);
  if (!list) {
    list = Object.keys(model.operations)
      .map((op) => parseTemplate(model, op))
      .filter((b): b is Binding => b !== undefined);
    bindingCache.set(model, list);
  }
  return list;
}

/** The URI labels of a path matched against a binding, percent-decoded; undefined when it does not match. */
export function matchPath(binding: Binding, segments: readonly string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 0;
  for (const seg of binding.segments) {
    if (seg.greedy) {
      const rest = segments.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      labels[seg.label ?? ''] = rest.map(decodeURIComponent).join('/');
      return labels;
    }
    const actual = segments[i++];
    if (actual === undefined || actual === '') return undefined;
    if (seg.literal !== undefined) {
      if (actual !== seg.literal) return undefined;
    } else {
      labels[seg.label ?? ''] = decodeURIComponent(actual);
    }
  }
  // A trailing slash (`/bucket/`) still names the bucket.
  return segments.slice(i).every((s) => s === '') ? labels : undefined;
}

export interface Match {
  readonly binding: Binding;
  readonly labels: Record<string, string>;
}

/** The best binding for a request, or undefined when none matches its method and path. */
export function matchBinding(
  model: ServiceModel,
  method: string,
  segments: readonly string[],
  query: ReadonlyMap<string, readonly string[]>,
  headers: HeaderMap,
): Match | undefined {
  let best: (Match & { score: number }) | undefined;
  for (const binding of bindingsOf(model)) {
    if (binding.method !== method) continue;
    const labels = matchPath(binding, segments);
    if (!labels) continue;
    let score = 0;
    let ok = true;
    for (const [name, value] of binding.literals) {
      const got = query.get(name);
      if (got === undefined || (value !== '' && !got.includes(value))) ok = false;
      else score++;
    }
    for (const name of binding.requiredQuery) {
      if (query.has(name)) score++;
      else ok = false;
    }
    for (const name of binding.requiredHeaders) {
      if (headers[name] !== undefined) score++;
      else ok = false;
    }
    if (ok && (best === undefined || score > best.score)) best = { binding, labels, score };
  }
  return best && { binding: best.binding, labels: best.labels };
}

/** A raw query string as name → values, percent-decoded ('+' is a space only in form bodies, not here). */
export function parseQuery(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
