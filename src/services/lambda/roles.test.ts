import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { AdjustableClock } from '../../model/clock.ts';
import type { RoleRecord } from '../../model/iam.ts';
import { isAwsError } from '../../protocol/errors.ts';
import { IamState } from '../../state/iam-state.ts';
import { MemoryStore } from '../../store/memory/memory-store.ts';
import { ExecutionCredentials, findRole, lambdaMayAssume } from './roles.ts';

const ACCOUNT = '123456789012';
const trust = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
const roleRecord = (name: string, path: string, service: string): RoleRecord => ({
  name,
  id: `AROA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
  path,
  arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
  createDate: '2026-01-01T00:00:00Z',
  inlinePolicies: [],
  attachedPolicyArns: [],
  trustPolicy: trust(service),
  maxSessionDuration: 3600,
  tags: [],
});

const cannotBeAssumed = (err: unknown) =>
  isAwsError(err) &&
  err.code === 'InvalidParameterValueException' &&
  err.message === 'The role defined for the function cannot be assumed by Lambda.';

describe('execution roles', () => {
  let iam: IamState;
  before(async () => {
    const store = new MemoryStore();
    await store.open();
    iam = await IamState.load(store);
    await iam.write(async (w) => {
      await w.insert(
        'iam.role',
        ACCOUNT,
        'lambda-role',
        roleRecord('lambda-role', '/service-role/', 'lambda.amazonaws.com'),
      );
      await w.insert('iam.role', ACCOUNT, 'ec2-role', roleRecord('ec2-role', '/', 'ec2.amazonaws.com'));
    });
  });

  it('finds a role by its exact ARN, path included', () => {
    assert.ok(findRole(iam, `arn:aws:iam::${ACCOUNT}:role/service-role/lambda-role`));
    assert.equal(findRole(iam, `arn:aws:iam::${ACCOUNT}:role/lambda-role`), undefined);
    assert.equal(findRole(iam, `arn:aws:iam::${ACCOUNT}:user/lambda-role`), undefined);
  });

  it('lets Lambda assume only roles that trust lambda.amazonaws.com', () => {
    const lambda = findRole(iam, `arn:aws:iam::${ACCOUNT}:role/service-role/lambda-role`);
    const ec2 = findRole(iam, `arn:aws:iam::${ACCOUNT}:role/ec2-role`);
    assert.ok(lambda && ec2);
    assert.equal(lambdaMayAssume(lambda), true);
    assert.equal(lambdaMayAssume(ec2), false);
  });

  it('issues sessions named after the function, kept until an hour before they end', () => {
    const clock = new AdjustableClock();
    const creds = new ExecutionCredentials(iam, Buffer.alloc(32, 1), clock);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/service-role/lambda-role`;
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fn`;
    const first = creds.session(ACCOUNT, fn, 'fn', roleArn);
    assert.equal(first.claims.sessionName, 'fn');
    assert.equal(first.claims.roleArn, roleArn);
    assert.equal(creds.session(ACCOUNT, fn, 'fn', roleArn), first);
    clock.advance(5 * 3600 + 1);
    const second = creds.session(ACCOUNT, fn, 'fn', roleArn);
    assert.notEqual(second.claims.accessKeyId, first.claims.accessKeyId);
    const issued = creds.credentials(ACCOUNT, fn, 'fn', roleArn);
    assert.equal(issued.expiration.getTime(), second.claims.expiresAt);
  });

  it('refuses a role that is missing or does not trust Lambda with AWS error', () => {
    const creds = new ExecutionCredentials(iam, Buffer.alloc(32, 1), new AdjustableClock());
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fn`;
    assert.throws(() => creds.session(ACCOUNT, fn, 'fn', `arn:aws:iam::${ACCOUNT}:role/ec2-role`), cannotBeAssumed);
    assert.throws(() => creds.session(ACCOUNT, fn, 'fn', `arn:aws:iam::${ACCOUNT}:role/ghost`), cannotBeAssumed);
  });
});
