// Pathological inputs: patterns built to make backtracking matchers explode (`a*a*…a*b` against 100,000 `a`s) in
// Action, Resource, StringLike and ArnLike, and very large or deeply nested documents. Every case must finish and
// give the right answer; there are no timing assertions, a hang or a crash is the failure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy, evaluate } from './index.ts';
import type { ContextValue, DecisionName, EvaluationRequest, PolicySet } from './types.ts';
import type { CompiledPolicy } from './compile.ts';

const ACCOUNT = '111122223333';
const USER = { type: 'user', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, account: ACCOUNT } as const;
const LONG = 'a'.repeat(100_000);
/** `a*a*…a*b`: 50 stars, then a letter the text never has. */
const EXPLOSIVE = `${'a*'.repeat(50)}b`;
/** The same stars without the final `b`: it matches any run of at least 50 `a`s. */
const MATCHING = 'a*'.repeat(50);

let counter = 0;
const doc = (statements: unknown): CompiledPolicy =>
  compilePolicy({ id: `p${counter++}`, document: JSON.stringify({ Version: '2012-10-17', Statement: statements }) });
const raw = (text: string): CompiledPolicy => compilePolicy({ id: `raw${counter++}`, document: text });

function decide(
  request: Partial<EvaluationRequest> & { context?: Record<string, ContextValue> },
  policies: PolicySet<CompiledPolicy>,
): DecisionName {
  return evaluate({ principal: USER, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', ...request }, policies)
    .decision;
}
const allow = (extra: Record<string, unknown>) => ({ Effect: 'Allow', Action: '*', Resource: '*', ...extra });

describe('pathological wildcards', () => {
  const cases: [where: string, pattern: (p: string) => Record<string, unknown>, request: Partial<EvaluationRequest>][] =
    [
      ['Action', (p) => ({ Action: `svc:${p}` }), { action: `svc:${LONG}` }],
      ['Resource', (p) => ({ Resource: `arn:aws:s3:::${p}` }), { resource: `arn:aws:s3:::${LONG}` }],
      [
        'Resource (resource part after a colon)',
        (p) => ({ Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:${p}` }),
        { resource: `arn:aws:sns:us-east-1:${ACCOUNT}:${LONG}` },
      ],
      [
        'StringLike',
        (p) => ({ Condition: { StringLike: { 'aws:PrincipalTag/team': p } } }),
        { context: { 'aws:PrincipalTag/team': LONG } },
      ],
      [
        'ArnLike',
        (p) => ({ Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:sns:*:${ACCOUNT}:${p}` } } }),
        { context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${ACCOUNT}:${LONG}` } },
      ],
    ];
  for (const [where, element, request] of cases) {
    it(`${where}: a*a*…a*b does not match 100,000 a's`, () => {
      assert.equal(decide(request, { identity: [doc([allow(element(EXPLOSIVE))])] }), 'ImplicitlyDenied');
    });
    it(`${where}: a*a*…a* matches 100,000 a's`, () => {
      assert.equal(decide(request, { identity: [doc([allow(element(MATCHING))])] }), 'Allowed');
    });
    it(`${where}: ?*?*…?*b does not match 100,000 a's`, () => {
      assert.equal(decide(request, { identity: [doc([allow(element(`${'?*'.repeat(50)}b`))])] }), 'ImplicitlyDenied');
    });
  }

  it('a Deny with the explosive pattern in NotResource denies', () => {
    const policies = {
      identity: [doc([allow({}), { Effect: 'Deny', Action: '*', NotResource: `arn:aws:s3:::${EXPLOSIVE}` }])],
    };
    assert.equal(decide({ resource: `arn:aws:s3:::${LONG}` }, policies), 'ExplicitlyDenied');
  });

  it('a resource pattern with 1,000 variables resolves each one', () => {
    const name = 'x'.repeat(100);
    const resource = `arn:aws:s3:::b/${'${aws:username}/'.repeat(1000)}*`;
    const policies = { identity: [doc([allow({ Resource: resource })])] };
    const request = { resource: `arn:aws:s3:::b/${`${name}/`.repeat(1000)}k`, context: { 'aws:username': name } };
    assert.equal(decide(request, policies), 'Allowed');
    assert.equal(decide({ ...request, context: { 'aws:username': 'y' } }, policies), 'ImplicitlyDenied');
  });
});

describe('huge documents', () => {
  const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

  it('10,000 actions, the matching one last', () => {
    const actions = [...many(9_999, (i) => `s3:Action${i}`), 's3:GetObject'];
    assert.equal(decide({}, { identity: [doc([allow({ Action: actions })])] }), 'Allowed');
  });

  it('10,000 actions, none matching', () => {
    assert.equal(
      decide({}, { identity: [doc([allow({ Action: many(10_000, (i) => `s3:Action${i}`) })])] }),
      'ImplicitlyDenied',
    );
  });

  it('10,000 NotAction entries exclude the listed action', () => {
    const policies = {
      identity: [doc([{ Effect: 'Allow', NotAction: many(10_000, (i) => `s3:Get*${i}`), Resource: '*' }])],
    };
    assert.equal(decide({ action: 's3:Get*9999' }, policies), 'ImplicitlyDenied');
    assert.equal(decide({ action: 's3:PutObject' }, policies), 'Allowed');
  });

  it('10,000 StringEquals values, the matching one last', () => {
    const values = many(10_000, (i) => `team-${i}`);
    const policies = { identity: [doc([allow({ Condition: { StringEquals: { 'aws:PrincipalTag/team': values } } })])] };
    assert.equal(decide({ context: { 'aws:PrincipalTag/team': 'team-9999' } }, policies), 'Allowed');
    assert.equal(decide({ context: { 'aws:PrincipalTag/team': 'team-10000' } }, policies), 'ImplicitlyDenied');
  });

  it('10,000 CIDR blocks', () => {
    const blocks = many(10_000, (i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`);
    const policies = { identity: [doc([allow({ Condition: { IpAddress: { 'aws:SourceIp': blocks } } })])] };
    assert.equal(decide({ context: { 'aws:SourceIp': '10.39.15.7' } }, policies), 'Allowed');
    assert.equal(decide({ context: { 'aws:SourceIp': '11.0.0.1' } }, policies), 'ImplicitlyDenied');
  });

  it('10,000 request values for ForAllValues and ForAnyValue', () => {
    const tags = many(10_000, (i) => `tag-${i}`);
    const all = { identity: [doc([allow({ Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': 'tag-*' } } })])] };
    const any = {
      identity: [doc([allow({ Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'tag-9999' } } })])],
    };
    assert.equal(decide({ context: { 'aws:TagKeys': tags } }, all), 'Allowed');
    assert.equal(decide({ context: { 'aws:TagKeys': [...tags, 'other'] } }, all), 'ImplicitlyDenied');
    assert.equal(decide({ context: { 'aws:TagKeys': tags } }, any), 'Allowed');
  });

  it('1,000 statements: the only Allow is the last one', () => {
    const statements = [
      ...many(999, (i) => `s3:Other${i}`).map((a) => allow({ Action: a })),
      allow({ Action: 's3:GetObject' }),
    ];
    assert.equal(decide({}, { identity: [doc(statements)] }), 'Allowed');
  });

  it('1,000 statements: one Deny in the middle', () => {
    const statements = many(1_000, (i) =>
      i === 500 ? { Effect: 'Deny', Action: 's3:Get*', Resource: '*' } : allow({ Action: `s3:*${i}*` }),
    );
    assert.equal(decide({ action: 's3:GetObject500' }, { identity: [doc(statements)] }), 'ExplicitlyDenied');
  });

  it('1,000 identity policies of 10 statements each', () => {
    const policies = many(1_000, (p) => doc(many(10, (s) => allow({ Action: `s3:Op${p}x${s}` }))));
    assert.equal(decide({ action: 's3:Op999x9' }, { identity: policies }), 'Allowed');
    assert.equal(decide({ action: 's3:Op1000x0' }, { identity: policies }), 'ImplicitlyDenied');
  });

  it('a request with 10,000 context keys', () => {
    const context = Object.fromEntries(many(10_000, (i) => [`custom:key${i}`, `v${i}`]));
    const policies = { identity: [doc([allow({ Condition: { StringEquals: { 'CUSTOM:KEY9999': 'v9999' } } })])] };
    assert.equal(decide({ context }, policies), 'Allowed');
  });
});

describe('deeply nested documents', () => {
  const nested = (depth: number, inner: string) => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

  it('an Action nested 100,000 arrays deep cannot be read: as an Allow it grants nothing', () => {
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":${nested(100_000, '"*"')},"Resource":"*"}]}`;
    assert.equal(decide({}, { identity: [raw(text)] }), 'ImplicitlyDenied');
  });

  it('an Action nested 100,000 arrays deep cannot be read: as a Deny it denies', () => {
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":${nested(100_000, '"*"')},"Resource":"*"}]}`;
    assert.equal(decide({}, { identity: [doc([allow({})]), raw(text)] }), 'ExplicitlyDenied');
  });

  it('a condition value nested 100,000 arrays deep cannot be read: as a Deny it denies', () => {
    const condition = `{"StringEquals":{"aws:PrincipalTag/team":${nested(100_000, '"blue"')}}}`;
    const text = `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":${condition}}}`;
    assert.equal(
      decide({ context: { 'aws:PrincipalTag/team': 'red' } }, { identity: [doc([allow({})]), raw(text)] }),
      'ExplicitlyDenied',
    );
  });

  it('a Statement nested 100,000 arrays deep cannot be read: the policy denies', () => {
    const text = `{"Version":"2012-10-17","Statement":${nested(100_000, '{"Effect":"Allow","Action":"*","Resource":"*"}')}}`;
    assert.equal(decide({}, { identity: [doc([allow({})]), raw(text)] }), 'ExplicitlyDenied');
  });

  it('a 10,000-level object inside a condition block cannot be read: as an Allow it grants nothing', () => {
    const deep = `${'{"k":'.repeat(10_000)}"v"${'}'.repeat(10_000)}`;
    const text = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":${deep}}}}`;
    assert.equal(decide({}, { identity: [raw(text)] }), 'ImplicitlyDenied');
  });
});
