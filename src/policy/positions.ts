/**
 * Where each statement of a policy document sits in its text, as line and column, for the simulator's
 * MatchedStatements (StartPosition/EndPosition). A small JSON scanner that only tracks positions: the document
 * is known to be valid JSON by the time it is asked.
 */

export interface TextPosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface StatementSpan {
  readonly start: TextPosition;
  /** Just after the statement's closing brace. */
  readonly end: TextPosition;
}

class Scanner {
  private i = 0;
  private line = 1;
  private column = 1;

  constructor(private readonly text: string) {}

  position(): TextPosition {
    return { line: this.line, column: this.column };
  }

  private advance(): string {
    const c = this.text.charAt(this.i++);
    if (c === '\n') {
      this.line++;
      this.column = 1;
    } else {
      this.column++;
    }
    return c;
  }

  private space(): void {
    while (this.i < this.text.length && /\s/.test(this.text.charAt(this.i))) this.advance();
  }

  peek(): string {
    this.space();
    return this.text.charAt(this.i);
  }

  string(): string {
    this.advance();
    let out = '';
    while (this.i < this.text.length) {
      const c = this.advance();
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.advance();
        out += e === 'u' ? String.fromCharCode(parseInt(this.text.slice(this.i, this.i + 4), 16)) : e;
        if (e === 'u') for (let k = 0; k < 4; k++) this.advance();
      } else {
        out += c;
      }
    }
    return out;
  }

  /** Skips one JSON value; calls onStatement for the statements when `statementLevel` says where they are. */
  value(level: 'top' | 'statements' | 'other', onStatement: (span: StatementSpan) => void): void {
    const c = this.peek();
    if (c === '{') {
      const start = this.position();
      this.advance();
      while (this.peek() !== '}' && this.i < this.text.length) {
        const key = this.string();
        this.peek();
        this.advance(); // ':'
        this.value(level === 'top' && key === 'Statement' ? 'statements' : 'other', onStatement);
        if (this.peek() === ',') this.advance();
      }
      this.advance();
      if (level === 'statements') onStatement({ start, end: this.position() });
    } else if (c === '[') {
      this.advance();
      while (this.peek() !== ']' && this.i < this.text.length) {
        this.value(level === 'statements' ? 'statements' : 'other', onStatement);
        if (this.peek() === ',') this.advance();
      }
      this.advance();
    } else if (c === '"') {
      this.string();
    } else {
      while (this.i < this.text.length && !/[\s,\]}]/.test(this.text.charAt(this.i))) this.advance();
    }
  }
}

/** The span of each statement, in document order; empty when the text is not a policy object. */
export function statementSpans(text: string): StatementSpan[] {
  const spans: StatementSpan[] = [];
  try {
    new Scanner(text).value('top', (span) => spans.push(span));
  } catch {
    return [];
  }
  return spans;
}
