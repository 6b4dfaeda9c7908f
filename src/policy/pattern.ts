/**
 * Wildcard patterns with policy variables, as they appear in Resource elements and in String/Arn condition
 * values. A pattern is compiled once into parts (literal text, `*`, `?`, variable references); at evaluation the
 * variables are resolved against the request and the result is matched in linear time by the greedy
 * two-pointer walk. A resolved variable's value is literal: a `*` in a user name is not a wildcard.
 */

export type PatternPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'star' }
  | { readonly kind: 'any' }
  | { readonly kind: 'var'; readonly key: string; readonly fallback: string | undefined };

export interface Pattern {
  readonly source: string;
  readonly parts: readonly PatternPart[];
  /** True when the pattern has no wildcard and no variable: it matches one string only. */
  readonly literal: boolean;
  readonly hasVariables: boolean;
}

/** Looks up a single-valued context key by its lower-cased name; undefined when absent or multivalued. */
export type VariableLookup = (lowerKey: string) => string | undefined;

/** Element of a resolved pattern: a character (its code), or one of the wildcards. */
export const STAR = -1;
export const ANY = -2;

function pushText(parts: PatternPart[], text: string): void {
  if (text === '') return;
  const last = parts[parts.length - 1];
  if (last?.kind === 'text') parts[parts.length - 1] = { kind: 'text', text: last.text + text };
  else parts.push({ kind: 'text', text });
}

/**
 * Compiles a pattern. With `variables` false (policies of Version 2008-10-17) `${…}` is plain text.
 * `${*}`, `${?}` and `${$}` stand for the literal characters; `${key, 'default'}` falls back to the default.
 */
export function compilePattern(source: string, variables: boolean): Pattern {
  const parts: PatternPart[] = [];
  let hasVariables = false;
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (variables && c === '$' && source.charAt(i + 1) === '{') {
      const end = source.indexOf('}', i + 2);
      if (end > 0) {
        const body = source.slice(i + 2, end).trim();
        if (body === '*' || body === '?' || body === '$') {
          pushText(parts, body);
        } else {
          const comma = body.indexOf(',');
          const key = (comma >= 0 ? body.slice(0, comma) : body).trim().toLowerCase();
          const rest = comma >= 0 ? body.slice(comma + 1).trim() : undefined;
          const fallback = rest !== undefined && /^'.*'$/.test(rest) ? rest.slice(1, -1) : undefined;
          parts.push({ kind: 'var', key, fallback });
          hasVariables = true;
        }
        i = end + 1;
        continue;
      }
    }
    if (c === '*') parts.push({ kind: 'star' });
    else if (c === '?') parts.push({ kind: 'any' });
    else pushText(parts, c);
    i++;
  }
  const literal = parts.every((p) => p.kind === 'text');
  return { source, parts, literal, hasVariables };
}

/** The pattern with its variables replaced; undefined when a variable has no value and no default. */
export function resolve(pattern: Pattern, lookup: VariableLookup): number[] | undefined {
  const out: number[] = [];
  const text = (s: string) => {
    for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
  };
  for (const part of pattern.parts) {
    switch (part.kind) {
      case 'text':
        text(part.text);
        break;
      case 'star':
        out.push(STAR);
        break;
      case 'any':
        out.push(ANY);
        break;
      case 'var': {
        const value = lookup(part.key) ?? part.fallback;
        if (value === undefined) return undefined;
        text(value);
        break;
      }
    }
  }
  return out;
}

export function matchProgram(program: readonly number[], text: string, ignoreCase: boolean): boolean {
  const subject = ignoreCase ? text.toLowerCase() : text;
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < subject.length) {
    const op = program[p];
    if (op !== undefined && op !== STAR && (op === ANY || op === subject.charCodeAt(t))) {
      p++;
      t++;
    } else if (op === STAR) {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (program[p] === STAR) p++;
  return p === program.length;
}

/**
 * Whether text matches the pattern; `unresolved` when a variable could not be resolved (the element then
 * matches nothing, IAM User Guide "Policy variables").
 */
export function matchPattern(
  pattern: Pattern,
  text: string,
  lookup: VariableLookup,
  ignoreCase = false,
): boolean | 'unresolved' {
  if (pattern.literal) {
    const only = pattern.parts[0];
    const value = only?.kind === 'text' ? only.text : '';
    return ignoreCase ? value.toLowerCase() === text.toLowerCase() : value === text;
  }
  const program = resolve(pattern, lookup);
  if (!program) return 'unresolved';
  const lowered = ignoreCase
    ? program.map((c) => (c >= 0 ? String.fromCharCode(c).toLowerCase().charCodeAt(0) : c))
    : program;
  return matchProgram(lowered, text, ignoreCase);
}

/** The pattern's text with variables resolved and wildcards kept as they are, for exact (non-wildcard) tests. */
export function resolveText(pattern: Pattern, lookup: VariableLookup): string | undefined {
  let out = '';
  for (const part of pattern.parts) {
    if (part.kind === 'text') out += part.text;
    else if (part.kind === 'star') out += '*';
    else if (part.kind === 'any') out += '?';
    else {
      const value = lookup(part.key) ?? part.fallback;
      if (value === undefined) return undefined;
      out += value;
    }
  }
  return out;
}
