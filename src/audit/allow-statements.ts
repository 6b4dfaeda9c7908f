/** The Allow statements of stored policy documents, for reports that read what a principal is granted. */

export interface AllowStatement {
  readonly actions: readonly string[];
  /** NotAction's patterns, when the statement uses it (it grants everything else). */
  readonly notActions?: readonly string[];
}

const strings = (v: unknown): string[] =>
  (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');

/** Every Allow statement's Action (or NotAction) patterns; documents that are not JSON are passed over. */
export function* allowStatements(documents: readonly string[]): Generator<AllowStatement> {
  for (const text of documents) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      continue;
    }
    const raw = (doc as { Statement?: unknown } | null)?.Statement;
    for (const s of Array.isArray(raw) ? raw : [raw]) {
      if (typeof s !== 'object' || s === null) continue;
      const st = s as Record<string, unknown>;
      if (st['Effect'] !== 'Allow') continue;
      yield {
        actions: strings(st['Action']),
        ...(st['NotAction'] !== undefined && { notActions: strings(st['NotAction']) }),
      };
    }
  }
}
