// lintPolicy on generated input: it never throws, reports only registered codes, and every location it gives
// points into the text (its line and column agree with its offset). And a policy of hundreds of statements is
// still linted quickly: the checks compare statements pairwise, so their cost is watched here.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ServiceReference } from '../state/service-reference.ts';
import { lintPolicy, policyServices } from './lint.ts';
import { check } from './registry.ts';
import { LINT_POLICY_TYPES, type LintFinding } from './types.ts';

let catalogue: ServiceReference;
before(async () => {
  catalogue = await ServiceReference.open();
  await catalogue.ensure(['s3', 'iam', 'ec2', 'sts', 'dynamodb', 'kms']);
});

function assertWellFormed(text: string, findings: readonly LintFinding[]): void {
  for (const f of findings) {
    assert.equal(check(f.issueCode).severity, f.findingType);
    for (const l of f.locations) {
      for (const p of [l.span.start, l.span.end]) {
        assert.ok(p.offset >= 0 && p.offset <= text.length, `offset ${p.offset} outside the text`);
        const before = text.slice(0, p.offset);
        assert.equal(p.line, before.split('\n').length, 'line agrees with offset');
        assert.equal(p.column, p.offset - (before.lastIndexOf('\n') + 1), 'column agrees with offset');
      }
      assert.ok(l.span.start.offset <= l.span.end.offset);
    }
  }
}

const word = fc.constantFrom('s3', 'iam', 'ec2', 'sts', '*', 'S3', 'kms', 'nope', '');
const action = fc
  .tuple(word, fc.constantFrom('GetObject', 'PassRole', 'Get*', '*', 'RunInstances', 'AssumeRole', 'x'))
  .map(([s, a]) => `${s}:${a}`);
const resource = fc.constantFrom(
  '*',
  'arn:aws:s3:::reports/*',
  'arn:aws:s3:::reports',
  'arn:aws:iam::111122223333:role/*',
  'arn:aws:ec2:us-east-1:111122223333:instance/i-1',
  'arn:aws:dynamodb::1:table/x',
  's3:::x',
  'arn:aws:s4:::x',
);
const oneOrMany = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.array(a, { maxLength: 3 }));
const statement = fc.record(
  {
    Sid: fc.constantFrom('', 'A1', 'a-b'),
    Effect: fc.constantFrom('Allow', 'Deny', 'allow', 7),
    Principal: fc.constantFrom('*', { AWS: '111122223333' }, { Service: 'ec2.amazonaws.com' }, { Federated: 'x' }, {}),
    Action: oneOrMany(action),
    NotAction: oneOrMany(action),
    Resource: oneOrMany(resource),
    NotResource: oneOrMany(resource),
    Condition: fc.constantFrom(
      {},
      { Bool: { 'aws:SecureTransport': 'maybe' } },
      { StringEquals: { 's3:prefix': [] } },
      { 'ForAllValues:StringLike': { 'aws:TagKeys': 'a*' } },
      { NullIfExists: { 'aws:TokenIssueTime': true } },
      { StringEquals: { 'aws:ResourceTag/t': 'v', 'AWS:resourcetag/T': 'w' } },
      { Bogus: { 'aws:x': 1 } },
      'not an object',
    ),
  },
  { requiredKeys: [] },
);
const policy = fc.record(
  { Version: fc.constantFrom('2012-10-17', '2008-10-17', 'x'), Statement: oneOrMany(statement), Extra: fc.constant(1) },
  { requiredKeys: [] },
);

describe('lintPolicy on generated input', () => {
  it('takes any JSON text without throwing, with well-formed locations', () => {
    fc.assert(
      fc.property(fc.json(), fc.constantFrom(...LINT_POLICY_TYPES), (text, type) => {
        assertWellFormed(text, lintPolicy(text, { catalogue, type }).findings);
      }),
      { numRuns: 300 },
    );
  });

  it('takes policy-shaped documents of every kind without throwing, with well-formed locations', () => {
    fc.assert(
      fc.property(policy, fc.constantFrom(...LINT_POLICY_TYPES), fc.boolean(), (doc, type, pretty) => {
        const text = JSON.stringify(doc, null, pretty ? 2 : undefined);
        assertWellFormed(text, lintPolicy(text, { catalogue, type }).findings);
      }),
      { numRuns: 400 },
    );
  });

  it('takes broken text without throwing', () => {
    fc.assert(
      fc.property(policy, fc.nat(), (doc, cut) => {
        const full = JSON.stringify(doc);
        const text = full.slice(0, cut % (full.length + 1));
        assertWellFormed(text, lintPolicy(text, { catalogue }).findings);
      }),
      { numRuns: 200 },
    );
  });

  it('lints a policy of 500 statements in seconds', async () => {
    const statements = Array.from({ length: 500 }, (_, i) => ({
      Effect: i % 3 ? 'Allow' : 'Deny',
      Action: ['s3:Get*', 's3:PutObject', 'iam:GetRole'],
      Resource: [`arn:aws:s3:::bucket-${i}/*`, `arn:aws:iam::111122223333:role/r${i}`],
    }));
    const text = JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
    await catalogue.ensure(policyServices(text));
    const started = Date.now();
    const { findings } = lintPolicy(text, { catalogue, type: 'identity' });
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    assert.deepEqual(
      findings.map((f) => f.issueCode),
      ['POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA'],
    );
  });
});
