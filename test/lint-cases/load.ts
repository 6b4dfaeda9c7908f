/**
 * The lint corpus: policy → expected findings cases, as data under test/lint-cases/<topic>/, each citing its
 * source. A case lists every finding the policy must produce (by code, optionally with where), and the checks it
 * is a deliberate negative for; the loader refuses unknown fields so a typo cannot silently weaken a case.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LINT_POLICY_TYPES, type LintPolicyType } from '../../src/lint/index.ts';

export interface ExpectedFinding {
  readonly code: string;
  /** `$.Statement[0].Action[1]`: the first location's path. */
  readonly path?: string;
  /** 1-based line and column of the first location's start, as text output prints them. */
  readonly line?: number;
  readonly column?: number;
}

export interface LintCase {
  readonly file: string;
  readonly note: string;
  /** Where the rule comes from: an AWS documentation URL and section, or another published source. */
  readonly source: string;
  /** The policy type; guessed as `rolecall lint` guesses when absent. */
  readonly type?: LintPolicyType;
  /** The type the guess must give (for cases about the guess). */
  readonly expectType?: LintPolicyType;
  readonly account?: string;
  /** The document's text: an object is written out with two-space indentation, a string is used as it is. */
  readonly text: string;
  readonly expect: readonly ExpectedFinding[];
  /** Checks this case is a deliberate negative for: near misses that must not produce them. */
  readonly negativeFor: readonly string[];
}

const CASE_FIELDS = new Set(['note', 'source', 'type', 'expectType', 'account', 'policy', 'expect', 'negativeFor']);
const EXPECT_FIELDS = new Set(['code', 'path', 'line', 'column']);

const ROOT = import.meta.dirname;

function check(raw: unknown, where: string): LintCase {
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('a case must be an object');
  const c = raw as Record<string, unknown>;
  for (const key of Object.keys(c)) if (!CASE_FIELDS.has(key)) fail(`unknown field '${key}'`);
  if (typeof c['note'] !== 'string' || c['note'] === '') fail("'note' is required");
  if (typeof c['source'] !== 'string' || c['source'] === '') fail("'source' is required");
  for (const key of ['type', 'expectType'] as const) {
    if (c[key] !== undefined && !LINT_POLICY_TYPES.includes(c[key] as LintPolicyType)) {
      fail(`'${key}' must be one of ${LINT_POLICY_TYPES.join(', ')}`);
    }
  }
  if (c['account'] !== undefined && (typeof c['account'] !== 'string' || !/^\d{12}$/.test(c['account']))) {
    fail("'account' must be a 12-digit account id");
  }
  const policy = c['policy'];
  if (policy === undefined) fail("'policy' is required");
  const text = typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2);
  if (!Array.isArray(c['expect'])) return fail("'expect' must be a list (empty for a clean policy)");
  const expect = (c['expect'] as unknown[]).map((e, i) => {
    if (typeof e === 'string') return { code: e };
    if (typeof e !== 'object' || e === null) return fail(`expect[${i}] must be a code or an object`);
    for (const key of Object.keys(e)) if (!EXPECT_FIELDS.has(key)) fail(`unknown field 'expect[${i}].${key}'`);
    if (typeof (e as { code?: unknown }).code !== 'string') fail(`expect[${i}].code is required`);
    return e as ExpectedFinding;
  });
  const negativeFor = c['negativeFor'] ?? [];
  if (!Array.isArray(negativeFor) || negativeFor.some((n) => typeof n !== 'string')) {
    fail("'negativeFor' must be a list of codes");
  }
  return {
    file: where,
    note: c['note'] as string,
    source: c['source'] as string,
    ...(c['type'] !== undefined && { type: c['type'] as LintPolicyType }),
    ...(c['expectType'] !== undefined && { expectType: c['expectType'] as LintPolicyType }),
    ...(c['account'] !== undefined && { account: c['account'] as string }),
    text,
    expect,
    negativeFor: negativeFor as string[],
  };
}

/** Every case in the corpus, in file order. */
export function loadLintCases(root = ROOT): LintCase[] {
  const cases: LintCase[] = [];
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
