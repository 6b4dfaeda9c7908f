/**
 * The policy engine benchmark (`npm run bench`, scenario policy-engine): microseconds per decision for a
 * realistic policy set — a role with 20 statements mixing wildcards, NotAction and conditions, a permissions
 * boundary and a resource policy — with compiled policies cached, against the reference evaluator in the same
 * run; and the cost of finding a role's policies and deciding when the account holds 10 versus 10,000 roles.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompiledPolicy, EvaluationRequest } from '../src/policy/index.ts';
import * as sourceEngine from '../src/policy/index.ts';

/**
 * The engine as the server runs it: the compiled JavaScript in dist/ (npm run bench builds it), not the sources
 * through tsx, whose transform adds work to every function created. Falls back to the sources when unbuilt.
 */
const built = new URL('../dist/policy/index.js', import.meta.url);
const engine: typeof sourceEngine = existsSync(built)
  ? ((await import(built.href)) as typeof sourceEngine)
  : sourceEngine;
const { compilePolicy, evaluate } = engine;
import { MemoryStore } from '../src/store/memory/memory-store.ts';
import { IamState } from '../src/state/iam-state.ts';
import type { RoleRecord } from '../src/model/iam.ts';

const ACCOUNT = '111122223333';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app`;

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** Twenty statements of the kinds real roles carry. */
export const ROLE_POLICY = doc([
  {
    Sid: 'ReadAppBucket',
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:ListBucket'],
    Resource: ['arn:aws:s3:::app-data', 'arn:aws:s3:::app-data/*'],
  },
  {
    Sid: 'WriteOwnPrefix',
    Effect: 'Allow',
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::app-data/${aws:username}/*',
  },
  {
    Sid: 'Logs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: `arn:aws:logs:*:${ACCOUNT}:log-group:/app/*`,
  },
  {
    Sid: 'DescribeAll',
    Effect: 'Allow',
    Action: ['ec2:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*'],
    Resource: '*',
  },
  {
    Sid: 'TaggedInstances',
    Effect: 'Allow',
    Action: ['ec2:StartInstances', 'ec2:StopInstances'],
    Resource: '*',
    Condition: { StringEquals: { 'aws:ResourceTag/team': 'web' } },
  },
  {
    Sid: 'FromOffice',
    Effect: 'Allow',
    Action: 'dynamodb:*',
    Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/app-*`,
    Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] } },
  },
  {
    Sid: 'Kms',
    Effect: 'Allow',
    Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/*`,
    Condition: { 'ForAnyValue:StringLike': { 'kms:EncryptionContextKeys': ['app*'] } },
  },
  { Sid: 'Sqs', Effect: 'Allow', Action: 'sqs:*Message*', Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:app-*` },
  { Sid: 'Sns', Effect: 'Allow', Action: 'sns:Publish', Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:app-events` },
  {
    Sid: 'Ssm',
    Effect: 'Allow',
    Action: ['ssm:GetParameter*'],
    Resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/*`,
  },
  {
    Sid: 'Secrets',
    Effect: 'Allow',
    Action: 'secretsmanager:GetSecretValue',
    Resource: '*',
    Condition: { StringEquals: { 'secretsmanager:ResourceTag/app': 'web' } },
  },
  {
    Sid: 'NotIam',
    Effect: 'Allow',
    NotAction: ['iam:*', 'organizations:*', 'account:*'],
    Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:app-*`,
  },
  {
    Sid: 'BusinessHours',
    Effect: 'Allow',
    Action: 'rds:*',
    Resource: '*',
    Condition: {
      DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
      DateLessThan: { 'aws:CurrentTime': '2099-01-01T00:00:00Z' },
    },
  },
  {
    Sid: 'Mfa',
    Effect: 'Allow',
    Action: 'ec2:TerminateInstances',
    Resource: '*',
    Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
  },
  {
    Sid: 'PassOwnRoles',
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: `arn:aws:iam::${ACCOUNT}:role/app-*`,
    Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
  },
  {
    Sid: 'TagOnCreate',
    Effect: 'Allow',
    Action: 'ec2:CreateTags',
    Resource: '*',
    Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } },
  },
  {
    Sid: 'DenyOutsideRegions',
    Effect: 'Deny',
    NotAction: ['iam:*', 'sts:*'],
    Resource: '*',
    Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
  },
  {
    Sid: 'DenyUnencryptedUploads',
    Effect: 'Deny',
    Action: 's3:PutObject',
    Resource: '*',
    Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
  },
  { Sid: 'DenyDelete', Effect: 'Deny', Action: ['s3:DeleteBucket', 'dynamodb:DeleteTable'], Resource: '*' },
  {
    Sid: 'DenyInsecure',
    Effect: 'Deny',
    Action: '*',
    Resource: '*',
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  },
]);

export const BOUNDARY = doc([
  { Effect: 'Allow', NotAction: ['iam:Create*', 'iam:Delete*', 'iam:Put*', 'iam:Attach*'], Resource: '*' },
]);

export const BUCKET_POLICY = doc([
  {
    Sid: 'AppRole',
    Effect: 'Allow',
    Principal: { AWS: ROLE_ARN },
    Action: 's3:*',
    Resource: ['arn:aws:s3:::app-data', 'arn:aws:s3:::app-data/*'],
  },
  {
    Sid: 'TLSOnly',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: 'arn:aws:s3:::app-data/*',
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  },
]);

const principal = {
  type: 'assumed-role' as const,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/i-0abc`,
  account: ACCOUNT,
  roleArn: ROLE_ARN,
};
const context = {
  'aws:username': 'app',
  'aws:SourceIp': '10.1.2.3',
  'aws:CurrentTime': '2026-11-27T12:00:00Z',
  'aws:RequestedRegion': 'us-east-1',
  'aws:SecureTransport': 'true',
  'aws:ResourceTag/team': 'web',
  'aws:TagKeys': ['team'],
};

/** A mix of allowed, denied and unmatched requests. */
export const REQUESTS: EvaluationRequest[] = [
  ['s3:GetObject', 'arn:aws:s3:::app-data/reports/1.csv'],
  ['s3:PutObject', 'arn:aws:s3:::app-data/app/out.json'],
  ['s3:DeleteBucket', 'arn:aws:s3:::app-data'],
  ['logs:PutLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/app/web:log-stream:i-0abc`],
  ['ec2:DescribeInstances', '*'],
  ['ec2:StopInstances', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0abc`],
  ['dynamodb:GetItem', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/app-users`],
  ['iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/x`],
  ['lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:app-worker`],
  ['sqs:SendMessage', `arn:aws:sqs:us-east-1:${ACCOUNT}:app-jobs`],
].map(([action = '', resource = '']) => ({ principal, action, resource, context }));

function policiesFor(resource: string, identity: CompiledPolicy[]) {
  return {
    identity,
    boundaries: [compilePolicy({ id: 'boundary', document: BOUNDARY })],
    ...(resource.startsWith('arn:aws:s3:::') && { resource: compilePolicy({ id: 'bucket', document: BUCKET_POLICY }) }),
  };
}

/** Runs fn repeatedly for about `seconds` and returns microseconds per call. */
function measure(seconds: number, fn: () => void): number {
  for (let i = 0; i < 2000; i++) fn(); // warm the JIT
  let calls = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 200; i++) fn();
    calls += 200;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / 1000 / calls;
}

type Reference = (input: unknown) => { decision: string };

async function loadReference(): Promise<Reference | undefined> {
  const file = join(import.meta.dirname, '..', 'test', 'policy-reference', 'reference.ts');
  if (!existsSync(file)) return undefined;
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fn = Object.values(module).find((v) => typeof v === 'function');
  return fn as Reference | undefined;
}

async function stateWithRoles(count: number): Promise<IamState> {
  const store = new MemoryStore();
  await store.open();
  const state = await IamState.load(store);
  await state.write(async (w) => {
    for (let i = 0; i < count; i++) {
      const name = i === 0 ? 'app' : `role-${i}`;
      const role: RoleRecord = {
        name,
        id: `AROA${String(i).padStart(17, '0')}`,
        path: '/',
        arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
        createDate: new Date(0).toISOString(),
        trustPolicy: doc([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]),
        maxSessionDuration: 3600,
        tags: [],
        inlinePolicies: [
          {
            name: 'main',
            document: i === 0 ? ROLE_POLICY : doc([{ Effect: 'Allow', Action: `s3:Get${i}`, Resource: '*' }]),
          },
        ],
        attachedPolicyArns: [],
      };
      await w.insert('iam.role', ACCOUNT, name, role);
    }
  });
  return state;
}

export async function runEngineBench(seconds: number): Promise<string> {
  const lines: string[] = ['policy-engine: decisions in-process (one core), compiled policies cached'];
  const identity = [compilePolicy({ id: 'role/app inline main', document: ROLE_POLICY })];
  const sets = REQUESTS.map((r) => policiesFor(r.resource, identity));
  let k = 0;
  const engineUs = measure(seconds, () => {
    const i = k++ % REQUESTS.length;
    evaluate(REQUESTS[i] as EvaluationRequest, sets[i] as ReturnType<typeof policiesFor>);
  });
  const decisions = REQUESTS.map((r, i) => evaluate(r, sets[i] as ReturnType<typeof policiesFor>).decision);
  lines.push(
    `  engine      ${engineUs.toFixed(2).padStart(8)} µs/decision  ${Math.round(1e6 / engineUs)
      .toLocaleString('en-US')
      .padStart(11)} decisions/s`,
  );
  lines.push(`  decisions   ${decisions.join(', ')}`);

  const reference = await loadReference();
  if (reference) {
    const inputs = REQUESTS.map((r) => ({
      request: { principal: r.principal.arn, action: r.action, resource: r.resource, context: r.context },
      identityPolicies: [JSON.parse(ROLE_POLICY) as object],
      permissionsBoundaries: [JSON.parse(BOUNDARY) as object],
      ...(r.resource.startsWith('arn:aws:s3:::') && { resourcePolicy: JSON.parse(BUCKET_POLICY) as object }),
    }));
    let j = 0;
    const refUs = measure(seconds, () => {
      reference(inputs[j++ % inputs.length]);
    });
    lines.push(
      `  reference   ${refUs.toFixed(2).padStart(8)} µs/decision  ${Math.round(1e6 / refUs)
        .toLocaleString('en-US')
        .padStart(11)} decisions/s   engine is ${(refUs / engineUs).toFixed(1)}× faster`,
    );
  } else {
    lines.push('  reference   skipped: test/policy-reference/reference.ts is not there');
  }

  for (const count of [10, 10_000]) {
    const state = await stateWithRoles(count);
    const request = REQUESTS[0] as EvaluationRequest;
    const us = measure(seconds, () => {
      const role = state.get('iam.role', ACCOUNT, 'app');
      if (!role) throw new Error('role missing');
      const compiled = role.inlinePolicies.map((p) =>
        compilePolicy({ id: `role/app inline ${p.name}`, document: p.document }),
      );
      evaluate(request, policiesFor(request.resource, compiled));
    });
    lines.push(
      `  ${String(count).padStart(6)} roles in the account: ${us.toFixed(2)} µs to find the role's policies and decide`,
    );
  }
  return lines.join('\n');
}

if (
  process.argv[1] &&
  process.argv[1].endsWith('engine.ts') &&
  pathToFileURL(process.argv[1]).href === import.meta.url
) {
  console.log(await runEngineBench(Number(process.argv[2] ?? 2)));
}
