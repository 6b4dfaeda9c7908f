import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy } from './compile.ts';
import { evaluate } from './evaluate.ts';
import { tracePolicies } from './trace.ts';
import type { EvaluationRequest } from './types.ts';

const session: EvaluationRequest = {
  principal: {
    type: 'assumed-role',
    arn: 'arn:aws:sts::111122223333:assumed-role/app/i-0abc',
    account: '111122223333',
    roleArn: 'arn:aws:iam::111122223333:role/app',
  },
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::data/report.csv',
  resourceAccount: '111122223333',
  context: { 'aws:SourceIp': '10.0.0.5', 'aws:PrincipalTag/team': 'blue' },
};

const policy = (id: string, statements: unknown[]) =>
  compilePolicy({ id, document: JSON.stringify({ Version: '2012-10-17', Statement: statements }) });

describe('tracePolicies', () => {
  it('says which element of each statement did not match', () => {
    const identity = policy('role/app#inline', [
      { Sid: 'Logs', Effect: 'Allow', Action: 'logs:*', Resource: '*' },
      { Sid: 'OtherBucket', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' },
      { Sid: 'Data', Effect: 'Allow', Action: ['s3:Get*'], Resource: 'arn:aws:s3:::data/*' },
    ]);
    const [trace] = tracePolicies(session, { identity: [identity] });
    assert.ok(trace);
    assert.equal(trace.kind, 'identity');
    const [logs, other, data] = trace.statements;
    assert.deepEqual(logs?.action, { matched: false, negated: false, values: ['logs:*'], hits: [] });
    assert.equal(logs?.applies, false);
    assert.equal(other?.action.matched, true);
    assert.deepEqual(other?.resource, {
      matched: false,
      negated: false,
      values: ['arn:aws:s3:::other/*'],
      hits: [],
    });
    assert.equal(data?.applies, true);
    assert.deepEqual(data?.action.hits, ['s3:get*']);
    assert.deepEqual(data?.resource?.hits, ['arn:aws:s3:::data/*']);
  });

  it('shows each condition with the values it saw', () => {
    const identity = policy('p', [
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: {
          IpAddress: { 'aws:SourceIp': ['192.168.0.0/16', '172.16.0.0/12'] },
          StringEquals: { 'aws:PrincipalTag/team': 'blue', 's3:ExistingObjectTag/env': 'prod' },
        },
      },
    ]);
    const [trace] = tracePolicies(session, { identity: [identity] });
    const conditions = trace?.statements[0]?.conditions ?? [];
    assert.deepEqual(conditions, [
      {
        operator: 'IpAddress',
        key: 'aws:SourceIp',
        policyValues: ['192.168.0.0/16', '172.16.0.0/12'],
        requestValues: ['10.0.0.5'],
        result: false,
        missing: false,
      },
      {
        operator: 'StringEquals',
        key: 'aws:PrincipalTag/team',
        policyValues: ['blue'],
        requestValues: ['blue'],
        result: true,
        missing: false,
      },
      {
        operator: 'StringEquals',
        key: 's3:ExistingObjectTag/env',
        policyValues: ['prod'],
        result: false,
        missing: true,
      },
    ]);
    assert.equal(trace?.statements[0]?.applies, false);
  });

  it('traces resource policy principals and NotPrincipal', () => {
    const bucket = policy('arn:aws:s3:::data', [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/app' }, Action: 's3:*', Resource: '*' },
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 's3:*', Resource: '*' },
      {
        Effect: 'Deny',
        NotPrincipal: { AWS: 'arn:aws:sts::111122223333:assumed-role/app/i-0abc' },
        Action: 's3:*',
        Resource: '*',
      },
    ]);
    const [trace] = tracePolicies(session, { resource: bucket });
    const [role, other, deny] = trace?.statements ?? [];
    assert.equal(role?.principal?.matched, true);
    assert.equal(role?.principal?.grant, 'role');
    assert.equal(other?.principal?.matched, false);
    assert.deepEqual(other?.principal?.values, ['AWS:arn:aws:iam::444455556666:root']);
    assert.equal(deny?.principal?.matched, false, 'the session is spared by NotPrincipal');
    assert.equal(deny?.principal?.negated, true);
  });

  it('agrees with evaluate on which statements decided', () => {
    const identity = policy('p', [
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Sid: 'NoData', Effect: 'Deny', NotAction: 's3:List*', Resource: 'arn:aws:s3:::data/*' },
    ]);
    const decision = evaluate(session, { identity: [identity] });
    const [trace] = tracePolicies(session, { identity: [identity] });
    assert.equal(decision.decision, 'ExplicitlyDenied');
    const applying = (trace?.statements ?? []).filter((s) => s.applies && s.effect === 'Deny').map((s) => s.index);
    assert.deepEqual(
      applying,
      decision.statements.map((s) => s.index),
    );
    assert.deepEqual(trace?.statements[1]?.action, { matched: true, negated: true, values: ['s3:list*'], hits: [] });
  });

  it('reports statements and policies the engine cannot evaluate', () => {
    const broken = compilePolicy({ id: 'broken', document: '{not json' });
    const odd = policy('odd', [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { Nope: { k: 'v' } } },
    ]);
    const traces = tracePolicies(session, { identity: [broken, odd] });
    assert.equal(traces[0]?.error, 'the policy is not valid JSON');
    assert.match(traces[1]?.statements[0]?.error ?? '', /unknown condition operator Nope/);
  });

  it('keeps SCP levels apart', () => {
    const allowAll = policy('FullAWSAccess', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    const ou = policy('ou-scp', [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }]);
    const traces = tracePolicies(session, { scps: [[allowAll], [ou]] });
    assert.deepEqual(
      traces.map((t) => [t.kind, t.level, t.statements[0]?.applies]),
      [
        ['scp', 0, true],
        ['scp', 1, false],
      ],
    );
  });
});
