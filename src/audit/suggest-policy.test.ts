import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validatePolicy } from '../policy/index.ts';
import { AwsManagedPolicies } from '../state/aws-managed-policies.ts';
import { ServiceReference } from '../state/service-reference.ts';
import { AdjustableClock } from '../model/clock.ts';
import {
  ACCOUNT,
  auditEvent,
  check,
  emptyState,
  MemoryTrail,
  putRole,
  roleRecord,
  sessionIdentity,
  userIdentity,
  userRecord,
} from '../../test/support/audit-events.ts';
import { literalArn, mergeResources, observe, permissionDiff, suggestPolicy } from './suggest-policy.ts';
import { suggestForRole, SuggestError } from './suggest-service.ts';

let reference: ServiceReference;
before(async () => {
  reference = await ServiceReference.open();
});

const role = roleRecord('app');
const session = sessionIdentity(role);
const objects = (n: number, prefix = 'logs/2026/') =>
  Array.from({ length: n }, (_, i) => `arn:aws:s3:::data/${prefix}part-${i}.csv`);

describe('mergeResources', () => {
  it('keeps exact ARNs below the threshold', () => {
    assert.deepEqual(mergeResources(objects(4)), objects(4).sort());
  });

  it('uses the shared prefix and * from five ARNs on', () => {
    assert.deepEqual(mergeResources([...objects(5), 'arn:aws:s3:::data/other.csv']), [
      'arn:aws:s3:::data/logs/2026/*',
      'arn:aws:s3:::data/other.csv',
    ]);
  });

  it('never widens to every bucket, and keeps * for actions without resources', () => {
    const buckets = Array.from({ length: 6 }, (_, i) => `arn:aws:s3:::bucket-${i}`);
    assert.deepEqual(mergeResources(buckets), buckets);
    assert.deepEqual(mergeResources(['*', '*']), ['*']);
  });

  it('groups log streams of one group at the last colon', () => {
    const streams = Array.from(
      { length: 5 },
      (_, i) => `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:app:log-stream:s${i}`,
    );
    assert.deepEqual(mergeResources(streams), [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:app:log-stream:*`]);
  });

  it('writes wildcard characters of an exact ARN as policy variables', () => {
    assert.equal(literalArn('arn:aws:s3:::data/a*b?c$d'), 'arn:aws:s3:::data/a${*}b${?}c${$}d');
  });
});

describe('suggestPolicy', () => {
  it('groups actions by service and by the resources they were used on', () => {
    const events = [
      auditEvent({ identity: session, checks: [check('s3:GetObject', 'arn:aws:s3:::data/report.csv')] }),
      auditEvent({
        identity: session,
        checks: [check('s3:PutObject', 'arn:aws:s3:::data/out.csv', 'ImplicitlyDenied')],
      }),
      auditEvent({ identity: session, checks: [check('s3:ListBucket', 'arn:aws:s3:::data')] }),
      auditEvent({ identity: session, checks: [check('s3:GetObject', 'arn:aws:s3:::data/report.csv')] }),
      // CopyObject: read one object, write another.
      auditEvent({
        identity: session,
        eventName: 'CopyObject',
        checks: [
          check('s3:GetObject', 'arn:aws:s3:::data/out.csv'),
          check('s3:PutObject', 'arn:aws:s3:::data/report.csv'),
        ],
      }),
      auditEvent({
        identity: session,
        checks: [check('logs:PutLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:app:log-stream:web`)],
      }),
      auditEvent({ identity: session, checks: [check('s3:ListAllMyBuckets', '*')] }),
      auditEvent({ identity: session, checks: [check('sts:GetCallerIdentity', '*')] }),
    ];
    const observed = observe(events);
    assert.deepEqual(
      observed.find((o) => o.action === 's3:GetObject' && o.resource === 'arn:aws:s3:::data/report.csv'),
      {
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::data/report.csv',
        allowed: 2,
        denied: 0,
        lastSeen: '2026-12-05T01:00:00Z',
      },
    );
    const policy = suggestPolicy(observed);
    assert.deepEqual(policy, {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Logs',
          Effect: 'Allow',
          Action: 'logs:PutLogEvents',
          Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:app:log-stream:web`,
        },
        {
          Sid: 'S3',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: ['arn:aws:s3:::data/out.csv', 'arn:aws:s3:::data/report.csv'],
        },
        { Sid: 'S3Group2', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
        { Sid: 'S3Group3', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
      ],
    });
    assert.equal(validatePolicy(JSON.stringify(policy), 'identity'), undefined);
  });

  it('suggests nothing without observations', () => {
    assert.equal(suggestPolicy([]), undefined);
  });
});

describe('permissionDiff', () => {
  it('lists granted actions never used, expanding wildcards against the catalogue', async () => {
    await reference.ensure(['s3', 'logs']);
    const documents = [
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:GetObject*', 'logs:PutLogEvents'], Resource: '*' },
          { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
          { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
        ],
      }),
    ];
    const observed = observe([
      auditEvent({ identity: session, checks: [check('s3:GetObject', 'arn:aws:s3:::data/x')] }),
      auditEvent({ identity: session, checks: [check('logs:PutLogEvents', 'arn:aws:logs:us-east-1:1:log-group:a')] }),
    ]);
    const diff = permissionDiff(documents, observed, reference);
    assert.ok(diff.unusedActions.includes('s3:GetObjectAcl'));
    assert.ok(diff.unusedActions.includes('s3:GetObjectTagging'));
    assert.ok(!diff.unusedActions.includes('s3:GetObject'));
    assert.ok(!diff.unusedActions.some((a) => a.startsWith('logs:')));
    assert.ok(!diff.unusedActions.includes('s3:DeleteObject'), 'a Deny grants nothing');
    assert.deepEqual(diff.unexpanded, ['NotAction iam:*']);
    assert.deepEqual(diff.unusedServices, []);
    assert.equal(diff.truncated, false);
  });
});

describe('suggestForRole', () => {
  it('reads only the role’s sessions since the time given and compares with its policies today', async () => {
    const state = await emptyState();
    const trail = new MemoryTrail();
    const current = roleRecord('app', {
      inlinePolicies: [
        {
          name: 'broad',
          document: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['s3:List*', 'ec2:DescribeInstances'], Resource: '*' }],
          }),
        },
      ],
    });
    await putRole(state, current);
    const alice = userRecord('alice');
    trail.record(
      auditEvent({
        identity: session,
        time: '2026-12-01T00:00:00Z',
        checks: [check('s3:DeleteObject', 'arn:aws:s3:::data/old')],
      }),
    );
    trail.record(auditEvent({ identity: userIdentity(alice), checks: [check('s3:PutObject', 'arn:aws:s3:::data/x')] }));
    trail.record(
      auditEvent({
        identity: session,
        checks: [check('s3:GetObject', 'arn:aws:s3:::data/report.csv', 'ImplicitlyDenied')],
      }),
    );
    trail.record(auditEvent({ identity: session, checks: [check('s3:ListBucket', 'arn:aws:s3:::data')] }));
    const starTrail = new MemoryTrail();
    starTrail.record(auditEvent({ identity: session, checks: [check('s3:ListAllMyBuckets', '*')] }));
    starTrail.record(auditEvent({ identity: session, checks: [check('s3:GetObject', '*')] }));
    const starred = await suggestForRole(
      {
        state,
        awsManaged: AwsManagedPolicies.load(),
        trail: starTrail,
        clock: new AdjustableClock(),
        reference: () => Promise.resolve(reference),
      },
      { account: ACCOUNT, role: 'app' },
    );
    assert.deepEqual(starred.notes, [
      's3:GetObject was authorized against * although it supports resource types (accesspointobject, object); the suggestion keeps *.',
    ]);
    const report = await suggestForRole(
      {
        state,
        awsManaged: AwsManagedPolicies.load(),
        trail,
        clock: new AdjustableClock(),
        reference: () => Promise.resolve(reference),
      },
      { account: ACCOUNT, role: 'app', since: new Date('2026-12-04T00:00:00Z') },
    );
    assert.equal(report.events, 2);
    assert.deepEqual(report.policy, {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'S3', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/report.csv' },
        { Sid: 'S3Group2', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
      ],
    });
    assert.equal(report.invalid, undefined);
    assert.deepEqual(report.diff.lacking, [{ action: 's3:GetObject', resource: 'arn:aws:s3:::data/report.csv' }]);
    assert.ok(report.diff.unusedActions.includes('ec2:DescribeInstances'));
    assert.ok(report.diff.unusedActions.includes('s3:ListAllMyBuckets'));
    assert.ok(!report.diff.unusedActions.includes('s3:ListBucket'));
    assert.deepEqual(report.diff.unusedServices, ['ec2']);
    assert.equal(
      report.command,
      'aws iam put-role-policy --role-name app --policy-name rolecall-suggested --policy-document file://policy.json',
    );
    await assert.rejects(
      suggestForRole(
        {
          state,
          awsManaged: AwsManagedPolicies.load(),
          trail,
          clock: new AdjustableClock(),
          reference: () => Promise.resolve(reference),
        },
        { account: ACCOUNT, role: 'nobody' },
      ),
      (err: unknown) => err instanceof SuggestError && err.status === 404,
    );
  });
});
