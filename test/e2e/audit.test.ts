/**
 * Issue 9's audit trail, end to end, against a real `rolecall serve` on a SQLite data directory:
 *  - a workload on an instance (`rolecall run --instance … -- aws s3api get-object`) is refused GetObject, and
 *    `aws cloudtrail lookup-events` shows the denial with the instance role's identity: AssumedRole, the session
 *    named after the instance, sessionContext.sessionIssuer the role, ec2RoleDelivery, and EC2's AssumeRole for
 *    the instance's credentials;
 *  - no secret reaches the trail: every secret key and session token issued (CreateAccessKey, AssumeRole,
 *    GetSessionToken, the metadata service), an object body, a log message and EC2 user data are looked for in
 *    every stored audit record, in `rolecall audit export` and in LookupEvents' answers;
 *  - `rolecall audit tail` and `export`;
 *  - the trail survives a restart.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AssumeRoleCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { noAwsCli } from '../support/clients.ts';
import { removeDir, startRolecall, tempDir, type RolecallProcess } from '../support/server.ts';
import { createStore } from '../../src/store/open-store.ts';
import { decodeBatch, type StoredBatch } from '../../src/audit/chunk.ts';
import { AUDIT_KIND } from '../../src/audit/trail.ts';
import type { AuditEvent } from '../../src/audit/types.ts';
import { cliOk, cliRun } from './helpers.ts';
import {
  ACCOUNT,
  allow,
  cleanEnv,
  Cloud,
  cliOn,
  credentialsDocument,
  doc,
  rolecall,
  sessionArn,
} from './imds-helpers.ts';

const BUCKET = 'audit-data';
const KEY = 'reports/q3.csv';
const ROLE = 'audit-app';
const PROFILE = 'audit-app-profile';
const BODY = 'TOP-SECRET-OBJECT-BODY-5f1c';
const LOG_MESSAGE = 'TOP-SECRET-LOG-LINE-9a2e';
const USER_DATA_SECRET = 'TOP-SECRET-USER-DATA-77b0';
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const ACCOUNT_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
});

interface LookupAnswer {
  Events: { EventId: string; EventName: string; Username?: string; ReadOnly: string; CloudTrailEvent: string }[];
  NextToken?: string;
}

describe('audit trail end to end', { skip: noAwsCli }, () => {
  const dataDir = tempDir('rolecall-audit-e2e-');
  let server: RolecallProcess;
  let cloud: Cloud;
  let instanceId = '';
  let roleArn = '';
  let roleId = '';
  /** Every secret rolecall handed out or was handed; none may appear in the trail. */
  const secrets: string[] = [BODY, LOG_MESSAGE, USER_DATA_SECRET];
  const endpoint = () => server.endpoint;

  before(async () => {
    server = await startRolecall({ dataDir });
    cloud = new Cloud(endpoint());
    const role = await cloud.role(ROLE, EC2_TRUST);
    roleArn = role.arn;
    roleId = role.id;
    await cloud.profile(PROFILE, ROLE);
    const bodyFile = join(dataDir, 'body.txt');
    writeFileSync(bodyFile, BODY);
    cliOk(endpoint(), ['s3api', 'create-bucket', '--bucket', BUCKET]);
    cliOk(endpoint(), ['s3api', 'put-object', '--bucket', BUCKET, '--key', KEY, '--body', bodyFile]);
    [instanceId = ''] = await cloud.launch({
      IamInstanceProfile: { Name: PROFILE },
      UserData: Buffer.from(`#!/bin/sh\nexport DB_PASSWORD=${USER_DATA_SECRET}\n`).toString('base64'),
    });
  });

  after(async () => {
    cloud.destroy();
    await server.stop();
    removeDir(dataDir);
  });

  it("shows a workload's denied GetObject with the instance role's identity in aws cloudtrail lookup-events", async () => {
    const out = join(dataDir, 'out.txt');
    const denied = cliOn(endpoint(), instanceId, ['s3api', 'get-object', '--bucket', BUCKET, '--key', KEY, out]);
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /AccessDenied/);

    const answer = cliOk<LookupAnswer>(endpoint(), [
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=EventName,AttributeValue=GetObject',
    ]);
    const event = answer.Events.find((e) => JSON.parse(e.CloudTrailEvent).errorCode === 'AccessDenied');
    assert.ok(event, JSON.stringify(answer, null, 2));
    assert.equal(event.Username, instanceId);
    assert.equal(event.ReadOnly, 'true');
    const record = JSON.parse(event.CloudTrailEvent) as AuditEvent;
    assert.equal(record.eventSource, 's3.amazonaws.com');
    assert.equal(record.eventCategory, 'Data');
    assert.equal(record.requestParameters?.['bucketName'], BUCKET);
    assert.equal(record.requestParameters?.['key'], KEY);
    const identity = record.userIdentity;
    assert.equal(identity.type, 'AssumedRole');
    assert.equal(identity.arn, sessionArn(ROLE, instanceId));
    assert.equal(identity.principalId, `${roleId}:${instanceId}`);
    assert.equal(identity.accountId, ACCOUNT);
    assert.match(identity.accessKeyId ?? '', /^ASIA/);
    assert.deepEqual(identity.sessionContext?.sessionIssuer, {
      type: 'Role',
      principalId: roleId,
      arn: roleArn,
      accountId: ACCOUNT,
      userName: ROLE,
    });
    assert.equal(identity.sessionContext?.ec2RoleDelivery, '2.0');
    assert.equal(identity.sessionContext?.attributes.mfaAuthenticated, 'false');
    assert.match(identity.sessionContext?.attributes.creationDate ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(record.authorization?.decision, 'ImplicitlyDenied');
    assert.deepEqual(
      record.authorization?.checks.map((c) => [c.action, c.resource, c.blockedBy]),
      [['s3:GetObject', `arn:aws:s3:::${BUCKET}/${KEY}`, 'identity']],
    );

    // EC2 obtaining the instance's credentials: an AssumeRole by the service, the session named after the instance.
    const assumed = cliOk<LookupAnswer>(endpoint(), [
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      `AttributeKey=ResourceName,AttributeValue=${roleArn}`,
    ]);
    const delivery = assumed.Events.map((e) => JSON.parse(e.CloudTrailEvent) as AuditEvent).find(
      (r) => r.eventName === 'AssumeRole',
    );
    assert.ok(delivery, JSON.stringify(assumed, null, 2));
    assert.deepEqual(delivery.userIdentity, { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' });
    assert.equal(delivery.eventSource, 'sts.amazonaws.com');
    assert.equal((delivery.requestParameters as { roleSessionName?: string }).roleSessionName, instanceId);
  });

  it('pages through lookup-events with --max-items and refuses two lookup attributes', () => {
    const page = cliOk<LookupAnswer>(endpoint(), ['cloudtrail', 'lookup-events', '--max-items', '2']);
    assert.equal(page.Events.length, 2);
    assert.ok(page.NextToken);
    const next = cliOk<LookupAnswer>(endpoint(), [
      'cloudtrail',
      'lookup-events',
      '--max-items',
      '2',
      '--starting-token',
      page.NextToken,
    ]);
    assert.notEqual(next.Events[0]?.EventId, page.Events[0]?.EventId);
    const two = cliRun(endpoint(), [
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=EventName,AttributeValue=GetObject',
      'AttributeKey=Username,AttributeValue=root',
    ]);
    assert.notEqual(two.status, 0);
    assert.match(two.stderr, /InvalidLookupAttributesException/);
  });

  it('never records a secret: keys, session tokens, object bodies, log lines or user data', async () => {
    const iam = new IAMClient({
      endpoint: endpoint(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await iam.send(new CreateUserCommand({ UserName: 'auditee' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'auditee',
        PolicyName: 'assume',
        PolicyDocument: doc(allow('sts:AssumeRole', '*')),
      }),
    );
    await cloud.role('audit-assumable', ACCOUNT_TRUST);
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'auditee' }))).AccessKey;
    assert.ok(key?.AccessKeyId && key.SecretAccessKey);
    secrets.push(key.SecretAccessKey);
    const userCreds = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
    const sts = new STSClient({ endpoint: endpoint(), region: 'us-east-1', credentials: userCreds });
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/audit-assumable`,
        RoleSessionName: 'audit-session',
      }),
    );
    const session = await sts.send(new GetSessionTokenCommand({}));
    for (const c of [assumed.Credentials, session.Credentials]) {
      assert.ok(c?.SecretAccessKey && c.SessionToken);
      secrets.push(c.SecretAccessKey, c.SessionToken);
    }
    // A request signed with a session token records the token nowhere either.
    const asSession = new IAMClient({
      endpoint: endpoint(),
      region: 'us-east-1',
      credentials: {
        accessKeyId: assumed.Credentials?.AccessKeyId ?? '',
        secretAccessKey: assumed.Credentials?.SecretAccessKey ?? '',
        sessionToken: assumed.Credentials?.SessionToken ?? '',
      },
    });
    await asSession.send(new CreateUserCommand({ UserName: 'never' })).catch(() => undefined);
    const metadata = (await cloud.metadataEndpoint(instanceId)) ?? '';
    const instanceCreds = await credentialsDocument(metadata, ROLE);
    secrets.push(instanceCreds.SecretAccessKey, instanceCreds.Token);
    cliOk(endpoint(), ['logs', 'create-log-group', '--log-group-name', '/audit/app']);
    cliOk(endpoint(), ['logs', 'create-log-stream', '--log-group-name', '/audit/app', '--log-stream-name', 's']);
    cliOk(endpoint(), [
      'logs',
      'put-log-events',
      '--log-group-name',
      '/audit/app',
      '--log-stream-name',
      's',
      '--log-events',
      `timestamp=${Date.now()},message=${LOG_MESSAGE}`,
    ]);
    for (const c of [iam, sts, asSession]) c.destroy();

    const exported = rolecall(['audit', 'export', '--format', 'jsonl', '--endpoint', endpoint()], cleanEnv());
    assert.equal(exported.status, 0, exported.stderr);
    const lookedUp = cliOk<LookupAnswer>(endpoint(), ['cloudtrail', 'lookup-events']);
    const names = exported.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as AuditEvent).eventName);
    for (const name of [
      'CreateAccessKey',
      'AssumeRole',
      'GetSessionToken',
      'PutObject',
      'PutLogEvents',
      'RunInstances',
    ]) {
      assert.ok(names.includes(name), `${name} is in the trail`);
    }

    // Every stored audit record, read from the data directory once the server has written and closed it.
    await server.stop();
    const store = createStore({ backend: 'sqlite', dataDir });
    await store.open();
    // Batches are stored deflated: search their records, and the raw stored values too.
    const batches = await store.list<StoredBatch>(AUDIT_KIND);
    const stored =
      JSON.stringify(batches) + batches.flatMap((b) => decodeBatch(b.value).map((e) => JSON.stringify(e))).join('\n');
    await store.close();
    server = await startRolecall({ dataDir });
    cloud = new Cloud(endpoint());

    for (const secret of secrets) {
      assert.ok(!stored.includes(secret), `a secret (${secret.slice(0, 6)}…) is in the stored trail`);
      assert.ok(!exported.stdout.includes(secret), `a secret (${secret.slice(0, 6)}…) is in the export`);
      assert.ok(!JSON.stringify(lookedUp).includes(secret), `a secret (${secret.slice(0, 6)}…) is in LookupEvents`);
    }
    assert.ok(stored.length > 10_000, 'the stored trail was read');
  });

  it('keeps the trail across a restart, and `rolecall audit tail` prints it', () => {
    // The previous test restarted the server on the same data directory.
    const denied = cliOk<LookupAnswer>(endpoint(), [
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=EventName,AttributeValue=GetObject',
    ]);
    assert.ok(denied.Events.some((e) => (JSON.parse(e.CloudTrailEvent) as AuditEvent).errorCode === 'AccessDenied'));
    const tail = rolecall(['audit', 'tail', '--denied', '--principal', roleArn, '--endpoint', endpoint()], cleanEnv());
    assert.equal(tail.status, 0, tail.stderr);
    assert.match(
      tail.stdout,
      new RegExp(
        `Z {2}${sessionArn(ROLE, instanceId).replace(/[/.]/g, '\\$&')} {2}s3:GetObject {2}ImplicitlyDenied {2}AccessDenied\\n`,
      ),
    );
    const refused = rolecall(['audit', 'export', '--format', 'csv', '--endpoint', endpoint()], cleanEnv());
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /--format must be jsonl/);
  });
});
