/**
 * Issue 9's done-when, end to end: a workload on an instance (SDK v3 under `rolecall run`, credentials from the
 * metadata service) is refused S3 GetObject; `rolecall explain <the RequestId of that error>` names the missing
 * permission (s3:GetObject on the object's ARN) and the command that grants it; `rolecall suggest-policy --role R`
 * suggests exactly that permission, which `aws iam put-role-policy` applies; the workload then succeeds. Along the
 * way: RoleLastUsed follows the session's requests, the IAM service last accessed report lists S3 as used by the
 * role and EC2 (granted, never used) without a date, and explaining the old request says the policies changed.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsCli, noAwsCli } from '../support/clients.ts';
import { removeDir, tempDir } from '../support/server.ts';
import { EC2_TRUST_JSON, useServer } from './helpers.ts';
import { ACCOUNT, allow, cleanEnv, Cloud, doc, NODE_PATH, onInstance, rolecall, ROOT_CREDS } from './imds-helpers.ts';
import type { ExplainReport } from '../../src/audit/explain-types.ts';
import type { SuggestReport } from '../../src/audit/suggest-service.ts';

const BUCKET = 'reports';
const KEY = 'daily/report.csv';
const OBJECT_ARN = `arn:aws:s3:::${BUCKET}/${KEY}`;
const ROLE = 'reporter';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;

/** The workload: GetObject with the instance's credentials; prints {ok: body} or {error: {name, requestId}}. */
const WORKLOAD = `
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const [bucket, key] = process.argv.slice(2);
(async () => {
  const s3 = new S3Client({ forcePathStyle: true, maxAttempts: 1 });
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    console.log(JSON.stringify({ ok: await r.Body.transformToString() }));
  } catch (e) {
    console.log(JSON.stringify({ error: { name: e.name, message: e.message, requestId: e.$metadata?.requestId } }));
  }
})();
`;

type WorkloadResult = { ok: string } | { error: { name: string; message: string; requestId?: string } };

describe('rolecall explain and suggest-policy: a denied GetObject by an instance role', { skip: noAwsCli }, () => {
  const server = useServer();
  const endpoint = () => server().endpoint;
  let cloud: Cloud;
  let dir = '';
  let instance = '';
  let deniedRequestId = '';
  const content = `day,total\n${process.pid},42\n`;

  const workload = (): WorkloadResult => {
    const r = onInstance(endpoint(), instance, [process.execPath, join(dir, 'workload.cjs'), BUCKET, KEY], {
      ...cleanEnv(),
      NODE_PATH,
    });
    assert.equal(r.status, 0, `workload failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as WorkloadResult;
  };
  const cli = <T>(args: readonly string[]): T => {
    const r = awsCli(endpoint(), args);
    assert.equal(r.status, 0, `aws ${args.join(' ')} failed:\n${r.stderr}`);
    return (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as T;
  };
  const run = (args: readonly string[]) => rolecall([...args, '--endpoint', endpoint()]);

  before(async () => {
    dir = tempDir('rolecall-explain-');
    writeFileSync(join(dir, 'workload.cjs'), WORKLOAD);
    cloud = new Cloud(endpoint());
    const s3 = new S3Client({
      endpoint: endpoint(),
      region: 'us-east-1',
      credentials: ROOT_CREDS,
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: content }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'daily/other.csv', Body: 'x' }));
    s3.destroy();
    // The role may describe instances (never used) and nothing in S3.
    await cloud.role(ROLE, EC2_TRUST_JSON, { base: doc(allow('ec2:DescribeInstances')) });
    await cloud.profile(`${ROLE}-profile`, ROLE);
    [instance = ''] = await cloud.launch({ IamInstanceProfile: { Name: `${ROLE}-profile` } });
  });

  after(() => {
    cloud.destroy();
    if (dir !== '') removeDir(dir);
  });

  it('the workload is refused GetObject, and explain names the missing permission', () => {
    const first = workload();
    assert.ok('error' in first, JSON.stringify(first));
    assert.equal(first.error.name, 'AccessDenied');
    deniedRequestId = first.error.requestId ?? '';
    assert.notEqual(deniedRequestId, '');

    const text = run(['explain', deniedRequestId]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`caller: arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/${instance}`));
    assert.ok(text.stdout.includes(`s3:GetObject on ${OBJECT_ARN}`), text.stdout);
    assert.ok(text.stdout.includes('no identity-based policy'), text.stdout);
    assert.ok(
      text.stdout.includes(
        `aws iam put-role-policy --role-name ${ROLE} --policy-name allow-s3-GetObject --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"${OBJECT_ARN}"}]}'`,
      ),
      text.stdout,
    );

    const json = run(['explain', deniedRequestId, '--json']);
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout) as ExplainReport;
    assert.equal(report.requestId, deniedRequestId);
    assert.equal(report.recordedDecision, 'ImplicitlyDenied');
    const [c] = report.checks;
    assert.equal(c?.action, 's3:GetObject');
    assert.equal(c?.resource, OBJECT_ARN);
    assert.equal(c?.now?.blockedBy, 'identity');
    assert.equal(c?.changed, false);
    assert.deepEqual(
      c?.policies.map((p) => [p.policyId, p.statements.map((s) => s.action.matched)]),
      [[`${ROLE_ARN}#base`, [false]]],
    );
    assert.deepEqual(c?.fixes[0]?.statement, { Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECT_ARN });

    const unknown = run(['explain', 'no-such-request']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no recorded request with id 'no-such-request'/);
  });

  it('suggest-policy grants exactly what was used; applied with put-role-policy, the workload succeeds', () => {
    const policyOnly = run(['suggest-policy', '--role', ROLE, '--since', '1h', '--policy-only']);
    assert.equal(policyOnly.status, 0, policyOnly.stderr);
    const policy = JSON.parse(policyOnly.stdout) as unknown;
    assert.deepEqual(policy, {
      Version: '2012-10-17',
      Statement: [{ Sid: 'S3', Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECT_ARN }],
    });

    const full = run(['suggest-policy', '--role', ROLE, '--json']);
    assert.equal(full.status, 0, full.stderr);
    const report = JSON.parse(full.stdout) as SuggestReport;
    assert.equal(report.role, ROLE_ARN);
    assert.deepEqual(report.diff.lacking, [{ action: 's3:GetObject', resource: OBJECT_ARN }]);
    assert.deepEqual(report.diff.unusedActions, ['ec2:DescribeInstances']);
    assert.equal(report.invalid, undefined);

    const file = join(dir, 'policy.json');
    writeFileSync(file, policyOnly.stdout);
    cli([
      'iam',
      'put-role-policy',
      '--role-name',
      ROLE,
      '--policy-name',
      'rolecall-suggested',
      '--policy-document',
      `file://${file}`,
    ]);

    assert.deepEqual(workload(), { ok: content });
    // Nothing broader than needed: the neighbouring object stays out of reach.
    const other = onInstance(
      endpoint(),
      instance,
      [process.execPath, join(dir, 'workload.cjs'), BUCKET, 'daily/other.csv'],
      {
        ...cleanEnv(),
        NODE_PATH,
      },
    );
    assert.equal((JSON.parse(other.stdout.trim()) as { error?: { name: string } }).error?.name, 'AccessDenied');

    // The old request, explained now, is allowed: the policies changed since.
    const again = JSON.parse(run(['explain', deniedRequestId, '--json']).stdout) as ExplainReport;
    assert.equal(again.checks[0]?.now?.decision, 'Allowed');
    assert.equal(again.checks[0]?.changed, true);
  });

  it('RoleLastUsed and the service last accessed report follow the role’s sessions', async () => {
    const role = cli<{ Role: { RoleLastUsed?: { LastUsedDate?: string; Region?: string } } }>([
      'iam',
      'get-role',
      '--role-name',
      ROLE,
    ]);
    assert.equal(role.Role.RoleLastUsed?.Region, 'us-east-1');
    assert.ok(role.Role.RoleLastUsed?.LastUsedDate);

    const { JobId } = cli<{ JobId: string }>([
      'iam',
      'generate-service-last-accessed-details',
      '--arn',
      ROLE_ARN,
      '--granularity',
      'ACTION_LEVEL',
    ]);
    const details = cli<{
      JobStatus: string;
      ServicesLastAccessed: {
        ServiceNamespace: string;
        LastAuthenticated?: string;
        LastAuthenticatedEntity?: string;
        TotalAuthenticatedEntities: number;
        TrackedActionsLastAccessed?: { ActionName: string }[];
      }[];
    }>(['iam', 'get-service-last-accessed-details', '--job-id', JobId]);
    assert.equal(details.JobStatus, 'COMPLETED');
    const byService = new Map(details.ServicesLastAccessed.map((s) => [s.ServiceNamespace, s]));
    assert.deepEqual([...byService.keys()].sort(), ['ec2', 's3']);
    assert.equal(byService.get('ec2')?.LastAuthenticated, undefined);
    assert.equal(byService.get('ec2')?.TotalAuthenticatedEntities, 0);
    assert.equal(byService.get('s3')?.LastAuthenticatedEntity, ROLE_ARN);
    assert.ok(byService.get('s3')?.LastAuthenticated);
    assert.deepEqual(
      byService.get('s3')?.TrackedActionsLastAccessed?.map((a) => a.ActionName),
      ['GetObject'],
    );
    await Promise.resolve();
  });
});
