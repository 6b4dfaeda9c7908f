/**
 * The IAM policy simulator APIs in process: SimulateCustomPolicy, SimulatePrincipalPolicy and
 * GetContextKeysFor{Custom,Principal}Policy as SigV4-signed Query requests over HTTP against startServer() with the
 * memory store. The expected shapes, names and messages are AWS's, from docs/research/evaluation-logic.md §10
 * (cited as §10); the trust-policy checks for sts:AssumeRole are rolecall's own addition (src/services/iam/simulate.ts).
 *
 * Each group works in an account of its own (any 12-digit access key id is the root of that account, secret
 * `test`), so the groups do not see each other's users, groups, roles and policies.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { inProcessServer } from '../support/in-process.ts';
import { parseXml, type Xml } from '../support/xml.ts';
import { errorOf, signedQuery, type Reply } from '../support/signed.ts';

const server = inProcessServer('rolecall-iam-simulate-');

// ---------------------------------------------------------------------------------------------------------------
// Reading replies

const child = (node: Xml, name: string): Xml | undefined => node.children.find((c) => c.name === name);
function at(node: Xml, ...path: string[]): Xml {
  let current = node;
  for (const name of path) {
    const next = child(current, name);
    if (!next) assert.fail(`no <${name}> in <${current.name}>: ${current.children.map((c) => c.name).join(', ')}`);
    current = next;
  }
  return current;
}
const members = (node: Xml, name: string): Xml[] => at(node, name).children.filter((c) => c.name === 'member');

/** A MatchedStatements entry as plain data: positions as [line, column]. */
interface Matched {
  readonly id: string;
  readonly type: string;
  readonly start?: readonly [number, number];
  readonly end?: readonly [number, number];
}

interface ResourceResult {
  readonly resource: string;
  readonly decision: string;
  readonly matched: Matched[];
  readonly missing: string[];
  /** AllowedByPermissionsBoundary, when the element is there. */
  readonly boundary?: boolean;
}

interface Result extends ResourceResult {
  readonly action: string;
  /** EvalDecisionDetails as a map, when the element is there. */
  readonly details?: Record<string, string>;
  readonly perResource?: ResourceResult[];
}

const position = (node: Xml | undefined): [number, number] | undefined =>
  node && [Number(at(node, 'Line').text), Number(at(node, 'Column').text)];

function matchedOf(node: Xml): Matched[] {
  return members(node, 'MatchedStatements').map((m) => {
    const start = position(child(m, 'StartPosition'));
    const end = position(child(m, 'EndPosition'));
    return {
      id: at(m, 'SourcePolicyId').text,
      type: at(m, 'SourcePolicyType').text,
      ...(start && { start }),
      ...(end && { end }),
    };
  });
}

function boundaryOf(node: Xml): { boundary?: boolean } {
  const detail = child(node, 'PermissionsBoundaryDecisionDetail');
  return detail ? { boundary: at(detail, 'AllowedByPermissionsBoundary').text === 'true' } : {};
}

function resultOf(node: Xml): Result {
  const details = child(node, 'EvalDecisionDetails');
  const perResource = child(node, 'ResourceSpecificResults');
  return {
    action: at(node, 'EvalActionName').text,
    resource: at(node, 'EvalResourceName').text,
    decision: at(node, 'EvalDecision').text,
    matched: matchedOf(node),
    missing: members(node, 'MissingContextValues').map((m) => m.text),
    ...boundaryOf(node),
    ...(details && {
      details: Object.fromEntries(
        details.children.map((entry) => [at(entry, 'key').text, at(entry, 'value').text] as const),
      ),
    }),
    ...(perResource && {
      perResource: perResource.children.map((r) => ({
        resource: at(r, 'EvalResourceName').text,
        decision: at(r, 'EvalResourceDecision').text,
        matched: matchedOf(r),
        missing: members(r, 'MissingContextValues').map((m) => m.text),
        ...boundaryOf(r),
      })),
    }),
  };
}

interface Page {
  readonly results: Result[];
  readonly truncated: boolean;
  readonly marker?: string;
}

function assertOk(reply: Reply): Reply {
  assert.equal(reply.status, 200, reply.body);
  return reply;
}

function pageOf(reply: Reply): Page {
  const root = parseXml(assertOk(reply).body);
  const result = root.children.find((c) => c.name.endsWith('Result')) as Xml;
  const marker = child(result, 'Marker')?.text;
  return {
    results: members(result, 'EvaluationResults').map(resultOf),
    truncated: at(result, 'IsTruncated').text === 'true',
    ...(marker !== undefined && { marker }),
  };
}

/** Checks an error reply exactly; `message` may be a RegExp where the text is rolecall's own. */
function assertError(reply: Reply, status: number, code: string, message: string | RegExp): void {
  const error = errorOf(reply.body);
  assert.deepEqual({ status: reply.status, code: error.code }, { status, code }, reply.body);
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message ?? '', message);
  assert.equal(error.type, 'Sender');
  assert.equal(error.requestId, reply.headers['x-amzn-requestid']);
}

// ---------------------------------------------------------------------------------------------------------------
// Requests

type Params = Record<string, string>;
type Doc = Record<string, unknown>;

/** A minified policy document of the given statements. */
const policy = (...statements: Doc[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (action: string | string[], resource: string | string[] = '*', extra: Doc = {}): Doc => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...extra,
});
const deny = (action: string | string[], resource: string | string[] = '*', extra: Doc = {}): Doc => ({
  Effect: 'Deny',
  Action: action,
  Resource: resource,
  ...extra,
});

/** `Name.member.N` parameters for a list. */
const list = (name: string, values: readonly string[]): Params =>
  Object.fromEntries(values.map((v, i) => [`${name}.member.${i + 1}`, v]));

interface ContextEntry {
  readonly key: string;
  readonly type: string;
  readonly values: readonly string[];
}

const contextEntries = (entries: readonly ContextEntry[]): Params =>
  Object.fromEntries(
    entries.flatMap((e, i) => [
      [`ContextEntries.member.${i + 1}.ContextKeyName`, e.key],
      [`ContextEntries.member.${i + 1}.ContextKeyType`, e.type],
      ...e.values.map((v, j) => [`ContextEntries.member.${i + 1}.ContextKeyValues.member.${j + 1}`, v] as const),
    ]),
  );

interface SimulateInput {
  readonly policies?: readonly string[];
  readonly actions: readonly string[];
  readonly resources?: readonly string[];
  readonly boundaries?: readonly string[];
  readonly resourcePolicy?: string;
  readonly resourceOwner?: string;
  readonly callerArn?: string;
  readonly context?: readonly ContextEntry[];
  readonly maxItems?: number;
  readonly marker?: string;
}

function simulateParams(input: SimulateInput): Params {
  return {
    ...list('PolicyInputList', input.policies ?? []),
    ...list('ActionNames', input.actions),
    ...list('ResourceArns', input.resources ?? []),
    ...list('PermissionsBoundaryPolicyInputList', input.boundaries ?? []),
    ...(input.resourcePolicy !== undefined && { ResourcePolicy: input.resourcePolicy }),
    ...(input.resourceOwner !== undefined && { ResourceOwner: input.resourceOwner }),
    ...(input.callerArn !== undefined && { CallerArn: input.callerArn }),
    ...contextEntries(input.context ?? []),
    ...(input.maxItems !== undefined && { MaxItems: String(input.maxItems) }),
    ...(input.marker !== undefined && { Marker: input.marker }),
  };
}

let accountSeq = 0;

class Account {
  readonly id = `3000000${String(++accountSeq).padStart(5, '0')}`;

  iam(params: Params): Promise<Reply> {
    return signedQuery(server().endpoint, 'iam', params, { accessKeyId: this.id });
  }

  async ok(params: Params): Promise<Reply> {
    return assertOk(await this.iam(params));
  }

  arn(type: 'user' | 'group' | 'role' | 'policy', name: string): string {
    return `arn:aws:iam::${this.id}:${type}/${name}`;
  }

  custom(input: SimulateInput): Promise<Reply> {
    return this.iam({ Action: 'SimulateCustomPolicy', ...simulateParams(input) });
  }

  principal(source: string, input: SimulateInput): Promise<Reply> {
    return this.iam({ Action: 'SimulatePrincipalPolicy', PolicySourceArn: source, ...simulateParams(input) });
  }

  async customResults(input: SimulateInput): Promise<Result[]> {
    return pageOf(await this.custom(input)).results;
  }

  async principalResults(source: string, input: SimulateInput): Promise<Result[]> {
    return pageOf(await this.principal(source, input)).results;
  }

  async contextKeys(params: Params): Promise<string[]> {
    const root = parseXml((await this.ok(params)).body);
    const result = root.children.find((c) => c.name.endsWith('Result')) as Xml;
    return members(result, 'ContextKeyNames').map((m) => m.text);
  }
}

/** The decision for each action, in order. */
const decisions = (results: readonly Result[]): Record<string, string> =>
  Object.fromEntries(results.map((r) => [r.action, r.decision]));

/** The single result of a simulation of one action. */
function only(results: readonly Result[]): Result {
  assert.equal(results.length, 1, JSON.stringify(results));
  return results[0] as Result;
}

// ---------------------------------------------------------------------------------------------------------------

describe('SimulateCustomPolicy', () => {
  const account = new Account();

  // The statements of this document sit at known places (1-based lines and columns):
  //   statement 1 opens at line 4 column 5 and its `}` is at line 9 column 5;
  //   statement 2 opens at line 10 column 5 and its `}` is at line 15 column 5.
  const PRETTY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadWrite",
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "*"
    },
    {
      "Sid": "NeverDelete",
      "Effect": "Deny",
      "Action": "s3:DeleteObject",
      "Resource": "*"
    }
  ]
}`;

  it('decides allowed, explicitDeny and implicitDeny, one EvaluationResult per action in order', async () => {
    const results = await account.customResults({
      policies: [PRETTY],
      actions: ['s3:GetObject', 's3:DeleteObject', 'iam:CreateUser'],
    });
    assert.deepEqual(
      results.map((r) => [r.action, r.resource, r.decision]),
      [
        ['s3:GetObject', '*', 'allowed'],
        ['s3:DeleteObject', '*', 'explicitDeny'],
        ['iam:CreateUser', '*', 'implicitDeny'],
      ],
    );
    // §10: no ResourceArns, so neither ResourceSpecificResults nor EvalDecisionDetails.
    for (const r of results) {
      assert.equal(r.perResource, undefined);
      assert.equal(r.details, undefined);
      assert.equal(r.boundary, undefined, 'no boundary was simulated');
    }
  });

  it('MatchedStatements name PolicyInputList.N, type IAM Policy, and the 1-based span of the statement', async () => {
    const [get, del, create] = await account.customResults({
      policies: [policy(allow('iam:ListUsers')), PRETTY],
      actions: ['s3:GetObject', 's3:DeleteObject', 'iam:CreateUser'],
    });
    // End is just past the closing brace (§10, the 2020 recording: End {1,198} for a `}` at column 197).
    assert.deepEqual(get?.matched, [{ id: 'PolicyInputList.2', type: 'IAM Policy', start: [4, 5], end: [9, 6] }]);
    // "if only one statement denies that operation, then the explicit deny overrides any allow. In addition, the
    // deny statement is the only entry included in the result" (§10), although statement 1 allows s3:*.
    assert.deepEqual(del?.matched, [{ id: 'PolicyInputList.2', type: 'IAM Policy', start: [10, 5], end: [15, 6] }]);
    // Empty for implicitDeny (§10).
    assert.deepEqual(create?.matched, []);
  });

  it('a minified policy reports line 1 and the columns of the statement (the recording: Start {1,41})', async () => {
    // json.dumps style, as in the 2020 recording: the `{` after `[` is the 41st character.
    const text =
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}';
    const { matched } = only(await account.customResults({ policies: [text], actions: ['s3:GetObject'] }));
    assert.equal(text.indexOf('[{') + 2, 41);
    assert.deepEqual(matched, [
      { id: 'PolicyInputList.1', type: 'IAM Policy', start: [1, 41], end: [1, text.lastIndexOf('}]') + 2] },
    ]);
  });

  it(
    "a second statement starts where the first one ended (the recording: statement 2 starts at {1,198}, statement 1's End)",
    {
      todo: 'rolecall starts a statement at its own `{`; the 2020 recording (§10, confidence M) starts it just past the previous statement',
    },
    async () => {
      const first = `{"Sid": "One", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}`;
      const second = `{"Sid": "Two", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}`;
      const text = `{"Version": "2012-10-17", "Statement": [${first}, ${second}]}`;
      const [put, get] = await account.customResults({ policies: [text], actions: ['s3:PutObject', 's3:GetObject'] });
      const firstEnd = put?.matched[0]?.end;
      assert.deepEqual(firstEnd, [1, 41 + first.length]);
      assert.deepEqual(get?.matched[0]?.start, firstEnd);
    },
  );

  it('MissingContextValues: at the top when the resource is "*", under ResourceSpecificResults when listed', async () => {
    const text = policy(
      allow('s3:GetObject', '*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
      allow('s3:PutObject', 'arn:aws:s3:::other/*', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
    );
    // §10's example: a policy testing aws:SourceIp, no ContextEntries, no ResourceArns → ["aws:SourceIp"].
    const [get, put] = await account.customResults({ policies: [text], actions: ['s3:GetObject', 's3:PutObject'] });
    assert.deepEqual([get?.decision, get?.missing], ['implicitDeny', ['aws:SourceIp']]);
    assert.deepEqual([put?.decision, put?.missing], ['implicitDeny', []], 'only statements that otherwise apply ask');

    const listed = only(
      await account.customResults({
        policies: [text],
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::bucket/a', 'arn:aws:s3:::bucket/b'],
      }),
    );
    assert.deepEqual(listed.missing, []);
    assert.deepEqual(
      listed.perResource?.map((r) => [r.resource, r.decision, r.missing]),
      [
        ['arn:aws:s3:::bucket/a', 'implicitDeny', ['aws:SourceIp']],
        ['arn:aws:s3:::bucket/b', 'implicitDeny', ['aws:SourceIp']],
      ],
    );

    const given = only(
      await account.customResults({
        policies: [text],
        actions: ['s3:GetObject'],
        context: [{ key: 'aws:SourceIp', type: 'ip', values: ['10.1.2.3'] }],
      }),
    );
    assert.deepEqual([given.decision, given.missing], ['allowed', []]);
  });

  it('ContextEntries of every type decide conditions: string, lists, ip, date, numeric, boolean', async () => {
    const text = policy(
      allow('s3:GetObject', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }),
      allow('s3:PutObject', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } } }),
      allow('s3:DeleteObject', '*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
      allow('s3:ListBucket', '*', { Condition: { 'ForAnyValue:IpAddress': { 'test:Addresses': '192.0.2.0/24' } } }),
      allow('s3:GetBucketPolicy', '*', {
        Condition: { DateGreaterThan: { 'aws:CurrentTime': '2019-01-01T00:00:00Z' } },
      }),
      allow('s3:PutBucketPolicy', '*', {
        Condition: { 'ForAllValues:DateLessThan': { 'test:Dates': '2030-01-01T00:00:00Z' } },
      }),
      allow('s3:GetBucketTagging', '*', { Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } }),
      allow('s3:PutBucketTagging', '*', { Condition: { 'ForAnyValue:NumericEquals': { 'test:Sizes': '42' } } }),
      allow('s3:GetBucketAcl', '*', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
      allow('s3:PutBucketAcl', '*', { Condition: { 'ForAnyValue:Bool': { 'test:Flags': 'true' } } }),
    );
    const actions = [
      's3:GetObject',
      's3:PutObject',
      's3:DeleteObject',
      's3:ListBucket',
      's3:GetBucketPolicy',
      's3:PutBucketPolicy',
      's3:GetBucketTagging',
      's3:PutBucketTagging',
      's3:GetBucketAcl',
      's3:PutBucketAcl',
    ];
    const run = async (context: ContextEntry[]) =>
      decisions(await account.customResults({ policies: [text], actions, context }));

    const yes = await run([
      { key: 'aws:PrincipalTag/team', type: 'string', values: ['blue'] },
      { key: 'aws:TagKeys', type: 'stringList', values: ['team', 'env'] },
      { key: 'aws:SourceIp', type: 'ip', values: ['10.20.30.40'] },
      { key: 'test:Addresses', type: 'ipList', values: ['198.51.100.1', '192.0.2.7'] },
      { key: 'aws:CurrentTime', type: 'date', values: ['2020-06-01T12:00:00Z'] },
      { key: 'test:Dates', type: 'dateList', values: ['2021-01-01T00:00:00Z', '2029-12-31T23:59:59Z'] },
      { key: 'aws:MultiFactorAuthAge', type: 'numeric', values: ['100'] },
      { key: 'test:Sizes', type: 'numericList', values: ['7', '42'] },
      { key: 'aws:SecureTransport', type: 'boolean', values: ['true'] },
      { key: 'test:Flags', type: 'booleanList', values: ['false', 'true'] },
    ]);
    assert.deepEqual(yes, Object.fromEntries(actions.map((a) => [a, 'allowed'])));

    const no = await run([
      { key: 'aws:PrincipalTag/team', type: 'string', values: ['red'] },
      { key: 'aws:TagKeys', type: 'stringList', values: ['team', 'owner'] },
      { key: 'aws:SourceIp', type: 'ip', values: ['192.168.0.1'] },
      { key: 'test:Addresses', type: 'ipList', values: ['198.51.100.1', '203.0.113.9'] },
      // §10's example: aws:CurrentTime 2018-04-25T11:00:00Z against a policy allowing only later → implicitDeny.
      { key: 'aws:CurrentTime', type: 'date', values: ['2018-04-25T11:00:00Z'] },
      { key: 'test:Dates', type: 'dateList', values: ['2021-01-01T00:00:00Z', '2031-01-01T00:00:00Z'] },
      { key: 'aws:MultiFactorAuthAge', type: 'numeric', values: ['7200'] },
      { key: 'test:Sizes', type: 'numericList', values: ['7', '43'] },
      { key: 'aws:SecureTransport', type: 'boolean', values: ['false'] },
      { key: 'test:Flags', type: 'booleanList', values: ['false', 'false'] },
    ]);
    assert.deepEqual(no, Object.fromEntries(actions.map((a) => [a, 'implicitDeny'])));
  });

  it('several ResourceArns: one result per action, the most restrictive decision, each resource under it', async () => {
    // §10's example (2026 change): s3:GetObject on [b/x allowed, c/y explicitDeny] → one result, explicitDeny.
    const text = policy(
      allow('s3:GetObject', ['arn:aws:s3:::b/*', 'arn:aws:s3:::c/*']),
      deny('s3:GetObject', 'arn:aws:s3:::c/*'),
    );
    const results = await account.customResults({
      policies: [text],
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: ['arn:aws:s3:::b/x', 'arn:aws:s3:::c/y', 'arn:aws:s3:::d/z'],
    });
    assert.equal(results.length, 2);
    const [get, put] = results as [Result, Result];
    assert.deepEqual([get.action, get.decision], ['s3:GetObject', 'explicitDeny']);
    assert.deepEqual(
      get.perResource?.map((r) => [r.resource, r.decision, r.matched.map((m) => m.start?.[1])]),
      [
        ['arn:aws:s3:::b/x', 'allowed', [text.indexOf('{"Effect"') + 1]],
        ['arn:aws:s3:::c/y', 'explicitDeny', [text.lastIndexOf('{"Effect"') + 1]],
        ['arn:aws:s3:::d/z', 'implicitDeny', []],
      ],
    );
    assert.deepEqual(
      get.matched.map((m) => m.start?.[1]),
      [text.lastIndexOf('{"Effect"') + 1],
      'the top MatchedStatements are the deny',
    );
    // "If the simulation evaluates policies within the same account and includes a resource ARN, then the
    // parameter is present but the response is empty" (§10).
    assert.deepEqual(get.details, {});
    assert.deepEqual([put.action, put.decision], ['s3:PutObject', 'implicitDeny']);

    const twoAllowedOneNot = only(
      await account.customResults({
        policies: [text],
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::b/x', 'arn:aws:s3:::d/z', 'arn:aws:s3:::b/y'],
      }),
    );
    assert.equal(twoAllowedOneNot.decision, 'implicitDeny');
    assert.deepEqual(
      twoAllowedOneNot.perResource?.map((r) => r.decision),
      ['allowed', 'implicitDeny', 'allowed'],
    );

    const allAllowed = only(
      await account.customResults({
        policies: [text],
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::b/x', 'arn:aws:s3:::b/y'],
      }),
    );
    assert.deepEqual([allAllowed.decision, allAllowed.matched.length], ['allowed', 1]);
  });

  describe('PermissionsBoundaryPolicyInputList', () => {
    const identity = policy(allow('s3:*'), deny('s3:DeleteBucket'));
    const boundary = policy(allow(['s3:GetObject', 's3:DeleteBucket', 'sqs:SendMessage']), deny('s3:PutObjectAcl'));

    it('gives PermissionsBoundaryDecisionDetail: within the boundary, outside it, denied by it', async () => {
      const results = await account.customResults({
        policies: [identity],
        boundaries: [boundary],
        actions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectAcl', 's3:DeleteBucket'],
      });
      assert.deepEqual(
        results.map((r) => [r.action, r.decision, r.boundary]),
        [
          ['s3:GetObject', 'allowed', true],
          ['s3:PutObject', 'implicitDeny', false],
          ['s3:PutObjectAcl', 'explicitDeny', false],
          // The identity policy denies; the boundary allows.
          ['s3:DeleteBucket', 'explicitDeny', true],
        ],
      );
      const [get, , acl] = results as [Result, Result, Result];
      assert.deepEqual(
        get.matched.map((m) => m.id),
        ['PolicyInputList.1', 'PermissionsBoundaryPolicyInputList.1'],
      );
      assert.deepEqual(
        acl.matched.map((m) => m.id),
        ['PermissionsBoundaryPolicyInputList.1'],
      );
    });

    it('the boundary allows what the identity policies do not: still implicitDeny, allowed by the boundary', async () => {
      const { decision, boundary: allowed } = only(
        await account.customResults({
          policies: [identity],
          boundaries: [boundary],
          actions: ['sqs:SendMessage'],
        }),
      );
      assert.deepEqual([decision, allowed], ['implicitDeny', true]);
    });

    it('an action neither the identity policies nor the boundary allow is not allowed by the boundary', async () => {
      const { decision, boundary: allowed } = only(
        await account.customResults({ policies: [identity], boundaries: [boundary], actions: ['ec2:RunInstances'] }),
      );
      assert.deepEqual([decision, allowed], ['implicitDeny', false]);
    });

    it('with ResourceArns, each resource carries its own PermissionsBoundaryDecisionDetail', async () => {
      const result = only(
        await account.customResults({
          policies: [policy(allow('s3:GetObject'))],
          boundaries: [policy(allow('s3:GetObject', 'arn:aws:s3:::inside/*'))],
          actions: ['s3:GetObject'],
          resources: ['arn:aws:s3:::inside/x', 'arn:aws:s3:::outside/x'],
        }),
      );
      assert.deepEqual([result.decision, result.boundary], ['implicitDeny', false]);
      assert.deepEqual(
        result.perResource?.map((r) => [r.resource, r.decision, r.boundary]),
        [
          ['arn:aws:s3:::inside/x', 'allowed', true],
          ['arn:aws:s3:::outside/x', 'implicitDeny', false],
        ],
      );
    });
  });

  describe('ResourcePolicy, CallerArn and ResourceOwner', () => {
    const bucket = 'arn:aws:s3:::shared-bucket/key';
    const caller = () => account.arn('user', 'carol');

    it('a resource policy naming the caller allows on its own: SourcePolicyId ResourcePolicy, type Resource Policy', async () => {
      const resourcePolicy = policy(
        allow('s3:GetObject', 'arn:aws:s3:::shared-bucket/*', { Principal: { AWS: caller() } }),
      );
      const result = only(
        await account.customResults({
          policies: [policy(allow('iam:ListUsers'))],
          actions: ['s3:GetObject'],
          resources: [bucket],
          resourcePolicy,
          callerArn: caller(),
        }),
      );
      assert.equal(result.decision, 'allowed');
      assert.deepEqual(
        result.matched.map((m) => [m.id, m.type]),
        [['ResourcePolicy', 'Resource Policy']],
      );
      assert.deepEqual(result.matched[0]?.start, [1, resourcePolicy.indexOf('[{') + 2]);

      const other = only(
        await account.customResults({
          policies: [policy(allow('iam:ListUsers'))],
          actions: ['s3:GetObject'],
          resources: [bucket],
          resourcePolicy,
          callerArn: account.arn('user', 'mallory'),
        }),
      );
      assert.equal(other.decision, 'implicitDeny', 'the resource policy names someone else');
    });

    it('a deny in the resource policy wins over the identity policy', async () => {
      const result = only(
        await account.customResults({
          policies: [policy(allow('s3:*'))],
          actions: ['s3:GetObject'],
          resources: [bucket],
          resourcePolicy: policy(deny('s3:GetObject', '*', { Principal: '*' })),
          callerArn: caller(),
        }),
      );
      assert.equal(result.decision, 'explicitDeny');
      assert.deepEqual(
        result.matched.map((m) => m.id),
        ['ResourcePolicy'],
      );
    });

    it('a ResourceOwner in another account makes it cross-account: both sides must allow', async () => {
      const otherOwner = 'arn:aws:iam::999999999999:root';
      const identity = policy(allow('s3:GetObject'));
      const namesNobody = policy(allow('s3:GetObject', '*', { Principal: { AWS: 'arn:aws:iam::888888888888:root' } }));
      const namesCallerAccount = policy(allow('s3:GetObject', '*', { Principal: { AWS: account.id } }));
      const run = (resourcePolicy: string, resourceOwner?: string) =>
        account.customResults({
          policies: [identity],
          actions: ['s3:GetObject'],
          resources: [bucket],
          resourcePolicy,
          callerArn: caller(),
          ...(resourceOwner !== undefined && { resourceOwner }),
        });
      // Same account: the identity policy is enough.
      assert.equal(only(await run(namesNobody)).decision, 'allowed');
      // Another owner: the resource policy must allow too.
      assert.equal(only(await run(namesNobody, otherOwner)).decision, 'implicitDeny');
      const crossAllowed = only(await run(namesCallerAccount, otherOwner));
      assert.equal(crossAllowed.decision, 'allowed');
      assert.deepEqual(crossAllowed.matched.map((m) => m.id).sort(), ['PolicyInputList.1', 'ResourcePolicy']);
      // An owner of the caller's own account is the same account.
      assert.equal(only(await run(namesNobody, `arn:aws:iam::${account.id}:root`)).decision, 'allowed');
    });

    it('a cross-account simulation with a resource ARN populates EvalDecisionDetails', async () => {
      const result = only(
        await account.customResults({
          policies: [policy(allow('s3:GetObject'))],
          actions: ['s3:GetObject'],
          resources: [bucket],
          resourcePolicy: policy(allow('s3:GetObject', '*', { Principal: { AWS: account.id } })),
          resourceOwner: 'arn:aws:iam::999999999999:root',
          callerArn: caller(),
        }),
      );
      assert.deepEqual(result.details, { 'IAM Policy': 'allowed', 'Resource Policy': 'allowed' });
    });
  });

  describe('refused input', () => {
    it('a malformed policy in PolicyInputList is InvalidInput', async () => {
      assertError(
        await account.custom({ policies: ['{"Version": "2012-10-17", "Statement": ['], actions: ['s3:GetObject'] }),
        400,
        'InvalidInput',
        /^PolicyInputList\.1: /,
      );
      assertError(
        await account.custom({
          policies: [policy(allow('s3:GetObject')), policy({ Effect: 'Allow', Action: 's3:GetObject' })],
          actions: ['s3:GetObject'],
        }),
        400,
        'InvalidInput',
        /^PolicyInputList\.2: /,
      );
    });

    it('a malformed ResourcePolicy or boundary is InvalidInput', async () => {
      assertError(
        await account.custom({
          policies: [policy(allow('s3:GetObject'))],
          actions: ['s3:GetObject'],
          resourcePolicy: 'not json',
        }),
        400,
        'InvalidInput',
        /^ResourcePolicy: /,
      );
      assertError(
        await account.custom({
          policies: [policy(allow('s3:GetObject'))],
          boundaries: ['{'],
          actions: ['s3:GetObject'],
        }),
        400,
        'InvalidInput',
        /^PermissionsBoundaryPolicyInputList\.1: /,
      );
    });
  });
});

describe('SimulatePrincipalPolicy', () => {
  const account = new Account();
  const S3_READ_ONLY = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';

  before(async () => {
    // alice: an inline policy, AmazonS3ReadOnlyAccess, the group `devs` (inline + a customer managed policy) and a
    // permissions boundary that leaves out iam:*.
    const boundary = await account.ok({
      Action: 'CreatePolicy',
      PolicyName: 'dev-boundary',
      PolicyDocument: policy(allow(['s3:*', 'sqs:*', 'sns:*', 'dynamodb:*'])),
    });
    assert.match(boundary.body, /<Arn>arn:aws:iam::\d{12}:policy\/dev-boundary<\/Arn>/);
    await account.ok({
      Action: 'CreatePolicy',
      PolicyName: 'queue-writers',
      PolicyDocument: policy(allow('sqs:SendMessage')),
    });
    await account.ok({ Action: 'CreateUser', UserName: 'alice' });
    await account.ok({
      Action: 'PutUserPolicy',
      UserName: 'alice',
      PolicyName: 'alice-inline',
      PolicyDocument: policy(allow(['s3:PutObject', 'iam:ListUsers']), deny('s3:DeleteObject')),
    });
    await account.ok({ Action: 'AttachUserPolicy', UserName: 'alice', PolicyArn: S3_READ_ONLY });
    await account.ok({ Action: 'CreateGroup', GroupName: 'devs' });
    await account.ok({
      Action: 'PutGroupPolicy',
      GroupName: 'devs',
      PolicyName: 'devs-inline',
      PolicyDocument: policy(allow('sns:Publish')),
    });
    await account.ok({
      Action: 'AttachGroupPolicy',
      GroupName: 'devs',
      PolicyArn: account.arn('policy', 'queue-writers'),
    });
    await account.ok({ Action: 'AddUserToGroup', GroupName: 'devs', UserName: 'alice' });
    await account.ok({
      Action: 'PutUserPermissionsBoundary',
      UserName: 'alice',
      PermissionsBoundary: account.arn('policy', 'dev-boundary'),
    });

    // app: a role with an inline policy and an attached customer managed policy.
    await account.ok({
      Action: 'CreateRole',
      RoleName: 'app',
      AssumeRolePolicyDocument: policy({
        Effect: 'Allow',
        Principal: { Service: 'ec2.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
    });
    await account.ok({
      Action: 'PutRolePolicy',
      RoleName: 'app',
      PolicyName: 'app-inline',
      PolicyDocument: policy(allow('dynamodb:GetItem')),
    });
    await account.ok({
      Action: 'AttachRolePolicy',
      RoleName: 'app',
      PolicyArn: account.arn('policy', 'queue-writers'),
    });
  });

  it("a user: the user's inline and attached policies and the group's, by name", async () => {
    const results = await account.principalResults(account.arn('user', 'alice'), {
      actions: [
        's3:PutObject',
        's3:GetObject',
        'sns:Publish',
        'sqs:SendMessage',
        's3:DeleteObject',
        'ec2:RunInstances',
      ],
    });
    assert.deepEqual(
      results.map((r) => [r.action, r.decision, r.matched.filter((m) => m.id !== 'dev-boundary').map((m) => m.id)]),
      [
        ['s3:PutObject', 'allowed', ['alice-inline']],
        // AWS's sample: s3:GetObject via AmazonS3ReadOnlyAccess → allowed, SourcePolicyId the policy name (§10).
        ['s3:GetObject', 'allowed', ['AmazonS3ReadOnlyAccess']],
        ['sns:Publish', 'allowed', ['devs-inline']],
        ['sqs:SendMessage', 'allowed', ['queue-writers']],
        ['s3:DeleteObject', 'explicitDeny', ['alice-inline']],
        ['ec2:RunInstances', 'implicitDeny', []],
      ],
    );
    for (const r of results) for (const m of r.matched) assert.equal(m.type, 'IAM Policy');
    const get = results[1] as Result;
    const managed = get.matched.find((m) => m.id === 'AmazonS3ReadOnlyAccess');
    assert.ok(managed?.start && managed.end, 'statements of AWS managed policies have positions too');
  });

  it("the user's permissions boundary applies, with PermissionsBoundaryDecisionDetail", async () => {
    const results = await account.principalResults(account.arn('user', 'alice'), {
      actions: ['iam:ListUsers', 's3:PutObject'],
    });
    assert.deepEqual(
      results.map((r) => [r.action, r.decision, r.boundary]),
      [
        ['iam:ListUsers', 'implicitDeny', false],
        ['s3:PutObject', 'allowed', true],
      ],
    );
    // PermissionsBoundaryPolicyInputList replaces the attached boundary (§10).
    const replaced = await account.principalResults(account.arn('user', 'alice'), {
      actions: ['iam:ListUsers', 's3:PutObject'],
      boundaries: [policy(allow('iam:*'))],
    });
    assert.deepEqual(
      replaced.map((r) => [r.action, r.decision, r.boundary]),
      [
        ['iam:ListUsers', 'allowed', true],
        ['s3:PutObject', 'implicitDeny', false],
      ],
    );
  });

  it('PolicyInputList adds to the entity’s policies as PolicyInputList.N', async () => {
    const [put, query] = await account.principalResults(account.arn('user', 'alice'), {
      policies: [policy(allow('dynamodb:Query'))],
      actions: ['s3:PutObject', 'dynamodb:Query'],
    });
    assert.deepEqual([put?.decision, query?.decision], ['allowed', 'allowed']);
    assert.deepEqual(
      query?.matched.map((m) => m.id),
      ['PolicyInputList.1', 'dev-boundary'],
    );
  });

  it("a role: the role's inline and attached policies", async () => {
    const results = await account.principalResults(account.arn('role', 'app'), {
      actions: ['dynamodb:GetItem', 'sqs:SendMessage', 's3:GetObject'],
    });
    assert.deepEqual(
      results.map((r) => [r.action, r.decision, r.matched.map((m) => m.id)]),
      [
        ['dynamodb:GetItem', 'allowed', ['app-inline']],
        ['sqs:SendMessage', 'allowed', ['queue-writers']],
        ['s3:GetObject', 'implicitDeny', []],
      ],
    );
    assert.equal(results[0]?.boundary, undefined, 'the role has no boundary');
  });

  it("a group: the group's inline and attached policies, never a member's", async () => {
    const results = await account.principalResults(account.arn('group', 'devs'), {
      actions: ['sns:Publish', 'sqs:SendMessage', 's3:PutObject'],
    });
    assert.deepEqual(
      results.map((r) => [r.action, r.decision, r.matched.map((m) => m.id)]),
      [
        ['sns:Publish', 'allowed', ['devs-inline']],
        ['sqs:SendMessage', 'allowed', ['queue-writers']],
        ['s3:PutObject', 'implicitDeny', []],
      ],
    );
  });

  it('ContextEntries and MissingContextValues work for principals as for custom policies', async () => {
    await account.ok({ Action: 'CreateUser', UserName: 'conditional' });
    await account.ok({
      Action: 'PutUserPolicy',
      UserName: 'conditional',
      PolicyName: 'from-the-office',
      PolicyDocument: policy(
        allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*', {
          Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
        }),
      ),
    });
    const arn = account.arn('user', 'conditional');
    const missing = only(
      await account.principalResults(arn, {
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::home/conditional/notes.txt'],
        context: [{ key: 'aws:username', type: 'string', values: ['conditional'] }],
      }),
    );
    assert.deepEqual([missing.decision, missing.missing], ['implicitDeny', []]);
    assert.deepEqual(missing.perResource?.[0]?.missing, ['aws:SourceIp']);
    const allowed = only(
      await account.principalResults(arn, {
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::home/conditional/notes.txt', 'arn:aws:s3:::home/someone/notes.txt'],
        context: [
          { key: 'aws:SourceIp', type: 'ip', values: ['203.0.113.9'] },
          { key: 'aws:username', type: 'string', values: ['conditional'] },
        ],
      }),
    );
    assert.deepEqual(
      allowed.perResource?.map((r) => [r.resource, r.decision]),
      [
        ['arn:aws:s3:::home/conditional/notes.txt', 'allowed'],
        ['arn:aws:s3:::home/someone/notes.txt', 'implicitDeny'],
      ],
    );
  });

  it("CallerArn: the caller, as if it had the source's policies, is who a ResourcePolicy must name", async () => {
    const bob = account.arn('user', 'bob');
    const result = only(
      await account.principalResults(account.arn('user', 'alice'), {
        actions: ['dynamodb:GetItem'],
        resources: [`arn:aws:dynamodb:us-east-1:${account.id}:table/t`],
        resourcePolicy: policy(allow('dynamodb:GetItem', '*', { Principal: { AWS: bob } })),
        callerArn: bob,
      }),
    );
    assert.equal(result.decision, 'allowed');
  });

  describe('errors', () => {
    it('an unknown PolicySourceArn is NoSuchEntity 404 with the entity’s not-found text', async () => {
      const ask = (arn: string) => account.principal(arn, { actions: ['s3:GetObject'] });
      assertError(
        await ask(account.arn('user', 'nobody')),
        404,
        'NoSuchEntity',
        'The user with name nobody cannot be found.',
      );
      assertError(
        await ask(account.arn('role', 'nobody')),
        404,
        'NoSuchEntity',
        'The role with name nobody cannot be found.',
      );
      assertError(
        await ask(account.arn('group', 'nobody')),
        404,
        'NoSuchEntity',
        'The group with name nobody cannot be found.',
      );
      // A user of another account is out of reach: the action is authorized against the simulated entity, and
      // another account's user has no resource policy that would allow it.
      assertError(
        await ask('arn:aws:iam::999999999999:user/alice'),
        403,
        'AccessDenied',
        `User: arn:aws:iam::${account.id}:root is not authorized to perform: iam:SimulatePrincipalPolicy on resource: arn:aws:iam::999999999999:user/alice because no resource-based policy allows the iam:SimulatePrincipalPolicy action`,
      );
    });

    it('a session ARN is InvalidInput: it does not clearly define entity type and name', async () => {
      const session = `arn:aws:sts::${account.id}:assumed-role/app/i-0123456789abcdef0`;
      assertError(
        await account.principal(session, { actions: ['s3:GetObject'] }),
        400,
        'InvalidInput',
        `Invalid Entity Arn: ${session} does not clearly define entity type and name.`,
      );
    });

    it('a malformed policy in PolicyInputList is InvalidInput', async () => {
      assertError(
        await account.principal(account.arn('user', 'alice'), {
          policies: ['{"Statement": "nope"}'],
          actions: ['s3:GetObject'],
        }),
        400,
        'InvalidInput',
        /^PolicyInputList\.1: /,
      );
    });
  });

  it('pages with MaxItems and Marker, in action order', async () => {
    const actions = ['s3:GetObject', 's3:PutObject', 'sns:Publish', 'sqs:SendMessage', 'ec2:RunInstances'];
    const source = account.arn('user', 'alice');
    const first = pageOf(await account.principal(source, { actions, maxItems: 2 }));
    assert.equal(first.truncated, true);
    assert.ok(first.marker, 'a truncated page carries a Marker');
    const second = pageOf(await account.principal(source, { actions, maxItems: 2, marker: first.marker }));
    assert.equal(second.truncated, true);
    const third = pageOf(await account.principal(source, { actions, maxItems: 2, marker: second.marker as string }));
    assert.equal(third.truncated, false);
    assert.equal(third.marker, undefined, 'the last page has no Marker');
    assert.deepEqual(
      [first, second, third].map((p) => p.results.map((r) => r.action)),
      [actions.slice(0, 2), actions.slice(2, 4), actions.slice(4)],
    );
    const whole = pageOf(await account.principal(source, { actions }));
    assert.deepEqual(
      [...first.results, ...second.results, ...third.results],
      whole.results,
      'the pages add up to the whole',
    );
    assert.equal(whole.truncated, false);
  });

  it('SimulateCustomPolicy pages the same way', async () => {
    const actions = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'];
    const first = pageOf(await account.custom({ policies: [policy(allow('s3:*'))], actions, maxItems: 1 }));
    assert.deepEqual([first.truncated, first.results.map((r) => r.action)], [true, ['s3:GetObject']]);
    const rest = pageOf(
      await account.custom({ policies: [policy(allow('s3:*'))], actions, maxItems: 5, marker: first.marker as string }),
    );
    assert.deepEqual([rest.truncated, rest.results.map((r) => r.action)], [false, ['s3:PutObject', 's3:DeleteObject']]);
  });
});

describe('sts:AssumeRole on a role ARN without ResourcePolicy: the role’s trust policy (rolecall’s addition)', () => {
  const account = new Account();
  const trust = (principal: Doc) => policy({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' });

  before(async () => {
    await account.ok({ Action: 'CreateUser', UserName: 'plain' });
    await account.ok({ Action: 'CreateUser', UserName: 'assumer' });
    await account.ok({
      Action: 'PutUserPolicy',
      UserName: 'assumer',
      PolicyName: 'may-assume',
      PolicyDocument: policy(allow('sts:AssumeRole', `arn:aws:iam::${account.id}:role/*`)),
    });
    await account.ok({
      Action: 'CreateRole',
      RoleName: 'names-plain',
      AssumeRolePolicyDocument: trust({ AWS: account.arn('user', 'plain') }),
    });
    await account.ok({
      Action: 'CreateRole',
      RoleName: 'names-account',
      AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${account.id}:root` }),
    });
    await account.ok({
      Action: 'CreateRole',
      RoleName: 'names-ec2',
      AssumeRolePolicyDocument: trust({ Service: 'ec2.amazonaws.com' }),
    });
  });

  const assume = async (user: string, role: string) =>
    only(
      await account.principalResults(account.arn('user', user), {
        actions: ['sts:AssumeRole'],
        resources: [account.arn('role', role)],
      }),
    );

  it('allowed when the trust policy names the user, with no permission of the user’s own', async () => {
    const result = await assume('plain', 'names-plain');
    assert.equal(result.decision, 'allowed');
    assert.deepEqual(
      result.matched.map((m) => m.type),
      ['Resource Policy'],
    );
  });

  it('implicitDeny when the trust policy names only the account and the user lacks sts:AssumeRole', async () => {
    assert.equal((await assume('plain', 'names-account')).decision, 'implicitDeny');
  });

  it('allowed when the trust policy names the account and the user has sts:AssumeRole', async () => {
    const result = await assume('assumer', 'names-account');
    assert.equal(result.decision, 'allowed');
    assert.deepEqual(
      result.matched.map((m) => m.type),
      ['Resource Policy', 'IAM Policy'],
    );
    assert.ok(result.matched.some((m) => m.id === 'may-assume'));
  });

  it('implicitDeny when the trust policy names neither, however the user’s policies allow it', async () => {
    assert.equal((await assume('assumer', 'names-ec2')).decision, 'implicitDeny');
    assert.equal((await assume('plain', 'names-ec2')).decision, 'implicitDeny');
  });

  it('a ResourcePolicy given in the request is used instead of the trust policy', async () => {
    const result = only(
      await account.principalResults(account.arn('user', 'plain'), {
        actions: ['sts:AssumeRole'],
        resources: [account.arn('role', 'names-ec2')],
        resourcePolicy: policy(allow('sts:AssumeRole', '*', { Principal: { AWS: account.arn('user', 'plain') } })),
      }),
    );
    assert.equal(result.decision, 'allowed');
    assert.deepEqual(
      result.matched.map((m) => m.id),
      ['ResourcePolicy'],
    );
  });

  it('an unknown role ARN has no trust policy to apply: the identity policies decide', async () => {
    assert.equal((await assume('assumer', 'no-such-role')).decision, 'allowed');
    assert.equal((await assume('plain', 'no-such-role')).decision, 'implicitDeny');
  });
});

describe('GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy', () => {
  const account = new Account();
  const first = policy(
    allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*', {
      Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' }, StringLike: { 's3:prefix': 'home/*' } },
    }),
    allow('s3:PutObject', '*', {
      Condition: { IpAddress: { 'aws:sourceip': '10.0.0.0/8' }, Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    }),
  );
  const second = policy(
    allow('sqs:SendMessage', 'arn:aws:sqs:*:*:${aws:PrincipalTag/team}-*', {
      Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
    }),
    allow('s3:ListBucket', 'arn:aws:s3:::home', {
      Condition: { StringEquals: { 's3:prefix': '${aws:username}/' } },
    }),
  );
  const sorted = (keys: readonly string[]) => [...keys].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));

  it('custom: the condition keys and the policy variables of every policy, each once', async () => {
    const keys = await account.contextKeys({
      Action: 'GetContextKeysForCustomPolicy',
      ...list('PolicyInputList', [first, second]),
    });
    assert.deepEqual(
      sorted(keys),
      sorted([
        'aws:SourceIp',
        's3:prefix',
        'aws:username',
        'aws:MultiFactorAuthPresent',
        'aws:RequestedRegion',
        'aws:PrincipalTag/team',
      ]),
    );
    assert.equal(new Set(keys.map((k) => k.toLowerCase())).size, keys.length, 'each key once, whatever its case');
  });

  it('custom: a policy without conditions or variables has no context keys', async () => {
    const keys = await account.contextKeys({
      Action: 'GetContextKeysForCustomPolicy',
      ...list('PolicyInputList', [policy(allow('s3:*'))]),
    });
    assert.deepEqual(keys, []);
  });

  it('custom: a malformed policy is InvalidInput', async () => {
    assertError(
      await account.iam({ Action: 'GetContextKeysForCustomPolicy', ...list('PolicyInputList', ['[']) }),
      400,
      'InvalidInput',
      /^PolicyInputList\.1: /,
    );
  });

  it("principal: the keys of the user's and its groups' policies and of PolicyInputList, each once", async () => {
    await account.ok({ Action: 'CreateUser', UserName: 'keyed' });
    await account.ok({ Action: 'PutUserPolicy', UserName: 'keyed', PolicyName: 'p1', PolicyDocument: first });
    await account.ok({ Action: 'CreateGroup', GroupName: 'keyed-group' });
    await account.ok({ Action: 'PutGroupPolicy', GroupName: 'keyed-group', PolicyName: 'p2', PolicyDocument: second });
    await account.ok({ Action: 'AddUserToGroup', GroupName: 'keyed-group', UserName: 'keyed' });
    const own = await account.contextKeys({
      Action: 'GetContextKeysForPrincipalPolicy',
      PolicySourceArn: account.arn('user', 'keyed'),
    });
    assert.deepEqual(
      sorted(own),
      sorted([
        'aws:SourceIp',
        's3:prefix',
        'aws:username',
        'aws:MultiFactorAuthPresent',
        'aws:RequestedRegion',
        'aws:PrincipalTag/team',
      ]),
    );
    const withExtra = await account.contextKeys({
      Action: 'GetContextKeysForPrincipalPolicy',
      PolicySourceArn: account.arn('user', 'keyed'),
      ...list('PolicyInputList', [
        policy(allow('ec2:RunInstances', '*', { Condition: { StringEquals: { 'ec2:InstanceType': 't3.micro' } } })),
      ]),
    });
    assert.deepEqual(sorted(withExtra), sorted([...own, 'ec2:InstanceType']));
  });

  it('principal: an unknown entity is NoSuchEntity', async () => {
    assertError(
      await account.iam({
        Action: 'GetContextKeysForPrincipalPolicy',
        PolicySourceArn: account.arn('role', 'ghost'),
      }),
      404,
      'NoSuchEntity',
      'The role with name ghost cannot be found.',
    );
  });
});
