import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { rootPrincipal } from '../../auth/principal.ts';
import { IamState } from '../../state/iam-state.ts';
import { S3State } from '../../state/s3-state.ts';
import { MemoryStore } from '../../store/memory/memory-store.ts';
import { lambdaPlan, type PlanDeps } from './authorization.ts';
import { LambdaState, type FunctionRecord } from './state.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn`;
const caller = rootPrincipal(ACCOUNT, ACCOUNT);

const record: FunctionRecord = {
  region: REGION,
  name: 'fn',
  arn: ARN,
  runtime: 'nodejs20.x',
  handler: 'index.handler',
  role: `arn:aws:iam::${ACCOUNT}:role/r`,
  description: '',
  timeout: 3,
  memorySize: 128,
  tags: { team: 'core' },
  codeSha256: 'x',
  codeSize: 1,
  lastModified: 0,
  revisionId: 'rev-1',
  policy: [{ Sid: 's', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction', Resource: ARN }],
};

describe('lambdaPlan', () => {
  let deps: PlanDeps;
  before(async () => {
    const store = new MemoryStore();
    await store.open();
    const state = await LambdaState.load(store);
    await state.write((w) => w.put(ACCOUNT, record));
    deps = { state, iam: await IamState.load(store), s3: await S3State.load(store) };
  });

  it('Invoke is lambda:InvokeFunction on the function ARN, under its policy and tags', () => {
    const [check, ...rest] = lambdaPlan(deps, 'Invoke', { FunctionName: 'fn' }, caller, REGION).checks;
    assert.equal(rest.length, 0);
    assert.equal(check?.action, 'lambda:InvokeFunction');
    assert.equal(check?.resource, ARN);
    assert.equal(check?.resourceAccount, ACCOUNT);
    assert.deepEqual(check?.resourceTags, [{ Key: 'team', Value: 'core' }]);
    assert.equal(check?.resourcePolicy?.id, `${ARN}#policy#rev-1`);
    assert.match(check?.resourcePolicy?.document ?? '', /"Id":"default"/);
  });

  it('a function named by another account ARN is authorized in that account', () => {
    const other = `arn:aws:lambda:${REGION}:999999999999:function:theirs`;
    const [check] = lambdaPlan(deps, 'GetFunction', { FunctionName: other }, caller, REGION).checks;
    assert.equal(check?.resource, other);
    assert.equal(check?.resourceAccount, '999999999999');
    assert.equal(check?.resourcePolicy, undefined);
  });

  it('ListFunctions is asked on *', () => {
    assert.deepEqual(lambdaPlan(deps, 'ListFunctions', {}, caller, REGION).checks, [
      { action: 'lambda:ListFunctions', resource: '*', resourceAccount: ACCOUNT },
    ]);
  });

  it('CreateFunction passes the role to lambda.amazonaws.com and reads an S3 package', () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/r`;
    const checks = lambdaPlan(
      deps,
      'CreateFunction',
      { FunctionName: 'new', Role: role, Code: { S3Bucket: 'b', S3Key: 'k.zip' }, Tags: { a: '1' } },
      caller,
      REGION,
    ).checks;
    assert.deepEqual(
      checks.map((c) => [c.action, c.resource]),
      [
        ['lambda:CreateFunction', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:new`],
        ['iam:PassRole', role],
        ['s3:GetObject', 'arn:aws:s3:::b/k.zip'],
      ],
    );
    assert.deepEqual(checks[0]?.context, { 'aws:TagKeys': ['a'], 'aws:RequestTag/a': '1' });
    assert.deepEqual(checks[1]?.context, { 'iam:PassedToService': 'lambda.amazonaws.com' });
  });

  it('UpdateFunctionConfiguration without a Role passes none', () => {
    const checks = lambdaPlan(deps, 'UpdateFunctionConfiguration', { FunctionName: 'fn', Timeout: 5 }, caller, REGION);
    assert.deepEqual(
      checks.checks.map((c) => c.action),
      ['lambda:UpdateFunctionConfiguration'],
    );
  });
});
