// The lint corpus runner: every case under test/lint-cases/<topic>/*.json is linted and must produce exactly the
// findings it lists (as a multiset of codes, each with its location when the case gives one). Every check in the
// registry needs at least one case that produces it and one that is a deliberate negative for it.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { CHECKS, lintPolicy, policyServices } from '../../src/lint/index.ts';
import { jsonPath } from '../../src/lint/sarif.ts';
import { ServiceReference } from '../../src/state/service-reference.ts';
import { loadLintCases, type LintCase } from './load.ts';

const cases = loadLintCases();
let catalogue: ServiceReference;

before(async () => {
  catalogue = await ServiceReference.open();
  await catalogue.ensure([...new Set(cases.flatMap((c) => policyServices(c.text)))]);
});

function run(c: LintCase): void {
  const where = `${c.file} "${c.note}"`;
  const result = lintPolicy(c.text, {
    catalogue,
    ...(c.type !== undefined && { type: c.type }),
    ...(c.account !== undefined && { account: c.account }),
  });
  if (c.expectType !== undefined) assert.equal(result.type, c.expectType, `${where}: guessed type`);
  const got = result.findings.map((f) => f.issueCode).sort();
  const wanted = c.expect.map((e) => e.code).sort();
  const detail = result.findings
    .map((f) => `  ${f.issueCode} ${f.locations[0] ? jsonPath(f.locations[0].path) : ''}: ${f.findingDetails}`)
    .join('\n');
  assert.deepEqual(got, wanted, `${where}: findings differ; got:\n${detail}`);
  for (const e of c.expect) {
    if (e.path === undefined && e.line === undefined && e.column === undefined) continue;
    const match = result.findings.find((f) => {
      const l = f.locations[0];
      if (f.issueCode !== e.code || !l) return false;
      return (
        (e.path === undefined || jsonPath(l.path) === e.path) &&
        (e.line === undefined || l.span.start.line === e.line) &&
        (e.column === undefined || l.span.start.column + 1 === e.column)
      );
    });
    assert.ok(match, `${where}: no ${e.code} at ${JSON.stringify(e)}; got:\n${detail}`);
  }
}

describe('lint corpus', () => {
  it('cites a source for every case', () => {
    for (const c of cases) assert.match(c.source, /^https:\/\//, `${c.file}: source`);
  });

  it('has a positive and a negative case for every check', () => {
    const positive = new Set(cases.flatMap((c) => c.expect.map((e) => e.code)));
    const negative = new Set(cases.flatMap((c) => c.negativeFor));
    const codes = new Set(CHECKS.map((c) => c.code));
    for (const code of codes) {
      assert.ok(positive.has(code), `no case produces ${code}`);
      assert.ok(negative.has(code), `no case is a negative for ${code}`);
    }
    for (const code of [...positive, ...negative])
      assert.ok(codes.has(code), `the corpus names an unknown check ${code}`);
    for (const c of cases) {
      for (const n of c.negativeFor)
        assert.ok(!c.expect.some((e) => e.code === n), `${c.file}: ${n} is both expected and a negative`);
    }
  });

  it('has clean policies of every kind', () => {
    const clean = cases.filter((c) => c.expect.length === 0);
    assert.ok(clean.length >= 10, `only ${clean.length} clean cases`);
  });

  for (const c of cases) it(`${c.file}: ${c.note}`, () => run(c));
});

describe('lint corpus loader', () => {
  const withCase = (raw: unknown, test: (root: string) => void) => {
    const root = mkdtempSync(join(tmpdir(), 'lint-cases-'));
    try {
      mkdirSync(join(root, 'topic'));
      writeFileSync(join(root, 'topic', 'cases.json'), JSON.stringify([raw]));
      test(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
  const valid = {
    note: 'n',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
    policy: { Version: '2012-10-17', Statement: [] },
    expect: ['MISSING_STATEMENT'],
  };

  it('loads a well-formed case, writing an object policy out with two-space indentation', () => {
    withCase(valid, (root) => {
      const [c] = loadLintCases(root);
      assert.equal(c?.file, join('topic', 'cases.json#0'));
      assert.equal(c?.text, JSON.stringify(valid.policy, null, 2));
      assert.deepEqual(c?.expect, [{ code: 'MISSING_STATEMENT' }]);
    });
  });

  it('refuses unknown fields, in the case and in an expectation', () => {
    withCase({ ...valid, expected: [] }, (root) =>
      assert.throws(() => loadLintCases(root), /unknown field 'expected'/),
    );
    withCase({ ...valid, expect: [{ code: 'X', col: 1 }] }, (root) =>
      assert.throws(() => loadLintCases(root), /unknown field 'expect\[0\]\.col'/),
    );
  });

  it('refuses a missing source, a bad type and a missing expect', () => {
    withCase({ ...valid, source: '' }, (root) => assert.throws(() => loadLintCases(root), /'source' is required/));
    withCase({ ...valid, type: 'bucket' }, (root) => assert.throws(() => loadLintCases(root), /'type' must be one of/));
    withCase({ ...valid, expect: undefined }, (root) =>
      assert.throws(() => loadLintCases(root), /'expect' must be a list/),
    );
  });
});
