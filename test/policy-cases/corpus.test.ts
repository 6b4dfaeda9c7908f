// The policy corpus runner: every case under test/policy-cases/<topic>/*.json is checked against every evaluator
// in EVALUATORS — the engine through `rolecall simulate`'s simulateOne, and the reference evaluator written
// independently from the IAM User Guide. A failure names the evaluator, the case file and the case note.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { simulateOne } from '../../src/cli/simulate.ts';
import { referenceEvaluate } from '../policy-reference/reference.ts';
import { loadCases, type PolicyCase } from './load.ts';

interface Outcome {
  readonly decision: string;
  readonly blockedBy?: string;
  readonly missingContextKeys: readonly string[];
}

interface Evaluator {
  readonly name: string;
  readonly evaluate: (input: unknown) => Outcome;
}

const EVALUATORS: readonly Evaluator[] = [
  { name: 'engine', evaluate: (input) => simulateOne(input) },
  { name: 'reference', evaluate: (input) => referenceEvaluate(input) },
];

const cases = loadCases();

function check(evaluator: Evaluator, c: PolicyCase): void {
  const where = `${c.file} "${c.note}" (${evaluator.name})`;
  let got: Outcome;
  try {
    got = evaluator.evaluate(c.input);
  } catch (err) {
    assert.fail(`${where}: threw ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  const expected = (what: string, actual: unknown, wanted: unknown) =>
    `${where}: ${what} ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`;
  assert.equal(got.decision, c.expect.decision, expected('decision', got.decision, c.expect.decision));
  if (c.expect.blockedBy !== undefined) {
    assert.equal(got.blockedBy, c.expect.blockedBy, expected('blockedBy', got.blockedBy, c.expect.blockedBy));
  }
  if (c.expect.missingContextKeys !== undefined) {
    const [actual, wanted] = [[...got.missingContextKeys].sort(), [...c.expect.missingContextKeys].sort()];
    assert.deepEqual(actual, wanted, expected('missingContextKeys', actual, wanted));
  }
}

describe('policy corpus', () => {
  it('holds at least 300 cases, each citing its source', () => {
    assert.ok(cases.length >= 300, `only ${cases.length} cases`);
    for (const c of cases) assert.match(c.source, /https:\/\/docs\.(aws\.amazon|amazonaws)\.c/, `${c.file}: source`);
  });

  for (const evaluator of EVALUATORS) {
    describe(evaluator.name, () => {
      for (const c of cases) it(`${c.file}: ${c.note}`, () => check(evaluator, c));
    });
  }
});

describe('corpus loader', () => {
  const withCase = (raw: unknown, test: (root: string) => void) => {
    const root = mkdtempSync(join(tmpdir(), 'policy-cases-'));
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
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
    input: {},
    expect: { decision: 'Allowed' },
  };

  it('loads a well-formed case with its file and position', () => {
    withCase(valid, (root) => assert.deepEqual(loadCases(root), [{ file: join('topic', 'cases.json#0'), ...valid }]));
  });

  it('refuses an unknown field in a case', () => {
    withCase({ ...valid, expected: { decision: 'Allowed' } }, (root) =>
      assert.throws(() => loadCases(root), /topic\/cases\.json#0: unknown field 'expected'/),
    );
  });

  it('refuses an unknown field in expect', () => {
    withCase({ ...valid, expect: { decision: 'Allowed', blocked: 'identity' } }, (root) =>
      assert.throws(() => loadCases(root), /unknown field 'expect\.blocked'/),
    );
  });

  it('refuses an unknown decision and a missing source', () => {
    withCase({ ...valid, expect: { decision: 'Deny' } }, (root) => assert.throws(() => loadCases(root), /decision/));
    withCase({ ...valid, source: '' }, (root) => assert.throws(() => loadCases(root), /'source' is required/));
  });
});
