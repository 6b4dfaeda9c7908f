/**
 * `rolecall simulate`: the built command as people run it (`node bin/rolecall.js simulate …`, a document on
 * standard input or in a file, --batch, --explain, exit codes), then simulateOne/simulateText in process for the
 * refusals of malformed input. The decisions themselves follow docs/research/evaluation-logic.md; these tests
 * check that the command hands each input field to the engine as documented in docs/SIMULATE.md.
 *
 * Run `npm run build` first: the command runs from dist/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simulateOne, simulateText } from './simulate.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'rolecall.js');

const ACCOUNT = '123456789012';
const OTHER = '210987654321';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/app/i-0123456789abcdef0`;
const BUCKET = 'arn:aws:s3:::bucket';
const OBJECT = 'arn:aws:s3:::bucket/key';

type Doc = Record<string, unknown>;
const policy = (...statements: Doc[]): Doc => ({ Version: '2012-10-17', Statement: statements });
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
/** A trust or resource policy statement: Action and Principal, no Resource for trust policies. */
const grant = (principal: unknown, action = 'sts:AssumeRole', extra: Doc = {}): Doc => ({
  Effect: 'Allow',
  Principal: principal,
  Action: action,
  ...extra,
});

interface Request {
  principal: string;
  action: string;
  resource: string;
  resourceAccount?: string;
  context?: Record<string, unknown>;
}
const input = (request: Request, rest: Doc = {}): Doc => ({ request, ...rest });

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rolecall simulate ARGS…` with `stdin` on standard input. */
function rolecall(args: readonly string[], stdin = ''): Run {
  const r = spawnSync(process.execPath, [BIN, 'simulate', ...args], { input: stdin, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON lines a run printed. */
const lines = (r: Run): Doc[] =>
  r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Doc);

/** Runs the inputs as one batch and returns one result per input; `status` is the exit code. */
function batch(inputs: readonly unknown[]): { status: number | null; results: Doc[] } {
  const r = rolecall(['--batch'], inputs.map((i) => JSON.stringify(i)).join('\n') + '\n');
  assert.equal(r.stderr, '');
  const results = lines(r);
  assert.equal(results.length, inputs.length, r.stdout);
  return { status: r.status, results };
}

/** decision, blockedBy and the deciding statements as `kind policyId#index`, to compare briefly. */
const brief = (d: Doc) => ({
  decision: d['decision'],
  ...(d['blockedBy'] !== undefined && { blockedBy: d['blockedBy'] }),
  statements: (d['statements'] as Doc[]).map((s) => `${s['kind']} ${s['policyId']}#${s['index']}`),
});

before(() => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first');
});

describe('rolecall simulate: input and output', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rolecall-simulate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const READ = input(
    { principal: ALICE, action: 's3:GetObject', resource: OBJECT, context: { 'aws:SourceIp': '10.1.2.3' } },
    {
      identityPolicies: [
        policy(
          allow('s3:GetObject', `${BUCKET}/*`, {
            Sid: 'ReadFromTheOffice',
            Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
          }),
        ),
      ],
    },
  );
  const READ_RESULT = {
    decision: 'Allowed',
    statements: [
      { kind: 'identity', policyId: 'identityPolicies[0]', index: 0, sid: 'ReadFromTheOffice', effect: 'Allow' },
    ],
    missingContextKeys: [],
    unevaluable: [],
    explanation: `${ALICE} may perform s3:GetObject on ${OBJECT}, allowed by statement 1 (Sid "ReadFromTheOffice") of the identity-based policy identityPolicies[0].`,
  };

  it('one document on standard input: one JSON line with the decision and its reasons, exit 0', () => {
    const r = rolecall([], JSON.stringify(READ));
    assert.deepEqual([r.status, r.stderr], [0, '']);
    assert.ok(r.stdout.endsWith('}\n') && r.stdout.indexOf('\n') === r.stdout.length - 1, 'exactly one line');
    assert.deepEqual(JSON.parse(r.stdout), READ_RESULT);
  });

  it('a file, pretty-printed over many lines, and `-` for standard input', () => {
    const file = join(dir, 'read.json');
    writeFileSync(file, JSON.stringify(READ, null, 2));
    const fromFile = rolecall([file]);
    assert.deepEqual([fromFile.status, fromFile.stderr], [0, '']);
    assert.deepEqual(lines(fromFile), [READ_RESULT]);
    const dash = rolecall(['-'], JSON.stringify(READ, null, 2));
    assert.deepEqual([dash.status, lines(dash)], [0, [READ_RESULT]]);
  });

  it('a denial is still a result: exit 0, blockedBy for an implicit deny, the missing context keys', () => {
    const denied = { ...READ, request: { principal: ALICE, action: 's3:GetObject', resource: OBJECT } };
    const r = rolecall([], JSON.stringify(denied));
    assert.equal(r.status, 0);
    assert.deepEqual(JSON.parse(r.stdout), {
      decision: 'ImplicitlyDenied',
      statements: [],
      blockedBy: 'identity',
      missingContextKeys: ['aws:SourceIp'],
      unevaluable: [],
      explanation: `${ALICE} may not perform s3:GetObject on ${OBJECT}: no identity-based policy allows it.\nThe request lacked context keys that conditions asked for: aws:SourceIp.`,
    });
  });

  it('--explain prints the decision, then the reasons in plain words', () => {
    const r = rolecall(['--explain'], JSON.stringify(READ));
    assert.deepEqual([r.status, r.stderr], [0, '']);
    assert.equal(r.stdout, `Allowed\n${READ_RESULT.explanation}\n`);

    const denied = rolecall(
      ['--explain'],
      JSON.stringify({
        ...READ,
        identityPolicies: [policy(allow('s3:*')), policy(deny('s3:GetObject', '*', { Sid: 'NoReads' }))],
      }),
    );
    assert.equal(denied.status, 0);
    assert.equal(
      denied.stdout,
      `ExplicitlyDenied\n${ALICE} may not perform s3:GetObject on ${OBJECT}: explicitly denied by statement 1 (Sid "NoReads") of the identity-based policy identityPolicies[1].\n`,
    );
  });

  it('--explain with malformed input prints `error: …` and exits 1', () => {
    const r = rolecall(['--explain'], '{"request": {}}');
    assert.deepEqual([r.status, r.stdout], [1, 'error: request.principal must be an ARN\n']);
  });

  it('a single document that is not JSON: an error object and exit 1', () => {
    const r = rolecall([], '{"request":');
    assert.equal(r.status, 1);
    assert.deepEqual(lines(r), [{ error: 'not JSON: Unexpected end of JSON input' }]);
  });

  it('--batch: one result per line; a malformed line gets an error and the batch goes on; exit 1', () => {
    const good = JSON.stringify(READ);
    const text = [
      good,
      '{"request": "not json"',
      JSON.stringify({ ...READ, identityPolicy: [] }),
      JSON.stringify({ request: { principal: ALICE, resource: '*' } }),
      JSON.stringify({ request: { principal: 'alice', action: 's3:GetObject', resource: '*' } }),
      JSON.stringify({ request: { principal: ALICE, action: 's3:GetObject', resource: '*', region: 'us-east-1' } }),
      '',
      '   ',
      good,
    ].join('\n');
    const r = rolecall(['--batch'], text);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, '');
    const out = lines(r);
    assert.equal(out.length, 7, 'blank lines are skipped');
    assert.deepEqual(out[0], READ_RESULT);
    assert.match(String(out[1]?.['error']), /^not JSON: /);
    assert.deepEqual(out.slice(2, 6), [
      {
        error:
          "unknown field 'identityPolicy' in the input (known: request, identityPolicies, resourcePolicy, trustPolicy, permissionsBoundaries, sessionPolicies, scps, rcps)",
      },
      { error: "request.action must be 'service:Action'" },
      { error: "request.principal 'alice' is not a principal ARN, account id or service" },
      {
        error: "unknown field 'region' in request (known: principal, action, resource, resourceAccount, context)",
      },
    ]);
    assert.deepEqual(out[6], READ_RESULT);
  });

  it('--batch with every line good exits 0; an empty batch prints nothing and exits 0', () => {
    const r = rolecall(['--batch'], `${JSON.stringify(READ)}\n${JSON.stringify(READ)}\n`);
    assert.deepEqual([r.status, lines(r)], [0, [READ_RESULT, READ_RESULT]]);
    const empty = rolecall(['--batch'], '\n\n');
    assert.deepEqual([empty.status, empty.stdout, empty.stderr], [0, '', '']);
  });

  it('--batch reads a file too, and combines with --explain', () => {
    const file = join(dir, 'batch.jsonl');
    writeFileSync(file, `${JSON.stringify(READ)}\n{"request": 1}\n`);
    const r = rolecall([file, '--batch', '--explain']);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, `Allowed\n${READ_RESULT.explanation}\nerror: 'request' is required and must be an object\n`);
  });

  it('an unknown option exits 2 with a message on stderr and reads nothing', () => {
    const r = rolecall(['--verbose'], JSON.stringify(READ));
    assert.deepEqual(r, {
      status: 2,
      stdout: '',
      stderr: "rolecall simulate: unknown option '--verbose' (see rolecall simulate --help)\n",
    });
    const two = rolecall(['a.json', 'b.json']);
    assert.deepEqual(two, { status: 2, stdout: '', stderr: 'rolecall simulate: give at most one input file\n' });
  });

  it('--help and -h print the usage and exit 0', () => {
    for (const flag of ['--help', '-h']) {
      const r = rolecall([flag]);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^usage: rolecall simulate \[FILE\] \[--batch\] \[--explain\]\n/);
      assert.match(r.stdout, /docs\/SIMULATE\.md/);
    }
    assert.equal(rolecall(['--batch', '--help', '--nonsense']).status, 0, '--help wins over everything');
  });

  it('a file that does not exist: exit 1 and a message naming it', () => {
    const missing = join(dir, 'missing.json');
    const r = rolecall([missing]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.includes(missing), r.stderr);
  });

  it('a file that does not exist is one line on stderr, not a stack trace', () => {
    const r = rolecall([join(dir, 'missing.json')]);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  });
});

describe('rolecall simulate: what each field does', () => {
  it('trustPolicy must allow explicitly; the same document as resourcePolicy lets identity policies decide', () => {
    const names = (principal: unknown) => policy(grant(principal));
    const mayAssume = policy(allow('sts:AssumeRole', ROLE));
    const req = { principal: ALICE, action: 'sts:AssumeRole', resource: ROLE };
    const { status, results } = batch([
      // The trust policy names EC2 only: the user's own permission is not enough for a role.
      input(req, { identityPolicies: [mayAssume], trustPolicy: names({ Service: 'ec2.amazonaws.com' }) }),
      // As a resource policy of the same account, the identity policy alone allows.
      input(req, { identityPolicies: [mayAssume], resourcePolicy: names({ Service: 'ec2.amazonaws.com' }) }),
      // A trust policy naming the user allows on its own.
      input(req, { trustPolicy: names({ AWS: ALICE }) }),
      // Naming the account delegates to the identity policies, which must allow.
      input(req, { trustPolicy: names({ AWS: `arn:aws:iam::${ACCOUNT}:root` }) }),
      input(req, { identityPolicies: [mayAssume], trustPolicy: names({ AWS: ACCOUNT }) }),
      // Both at once is refused.
      input(req, { trustPolicy: names('*'), resourcePolicy: names('*') }),
    ]);
    assert.equal(status, 1);
    assert.deepEqual(results.slice(0, 5).map(brief), [
      { decision: 'ImplicitlyDenied', blockedBy: 'resource', statements: [] },
      { decision: 'Allowed', statements: ['identity identityPolicies[0]#0'] },
      { decision: 'Allowed', statements: ['resource trustPolicy#0'] },
      { decision: 'ImplicitlyDenied', blockedBy: 'identity', statements: [] },
      { decision: 'Allowed', statements: ['resource trustPolicy#0', 'identity identityPolicies[0]#0'] },
    ]);
    assert.deepEqual(results[5], { error: 'give either resourcePolicy or trustPolicy, not both' });
  });

  it('sessionPolicies and permissionsBoundaries: every allow must also be within them', () => {
    const req = (action: string) => ({ principal: SESSION, action, resource: OBJECT });
    const identityPolicies = [policy(allow('s3:*'))];
    const sessionPolicies = [policy(allow(['s3:GetObject', 's3:PutObject']))];
    const permissionsBoundaries = [policy(allow(['s3:GetObject', 's3:DeleteObject']))];
    const { status, results } = batch([
      input(req('s3:GetObject'), { identityPolicies, sessionPolicies }),
      input(req('s3:DeleteObject'), { identityPolicies, sessionPolicies }),
      input(req('s3:GetObject'), { identityPolicies, sessionPolicies, permissionsBoundaries }),
      input(req('s3:PutObject'), { identityPolicies, sessionPolicies, permissionsBoundaries }),
      input(req('s3:DeleteObject'), { identityPolicies, permissionsBoundaries }),
      input(req('s3:GetObject'), {
        identityPolicies,
        sessionPolicies: [...sessionPolicies, policy(deny('s3:GetObject'))],
      }),
    ]);
    assert.equal(status, 0);
    assert.deepEqual(results.map(brief), [
      { decision: 'Allowed', statements: ['identity identityPolicies[0]#0', 'session sessionPolicies[0]#0'] },
      { decision: 'ImplicitlyDenied', blockedBy: 'session', statements: [] },
      {
        decision: 'Allowed',
        statements: [
          'identity identityPolicies[0]#0',
          'boundary permissionsBoundaries[0]#0',
          'session sessionPolicies[0]#0',
        ],
      },
      { decision: 'ImplicitlyDenied', blockedBy: 'boundary', statements: [] },
      { decision: 'Allowed', statements: ['identity identityPolicies[0]#0', 'boundary permissionsBoundaries[0]#0'] },
      { decision: 'ExplicitlyDenied', statements: ['session sessionPolicies[1]#0'] },
    ]);
    assert.equal(
      results[1]?.['explanation'],
      `${SESSION} may not perform s3:DeleteObject on ${OBJECT}: no session policy allows it (identity policies allow it, but every allow must also be within it).`,
    );
  });

  it('scps and rcps: one list per level of the organization, each level must allow', () => {
    const fullAccess = policy(allow('*'));
    const req = (action: string, principal = ALICE) => ({ principal, action, resource: OBJECT });
    const identityPolicies = [policy(allow('s3:*'))];
    const scps = [[fullAccess], [policy(allow(['s3:GetObject', 's3:PutObject']))]];
    const { results } = batch([
      input(req('s3:GetObject'), { identityPolicies, scps }),
      input(req('s3:DeleteObject'), { identityPolicies, scps }),
      // The account root is bound by SCPs too.
      input(req('s3:DeleteObject', ACCOUNT), { scps }),
      // A deny at any level denies.
      input(req('s3:PutObject'), {
        identityPolicies,
        scps: [[fullAccess], [fullAccess, policy(deny('s3:PutObject'))]],
      }),
      // A level with no policies allows nothing.
      input(req('s3:GetObject'), { identityPolicies, scps: [[fullAccess], []] }),
      // RCPs likewise, for the resource.
      input(req('s3:GetObject'), { identityPolicies, rcps: [[fullAccess], [policy(allow('s3:GetObject'))]] }),
      input(req('s3:PutObject'), { identityPolicies, rcps: [[fullAccess], [policy(allow('s3:GetObject'))]] }),
      input(req('s3:PutObject'), { identityPolicies, rcps: [[policy(deny('s3:*', '*', { Sid: 'Lock' }))]] }),
    ]);
    assert.deepEqual(results.map(brief), [
      { decision: 'Allowed', statements: ['identity identityPolicies[0]#0'] },
      { decision: 'ImplicitlyDenied', blockedBy: 'scp', statements: [] },
      { decision: 'ImplicitlyDenied', blockedBy: 'scp', statements: [] },
      { decision: 'ExplicitlyDenied', statements: ['scp scps[1][1]#0'] },
      { decision: 'ImplicitlyDenied', blockedBy: 'scp', statements: [] },
      { decision: 'Allowed', statements: ['identity identityPolicies[0]#0'] },
      { decision: 'ImplicitlyDenied', blockedBy: 'rcp', statements: [] },
      { decision: 'ExplicitlyDenied', statements: ['rcp rcps[0][0]#0'] },
    ]);
    assert.equal(
      results[3]?.['explanation'],
      `${ALICE} may not perform s3:PutObject on ${OBJECT}: explicitly denied by statement 1 of the service control policy scps[1][1].`,
    );
  });

  it('principals: an account id, a user ARN, an assumed-role ARN, a service principal and *', () => {
    const getObject = (principal: string, rest: Doc = {}, request: Partial<Request> = {}) =>
      input({ principal, action: 's3:GetObject', resource: OBJECT, ...request }, rest);
    const bucketPolicy = (principal: unknown) => policy(grant(principal, 's3:GetObject', { Resource: `${BUCKET}/*` }));
    const { status, results } = batch([
      // An account id is its root: anything in its own account, nothing in another's without a resource policy.
      getObject(ACCOUNT),
      getObject(ACCOUNT, {}, { resourceAccount: OTHER }),
      getObject(ACCOUNT, { resourcePolicy: bucketPolicy({ AWS: ACCOUNT }) }, { resourceAccount: OTHER }),
      // A user ARN.
      getObject(ALICE, { resourcePolicy: bucketPolicy({ AWS: ALICE }) }),
      getObject(ALICE, { resourcePolicy: bucketPolicy({ AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }) }),
      // An assumed-role session matches a resource policy naming its role.
      getObject(SESSION, { resourcePolicy: bucketPolicy({ AWS: ROLE }) }),
      getObject(SESSION, { resourcePolicy: bucketPolicy({ AWS: SESSION }) }),
      // A service principal: only a resource policy naming the service allows it.
      getObject('cloudtrail.amazonaws.com', { resourcePolicy: bucketPolicy({ Service: 'cloudtrail.amazonaws.com' }) }),
      getObject('cloudtrail.amazonaws.com', { identityPolicies: [policy(allow('s3:*'))] }),
      // * is anyone at all: only a resource policy for everyone allows.
      getObject('*', { resourcePolicy: bucketPolicy('*') }),
      getObject('*', { resourcePolicy: bucketPolicy({ AWS: ACCOUNT }) }),
      // Not principals: a group, a bare name.
      getObject(`arn:aws:iam::${ACCOUNT}:group/devs`),
      getObject(`arn:aws:sts::${ACCOUNT}:assumed-role/app`),
    ]);
    assert.equal(status, 1);
    assert.deepEqual(results.slice(0, 11).map(brief), [
      { decision: 'Allowed', statements: [] },
      { decision: 'ImplicitlyDenied', blockedBy: 'resource', statements: [] },
      { decision: 'Allowed', statements: ['resource resourcePolicy#0'] },
      { decision: 'Allowed', statements: ['resource resourcePolicy#0'] },
      { decision: 'ImplicitlyDenied', blockedBy: 'identity', statements: [] },
      { decision: 'Allowed', statements: ['resource resourcePolicy#0'] },
      { decision: 'Allowed', statements: ['resource resourcePolicy#0'] },
      { decision: 'Allowed', statements: ['resource resourcePolicy#0'] },
      { decision: 'ImplicitlyDenied', blockedBy: 'resource', statements: [] },
      { decision: 'Allowed', statements: ['resource resourcePolicy#0'] },
      { decision: 'ImplicitlyDenied', blockedBy: 'resource', statements: [] },
    ]);
    assert.equal(
      results[0]?.['explanation'],
      `arn:aws:iam::${ACCOUNT}:root may perform s3:GetObject on ${OBJECT}: the account root may do anything in its own account.`,
    );
    assert.deepEqual(results.slice(11), [
      { error: `request.principal 'arn:aws:iam::${ACCOUNT}:group/devs' is not a principal ARN, account id or service` },
      {
        error: `request.principal 'arn:aws:sts::${ACCOUNT}:assumed-role/app' is not a principal ARN, account id or service`,
      },
    ]);
  });

  it('context: strings, numbers, booleans and lists; policy variables read single values', () => {
    const identityPolicies = [
      policy(
        allow('s3:PutObject', `${BUCKET}/\${aws:username}/*`, {
          Condition: {
            'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] },
            NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
            Bool: { 'aws:SecureTransport': 'true' },
          },
        }),
      ),
    ];
    const put = (context: Doc, key = 'alice/notes.txt') =>
      input({ principal: ALICE, action: 's3:PutObject', resource: `${BUCKET}/${key}`, context }, { identityPolicies });
    const good = {
      'aws:username': 'alice',
      'aws:TagKeys': ['env'],
      'aws:MultiFactorAuthAge': 60,
      'aws:SecureTransport': true,
    };
    const { results } = batch([
      put(good),
      put({ ...good, 'aws:TagKeys': ['env', 'owner'] }),
      put({ ...good, 'aws:MultiFactorAuthAge': 7200 }),
      put({ ...good, 'aws:SecureTransport': false }),
      put({ ...good, 'AWS:SECURETRANSPORT': 'true', 'aws:SecureTransport': undefined }),
      put(good, 'bob/notes.txt'),
      put({ 'aws:username': 'alice', 'aws:TagKeys': ['env'] }),
    ]);
    assert.deepEqual(
      results.map((r) => r['decision']),
      [
        'Allowed',
        'ImplicitlyDenied',
        'ImplicitlyDenied',
        'ImplicitlyDenied',
        'Allowed',
        'ImplicitlyDenied',
        'ImplicitlyDenied',
      ],
    );
    // Every missing key a matching statement's conditions asked for is reported, not only the first.
    assert.deepEqual(results[6]?.['missingContextKeys'], ['aws:MultiFactorAuthAge', 'aws:SecureTransport']);
  });

  it('a policy the engine cannot read denies and is reported as unevaluable, never an input error', () => {
    const { status, results } = batch([
      input(
        { principal: ALICE, action: 's3:GetObject', resource: OBJECT },
        { identityPolicies: [policy(allow('s3:*')), '{"Statement": ['] },
      ),
    ]);
    assert.equal(status, 0);
    assert.deepEqual(results[0], {
      decision: 'ExplicitlyDenied',
      statements: [{ kind: 'identity', policyId: 'identityPolicies[1]', index: 0, effect: 'Deny' }],
      missingContextKeys: [],
      unevaluable: [{ kind: 'identity', policyId: 'identityPolicies[1]', reason: 'the policy is not valid JSON' }],
      explanation: `${ALICE} may not perform s3:GetObject on ${OBJECT}: explicitly denied by statement 1 of the identity-based policy identityPolicies[1].\nCould not evaluate the identity-based policy identityPolicies[1]: the policy is not valid JSON; it was not allowed to grant anything.`,
    });
  });
});

describe('simulateOne and simulateText in process', () => {
  const base = { principal: ALICE, action: 's3:GetObject', resource: OBJECT };
  const refuses = (value: unknown, message: string) =>
    assert.throws(
      () => simulateOne(value),
      (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.equal(err.message, message);
        return true;
      },
    );

  it('simulateOne returns the engine’s decision; policies may be objects or JSON strings', () => {
    const asObject = simulateOne({ request: base, identityPolicies: [policy(allow('s3:GetObject'))] });
    const asString = simulateOne({ request: base, identityPolicies: [JSON.stringify(policy(allow('s3:GetObject')))] });
    assert.equal(asObject.decision, 'Allowed');
    assert.deepEqual(
      { ...asString, explanation: asString.explanation },
      { ...asObject, explanation: asObject.explanation },
    );
    assert.equal(simulateOne({ request: base }).blockedBy, 'identity');
    assert.equal(simulateOne({ request: { ...base, action: 'sts:GetCallerIdentity' } }).decision, 'Allowed');
  });

  it('simulateOne refuses what it cannot read, naming the field', () => {
    refuses([], 'the input must be a JSON object');
    refuses(null, 'the input must be a JSON object');
    refuses({}, "'request' is required and must be an object");
    refuses({ request: [] }, "'request' is required and must be an object");
    refuses({ request: { ...base, principal: 12 } }, 'request.principal must be an ARN');
    refuses({ request: { ...base, action: 'GetObject' } }, "request.action must be 'service:Action'");
    refuses({ request: { ...base, action: 's3:Get Object' } }, "request.action must be 'service:Action'");
    refuses({ request: { ...base, resource: '' } }, 'request.resource must be an ARN or "*"');
    refuses(
      { request: { ...base, resourceAccount: '12345' } },
      'request.resourceAccount must be a 12-digit account id',
    );
    refuses({ request: { ...base, context: [] } }, 'request.context must be an object');
    refuses(
      { request: { ...base, context: { 'aws:x': { a: 1 } } } },
      "context key 'aws:x' must be a string, number, boolean or a list of them",
    );
    refuses(
      { request: { ...base, context: { 'aws:x': [1, [2]] } } },
      "context key 'aws:x' must be a string, number, boolean or a list of them",
    );
    refuses(
      { request: base, identityPolicies: policy(allow('*')) },
      'identityPolicies must be a list of policy documents',
    );
    refuses(
      { request: base, identityPolicies: [42] },
      'identityPolicies[0] must be a policy document (object or string)',
    );
    refuses({ request: base, resourcePolicy: [] }, 'resourcePolicy must be a policy document (object or string)');
    refuses({ request: base, trustPolicy: 7 }, 'trustPolicy must be a policy document (object or string)');
    refuses({ request: base, scps: [policy(allow('*'))] }, 'scps[0] must be a list of policy documents');
    refuses({ request: base, rcps: {} }, 'rcps must be a list of levels, each a list of policies');
    refuses(
      { request: base, sessionPolicies: [null] },
      'sessionPolicies[0] must be a policy document (object or string)',
    );
  });

  it('simulateText: JSON output, or an error object, and whether it succeeded', () => {
    const good = simulateText(JSON.stringify({ request: base, identityPolicies: [policy(allow('s3:*'))] }), false);
    assert.equal(good.ok, true);
    assert.equal((JSON.parse(good.output) as Doc)['decision'], 'Allowed');
    assert.deepEqual(simulateText('[1]', false), {
      ok: false,
      output: JSON.stringify({ error: 'the input must be a JSON object' }),
    });
    assert.deepEqual(simulateText('{', true), {
      ok: false,
      output: `error: not JSON: Expected property name or '}' in JSON at position 1`,
    });
    const explained = simulateText(JSON.stringify({ request: base }), true);
    assert.deepEqual(explained, {
      ok: true,
      output: `ImplicitlyDenied\n${ALICE} may not perform s3:GetObject on ${OBJECT}: no identity-based policy allows it.`,
    });
  });
});
