// diagnose over hand-built snapshots: a clean account has no findings; each classic mistake gives exactly its
// finding; the options (tag policy, unused window, key age) and a permissions boundary change what counts.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { AccessKeyRecord, InstanceProfileRecord, RoleRecord, UserRecord } from '../model/iam.ts';
import type { InstanceRecord } from '../model/ec2.ts';
import { ServiceReference } from '../state/service-reference.ts';
import { diagnose } from './doctor.ts';
import { DEFAULT_OPTIONS, type AccountSnapshot, type DoctorOptions } from './types.ts';
import { snapshotServices } from './snapshot.ts';

const ACCOUNT = '111122223333';
const NOW = new Date('2026-06-01T00:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();
const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const EC2_TRUST = doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
const READ_REPORTS = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' });
const ADMIN = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
const S3_READ_BOUNDARY = doc({ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' });

/** Test overrides may set an optional field to undefined, meaning "without it". */
type Overrides<T> = { [K in keyof T]?: T[K] | undefined };
const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function role(name: string, extra: Partial<RoleRecord> = {}): RoleRecord {
  return {
    name,
    id: `AROA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
    path: '/',
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    createDate: daysAgo(5),
    inlinePolicies: [{ name: 'read', document: READ_REPORTS }],
    attachedPolicyArns: [],
    trustPolicy: EC2_TRUST,
    maxSessionDuration: 3600,
    tags: [{ Key: 'owner', Value: 'web' }],
    ...extra,
  };
}

function profile(name: string, roles: string[], extra: Partial<InstanceProfileRecord> = {}): InstanceProfileRecord {
  return {
    name,
    id: `AIPA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
    path: '/',
    arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${name}`,
    createDate: daysAgo(5),
    roleKeys: roles,
    tags: [{ Key: 'owner', Value: 'web' }],
    ...extra,
  };
}

function instance(id: string, extra: Overrides<InstanceRecord> = {}): InstanceRecord {
  return defined({
    instanceId: id,
    reservationId: 'r-0123456789abcdef0',
    region: 'us-east-1',
    availabilityZone: 'us-east-1a',
    imageId: 'ami-12345678',
    instanceType: 't3.micro',
    state: 'running',
    stateTransitionReason: '',
    launchTime: daysAgo(1),
    amiLaunchIndex: 0,
    privateIpAddress: '10.0.0.10',
    securityGroupIds: [],
    tags: [],
    metadataOptions: {
      httpTokens: 'required',
      httpPutResponseHopLimit: 2,
      httpEndpoint: 'enabled',
      instanceMetadataTags: 'disabled',
    },
    association: {
      associationId: 'iip-assoc-0123456789abcdef0',
      profileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/app`,
      profileId: 'AIPAAPPXXXXXXXXXXXXXX',
      timestamp: daysAgo(1),
    },
    pastAssociationIds: [],
    ...extra,
  } as InstanceRecord);
}

const USER: UserRecord = {
  name: 'alice',
  id: 'AIDAALICEXXXXXXXXXXXX',
  path: '/',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  createDate: daysAgo(200),
  inlinePolicies: [],
  attachedPolicyArns: [],
  tags: [],
  groupKeys: [],
};

function key(id: string, extra: Overrides<AccessKeyRecord> = {}): AccessKeyRecord {
  return defined({
    accessKeyId: id,
    secretAccessKey: 'secret',
    userKey: 'alice',
    status: 'Active',
    createDate: daysAgo(10),
    lastUsed: { date: daysAgo(1), service: 'sts', region: 'us-east-1' },
    ...extra,
  } as AccessKeyRecord);
}

const MANAGED: Record<string, string> = {
  'arn:aws:iam::aws:policy/AdministratorAccess': ADMIN,
  [`arn:aws:iam::${ACCOUNT}:policy/s3-read-boundary`]: S3_READ_BOUNDARY,
  [`arn:aws:iam::${ACCOUNT}:policy/pass-any-role`]: doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }),
  [`arn:aws:iam::${ACCOUNT}:policy/run-instances`]: doc({ Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' }),
};

function snapshot(parts: Partial<AccountSnapshot>): AccountSnapshot {
  return {
    account: ACCOUNT,
    roles: [role('app')],
    profiles: [profile('app', ['app'])],
    instances: [instance('i-0123456789abcdef0')],
    users: [USER],
    groups: [],
    accessKeys: [key('AKIAALICE0000000001')],
    managedPolicy: (arn) => MANAGED[arn],
    ...parts,
  };
}

let catalogue: ServiceReference;
before(async () => {
  catalogue = await ServiceReference.open();
  await catalogue.ensure(
    snapshotServices([snapshot({ roles: [role('x', { attachedPolicyArns: Object.keys(MANAGED) })] })]),
  );
});

function run(snap: AccountSnapshot, options: Partial<DoctorOptions> = {}, asked: Record<string, string> = {}) {
  return diagnose(
    [snap],
    { now: NOW, catalogue, askedWithoutProfileAt: (id) => asked[id] },
    { ...DEFAULT_OPTIONS, ...options },
  );
}
const codes = (findings: ReturnType<typeof run>) => findings.map((f) => `${f.code} ${f.resource.name}`);

describe('diagnose', () => {
  it('finds nothing in a tidy account', () => {
    assert.deepEqual(run(snapshot({})), []);
  });

  it('reports each seeded mistake once, with the resource, why and the AWS CLI fix', () => {
    const findings = run(
      snapshot({
        roles: [role('app'), role('lonely'), role('untagged', { tags: [] })],
        profiles: [profile('app', ['app']), profile('untagged', ['untagged']), profile('empty', [], { tags: [] })],
        instances: [
          instance('i-0000000000000000a'),
          instance('i-0000000000000000b', { association: undefined }),
          instance('i-0000000000000000c', {
            metadataOptions: {
              httpTokens: 'optional',
              httpPutResponseHopLimit: 1,
              httpEndpoint: 'enabled',
              instanceMetadataTags: 'disabled',
            },
          }),
        ],
      }),
      {},
      { 'i-0000000000000000b': daysAgo(0) },
    );
    assert.deepEqual(codes(findings), [
      'ROLE_TRUSTS_EC2_WITHOUT_INSTANCE_PROFILE lonely',
      'ROLE_MISSING_TAGS untagged',
      'INSTANCE_PROFILE_MISSING_TAGS empty',
      'INSTANCE_PROFILE_WITHOUT_ROLE empty',
      'INSTANCE_WITHOUT_PROFILE_ASKED_FOR_CREDENTIALS i-0000000000000000b',
      'INSTANCE_IMDSV1_ALLOWED i-0000000000000000c',
    ]);
    const imds = findings.find((f) => f.code === 'INSTANCE_IMDSV1_ALLOWED');
    assert.equal(imds?.severity, 'SECURITY_WARNING');
    assert.equal(imds?.account, ACCOUNT);
    assert.equal(imds?.resource.arn, `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0000000000000000c`);
    assert.equal(
      imds?.fix,
      'aws ec2 modify-instance-metadata-options --instance-id i-0000000000000000c --http-tokens required --http-endpoint enabled',
    );
    assert.match(imds?.why ?? '', /IMDSv2 needs a PUT/);
    const lonely = findings.find((f) => f.code === 'ROLE_TRUSTS_EC2_WITHOUT_INSTANCE_PROFILE');
    assert.equal(
      lonely?.fix,
      'aws iam create-instance-profile --instance-profile-name lonely && aws iam add-role-to-instance-profile --instance-profile-name lonely --role-name lonely',
    );
  });

  it('leaves alone terminated instances, instances without a metadata endpoint, and roles trusting other services', () => {
    const lambdaTrust = doc({
      Effect: 'Allow',
      Principal: { Service: 'lambda.amazonaws.com' },
      Action: 'sts:AssumeRole',
    });
    const findings = run(
      snapshot({
        roles: [role('app'), role('fn', { trustPolicy: lambdaTrust })],
        instances: [
          instance('i-0000000000000000d', {
            state: 'terminated',
            association: undefined,
            metadataOptions: {
              httpTokens: 'optional',
              httpPutResponseHopLimit: 1,
              httpEndpoint: 'enabled',
              instanceMetadataTags: 'disabled',
            },
          }),
          instance('i-0000000000000000e', {
            metadataOptions: {
              httpTokens: 'optional',
              httpPutResponseHopLimit: 1,
              httpEndpoint: 'disabled',
              instanceMetadataTags: 'disabled',
            },
          }),
        ],
      }),
      {},
      { 'i-0000000000000000d': daysAgo(0) },
    );
    assert.deepEqual(codes(findings), []);
  });

  it('checks the tag policy it is given', () => {
    const findings = run(snapshot({}), { requiredTags: ['owner', 'cost-center'] });
    assert.deepEqual(codes(findings), ['ROLE_MISSING_TAGS app', 'INSTANCE_PROFILE_MISSING_TAGS app']);
    assert.equal(findings[0]?.message, 'Role app lacks the required tag cost-center.');
    assert.equal(findings[0]?.fix, 'aws iam tag-role --role-name app --tags Key=cost-center,Value=VALUE');
  });

  it('reports unused roles and old or unused access keys, not inactive ones', () => {
    const findings = run(
      snapshot({
        roles: [
          role('app'),
          role('stale', { createDate: daysAgo(400), lastUsed: { date: daysAgo(120), region: 'us-east-1' } }),
          role('forgotten', { createDate: daysAgo(100) }),
          role('recent', { createDate: daysAgo(400), lastUsed: { date: daysAgo(3), region: 'us-east-1' } }),
        ],
        profiles: [profile('app', ['app', 'stale', 'forgotten', 'recent'])],
        accessKeys: [
          key('AKIAALICE0000000001'),
          key('AKIAALICE0000000002', { createDate: daysAgo(100) }),
          key('AKIAALICE0000000003', { createDate: daysAgo(100), lastUsed: undefined }),
          key('AKIAALICE0000000004', { createDate: daysAgo(400), lastUsed: undefined, status: 'Inactive' }),
        ],
      }),
    );
    assert.deepEqual(codes(findings), [
      'ROLE_NEVER_USED forgotten',
      'ROLE_UNUSED stale',
      'ACCESS_KEY_OLD AKIAALICE0000000002',
      'ACCESS_KEY_OLD AKIAALICE0000000003',
      'ACCESS_KEY_UNUSED AKIAALICE0000000003',
    ]);
    const unused = findings.find((f) => f.code === 'ACCESS_KEY_UNUSED');
    assert.equal(
      unused?.fix,
      'aws iam update-access-key --user-name alice --access-key-id AKIAALICE0000000003 --status Inactive',
    );
    assert.deepEqual(
      codes(
        run(snapshot({ accessKeys: [key('AKIAALICE0000000002', { createDate: daysAgo(100) })] }), {
          keyMaxAgeDays: 365,
        }),
      ),
      [],
    );
  });

  it("lints a role's policies and trust policy, and what only two policies together allow", () => {
    const findings = run(
      snapshot({
        roles: [
          role('app', {
            attachedPolicyArns: [
              `arn:aws:iam::${ACCOUNT}:policy/pass-any-role`,
              `arn:aws:iam::${ACCOUNT}:policy/run-instances`,
            ],
            trustPolicy: doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }),
          }),
        ],
      }),
    );
    assert.deepEqual(
      findings.map((f) => `${f.code} ${f.lint?.issueCode ?? ''}`),
      [
        'ROLE_OVER_PERMISSIVE PASS_ROLE_WITH_STAR_IN_RESOURCE',
        'ROLE_OVER_PERMISSIVE PRIVILEGE_ESCALATION_COMBINATION',
        'ROLE_TRUST_OVER_PERMISSIVE OPEN_TO_ALL_PRINCIPALS',
      ],
    );
    assert.match(
      findings[1]?.message ?? '',
      /pass-any-role\) together with ec2:RunInstances \(policy .*run-instances\)/,
    );
    assert.equal(
      findings[0]?.fix,
      `aws iam detach-role-policy --role-name app --policy-arn arn:aws:iam::${ACCOUNT}:policy/pass-any-role`,
    );
  });

  it('lets a permissions boundary take away what it does not allow', () => {
    const admin = role('app', { attachedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    assert.deepEqual(
      run(snapshot({ roles: [admin] })).map((f) => f.lint?.issueCode),
      ['PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE', 'ADMIN_EQUIVALENT'],
    );
    const bounded = { ...admin, permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/s3-read-boundary` };
    // Everything within a boundary of S3 reads on every bucket: what is left is the boundary's reach.
    const findings = run(snapshot({ roles: [bounded] }));
    assert.deepEqual(
      findings.map((f) => f.lint?.issueCode),
      ['DATA_EXFILTRATION'],
    );
    assert.match(findings[0]?.message ?? '', /permissions boundary .*s3-read-boundary \(its policies allow everything/);
    const narrowBoundary = {
      ...role('app'),
      permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/s3-read-boundary`,
    };
    assert.deepEqual(run(snapshot({ roles: [narrowBoundary] })), []);
  });
});
