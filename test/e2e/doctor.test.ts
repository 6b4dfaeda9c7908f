/**
 * `rolecall doctor` end to end: the AWS CLI builds an account with each classic mistake seeded once — and a
 * tidy application beside them — against a real `rolecall serve`; `rolecall doctor` (the built command, signing
 * as the account's root) must report every seeded mistake and nothing else. Then the fixes it prints are run with
 * the AWS CLI, and the doctor sees them fixed.
 *
 * Time: the "old" mistakes (a role never used, a role last used long ago, an access key never used) are made
 * first, then rolecall's clock moves 100 days forward (POST /_rolecall/clock), past the 90-day defaults; the rest
 * is made after. A workload asks for credentials on an instance without a profile by running the AWS CLI on it
 * (`rolecall run`), which is how the metadata service learns of it.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { noAwsCli } from '../support/clients.ts';
import { advanceClock } from '../support/clock.ts';
import { cliOk, cliRun, useServer } from './helpers.ts';
import { cleanEnv, cliOn, rolecall, waitForState } from './imds-helpers.ts';
import type { FindingsReport } from '../../src/server/findings.ts';

const ACCOUNT = '444455556666';
const OTHER = '999988887777';
const ROOT = { id: ACCOUNT, secret: 'test' };
const IMAGE = 'ami-12345678';

const server = useServer();
const ep = () => server().endpoint;
const aws = <T = Record<string, unknown>>(...args: string[]) => cliOk<T>(ep(), args, ROOT);

const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const trust = (principal: object) => doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' });
const EC2 = trust({ Service: 'ec2.amazonaws.com' });
const LAMBDA = trust({ Service: 'lambda.amazonaws.com' });
const READ_REPORTS = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' });
const TAGS = ['--tags', 'Key=owner,Value=platform'];

function role(name: string, trustPolicy: string, tagged = true): void {
  aws('iam', 'create-role', '--role-name', name, '--assume-role-policy-document', trustPolicy, ...(tagged ? TAGS : []));
}

/**
 * Lets the event loop run before this process talks to rolecall again: the CLI runs through spawnSync, which
 * blocks the loop, and a keep-alive socket rolecall closed meanwhile would otherwise take the next fetch down
 * (test/e2e/ec2-instances.test.ts has the same pause).
 */
const yieldToLoop = () => new Promise((resolve) => setTimeout(resolve, 50));

function profile(name: string, roleName: string | undefined, tagged = true): void {
  aws('iam', 'create-instance-profile', '--instance-profile-name', name, ...(tagged ? TAGS : []));
  if (roleName) aws('iam', 'add-role-to-instance-profile', '--instance-profile-name', name, '--role-name', roleName);
}

async function launch(...options: string[]): Promise<string> {
  const out = aws<{ Instances: { InstanceId: string }[] }>(
    'ec2',
    'run-instances',
    '--image-id',
    IMAGE,
    '--count',
    '1',
    ...options,
  );
  const id = out.Instances[0]?.InstanceId ?? '';
  await yieldToLoop();
  await advanceClock(ep(), 1);
  await waitForState(ep(), id, 'running');
  return id;
}

function doctor(...args: string[]): { status: number | null; report: FindingsReport; stderr: string } {
  const r = rolecall(
    ['doctor', '--endpoint', ep(), '--account', ACCOUNT, '--format', 'json', ...args],
    cleanEnv({ AWS_ACCESS_KEY_ID: ACCOUNT, AWS_SECRET_ACCESS_KEY: 'test' }),
  );
  assert.ok(r.stdout.trim() !== '', `rolecall doctor printed nothing (${r.status}): ${r.stderr}`);
  return { status: r.status, report: JSON.parse(r.stdout) as FindingsReport, stderr: r.stderr };
}

const summary = (report: FindingsReport): string[] =>
  report.findings.map((f) => [f.code, f.resource.name, ...(f.lint ? [f.lint.issueCode] : [])].join(' '));

describe('rolecall doctor on an account built with the AWS CLI', { skip: noAwsCli }, () => {
  let ciBotKey = '';
  let imdsV1 = '';
  let noProfile = '';

  before(async () => {
    // Made 100 days before the doctor looks: a role never used, a role used once, a key never used.
    role('legacy-batch', LAMBDA);
    aws('iam', 'create-user', '--user-name', 'ci-bot');
    ciBotKey = aws<{ AccessKey: { AccessKeyId: string } }>('iam', 'create-access-key', '--user-name', 'ci-bot')
      .AccessKey.AccessKeyId;
    aws('iam', 'create-user', '--user-name', 'runner');
    const runnerKey = aws<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string } }>(
      'iam',
      'create-access-key',
      '--user-name',
      'runner',
    ).AccessKey;
    const stale = `arn:aws:iam::${ACCOUNT}:role/stale-job`;
    role('stale-job', trust({ AWS: `arn:aws:iam::${ACCOUNT}:user/runner` }));
    aws(
      'iam',
      'put-user-policy',
      '--user-name',
      'runner',
      '--policy-name',
      'assume',
      '--policy-document',
      doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: stale }),
    );
    cliOk(ep(), ['sts', 'assume-role', '--role-arn', stale, '--role-session-name', 'nightly'], {
      id: runnerKey.AccessKeyId,
      secret: runnerKey.SecretAccessKey,
    });
    aws('iam', 'delete-access-key', '--user-name', 'runner', '--access-key-id', runnerKey.AccessKeyId);

    await yieldToLoop();
    await advanceClock(ep(), 100 * 86_400);

    // The mistakes of today.
    role('orphan-ec2', EC2);
    profile('empty-profile', undefined);
    role('untagged', LAMBDA, false);
    role('bare-role', EC2);
    profile('bare-profile', 'bare-role', false);
    role('deployer', LAMBDA);
    aws(
      'iam',
      'put-role-policy',
      '--role-name',
      'deployer',
      '--policy-name',
      'deploy',
      '--policy-document',
      doc({ Effect: 'Allow', Action: ['iam:PassRole', 'ec2:RunInstances'], Resource: '*' }),
    );
    role('shared', trust({ AWS: `arn:aws:iam::${OTHER}:root` }));
    imdsV1 = await launch();
    noProfile = await launch('--metadata-options', 'HttpTokens=required');
    const workload = cliOn(ep(), noProfile, ['sts', 'get-caller-identity']);
    assert.notEqual(workload.status, 0, 'a workload on an instance without a profile has no credentials');

    // A tidy application beside them: a tagged role in a tagged profile, on an IMDSv2-only instance; a user
    // whose fresh key is in use.
    role('web-app', EC2);
    aws(
      'iam',
      'put-role-policy',
      '--role-name',
      'web-app',
      '--policy-name',
      'read-reports',
      '--policy-document',
      READ_REPORTS,
    );
    profile('web-app', 'web-app');
    await launch('--iam-instance-profile', 'Name=web-app', '--metadata-options', 'HttpTokens=required');
    aws('iam', 'create-user', '--user-name', 'alice');
    const alice = aws<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string } }>(
      'iam',
      'create-access-key',
      '--user-name',
      'alice',
    ).AccessKey;
    cliOk(ep(), ['sts', 'get-caller-identity'], { id: alice.AccessKeyId, secret: alice.SecretAccessKey });
  });

  it('reports each seeded mistake and nothing else', () => {
    const { status, report } = doctor();
    assert.equal(status, 1, 'an ERROR finding fails the default --fail-on');
    assert.deepEqual(summary(report), [
      'ROLE_OVER_PERMISSIVE deployer PASS_ROLE_WITH_STAR_IN_RESOURCE',
      'ROLE_OVER_PERMISSIVE deployer PRIVILEGE_ESCALATION_COMBINATION',
      'ROLE_NEVER_USED legacy-batch',
      'ROLE_TRUSTS_EC2_WITHOUT_INSTANCE_PROFILE orphan-ec2',
      'ROLE_TRUST_OVER_PERMISSIVE shared CROSS_ACCOUNT_TRUST_WITHOUT_CONDITION',
      'ROLE_UNUSED stale-job',
      'ROLE_MISSING_TAGS untagged',
      'INSTANCE_PROFILE_MISSING_TAGS bare-profile',
      'INSTANCE_PROFILE_WITHOUT_ROLE empty-profile',
      ...[`INSTANCE_IMDSV1_ALLOWED ${imdsV1}`, `INSTANCE_WITHOUT_PROFILE_ASKED_FOR_CREDENTIALS ${noProfile}`].sort(
        (a, b) => (a.split(' ')[1] ?? '').localeCompare(b.split(' ')[1] ?? ''),
      ),
      `ACCESS_KEY_OLD ${ciBotKey}`,
      `ACCESS_KEY_UNUSED ${ciBotKey}`,
    ]);
    for (const f of report.findings) {
      assert.equal(f.account, ACCOUNT);
      assert.ok(f.why.length > 20 && f.fix.startsWith('aws '), `${f.code}: why and fix`);
    }
  });

  it('prints the same findings as text, each with why and the fix', () => {
    const r = rolecall(
      ['doctor', '--endpoint', ep(), '--account', ACCOUNT, '--fail-on', 'none'],
      cleanEnv({ AWS_ACCESS_KEY_ID: ACCOUNT, AWS_SECRET_ACCESS_KEY: 'test' }),
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^SECURITY_WARNING INSTANCE_IMDSV1_ALLOWED {2}instance ${imdsV1} \\(account ${ACCOUNT}\\)$`, 'm'),
    );
    assert.match(
      r.stdout,
      new RegExp(
        `^ {2}fix: aws ec2 modify-instance-metadata-options --instance-id ${imdsV1} --http-tokens required --http-endpoint enabled$`,
        'm',
      ),
    );
    assert.match(r.stdout, /^account 444455556666: 1 ERROR, 6 SECURITY_WARNING, 6 WARNING$/m);
  });

  it('sees a mistake fixed once its fix command has run', () => {
    const { report } = doctor();
    const fixOf = (code: string) => report.findings.find((f) => f.code === code)?.fix ?? '';
    for (const code of ['INSTANCE_IMDSV1_ALLOWED', 'ROLE_TRUSTS_EC2_WITHOUT_INSTANCE_PROFILE', 'ACCESS_KEY_UNUSED']) {
      for (const command of fixOf(code).split(' && ')) {
        const [tool, ...args] = command.split(' ');
        assert.equal(tool, 'aws');
        const r = cliRun(ep(), args, ROOT);
        assert.equal(r.status, 0, `${command}: ${r.stderr}`);
      }
    }
    const after = summary(doctor().report);
    assert.ok(!after.some((s) => s.startsWith('INSTANCE_IMDSV1_ALLOWED')));
    assert.ok(!after.some((s) => s.startsWith('ROLE_TRUSTS_EC2_WITHOUT_INSTANCE_PROFILE')));
    assert.ok(!after.some((s) => s.startsWith('ACCESS_KEY_')), 'an inactive key is no longer a risk');
    // The profile the fix created has no tags yet: the doctor says so.
    assert.ok(after.includes('INSTANCE_PROFILE_MISSING_TAGS orphan-ec2'), after.join('\n'));
  });
});
