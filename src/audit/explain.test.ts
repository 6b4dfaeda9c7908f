import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsManagedPolicies } from '../state/aws-managed-policies.ts';
import {
  ACCOUNT,
  auditEvent,
  check,
  emptyState,
  MemoryTrail,
  putRole,
  putUser,
  roleRecord,
  sessionIdentity,
  userIdentity,
  userRecord,
} from '../../test/support/audit-events.ts';
import { explainRequest } from './explain.ts';
import { explainText } from './explain-text.ts';
import { policyRef } from './explain-fix.ts';

const awsManaged = AwsManagedPolicies.load();
const doc = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const OBJECT = 'arn:aws:s3:::data/report.csv';

async function setup() {
  const state = await emptyState();
  const trail = new MemoryTrail();
  const role = roleRecord('app', {
    inlinePolicies: [
      {
        name: 'logs',
        document: doc([
          { Sid: 'Logs', Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' },
          { Sid: 'Other', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' },
        ]),
      },
    ],
  });
  await putRole(state, role);
  return { state, trail, role, deps: { state, awsManaged, trail } };
}

describe('explainRequest', () => {
  it('names the missing permission of an implicit deny, with the statement and command that would allow it', async () => {
    const { trail, role, deps } = await setup();
    trail.record(
      auditEvent({
        identity: sessionIdentity(role),
        requestId: 'DENIED1',
        checks: [
          check('s3:GetObject', OBJECT, 'ImplicitlyDenied', {
            resourceAccount: ACCOUNT,
            context: { 'aws:SourceIp': '127.0.0.1' },
          }),
        ],
      }),
    );
    const report = explainRequest(deps, 'DENIED1');
    assert.ok(report);
    assert.equal(report.recordedDecision, 'ImplicitlyDenied');
    assert.equal(report.principal.roleArn, role.arn);
    const [c] = report.checks;
    assert.ok(c?.now);
    assert.equal(c.now.decision, 'ImplicitlyDenied');
    assert.equal(c.now.blockedBy, 'identity');
    assert.equal(c.changed, false);
    assert.deepEqual(
      c.policies.map((p) => [p.kind, p.policyId, p.statements.map((s) => [s.action.matched, s.resource?.matched])]),
      [
        [
          'identity',
          `${role.arn}#logs`,
          [
            [false, true],
            [true, false],
          ],
        ],
      ],
    );
    assert.deepEqual(c.nearMisses, [
      {
        kind: 'identity',
        policyId: `${role.arn}#logs`,
        index: 1,
        sid: 'Other',
        reasons: [`Resource arn:aws:s3:::other/* does not match ${OBJECT}`],
      },
    ]);
    assert.deepEqual(c.fixes[0]?.statement, { Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECT });
    assert.equal(
      c.fixes[0]?.command,
      `aws iam put-role-policy --role-name app --policy-name allow-s3-GetObject --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"${OBJECT}"}]}'`,
    );
    const text = explainText(report);
    assert.match(text, /s3:GetObject on arn:aws:s3:::data\/report\.csv/);
    assert.match(text, /FAIL Resource arn:aws:s3:::other\/\*/);
    assert.match(text, /aws iam put-role-policy --role-name app/);
  });

  it('says when the policies changed since the request', async () => {
    const { state, trail, role, deps } = await setup();
    trail.record(
      auditEvent({
        identity: sessionIdentity(role),
        requestId: 'DENIED2',
        checks: [check('s3:GetObject', OBJECT, 'ImplicitlyDenied', { resourceAccount: ACCOUNT })],
      }),
    );
    await putRole(state, {
      ...role,
      inlinePolicies: [
        { name: 'read', document: doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECT }]) },
      ],
    });
    const report = explainRequest(deps, 'DENIED2');
    const [c] = report?.checks ?? [];
    assert.equal(c?.now?.decision, 'Allowed');
    assert.equal(c?.changed, true);
    assert.deepEqual(c?.fixes, []);
    assert.ok(report?.notes.some((n) => n.includes('the policies changed since the request')));
  });

  it('names the denying statement of an explicit deny and each condition with the values it saw', async () => {
    const state = await emptyState();
    const trail = new MemoryTrail();
    const user = userRecord('alice', {
      inlinePolicies: [
        {
          name: 'guard',
          document: doc([
            { Effect: 'Allow', Action: 's3:*', Resource: '*' },
            {
              Sid: 'OfficeOnly',
              Effect: 'Deny',
              Action: 's3:*',
              Resource: '*',
              Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
            },
          ]),
        },
      ],
    });
    await putUser(state, user);
    trail.record(
      auditEvent({
        identity: userIdentity(user),
        requestId: 'EXPLICIT',
        checks: [
          check('s3:GetObject', OBJECT, 'ExplicitlyDenied', {
            resourceAccount: ACCOUNT,
            context: { 'aws:SourceIp': '192.0.2.7' },
          }),
        ],
      }),
    );
    const report = explainRequest({ state, awsManaged, trail }, 'EXPLICIT');
    const [c] = report?.checks ?? [];
    assert.equal(c?.now?.decision, 'ExplicitlyDenied');
    assert.deepEqual(c?.policies[0]?.statements[1]?.conditions, [
      {
        operator: 'NotIpAddress',
        key: 'aws:SourceIp',
        policyValues: ['10.0.0.0/8'],
        requestValues: ['192.0.2.7'],
        result: true,
        missing: false,
      },
    ]);
    assert.equal(c?.fixes.length, 1);
    assert.match(
      c?.fixes[0]?.summary ?? '',
      /statement 2 \(Sid "OfficeOnly"\) of the identity-based policy .*user\/alice#guard denies/,
    );
    assert.match(c?.fixes[0]?.command ?? '', /aws iam get-user-policy --user-name alice --policy-name guard/);
  });

  it('points at the permissions boundary when it is what blocks', async () => {
    const state = await emptyState();
    const trail = new MemoryTrail();
    const boundary = 'arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess';
    const role = roleRecord('bounded', {
      permissionsBoundaryArn: boundary,
      inlinePolicies: [{ name: 'all', document: doc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]) }],
    });
    await putRole(state, role);
    trail.record(
      auditEvent({
        identity: sessionIdentity(role),
        requestId: 'BOUNDED',
        checks: [
          check('s3:GetObject', OBJECT, 'ImplicitlyDenied', { blockedBy: 'boundary', resourceAccount: ACCOUNT }),
        ],
      }),
    );
    const [c] = explainRequest({ state, awsManaged, trail }, 'BOUNDED')?.checks ?? [];
    assert.equal(c?.now?.blockedBy, 'boundary');
    assert.equal(c?.fixes[0]?.kind, 'boundary');
    assert.equal(c?.fixes[0]?.policy, boundary);
    assert.match(
      c?.fixes[0]?.command ?? '',
      /aws iam create-policy-version --policy-arn arn:aws:iam::aws:policy\/AmazonEC2ReadOnlyAccess/,
    );
  });

  it('re-evaluates a bucket policy as recorded and asks for a statement in it', async () => {
    const { trail, role, deps } = await setup();
    // A cross-account bucket: the role's own side allows, the bucket policy names someone else.
    const bucketPolicy = doc([
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 's3:GetObject', Resource: '*' },
    ]);
    trail.record(
      auditEvent({
        identity: sessionIdentity(role),
        requestId: 'XACCT',
        checks: [
          check('s3:GetObject', 'arn:aws:s3:::other/x', 'ImplicitlyDenied', {
            blockedBy: 'resource',
            resourceAccount: '444455556666',
            resourcePolicy: { id: 'arn:aws:s3:::other#policy#3', document: bucketPolicy },
          }),
        ],
      }),
    );
    const report = explainRequest(deps, 'XACCT');
    const [c] = report?.checks ?? [];
    assert.equal(c?.now?.blockedBy, 'resource');
    assert.deepEqual(c?.fixes[0]?.statement, {
      Effect: 'Allow',
      Principal: { AWS: role.arn },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::other/x',
    });
    assert.equal(c?.fixes[0]?.command, 'aws s3api put-bucket-policy --bucket other --policy file://policy.json');
    assert.ok(report?.notes.some((n) => n.includes('as it was when the request ran')));
  });

  it('explains a metadata-service delivery refused by the role trust policy', async () => {
    const state = await emptyState();
    const trail = new MemoryTrail();
    const lambdaTrust = doc([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const role = roleRecord('web', { trustPolicy: lambdaTrust });
    await putRole(state, role);
    trail.record({
      ...auditEvent({
        identity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' },
        requestId: 'DELIVERY',
        eventName: 'AssumeRole',
        checks: [
          check('sts:AssumeRole', role.arn, 'ImplicitlyDenied', {
            blockedBy: 'resource',
            resourcePolicy: { id: `${role.arn}#trust`, document: lambdaTrust },
          }),
        ],
      }),
      requestParameters: { roleArn: role.arn, roleSessionName: 'i-0abc' },
    });
    const [c] = explainRequest({ state, awsManaged, trail }, 'DELIVERY')?.checks ?? [];
    assert.equal(c?.now?.decision, 'ImplicitlyDenied');
    assert.deepEqual(c?.policies[0]?.statements[0]?.principal?.values, ['Service:lambda.amazonaws.com']);
    assert.deepEqual(c?.fixes[0]?.statement, {
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    });
    assert.equal(
      c?.fixes[0]?.command,
      'aws iam update-assume-role-policy --role-name web --policy-document file://trust.json',
    );
  });

  it('tells a deleted role apart and knows nothing of unknown ids', async () => {
    const { state, trail, role, deps } = await setup();
    trail.record(
      auditEvent({
        identity: sessionIdentity(role),
        requestId: 'GONE',
        checks: [check('s3:GetObject', OBJECT, 'ImplicitlyDenied')],
      }),
    );
    await putRole(state, { ...role, id: 'AROANEWNEWNEWNEWNEWN' });
    const report = explainRequest(deps, 'GONE');
    assert.ok(report?.notes.some((n) => n.includes('has been deleted')));
    assert.equal(explainRequest(deps, 'NOPE'), undefined);
  });
});

describe('policyRef', () => {
  it('reads the ids authorization gives policies', () => {
    assert.deepEqual(policyRef('arn:aws:iam::111122223333:role/a/b/app#inline-1'), {
      type: 'inline',
      holder: 'role',
      name: 'app',
      policyName: 'inline-1',
    });
    assert.deepEqual(policyRef('arn:aws:iam::aws:policy/ReadOnlyAccess#v3'), {
      type: 'managed',
      arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    });
    assert.deepEqual(policyRef('arn:aws:iam::111122223333:role/app#trust'), { type: 'trust', roleName: 'app' });
    assert.deepEqual(policyRef('arn:aws:s3:::data#policy#2'), { type: 'bucket', bucket: 'data' });
    assert.deepEqual(policyRef('no-session-policy'), { type: 'other', id: 'no-session-policy' });
  });
});
