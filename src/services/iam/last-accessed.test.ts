import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsManagedPolicies } from '../../state/aws-managed-policies.ts';
import { AwsError } from '../../protocol/errors.ts';
import type { OperationContext } from '../service.ts';
import { rootPrincipal } from '../../auth/principal.ts';
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
} from '../../../test/support/audit-events.ts';
import { lastAccessedHandlers } from './last-accessed.ts';
import { allowedServices } from '../../audit/last-accessed.ts';

const now = new Date('2026-12-05T12:00:00Z');
const ctx = (account = ACCOUNT): OperationContext => ({
  requestId: 'r',
  service: 'iam',
  operation: 'GenerateServiceLastAccessedDetails',
  principal: rootPrincipal(account, 'test'),
  account,
  region: 'us-east-1',
  now,
  headers: {},
  sourceIp: '127.0.0.1',
  allows: () => true,
});
const doc = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

async function setup() {
  const state = await emptyState();
  const trail = new MemoryTrail();
  const role = roleRecord('app', {
    inlinePolicies: [
      {
        name: 'p',
        document: doc([
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 'logs:*'], Resource: '*' },
          { Effect: 'Deny', Action: 'ec2:*', Resource: '*' },
        ]),
      },
    ],
  });
  await putRole(state, role);
  const session = sessionIdentity(role);
  trail.record(
    auditEvent({
      identity: session,
      time: '2026-12-05T10:00:00Z',
      region: 'eu-west-1',
      checks: [check('s3:GetObject', 'arn:aws:s3:::data/a')],
    }),
  );
  trail.record(
    auditEvent({
      identity: session,
      time: '2026-12-05T11:00:00Z',
      checks: [check('s3:PutObject', 'arn:aws:s3:::data/b', 'ImplicitlyDenied')],
    }),
  );
  // Too old for the 400-day tracking period.
  trail.record(
    auditEvent({ identity: session, time: '2025-01-01T00:00:00Z', checks: [check('logs:PutLogEvents', '*')] }),
  );
  const handlers = lastAccessedHandlers(state, AwsManagedPolicies.load(), trail);
  return { state, trail, role, handlers };
}

describe('GenerateServiceLastAccessedDetails / GetServiceLastAccessedDetails', () => {
  it('lists every service the policies allow, with the last attempt (denied ones too) where there was one', async () => {
    const { role, handlers } = await setup();
    const { JobId } = await handlers.GenerateServiceLastAccessedDetails({ Arn: role.arn }, ctx());
    assert.match(JobId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const report = await handlers.GetServiceLastAccessedDetails({ JobId: JobId ?? '' }, ctx());
    assert.equal(report.JobStatus, 'COMPLETED');
    assert.equal(report.JobType, 'SERVICE_LEVEL');
    assert.deepEqual(report.JobCreationDate, now);
    assert.equal(report.IsTruncated, false);
    assert.deepEqual(report.ServicesLastAccessed, [
      { ServiceName: 'Amazon CloudWatch Logs', ServiceNamespace: 'logs', TotalAuthenticatedEntities: 0 },
      {
        ServiceName: 'Amazon S3',
        ServiceNamespace: 's3',
        LastAuthenticated: new Date('2026-12-05T11:00:00Z'),
        LastAuthenticatedEntity: role.arn,
        LastAuthenticatedRegion: 'us-east-1',
        TotalAuthenticatedEntities: 1,
      },
    ]);
  });

  it('adds the actions attempted at ACTION_LEVEL, and pages with Marker and MaxItems', async () => {
    const { role, handlers } = await setup();
    const { JobId = '' } = await handlers.GenerateServiceLastAccessedDetails(
      { Arn: role.arn, Granularity: 'ACTION_LEVEL' },
      ctx(),
    );
    const first = await handlers.GetServiceLastAccessedDetails({ JobId, MaxItems: 1 }, ctx());
    assert.equal(first.JobType, 'ACTION_LEVEL');
    assert.equal(first.IsTruncated, true);
    assert.equal(first.ServicesLastAccessed[0]?.ServiceNamespace, 'logs');
    const second = await handlers.GetServiceLastAccessedDetails(
      { JobId, MaxItems: 1, Marker: first.Marker ?? '' },
      ctx(),
    );
    assert.equal(second.IsTruncated, false);
    assert.equal(second.Marker, undefined);
    assert.deepEqual(second.ServicesLastAccessed[0]?.TrackedActionsLastAccessed, [
      {
        ActionName: 'GetObject',
        LastAccessedEntity: role.arn,
        LastAccessedTime: new Date('2026-12-05T10:00:00Z'),
        LastAccessedRegion: 'eu-west-1',
      },
      {
        ActionName: 'PutObject',
        LastAccessedEntity: role.arn,
        LastAccessedTime: new Date('2026-12-05T11:00:00Z'),
        LastAccessedRegion: 'us-east-1',
      },
    ]);
  });

  it('reports a group over its members', async () => {
    const { state, trail, handlers } = await setup();
    const group = {
      name: 'devs',
      id: 'AGPADEVSXXXXXXXXXXXXX',
      path: '/',
      arn: `arn:aws:iam::${ACCOUNT}:group/devs`,
      createDate: '2026-01-01T00:00:00.000Z',
      inlinePolicies: [{ name: 'g', document: doc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]) }],
      attachedPolicyArns: [],
    };
    await state.write(async (w) => w.insert('iam.group', ACCOUNT, 'devs', group));
    const alice = userRecord('alice', { groupKeys: ['devs'] });
    const bob = userRecord('bob', { groupKeys: ['devs'] });
    await putUser(state, alice);
    await putUser(state, bob);
    for (const u of [alice, bob]) {
      trail.record(auditEvent({ identity: userIdentity(u), checks: [check('s3:ListBucket', 'arn:aws:s3:::data')] }));
    }
    const { JobId = '' } = await handlers.GenerateServiceLastAccessedDetails({ Arn: group.arn }, ctx());
    const report = await handlers.GetServiceLastAccessedDetails({ JobId }, ctx());
    assert.deepEqual(
      report.ServicesLastAccessed.map((s) => [s.ServiceNamespace, s.TotalAuthenticatedEntities]),
      [['s3', 2]],
    );
  });

  it('answers NoSuchEntity, InvalidInput, and keeps jobs to their account', async () => {
    const { role, handlers } = await setup();
    const code = async (call: () => unknown) => {
      try {
        await call();
        return 'ok';
      } catch (err) {
        assert.ok(err instanceof AwsError);
        return `${err.code}: ${err.message}`;
      }
    };
    assert.equal(
      await code(() =>
        handlers.GenerateServiceLastAccessedDetails({ Arn: `arn:aws:iam::${ACCOUNT}:role/ghost` }, ctx()),
      ),
      'NoSuchEntity: The role with name ghost cannot be found.',
    );
    assert.equal(
      await code(() => handlers.GenerateServiceLastAccessedDetails({ Arn: role.arn }, ctx('999988887777'))),
      'NoSuchEntity: The role with name app cannot be found.',
    );
    assert.equal(
      await code(() => handlers.GenerateServiceLastAccessedDetails({ Arn: 'arn:aws:s3:::data' }, ctx())),
      'InvalidInput: ARN arn:aws:s3:::data is not valid.',
    );
    const bad = '00000000-0000-4000-8000-000000000000';
    assert.equal(
      await code(() => handlers.GetServiceLastAccessedDetails({ JobId: bad }, ctx())),
      `InvalidInput: Job ID ${bad} is not valid.`,
    );
    const { JobId = '' } = await handlers.GenerateServiceLastAccessedDetails({ Arn: role.arn }, ctx());
    assert.match(
      await code(() => handlers.GetServiceLastAccessedDetails({ JobId }, ctx('999988887777'))),
      /^InvalidInput/,
    );
  });
});

describe('allowedServices', () => {
  it('follows Allow statements only, wildcards in the vendor, * and NotAction', () => {
    const known = ['ec2', 'iam', 's3', 's3express', 'sts'];
    assert.deepEqual(
      allowedServices([doc([{ Effect: 'Allow', Action: ['s3*:Get*', 'iam:PassRole'], Resource: '*' }])], known),
      ['iam', 's3', 's3express'],
    );
    assert.deepEqual(allowedServices([doc([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }])], known), known);
    assert.deepEqual(allowedServices([doc([{ Effect: 'Deny', Action: '*', Resource: '*' }]), 'not json'], known), []);
  });
});
