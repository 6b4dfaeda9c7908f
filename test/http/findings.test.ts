/**
 * GET /_rolecall/findings in process: only an account root's SigV4 signature opens it (the clock's rule for
 * admin requests that reach across accounts), its query is checked and unknown parameters refused, and the
 * report covers every account or the one asked for. `rolecall doctor` (runDoctor) reads the same endpoint.
 * The checks themselves are tested in src/doctor/doctor.test.ts and end to end in test/e2e/doctor.test.ts.
 */
import assert from 'node:assert/strict';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { before, describe, it } from 'node:test';
import { inProcessServer } from '../support/in-process.ts';
import { signedQuery } from '../support/signed.ts';
import { queryString, signedAdminGet } from '../../src/cli/admin-client.ts';
import { runDoctor } from '../../src/cli/doctor.ts';
import type { FindingsReport } from '../../src/server/findings.ts';

const server = inProcessServer('rolecall-findings-');
const ACCOUNT = '222233334444';
const ROOT = { accessKeyId: ACCOUNT, secretAccessKey: 'test' };
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const get = async (query: string, creds: { accessKeyId: string; secretAccessKey: string } = ROOT) => {
  const res = await signedAdminGet(server().endpoint, '/_rolecall/findings', query, creds);
  return { status: res.status, body: JSON.parse(await res.text()) as Record<string, unknown> };
};

let userKey: { accessKeyId: string; secretAccessKey: string };

describe('GET /_rolecall/findings', () => {
  before(async () => {
    const iam = async (params: Record<string, string>) => {
      const r = await signedQuery(server().endpoint, 'iam', params, ROOT);
      assert.equal(r.status, 200, r.body);
      return r.body;
    };
    await iam({
      Action: 'CreateRole',
      RoleName: 'lonely',
      AssumeRolePolicyDocument: EC2_TRUST,
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'web',
    });
    await iam({ Action: 'CreateUser', UserName: 'auditor' });
    const body = await iam({ Action: 'CreateAccessKey', UserName: 'auditor' });
    const pick = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(body)?.[1] ?? '';
    userKey = { accessKeyId: pick('AccessKeyId'), secretAccessKey: pick('SecretAccessKey') };
  });

  it('answers an account root with the findings of the account asked for', async () => {
    const { status, body } = await get(queryString([['account', ACCOUNT]]));
    assert.equal(status, 200);
    const report = body as unknown as FindingsReport;
    assert.deepEqual(report.accounts, [ACCOUNT]);
    assert.deepEqual(report.options, { requiredTags: [], unusedDays: 90, keyMaxAgeDays: 90 });
    assert.deepEqual(
      report.findings.map((f) => [f.code, f.resource.name, f.account]),
      [['ROLE_TRUSTS_EC2_WITHOUT_INSTANCE_PROFILE', 'lonely', ACCOUNT]],
    );
    assert.match(report.generatedAt, /^\d{4}-\d{2}-\d{2}T/);
  });

  it('covers every account with entities when none is named, and applies the options', async () => {
    const all = (await get('')).body as unknown as FindingsReport;
    assert.ok(all.accounts.includes(ACCOUNT));
    const tagged = (
      await get(
        queryString([
          ['account', ACCOUNT],
          ['requireTag', 'owner'],
          ['unusedDays', '30'],
        ]),
      )
    ).body as unknown as FindingsReport;
    assert.deepEqual(tagged.options, { requiredTags: ['owner'], unusedDays: 30, keyMaxAgeDays: 90 });
    assert.deepEqual(tagged.findings.map((f) => f.code).sort(), [
      'ROLE_MISSING_TAGS',
      'ROLE_TRUSTS_EC2_WITHOUT_INSTANCE_PROFILE',
    ]);
    const empty = (await get(queryString([['account', '999988887777']]))).body as unknown as FindingsReport;
    assert.deepEqual(empty.findings, []);
  });

  it('accepts a signature made by the SDK signer too', async () => {
    const url = new URL(`/_rolecall/findings?account=${ACCOUNT}`, server().endpoint);
    const signer = new SignatureV4({ service: 'rolecall', region: 'eu-west-1', credentials: ROOT, sha256: Sha256 });
    const signed = await signer.sign({
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: { account: ACCOUNT },
      headers: { host: url.host },
    });
    const headers: Record<string, string> = { ...signed.headers };
    delete headers['host'];
    const res = await fetch(url, { headers });
    assert.equal(res.status, 200, await res.clone().text());
  });

  it('refuses unsigned requests and requests signed by anyone but an account root', async () => {
    const unsigned = await fetch(new URL('/_rolecall/findings', server().endpoint));
    assert.equal(unsigned.status, 403);
    assert.deepEqual(await unsigned.json(), {
      error: 'findings need a request signed (SigV4) with account root credentials',
    });
    assert.equal((await get('', userKey)).status, 403);
    assert.equal((await get('', { accessKeyId: ACCOUNT, secretAccessKey: 'wrong' })).status, 403);
  });

  it('refuses a bad query with what is wrong, and other methods', async () => {
    const cases: [string, string][] = [
      ['acount=222233334444', "unknown parameter 'acount' (known: account, requireTag, unusedDays, keyMaxAgeDays)"],
      ['account=12', 'account must be a 12-digit account id'],
      ['account=222233334444&account=111122223333', "parameter 'account' given twice"],
      ['unusedDays=soon', 'unusedDays must be a whole number of days'],
      ['keyMaxAgeDays=-1', 'keyMaxAgeDays must be a whole number of days'],
      ['requireTag=', 'requireTag must be a tag key of 1 to 128 characters'],
    ];
    for (const [query, error] of cases) {
      const r = await get(query);
      assert.equal(r.status, 400, query);
      assert.deepEqual(r.body, { error }, query);
    }
    const post = await fetch(new URL('/_rolecall/findings', server().endpoint), { method: 'POST' });
    assert.equal(post.status, 405);
  });
});

describe('rolecall doctor (the command) against the endpoint', () => {
  const doctor = async (...args: string[]) => {
    let out = '';
    let err = '';
    const code = await runDoctor(args, {
      env: { AWS_ACCESS_KEY_ID: ACCOUNT, AWS_SECRET_ACCESS_KEY: 'test' },
      out: (t) => (out += `${t}\n`),
      err: (t) => (err += `${t}\n`),
    });
    return { code, out, err };
  };

  it('prints each finding with its resource, why and fix, and exits by --fail-on', async () => {
    const r = await doctor('--endpoint', server().endpoint, '--account', ACCOUNT);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^WARNING ROLE_TRUSTS_EC2_WITHOUT_INSTANCE_PROFILE {2}role lonely \(account 222233334444\)$/m);
    assert.match(r.out, /^ {2}why: EC2 hands a role to an instance only through an instance profile/m);
    assert.match(
      r.out,
      /^ {2}fix: aws iam create-instance-profile --instance-profile-name lonely && aws iam add-role-to-instance-profile --instance-profile-name lonely --role-name lonely$/m,
    );
    assert.match(r.out, /^account 222233334444: 1 WARNING$/m);
    assert.equal((await doctor('--endpoint', server().endpoint, '--account', ACCOUNT, '--fail-on', 'warning')).code, 1);
    const json = await doctor(
      '--endpoint',
      server().endpoint,
      '--account',
      ACCOUNT,
      '--format',
      'json',
      '--require-tag',
      'owner',
    );
    const report = JSON.parse(json.out) as FindingsReport;
    assert.deepEqual(report.options.requiredTags, ['owner']);
  });

  it('says so when rolecall cannot be reached or refuses, and refuses bad options', async () => {
    const down = await doctor('--endpoint', 'http://127.0.0.1:9');
    assert.equal(down.code, 2);
    assert.match(down.err, /cannot reach rolecall at http:\/\/127\.0\.0\.1:9/);
    let err = '';
    const refused = await runDoctor(['--endpoint', server().endpoint], {
      env: { AWS_ACCESS_KEY_ID: userKey.accessKeyId, AWS_SECRET_ACCESS_KEY: userKey.secretAccessKey },
      out: () => undefined,
      err: (t) => (err += t),
    });
    assert.equal(refused, 2);
    assert.match(err, /answered 403: findings need a request signed \(SigV4\) with account root credentials/);
    for (const args of [['--account', 'x'], ['--unused-days', '1.5'], ['--format', 'sarif'], ['--bogus'], ['extra']]) {
      assert.equal((await doctor('--endpoint', server().endpoint, ...args)).code, 2, args.join(' '));
    }
  });
});
