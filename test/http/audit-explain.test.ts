/**
 * GET /_rolecall/explain/ID and GET /_rolecall/suggest-policy in process: only an account root's signature opens
 * them, their queries are checked, and unknown requests and roles are 404. The reports themselves are tested in
 * src/audit/*.test.ts and end to end in test/e2e/audit-explain.test.ts; `rolecall explain` and
 * `rolecall suggest-policy` (runExplain, runSuggestPolicy) read the same endpoints.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { inProcessServer } from '../support/in-process.ts';
import { signedQuery } from '../support/signed.ts';
import { queryString, signedAdminGet } from '../../src/cli/admin-client.ts';
import { runExplain } from '../../src/cli/explain.ts';
import { runSuggestPolicy } from '../../src/cli/suggest-policy.ts';
import type { SuggestReport } from '../../src/audit/suggest-service.ts';
import type { ExplainReport } from '../../src/audit/explain-types.ts';

const server = inProcessServer('rolecall-explain-');
const ACCOUNT = '222233334444';
const ROOT = { accessKeyId: ACCOUNT, secretAccessKey: 'test' };
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const get = async (path: string, query: string, creds: { accessKeyId: string; secretAccessKey: string } = ROOT) => {
  const res = await signedAdminGet(server().endpoint, path, query, creds);
  return { status: res.status, body: JSON.parse(await res.text()) as Record<string, unknown> };
};

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      env: { AWS_ACCESS_KEY_ID: ACCOUNT, AWS_SECRET_ACCESS_KEY: 'test' },
      out: (t: string) => out.push(t),
      err: (t: string) => err.push(t),
    },
    out,
    err,
  };
}

let userKey: { accessKeyId: string; secretAccessKey: string };
let deniedRequestId = '';

describe('GET /_rolecall/explain and /_rolecall/suggest-policy', () => {
  before(async () => {
    const iam = async (params: Record<string, string>, creds = ROOT) =>
      signedQuery(server().endpoint, 'iam', params, creds);
    assert.equal(
      (await iam({ Action: 'CreateRole', RoleName: 'app', AssumeRolePolicyDocument: EC2_TRUST })).status,
      200,
    );
    assert.equal((await iam({ Action: 'CreateUser', UserName: 'bob' })).status, 200);
    const body = (await iam({ Action: 'CreateAccessKey', UserName: 'bob' })).body;
    const pick = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(body)?.[1] ?? '';
    userKey = { accessKeyId: pick('AccessKeyId'), secretAccessKey: pick('SecretAccessKey') };
    // bob has no policy: ListRoles is denied, and the error carries the request id.
    const denied = await iam({ Action: 'ListRoles' }, userKey);
    assert.equal(denied.status, 403);
    deniedRequestId = /<RequestId>([^<]+)<\/RequestId>/.exec(denied.body)?.[1] ?? '';
    assert.notEqual(deniedRequestId, '');
  });

  it('explains a denied request for an account root, and only for one', async () => {
    const { status, body } = await get(`/_rolecall/explain/${deniedRequestId}`, '');
    assert.equal(status, 200);
    const report = body as unknown as ExplainReport;
    assert.equal(report.recordedDecision, 'ImplicitlyDenied');
    assert.equal(report.checks[0]?.action, 'iam:ListRoles');
    assert.match(report.checks[0]?.fixes[0]?.command ?? '', /^aws iam put-user-policy --user-name bob /);

    assert.equal((await get(`/_rolecall/explain/${deniedRequestId}`, '', userKey)).status, 403);
    const missing = await get('/_rolecall/explain/nope', '');
    assert.deepEqual(missing, {
      status: 404,
      body: { error: "no recorded request with id 'nope' (the trail keeps the most recent requests only)" },
    });
  });

  it('checks the suggest-policy query', async () => {
    const bad = async (query: string) => (await get('/_rolecall/suggest-policy', query)).body['error'];
    assert.equal(await bad(''), 'role is required: a role name or ARN');
    assert.equal(
      await bad('role=app&since=yesterday'),
      'since must be a duration (90s, 30m, 24h, 7d, 2w) or an ISO-8601 time',
    );
    assert.match(String(await bad('role=app&color=red')), /^unknown parameter 'color'/);
    assert.equal(await bad('role=app&account=12'), 'account must be a 12-digit account id');
    assert.deepEqual(await get('/_rolecall/suggest-policy', 'role=ghost'), {
      status: 404,
      body: { error: `no role 'ghost' in account ${ACCOUNT}` },
    });
    assert.equal((await get('/_rolecall/suggest-policy', 'role=app', userKey)).status, 403);
    const { status, body } = await get(
      '/_rolecall/suggest-policy',
      queryString([
        ['role', 'app'],
        ['since', '24h'],
      ]),
    );
    assert.equal(status, 200);
    const report = body as unknown as SuggestReport;
    assert.equal(report.events, 0);
    assert.equal(report.policy, undefined);
  });

  it('rolecall explain and suggest-policy print the reports, and say what went wrong', async () => {
    const ok = capture();
    assert.equal(await runExplain([deniedRequestId, '--endpoint', server().endpoint], ok.io), 0);
    assert.match(ok.out.join('\n'), /iam:ListRoles on \*/);

    const missing = capture();
    assert.equal(await runExplain(['nope', '--endpoint', server().endpoint], missing.io), 1);
    assert.match(missing.err.join('\n'), /answered 404: no recorded request/);

    const usage = capture();
    assert.equal(await runExplain([], usage.io), 2);
    assert.match(usage.err.join('\n'), /give one REQUEST_ID/);

    const unreachable = capture();
    assert.equal(await runExplain(['x', '--endpoint', 'http://127.0.0.1:9'], unreachable.io), 2);
    assert.match(unreachable.err.join('\n'), /cannot reach rolecall/);

    const none = capture();
    assert.equal(await runSuggestPolicy(['--role', 'app', '--endpoint', server().endpoint], none.io), 1);
    assert.match(none.out.join('\n'), /0 recorded request\(s\) in the trail/);

    const noRole = capture();
    assert.equal(await runSuggestPolicy([], noRole.io), 2);
    assert.match(noRole.err.join('\n'), /--role is required/);
  });
});
