/**
 * CloudWatch Logs filter patterns (FilterLogEvents' `filterPattern`), compiled once into a matcher. Pure: no I/O,
 * and no regular expression is ever built from the pattern, so a hostile pattern cannot backtrack.
 *
 * Syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 * The subset served here:
 * - empty (or blank) pattern: every event matches.
 * - terms: `ERROR Exception` — every term must appear in the message (case-sensitive substring). A bare term may
 *   hold letters, digits and `_`; anything else must be quoted (`"ERROR:"`, `"user 42"`), else AWS's
 *   `Invalid character(s) in term '…'`. `?a ?b` — at least one of the `?` terms; `-term` — the term must not
 *   appear ("-ERROR" returns every event without ERROR: Lightsail GetContainerLog's filterPattern documentation
 *   of the same syntax). Plain, `?` and `-` terms combine: all plain, one `?` (when any), no `-`.
 * - JSON: `{ $.level = "ERROR" }`, `{ $.status != 200 }`, `{ $.latency > 500 }` (`<`, `>`, `<=`, `>=`, `=`, `!=`),
 *   selectors `$.a.b[0].c`, values quoted or bare (`123.123.*`), `*` wildcards in string values, `IS NULL`,
 *   `IS TRUE`, `IS FALSE`, `NOT EXISTS`, `&&` (binds tighter) and `||`, parentheses. An event that is not JSON never
 *   matches; a comparison on a field that is absent does not match (except `NOT EXISTS`).
 * - space-delimited: `[ip, user, ..., status=4*, size > 1000]` — fields split on spaces, `"…"` and `[…]` each one
 *   field (without the enclosing characters); `...` stands for any number of fields; a field name may carry one
 *   condition (same operators and wildcards as JSON), and conditions may be joined with `&&`/`||` naming other
 *   fields (`[..., status >= 400 && status < 500, size]`).
 * Not served: regular expressions (`%…%`) and selectors with wildcards (`$.a[*]`); such patterns are refused as
 * `Invalid filter pattern` rather than matched differently from AWS.
 */

/** A pattern AWS would refuse; `message` is AWS's wording, for InvalidParameterException. */
export class FilterPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterPatternError';
  }
}

export type EventMatcher = (message: string) => boolean;

/** AWS's answers for malformed patterns (e.g. defang#1008: `Invalid filter pattern: Invalid character(s) in term '""'`). */
const INVALID = 'Invalid filter pattern';
const invalid = (): FilterPatternError => new FilterPatternError(INVALID);
const invalidTerm = (term: string): FilterPatternError =>
  new FilterPatternError(`${INVALID}: Invalid character(s) in term '${term}'`);

/** Compiles a pattern; throws FilterPatternError when AWS would refuse it. */
export function compileFilterPattern(pattern: string | undefined): EventMatcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) return compileJson(text);
  if (text.startsWith('[')) return compileDelimited(text);
  if (text.startsWith('%')) throw invalid();
  return compileTerms(text);
}

// ---------------------------------------------------------------- wildcards and values

/** `*` matches any run of characters; a greedy two-pointer walk, linear in practice and never exponential. */
export function wildcardMatch(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

type Op = '=' | '!=' | '<' | '>' | '<=' | '>=';

/** A comparison's right-hand side: quoted values are strings; bare ones are numbers when they read as one. */
interface Value {
  readonly text: string;
  readonly number: number | undefined;
}

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

function bareValue(text: string): Value {
  return { text, number: NUMBER.test(text) ? Number(text) : undefined };
}

/** Compares a string field (from a delimited event, or a JSON string) with a value. */
function compareText(field: string, op: Op, value: Value): boolean {
  if (value.number !== undefined) {
    if (!NUMBER.test(field.trim())) return op === '!=';
    return compareNumbers(Number(field), op, value.number);
  }
  if (op === '=') return wildcardMatch(value.text, field);
  if (op === '!=') return !wildcardMatch(value.text, field);
  return false;
}

function compareNumbers(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
  }
}

// ---------------------------------------------------------------- a small tokenizer shared by JSON and delimited

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'op'; text: Op }
  | { kind: 'punct'; text: '(' | ')' | '&&' | '||' | ',' | '{' | '}' };

const WORD_STOP = new Set([' ', '\t', '\n', '\r', '(', ')', ',', '=', '!', '<', '>', '&', '|', '"', '{', '}']);

/** Splits a JSON pattern, or one field of a delimited pattern. `[` and `]` stay inside words (`$.a[0]`). */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '"') {
      const { value, end } = readQuoted(text, i);
      tokens.push({ kind: 'string', text: value });
      i = end;
    } else if (c === '(' || c === ')' || c === ',' || c === '{' || c === '}') {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (text.startsWith('&&', i) || text.startsWith('||', i)) {
      tokens.push({ kind: 'punct', text: text.slice(i, i + 2) as '&&' | '||' });
      i += 2;
    } else if (text.startsWith('!=', i) || text.startsWith('<=', i) || text.startsWith('>=', i)) {
      tokens.push({ kind: 'op', text: text.slice(i, i + 2) as Op });
      i += 2;
    } else if (c === '=' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', text: c });
      i++;
    } else if (c === '!' || c === '&' || c === '|') {
      throw invalid();
    } else {
      let j = i;
      while (j < text.length && !WORD_STOP.has(text.charAt(j))) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

/** Reads `"…"` starting at `start` (a quote); `\"` and `\\` are escapes. */
function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '\\' && (text.charAt(i + 1) === '"' || text.charAt(i + 1) === '\\')) {
      value += text.charAt(i + 1);
      i += 2;
    } else if (c === '"') {
      return { value, end: i + 1 };
    } else {
      value += c;
      i++;
    }
  }
  throw invalid();
}

class Cursor {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (t === undefined) throw invalid();
    return t;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  isPunct(text: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }
  expectPunct(text: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) throw invalid();
  }
  isWord(text: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'word' && t.text === text;
  }
}

/** Boolean structure shared by JSON and delimited patterns: `a && b || c`, `&&` binding tighter, parentheses. */
type Expr<L> = { kind: 'and' | 'or'; parts: Expr<L>[] } | { kind: 'leaf'; leaf: L };

function parseExpr<L>(cur: Cursor, leaf: (cur: Cursor) => L): Expr<L> {
  const parts = [parseAnd(cur, leaf)];
  while (cur.isPunct('||')) {
    cur.next();
    parts.push(parseAnd(cur, leaf));
  }
  return parts.length === 1 && parts[0] ? parts[0] : { kind: 'or', parts };
}

function parseAnd<L>(cur: Cursor, leaf: (cur: Cursor) => L): Expr<L> {
  const parts = [parseUnary(cur, leaf)];
  while (cur.isPunct('&&')) {
    cur.next();
    parts.push(parseUnary(cur, leaf));
  }
  return parts.length === 1 && parts[0] ? parts[0] : { kind: 'and', parts };
}

function parseUnary<L>(cur: Cursor, leaf: (cur: Cursor) => L): Expr<L> {
  if (cur.isPunct('(')) {
    cur.next();
    const inner = parseExpr(cur, leaf);
    cur.expectPunct(')');
    return inner;
  }
  return { kind: 'leaf', leaf: leaf(cur) };
}

function evaluate<L>(expr: Expr<L>, test: (leaf: L) => boolean): boolean {
  switch (expr.kind) {
    case 'leaf':
      return test(expr.leaf);
    case 'and':
      return expr.parts.every((p) => evaluate(p, test));
    case 'or':
      return expr.parts.some((p) => evaluate(p, test));
  }
}

function readValue(cur: Cursor): Value {
  const t = cur.next();
  if (t.kind === 'string') return { text: t.text, number: undefined };
  if (t.kind === 'word') return bareValue(t.text);
  throw invalid();
}

// ---------------------------------------------------------------- unstructured terms

interface Term {
  readonly text: string;
  readonly mode: 'all' | 'any' | 'none';
}

const BARE_TERM = /^[\p{L}\p{N}_]+$/u;

function compileTerms(text: string): EventMatcher {
  const terms: Term[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    let mode: Term['mode'] = 'all';
    if (c === '?' || c === '-') {
      mode = c === '?' ? 'any' : 'none';
      i++;
    }
    if (text.charAt(i) === '"') {
      const start = i;
      const { value, end } = readQuoted(text, i);
      if (value === '') throw invalidTerm(text.slice(start, end));
      terms.push({ text: value, mode });
      i = end;
      continue;
    }
    let j = i;
    while (j < text.length && !/\s/.test(text.charAt(j))) j++;
    const word = text.slice(i, j);
    if (!BARE_TERM.test(word)) throw invalidTerm(text.slice(mode === 'all' ? i : i - 1, j));
    terms.push({ text: word, mode });
    i = j;
  }
  const all = terms.filter((t) => t.mode === 'all').map((t) => t.text);
  const any = terms.filter((t) => t.mode === 'any').map((t) => t.text);
  const none = terms.filter((t) => t.mode === 'none').map((t) => t.text);
  return (message) =>
    all.every((t) => message.includes(t)) &&
    (any.length === 0 || any.some((t) => message.includes(t))) &&
    !none.some((t) => message.includes(t));
}

// ---------------------------------------------------------------- JSON patterns

type Step = string | number;

type JsonTest =
  | { kind: 'compare'; path: Step[]; op: Op; value: Value }
  | { kind: 'is'; path: Step[]; what: 'NULL' | 'TRUE' | 'FALSE' }
  | { kind: 'missing'; path: Step[] };

/** `$.a.b[0]['c']` is not AWS syntax; `$.a.b[0].c` is. */
function parseSelector(word: string): Step[] {
  if (!word.startsWith('$')) throw invalid();
  const steps: Step[] = [];
  let i = 1;
  while (i < word.length) {
    const c = word.charAt(i);
    if (c === '.') {
      let j = i + 1;
      while (j < word.length && word.charAt(j) !== '.' && word.charAt(j) !== '[') j++;
      const key = word.slice(i + 1, j);
      if (key === '' || key === '*') throw invalid();
      steps.push(key);
      i = j;
    } else if (c === '[') {
      const close = word.indexOf(']', i);
      const index = word.slice(i + 1, close);
      if (close < 0 || !/^\d+$/.test(index)) throw invalid();
      steps.push(Number(index));
      i = close + 1;
    } else {
      throw invalid();
    }
  }
  if (steps.length === 0) throw invalid();
  return steps;
}

function parseJsonTest(cur: Cursor): JsonTest {
  const t = cur.next();
  if (t.kind !== 'word') throw invalid();
  const path = parseSelector(t.text);
  if (cur.isWord('IS')) {
    cur.next();
    const what = cur.next();
    if (what.kind !== 'word' || !['NULL', 'TRUE', 'FALSE'].includes(what.text)) throw invalid();
    return { kind: 'is', path, what: what.text as 'NULL' | 'TRUE' | 'FALSE' };
  }
  if (cur.isWord('NOT')) {
    cur.next();
    if (!cur.isWord('EXISTS')) throw invalid();
    cur.next();
    return { kind: 'missing', path };
  }
  const op = cur.next();
  if (op.kind !== 'op') throw invalid();
  const value = readValue(cur);
  if (op.text !== '=' && op.text !== '!=' && value.number === undefined) throw invalid();
  return { kind: 'compare', path, op: op.text, value };
}

const ABSENT = Symbol('absent');

function select(root: unknown, path: readonly Step[]): unknown {
  let node: unknown = root;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(node) || step >= node.length) return ABSENT;
      node = node[step];
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, step)) return ABSENT;
      node = (node as Record<string, unknown>)[step];
    }
  }
  return node;
}

function testJson(root: unknown, test: JsonTest): boolean {
  const field = select(root, test.path);
  if (test.kind === 'missing') return field === ABSENT;
  if (field === ABSENT) return false;
  if (test.kind === 'is') {
    if (test.what === 'NULL') return field === null;
    return field === (test.what === 'TRUE');
  }
  if (typeof field === 'number') {
    if (test.value.number === undefined) return test.op === '!=';
    return compareNumbers(field, test.op, test.value.number);
  }
  if (typeof field === 'string') {
    // A quoted or bare non-number compares as text; a number compares with a string field only by `!=`.
    if (test.value.number !== undefined) return test.op === '!=' ? field !== test.value.text : false;
    return compareText(field, test.op, test.value);
  }
  if (typeof field === 'boolean') return compareText(String(field), test.op, test.value);
  // Objects, arrays and null are not equal to any value.
  return test.op === '!=';
}

function compileJson(text: string): EventMatcher {
  const tokens = tokenize(text);
  const cur = new Cursor(tokens);
  cur.expectPunct('{');
  const expr = parseExpr(cur, parseJsonTest);
  cur.expectPunct('}');
  if (!cur.done()) throw invalid();
  return (message) => {
    const start = message.trimStart().charAt(0);
    if (start !== '{' && start !== '[') return false;
    let root: unknown;
    try {
      root = JSON.parse(message);
    } catch {
      return false;
    }
    return evaluate(expr, (test) => testJson(root, test));
  };
}

// ---------------------------------------------------------------- space-delimited patterns

interface FieldTest {
  readonly field: string;
  readonly op: Op;
  readonly value: Value;
}

type Slot = { kind: 'field'; name: string } | { kind: 'ellipsis' };

function compileDelimited(text: string): EventMatcher {
  if (!text.endsWith(']')) throw invalid();
  const body = text.slice(1, -1);
  const slots: Slot[] = [];
  const conditions: Expr<FieldTest>[] = [];
  for (const part of splitTopLevel(body)) {
    const cur = new Cursor(tokenize(part));
    const first = cur.next();
    if (first.kind !== 'word') throw invalid();
    if (first.text === '...') {
      if (!cur.done()) throw invalid();
      slots.push({ kind: 'ellipsis' });
      continue;
    }
    if (!/^[A-Za-z0-9_$.@-]+$/.test(first.text)) throw invalid();
    slots.push({ kind: 'field', name: first.text });
    if (cur.done()) continue;
    // The field's condition: its own name is implied before the first operator (`status=4*`, `size > 10`).
    const implied = new Cursor([first, ...rest(cur)]);
    conditions.push(parseExpr(implied, parseFieldTest));
    if (!implied.done()) throw invalid();
  }
  if (slots.length === 0) throw invalid();
  return (message) => {
    const fields = splitEvent(message);
    const bound = bindFields(slots, fields);
    if (bound === undefined) return false;
    return conditions.every((c) =>
      evaluate(c, (test) => {
        const value = bound.get(test.field);
        return value !== undefined && compareText(value, test.op, test.value);
      }),
    );
  };
}

function rest(cur: Cursor): Token[] {
  const out: Token[] = [];
  while (!cur.done()) out.push(cur.next());
  return out;
}

function parseFieldTest(cur: Cursor): FieldTest {
  const name = cur.next();
  if (name.kind !== 'word') throw invalid();
  const op = cur.next();
  if (op.kind !== 'op') throw invalid();
  const value = readValue(cur);
  if (op.text !== '=' && op.text !== '!=' && value.number === undefined) throw invalid();
  return { field: name.text, op: op.text, value };
}

/** Splits the bracket body on commas that are outside quotes. */
function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let current = '';
  let i = 0;
  while (i < body.length) {
    const c = body.charAt(i);
    if (c === '"') {
      const { end } = readQuoted(body, i);
      current += body.slice(i, end);
      i = end;
    } else if (c === ',') {
      parts.push(current.trim());
      current = '';
      i++;
    } else {
      current += c;
      i++;
    }
  }
  parts.push(current.trim());
  if (parts.some((p) => p === '')) throw invalid();
  return parts;
}

/** An event's fields: runs of non-space, `"…"` and `[…]` groups each one field without their enclosing characters. */
export function splitEvent(message: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < message.length) {
    const c = message.charAt(i);
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '"' || c === '[') {
      const close = message.indexOf(c === '"' ? '"' : ']', i + 1);
      const end = close < 0 ? message.length : close;
      fields.push(message.slice(i + 1, end));
      i = end + 1;
    } else {
      let j = i;
      while (j < message.length && message.charAt(j) !== ' ' && message.charAt(j) !== '\t') j++;
      fields.push(message.slice(i, j));
      i = j;
    }
  }
  return fields;
}

/**
 * Names the event's fields after the pattern's slots. Without `...` the counts must be equal; with one or more,
 * the fields before the first and after the last are bound exactly and the ellipses absorb the middle (named
 * slots between two ellipses are bound from the left, which is how a pattern like `[a, ..., b, ..., c]` reads).
 */
function bindFields(slots: readonly Slot[], fields: readonly string[]): Map<string, string> | undefined {
  const bound = new Map<string, string>();
  const firstEllipsis = slots.findIndex((s) => s.kind === 'ellipsis');
  if (firstEllipsis < 0) {
    if (slots.length !== fields.length) return undefined;
    slots.forEach((s, i) => s.kind === 'field' && bound.set(s.name, fields[i] ?? ''));
    return bound;
  }
  const named = slots.filter((s) => s.kind === 'field').length;
  if (fields.length < named) return undefined;
  let lastEllipsis = -1;
  slots.forEach((s, i) => s.kind === 'ellipsis' && (lastEllipsis = i));
  const tail = slots.length - 1 - lastEllipsis;
  let f = 0;
  for (let i = 0; i < lastEllipsis; i++) {
    const s = slots[i];
    if (s?.kind === 'field') bound.set(s.name, fields[f++] ?? '');
  }
  for (let i = 0; i < tail; i++) {
    const s = slots[lastEllipsis + 1 + i];
    if (s?.kind === 'field') bound.set(s.name, fields[fields.length - tail + i] ?? '');
  }
  return bound;
}
