/**
 * The policy corpus: request → policies → expected decision cases, as data under test/policy-cases/<topic>/,
 * each citing its source. The loader refuses unknown fields so a typo cannot silently weaken a case; one
 * runner (corpus.test.ts) checks every evaluator against it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface PolicyCase {
  readonly file: string;
  readonly note: string;
  /** Where the rule comes from: an AWS documentation URL and section, or a recorded response. */
  readonly source: string;
  /** A `rolecall simulate` input document. */
  readonly input: unknown;
  readonly expect: {
    readonly decision: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
    readonly blockedBy?: string;
    readonly missingContextKeys?: readonly string[];
  };
}

const CASE_FIELDS = new Set(['note', 'source', 'input', 'expect']);
const EXPECT_FIELDS = new Set(['decision', 'blockedBy', 'missingContextKeys']);
const DECISIONS = new Set(['Allowed', 'ExplicitlyDenied', 'ImplicitlyDenied']);

const ROOT = import.meta.dirname;

function check(raw: unknown, where: string): PolicyCase {
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('a case must be an object');
  const c = raw as Record<string, unknown>;
  for (const key of Object.keys(c)) if (!CASE_FIELDS.has(key)) fail(`unknown field '${key}'`);
  if (typeof c['note'] !== 'string' || c['note'] === '') fail("'note' is required");
  if (typeof c['source'] !== 'string' || c['source'] === '') fail("'source' is required");
  if (c['input'] === undefined) fail("'input' is required");
  const expect = c['expect'];
  if (typeof expect !== 'object' || expect === null) return fail("'expect' is required");
  const e = expect as Record<string, unknown>;
  for (const key of Object.keys(e)) if (!EXPECT_FIELDS.has(key)) fail(`unknown field 'expect.${key}'`);
  if (!DECISIONS.has(e['decision'] as string)) fail(`expect.decision must be one of ${[...DECISIONS].join(', ')}`);
  return { file: where, ...(c as unknown as Omit<PolicyCase, 'file'>) };
}

/** Every case in the corpus, in file order. */
export function loadCases(root = ROOT): PolicyCase[] {
  const cases: PolicyCase[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json')) {
        const list = JSON.parse(readFileSync(path, 'utf8')) as unknown;
        if (!Array.isArray(list)) throw new Error(`${path}: a case file holds a JSON array of cases`);
        list.forEach((raw, i) => cases.push(check(raw, `${relative(root, path)}#${i}`)));
      }
    }
  };
  walk(root);
  return cases;
}
