/**
 * A JSON parser that keeps where every value and key sits in the text, so findings can point at them (line,
 * column, offset: Access Analyzer's positions, line 1-based, the others 0-based). Keys keep their order and
 * duplicates; lookups take the last, as JSON.parse does. Iterative in its scanning and bounded in depth, so a
 * hostile document cannot exhaust the stack.
 */
import type { Position, Span } from './types.ts';

export type JsonNode = JsonObject | JsonArray | JsonString | JsonNumber | JsonBoolean | JsonNull;

export interface JsonEntry {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: JsonNode;
}

export interface JsonObject {
  readonly kind: 'object';
  readonly span: Span;
  readonly entries: readonly JsonEntry[];
}
export interface JsonArray {
  readonly kind: 'array';
  readonly span: Span;
  readonly items: readonly JsonNode[];
}
export interface JsonString {
  readonly kind: 'string';
  readonly span: Span;
  readonly value: string;
}
export interface JsonNumber {
  readonly kind: 'number';
  readonly span: Span;
  readonly value: number;
  readonly raw: string;
}
export interface JsonBoolean {
  readonly kind: 'boolean';
  readonly span: Span;
  readonly value: boolean;
}
export interface JsonNull {
  readonly kind: 'null';
  readonly span: Span;
}

export type JsonParse =
  | { readonly ok: true; readonly node: JsonNode }
  | { readonly ok: false; readonly message: string; readonly at: Position };

/** Policies nest a handful of levels; anything deeper is not a policy and is refused rather than recursed into. */
const MAX_DEPTH = 64;

class SyntaxFailure extends Error {
  constructor(
    message: string,
    readonly at: Position,
  ) {
    super(message);
  }
}

class Parser {
  private i = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  position(): Position {
    return { line: this.line, column: this.i - this.lineStart, offset: this.i };
  }

  private fail(message: string): never {
    throw new SyntaxFailure(message, this.position());
  }

  private space(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.i);
      if (c === 10) {
        this.i++;
        this.line++;
        this.lineStart = this.i;
      } else if (c === 32 || c === 9 || c === 13) {
        this.i++;
      } else {
        return;
      }
    }
  }

  document(): JsonNode {
    this.space();
    const node = this.value(0);
    this.space();
    if (this.i < this.text.length) this.fail('unexpected text after the document');
    return node;
  }

  private value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail('the document nests too deeply');
    const c = this.text.charAt(this.i);
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') {
      const start = this.position();
      const value = this.string();
      return { kind: 'string', span: { start, end: this.position() }, value };
    }
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, node] of [
      ['true', { kind: 'boolean', value: true }],
      ['false', { kind: 'boolean', value: false }],
      ['null', { kind: 'null' }],
    ] as const) {
      if (this.text.startsWith(word, this.i)) {
        const start = this.position();
        this.i += word.length;
        return { ...node, span: { start, end: this.position() } } as JsonNode;
      }
    }
    return this.fail(this.i >= this.text.length ? 'unexpected end of the document' : `unexpected character '${c}'`);
  }

  private object(depth: number): JsonObject {
    const start = this.position();
    this.i++;
    const entries: JsonEntry[] = [];
    this.space();
    if (this.text.charAt(this.i) === '}') {
      this.i++;
      return { kind: 'object', span: { start, end: this.position() }, entries };
    }
    for (;;) {
      this.space();
      if (this.text.charAt(this.i) !== '"') this.fail('expected a key in double quotes');
      const keyStart = this.position();
      const key = this.string();
      const keySpan = { start: keyStart, end: this.position() };
      this.space();
      if (this.text.charAt(this.i) !== ':') this.fail("expected ':' after the key");
      this.i++;
      this.space();
      entries.push({ key, keySpan, value: this.value(depth + 1) });
      this.space();
      const c = this.text.charAt(this.i);
      this.i++;
      if (c === '}') return { kind: 'object', span: { start, end: this.position() }, entries };
      if (c !== ',') {
        this.i--;
        this.fail("expected ',' or '}'");
      }
    }
  }

  private array(depth: number): JsonArray {
    const start = this.position();
    this.i++;
    const items: JsonNode[] = [];
    this.space();
    if (this.text.charAt(this.i) === ']') {
      this.i++;
      return { kind: 'array', span: { start, end: this.position() }, items };
    }
    for (;;) {
      this.space();
      items.push(this.value(depth + 1));
      this.space();
      const c = this.text.charAt(this.i);
      this.i++;
      if (c === ']') return { kind: 'array', span: { start, end: this.position() }, items };
      if (c !== ',') {
        this.i--;
        this.fail("expected ',' or ']'");
      }
    }
  }

  private string(): string {
    this.i++;
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= this.text.length) this.fail('unterminated string');
      const c = this.text.charCodeAt(this.i);
      if (c === 34) {
        out += this.text.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c < 32) this.fail('control character in a string');
      if (c !== 92) {
        this.i++;
        continue;
      }
      out += this.text.slice(run, this.i);
      const e = this.text.charAt(this.i + 1);
      const simple: Record<string, string> = {
        '"': '"',
        '\\': '\\',
        '/': '/',
        b: '\b',
        f: '\f',
        n: '\n',
        r: '\r',
        t: '\t',
      };
      if (simple[e] !== undefined) {
        out += simple[e];
        this.i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.i + 2, this.i + 6), 16));
        this.i += 6;
      } else {
        this.i++;
        this.fail('invalid escape in a string');
      }
      run = this.i;
    }
  }

  private number(): JsonNumber {
    const start = this.position();
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i, this.i + 400));
    if (!m) return this.fail('invalid number');
    this.i += m[0].length;
    return { kind: 'number', span: { start, end: this.position() }, value: Number(m[0]), raw: m[0] };
  }
}

export function parseJson(text: string): JsonParse {
  const parser = new Parser(text);
  try {
    return { ok: true, node: parser.document() };
  } catch (err) {
    if (err instanceof SyntaxFailure) return { ok: false, message: err.message, at: err.at };
    throw err;
  }
}

/** The last entry with this key (JSON.parse's rule for duplicates), compared exactly. */
export function member(node: JsonObject, key: string): JsonEntry | undefined {
  for (let i = node.entries.length - 1; i >= 0; i--) {
    const entry = node.entries[i];
    if (entry?.key === key) return entry;
  }
  return undefined;
}

/** The plain value of a node, as JSON.parse would give it. */
export function plain(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) out[e.key] = plain(e.value);
      return out;
    }
    case 'array':
      return node.items.map(plain);
    case 'null':
      return null;
    default:
      return node.value;
  }
}
