import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthorizationResult } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { Decision } from '../policy/index.ts';
import { AwsError } from '../protocol/errors.ts';
import { iamModel } from '../protocol/generated/iam.ts';
import { s3Model } from '../protocol/generated/s3.ts';
import type { AuditEvent } from './types.ts';
import {
  buildDeliveryEvent,
  buildRequestEvent,
  eventCategory,
  requestEventLine,
  authorizationOf,
  isReadOnly,
  policyName,
  userIdentity,
  type RequestCapture,
} from './record.ts';

const ACCOUNT = '000000000000';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app/web`;

const session: Principal = {
  type: 'assumed-role',
  account: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/web/i-0abc`,
  userId: 'AROAEXAMPLE:i-0abc',
  accessKeyId: 'ASIAEXAMPLE',
  session: {
    kind: 'role',
    account: ACCOUNT,
    accessKeyId: 'ASIAEXAMPLE',
    secretAccessKey: 'never-recorded-secret',
    issuedAt: Date.parse('2026-01-01T00:00:00Z'),
    expiresAt: Date.parse('2026-01-01T06:00:00Z'),
    roleArn: ROLE_ARN,
    roleId: 'AROAEXAMPLE',
    roleName: 'web',
    sessionName: 'i-0abc',
    context: {
      'ec2:RoleDelivery': '2.0',
      'ec2:SourceInstanceARN': 'arn:aws:ec2:us-east-1:000000000000:instance/i-0abc',
    },
  },
};

const denied = (over: Partial<Decision> = {}): Decision => ({
  decision: 'ImplicitlyDenied',
  statements: [],
  blockedBy: 'identity',
  missingContextKeys: [],
  unevaluable: [],
  explanation: '',
  ...over,
});

/** The engine's check of a denied s3:GetObject on data/report.csv. */
const deniedGetObject = () => ({
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::data/report.csv',
  decision: denied(),
  context: { 'aws:SourceIp': '127.0.0.1' },
  resourceAccount: ACCOUNT,
});

function capture(over: Partial<RequestCapture> = {}): RequestCapture {
  return {
    time: new Date('2026-01-01T00:10:00.123Z'),
    requestId: 'REQ1',
    model: s3Model,
    operation: 'GetObject',
    principal: session,
    input: { Bucket: 'data', Key: 'report.csv' },
    output: undefined,
    error: new AwsError('AccessDenied', 403, 'Access Denied'),
    region: 'us-east-1',
    sourceIp: '127.0.0.1',
    userAgent: 'aws-cli/1.45',
    mode: 'on',
    authorization: undefined,
    authenticationFailed: false,
    ...over,
  };
}

describe('audit records', () => {
  it("describes an instance role's session as CloudTrail does", () => {
    assert.deepEqual(userIdentity(session), {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:i-0abc',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/web/i-0abc`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE', arn: ROLE_ARN, accountId: ACCOUNT, userName: 'web' },
        attributes: { creationDate: '2026-01-01T00:00:00Z', mfaAuthenticated: 'false' },
        ec2RoleDelivery: '2.0',
      },
    });
    assert.deepEqual(userIdentity(undefined, 'AKIAUNKNOWN', ACCOUNT), {
      type: 'Unknown',
      accountId: ACCOUNT,
      accessKeyId: 'AKIAUNKNOWN',
    });
  });

  it('records a denied S3 GetObject with its deciding check, resources and no response', () => {
    const check = deniedGetObject();
    const authorization: AuthorizationResult = { allowed: false, ...check, message: 'denied', checks: [check] };
    const e = buildRequestEvent(capture({ authorization }));
    assert.equal(e.eventTime, '2026-01-01T00:10:00Z');
    assert.equal(e.eventSource, 's3.amazonaws.com');
    assert.equal(e.eventCategory, 'Data');
    assert.equal(e.managementEvent, false);
    assert.equal(e.readOnly, true);
    assert.deepEqual(e.requestParameters, { bucketName: 'data', key: 'report.csv' });
    assert.equal(e.responseElements, null);
    assert.equal(e.errorCode, 'AccessDenied');
    assert.equal(e.recipientAccountId, ACCOUNT);
    assert.deepEqual(e.resources, [
      { ARN: 'arn:aws:s3:::data/report.csv', accountId: ACCOUNT, type: 'AWS::S3::Object' },
    ]);
    assert.deepEqual(e.authorization, {
      mode: 'on',
      decision: 'ImplicitlyDenied',
      checks: [
        {
          action: 's3:GetObject',
          resource: 'arn:aws:s3:::data/report.csv',
          decision: 'ImplicitlyDenied',
          statements: [],
          blockedBy: 'identity',
          context: { 'aws:SourceIp': '127.0.0.1' },
          resourceAccount: ACCOUNT,
        },
      ],
    });
    assert.doesNotMatch(JSON.stringify(e), /never-recorded-secret/);
  });

  it('records the denial waived in audit mode, NotEvaluated with enforcement off or failed authentication', () => {
    const d = denied({
      decision: 'ExplicitlyDenied',
      statements: [{ kind: 'identity', policyId: `${ROLE_ARN}#deny-s3`, index: 1, sid: 'NoS3', effect: 'Deny' }],
    });
    delete (d as { blockedBy?: string }).blockedBy;
    const check = { action: 's3:GetObject', resource: 'arn:aws:s3:::data/x', decision: d, context: {} };
    const audit = buildRequestEvent(
      capture({
        mode: 'audit',
        error: undefined,
        output: {},
        authorization: { allowed: false, ...check, message: '', checks: [check] },
      }),
    );
    assert.equal(audit.authorization?.decision, 'ExplicitlyDenied');
    assert.deepEqual(audit.authorization?.checks[0]?.statements, [
      { kind: 'identity', policy: 'role/web/inline/deny-s3', index: 1, sid: 'NoS3', effect: 'Deny' },
    ]);
    assert.equal(audit.errorCode, undefined);
    const off = buildRequestEvent(capture({ mode: 'off', authorization: { allowed: true } }));
    assert.deepEqual(off.authorization, { mode: 'off', decision: 'NotEvaluated', checks: [] });
    const failed = buildRequestEvent(
      capture({
        principal: undefined,
        failedAccessKeyId: 'AKIAWHO',
        input: undefined,
        authenticationFailed: true,
        error: new AwsError('SignatureDoesNotMatch', 403, 'bad'),
      }),
    );
    assert.equal(failed.userIdentity.type, 'Unknown');
    assert.equal(failed.userIdentity.accessKeyId, 'AKIAWHO');
    assert.equal(failed.errorCode, 'SignatureDoesNotMatch');
    assert.equal(failed.authorization?.decision, 'NotEvaluated');
    assert.equal(failed.requestParameters, null);
  });

  it('writes responseElements for calls that change something, redacted', () => {
    const e = buildRequestEvent(
      capture({
        model: iamModel,
        operation: 'CreateAccessKey',
        input: { UserName: 'alice' },
        output: { AccessKey: { UserName: 'alice', AccessKeyId: 'AKIA1', Status: 'Active', SecretAccessKey: 'S3CR3T' } },
        error: undefined,
        authorization: { allowed: true, checks: [] },
      }),
    );
    assert.equal(e.readOnly, false);
    assert.equal(e.eventCategory, 'Management');
    assert.deepEqual(e.responseElements, { accessKey: { userName: 'alice', accessKeyId: 'AKIA1', status: 'Active' } });
    assert.deepEqual(e.authorization, { mode: 'on', decision: 'Allowed', checks: [] });
  });

  it("writes each record as one JSON line in CloudTrail's order, allowed checks by a shortcut that agrees", () => {
    const check = deniedGetObject();
    // Allowed checks are written without an AuditCheck in between (record.ts allowedCheckJson).
    const allow = (over: Partial<Decision>): Decision => ({
      decision: 'Allowed',
      statements: [],
      missingContextKeys: [],
      unevaluable: [],
      explanation: '',
      ...over,
    });
    const allowedChecks = [
      {
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::data/report.csv',
        decision: allow({
          statements: [
            { kind: 'identity', policyId: `${ROLE_ARN}#read`, index: 0, sid: 'Read', effect: 'Allow' },
            { kind: 'resource', policyId: 'arn:aws:s3:::data#bucket-policy', index: 2, effect: 'Allow' },
          ],
          missingContextKeys: ['aws:SourceVpc'],
        }),
        context: { 'aws:SourceIp': '127.0.0.1' },
        resourceAccount: ACCOUNT,
      },
      { action: 's3:ListBucket', resource: '*', decision: allow({ statements: [] }), context: {} },
      { ...check, decision: allow({ blockedBy: 'identity' }) },
    ];
    const captures = [
      capture({ authorization: { allowed: false, ...check, message: 'denied', checks: [check] } }),
      capture({ error: undefined, output: {}, authorization: { allowed: true, checks: [] }, userAgent: undefined }),
      capture({
        model: iamModel,
        operation: 'CreateAccessKey',
        input: { UserName: 'alice' },
        output: { AccessKey: { UserName: 'alice', AccessKeyId: 'AKIA1', Status: 'Active', SecretAccessKey: 'S3CR3T' } },
        error: undefined,
        authorization: { allowed: true, checks: [] },
      }),
      capture({ principal: undefined, failedAccessKeyId: 'AKIAWHO', authenticationFailed: true, input: undefined }),
      capture({ mode: 'off', authorization: { allowed: true } }),
      capture({ error: undefined, output: {}, mode: 'audit', authorization: { allowed: true, checks: allowedChecks } }),
    ];
    for (const c of captures) {
      const line = requestEventLine(c, 'EVENT-1');
      const record = JSON.parse(line) as AuditEvent;
      assert.deepEqual(Object.keys(record).slice(0, 4), ['eventVersion', 'userIdentity', 'eventTime', 'eventSource']);
      assert.equal(record.eventID, 'EVENT-1');
      // An allowed request's authorization element is written by a shortcut: it says what the general form says.
      assert.deepEqual(record.authorization, JSON.parse(JSON.stringify(authorizationOf(c) ?? null)) ?? undefined);
      // Twice: the second comes from the cache of identities.
      assert.equal(requestEventLine(c, 'EVENT-1'), line);
    }
  });

  it('classifies reads and data events', () => {
    assert.equal(isReadOnly('iam', 'ListRoles'), true);
    assert.equal(isReadOnly('s3', 'HeadObject'), true);
    assert.equal(isReadOnly('sts', 'AssumeRole'), true);
    assert.equal(isReadOnly('iam', 'CreateRole'), false);
    assert.equal(eventCategory('s3', 'PutObject'), 'Data');
    assert.equal(eventCategory('s3', 'ListObjectsV2'), 'Data');
    assert.equal(eventCategory('s3', 'PutBucketPolicy'), 'Management');
    assert.equal(eventCategory('s3', 'ListBuckets'), 'Management');
    assert.equal(eventCategory('lambda', 'Invoke'), 'Data');
    assert.equal(eventCategory('logs', 'PutLogEvents'), 'Data');
    assert.equal(eventCategory('logs', 'CreateLogGroup'), 'Management');
  });

  it('names policies by ARN, inline name, or the resource they belong to', () => {
    assert.equal(policyName('arn:aws:iam::aws:policy/ReadOnlyAccess#v3'), 'arn:aws:iam::aws:policy/ReadOnlyAccess');
    assert.equal(policyName(`arn:aws:iam::${ACCOUNT}:user/team/alice#mine`), 'user/alice/inline/mine');
    assert.equal(policyName(`${ROLE_ARN}#trust`), ROLE_ARN);
    assert.equal(policyName('arn:aws:s3:::data#policy#3'), 'arn:aws:s3:::data');
    assert.equal(policyName(`arn:aws:sts::${ACCOUNT}:assumed-role/web/s#session-policy`), 'session-policy');
  });

  it("records EC2's credential issue for an instance as an AssumeRole by the service", () => {
    const e = buildDeliveryEvent({
      time: new Date('2026-01-01T00:00:00Z'),
      account: ACCOUNT,
      region: 'us-east-1',
      instanceId: 'i-0abc',
      roleArn: ROLE_ARN,
      accessKeyId: 'ASIAEXAMPLE',
      expiresAt: new Date('2026-01-01T06:00:00Z'),
      durationSeconds: 21600,
      trust: { ...denied(), decision: 'Allowed' },
      trustPolicy: { id: `${ROLE_ARN}#trust`, document: '{}' },
    });
    assert.deepEqual(e.userIdentity, { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' });
    assert.equal(e.eventSource, 'sts.amazonaws.com');
    assert.equal(e.eventName, 'AssumeRole');
    assert.deepEqual(e.requestParameters, { roleArn: ROLE_ARN, roleSessionName: 'i-0abc', durationSeconds: 21600 });
    assert.deepEqual(e.responseElements, {
      credentials: { accessKeyId: 'ASIAEXAMPLE', expiration: '2026-01-01T06:00:00.000Z' },
      assumedRoleUser: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/web/i-0abc` },
    });
    assert.equal(e.authorization?.decision, 'Allowed');
  });
});
