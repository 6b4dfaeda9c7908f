/**
 * Managed policies and versions, users, groups, access keys, attached and inline policies and boundaries, driven
 * by the real clients people use (the AWS CLI, boto3, SDK v3) against a spawned `rolecall serve`, and a restart
 * that must bring every one of them back. Expected answers: docs/research/iam-policies-users-facts.md (§n).
 * Each client works in an account of its own on the shared server. Run `npm run build` first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeletePolicyVersionCommand,
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  SetDefaultPolicyVersionCommand,
  UpdateAccessKeyCommand,
  paginateListPolicies,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsCli, noAwsCli, noBoto3, python, type CliResult } from '../support/clients.ts';
import { removeDir, startRolecall, tempDir, type RolecallProcess } from '../support/server.ts';
import { signedQuery } from '../support/signed.ts';

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const policyDoc = (action: string): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const SIXTH_VERSION =
  'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.';
const DEFAULT_VERSION = 'Cannot delete the default version of a policy.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

let rc: RolecallProcess;

before(async () => {
  rc = await startRolecall();
});

after(async () => {
  await rc.stop();
  removeDir(rc.dataDir);
});

/** JSON output of a CLI call that must succeed. */
function cliJson<T = Record<string, unknown>>(result: CliResult): T {
  assert.equal(result.status, 0, result.stderr);
  return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
}

/** A CLI call that must fail with this code and message. */
function cliError(result: CliResult, code: string, message: string): void {
  assert.notEqual(result.status, 0, result.stdout);
  assert.ok(result.stderr.includes(`(${code})`), result.stderr);
  assert.ok(result.stderr.includes(message), result.stderr);
}

describe('AWS CLI', { skip: noAwsCli }, () => {
  const cli = (...args: string[]) => awsCli(rc.endpoint, args);
  const account = '000000000000';

  it('policies and versions: a sixth version fails, the default cannot be deleted, the default can be switched', () => {
    const created = cliJson<{ Policy: { Arn: string; DefaultVersionId: string } }>(
      cli('iam', 'create-policy', '--policy-name', 'cli-policy', '--policy-document', policyDoc('s3:Get1')),
    );
    const arn = created.Policy.Arn;
    assert.equal(arn, `arn:aws:iam::${account}:policy/cli-policy`);
    assert.equal(created.Policy.DefaultVersionId, 'v1');
    for (let i = 2; i <= 5; i++) {
      const next: { PolicyVersion: { VersionId: string; IsDefaultVersion: boolean } } = cliJson(
        cli('iam', 'create-policy-version', '--policy-arn', arn, '--policy-document', policyDoc(`s3:Get${i}`)),
      );
      assert.equal(next.PolicyVersion.VersionId, `v${i}`);
      assert.equal(next.PolicyVersion.IsDefaultVersion, false);
    }
    cliError(
      cli('iam', 'create-policy-version', '--policy-arn', arn, '--policy-document', policyDoc('s3:Get6')),
      'LimitExceeded',
      SIXTH_VERSION,
    );
    cliError(
      cli('iam', 'delete-policy-version', '--policy-arn', arn, '--version-id', 'v1'),
      'DeleteConflict',
      DEFAULT_VERSION,
    );
    cliJson(cli('iam', 'set-default-policy-version', '--policy-arn', arn, '--version-id', 'v3'));
    const got = cliJson<{ Policy: { DefaultVersionId: string; Tags: unknown[] } }>(
      cli('iam', 'get-policy', '--policy-arn', arn),
    );
    assert.equal(got.Policy.DefaultVersionId, 'v3');
    assert.deepEqual(got.Policy.Tags, []);
    const version = cliJson<{ PolicyVersion: { Document: unknown; IsDefaultVersion: boolean } }>(
      cli('iam', 'get-policy-version', '--policy-arn', arn, '--version-id', 'v3'),
    );
    assert.deepEqual(version.PolicyVersion.Document, JSON.parse(policyDoc('s3:Get3')));
    assert.equal(version.PolicyVersion.IsDefaultVersion, true);
  });

  it("a user's access key signs `aws sts get-caller-identity`; deactivated, it is InvalidClientTokenId", () => {
    const user = cliJson<{ User: { Arn: string; UserId: string } }>(
      cli('iam', 'create-user', '--user-name', 'cli-user'),
    );
    assert.equal(user.User.Arn, `arn:aws:iam::${account}:user/cli-user`);
    const key = cliJson<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string; Status: string } }>(
      cli('iam', 'create-access-key', '--user-name', 'cli-user'),
    ).AccessKey;
    assert.equal(key.Status, 'Active');
    const creds = { id: key.AccessKeyId, secret: key.SecretAccessKey };
    const identity = cliJson<{ Arn: string; UserId: string; Account: string }>(
      awsCli(rc.endpoint, ['sts', 'get-caller-identity'], creds),
    );
    assert.deepEqual(identity, { UserId: user.User.UserId, Account: account, Arn: user.User.Arn });

    cliJson(cli('iam', 'create-group', '--group-name', 'cli-group'));
    cliJson(cli('iam', 'add-user-to-group', '--user-name', 'cli-user', '--group-name', 'cli-group'));
    const group = cliJson<{ Users: { UserName: string }[] }>(cli('iam', 'get-group', '--group-name', 'cli-group'));
    assert.deepEqual(
      group.Users.map((u) => u.UserName),
      ['cli-user'],
    );

    cliJson(
      cli(
        'iam',
        'update-access-key',
        '--user-name',
        'cli-user',
        '--access-key-id',
        key.AccessKeyId,
        '--status',
        'Inactive',
      ),
    );
    cliError(awsCli(rc.endpoint, ['sts', 'get-caller-identity'], creds), 'InvalidClientTokenId', INVALID_TOKEN);
  });

  it('attached and inline role policies; get-account-authorization-details is decoded', () => {
    const policyArn = `arn:aws:iam::${account}:policy/cli-policy`;
    cliJson(cli('iam', 'create-role', '--role-name', 'cli-role', '--assume-role-policy-document', TRUST));
    cliJson(cli('iam', 'attach-role-policy', '--role-name', 'cli-role', '--policy-arn', policyArn));
    cliJson(
      cli(
        'iam',
        'put-role-policy',
        '--role-name',
        'cli-role',
        '--policy-name',
        'cli-inline',
        '--policy-document',
        policyDoc('sqs:*'),
      ),
    );
    const inline = cliJson<{ PolicyDocument: unknown }>(
      cli('iam', 'get-role-policy', '--role-name', 'cli-role', '--policy-name', 'cli-inline'),
    );
    assert.deepEqual(inline.PolicyDocument, JSON.parse(policyDoc('sqs:*')));

    interface Details {
      UserDetailList: { UserName: string; GroupList: string[]; Tags: unknown[]; UserPolicyList?: unknown }[];
      GroupDetailList: { GroupName: string }[];
      RoleDetailList: {
        RoleName: string;
        AssumeRolePolicyDocument: unknown;
        RolePolicyList: { PolicyName: string; PolicyDocument: unknown }[];
        AttachedManagedPolicies: { PolicyArn: string }[];
        Description?: string;
      }[];
      Policies: {
        Arn: string;
        PolicyVersionList: { VersionId: string; Document: unknown; IsDefaultVersion: boolean }[];
      }[];
    }
    const details = cliJson<Details>(cli('iam', 'get-account-authorization-details'));
    const user = details.UserDetailList.find((u) => u.UserName === 'cli-user');
    assert.ok(user);
    assert.deepEqual(user.GroupList, ['cli-group']);
    assert.deepEqual(user.Tags, []);
    assert.equal(user.UserPolicyList, undefined);
    assert.deepEqual(
      details.GroupDetailList.map((g) => g.GroupName),
      ['cli-group'],
    );
    const role = details.RoleDetailList.find((r) => r.RoleName === 'cli-role');
    assert.ok(role);
    assert.deepEqual(role.AssumeRolePolicyDocument, JSON.parse(TRUST));
    assert.deepEqual(role.RolePolicyList, [
      { PolicyName: 'cli-inline', PolicyDocument: JSON.parse(policyDoc('sqs:*')) },
    ]);
    assert.deepEqual(
      role.AttachedManagedPolicies.map((p) => p.PolicyArn),
      [policyArn],
    );
    const policy = details.Policies.find((p) => p.Arn === policyArn);
    assert.ok(policy);
    assert.deepEqual(
      policy.PolicyVersionList.map((v) => [v.VersionId, v.IsDefaultVersion, v.Document]),
      [5, 4, 3, 2, 1].map((i) => [`v${i}`, i === 3, JSON.parse(policyDoc(`s3:Get${i}`))]),
    );
  });
});

const BOTO3_STORY = `
import json, boto3
from botocore.exceptions import ClientError

iam = boto3.client('iam')
out = {}

def error_of(call):
    try:
        call()
    except ClientError as e:
        return [e.response['Error']['Code'], e.response['Error']['Message'], e.response['ResponseMetadata']['HTTPStatusCode']]
    return None

doc = lambda action: json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': action, 'Resource': '*'}]})

arn = iam.create_policy(PolicyName='boto-policy', PolicyDocument=doc('s3:Get1'))['Policy']['Arn']
out['arn'] = arn
for i in range(2, 6):
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc('s3:Get%d' % i))
out['sixth'] = error_of(lambda: iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc('s3:Get6')))
out['delete_default'] = error_of(lambda: iam.delete_policy_version(PolicyArn=arn, VersionId='v1'))
iam.set_default_policy_version(PolicyArn=arn, VersionId='v4')
out['default'] = iam.get_policy(PolicyArn=arn)['Policy']['DefaultVersionId']
out['versions'] = [v['VersionId'] for v in iam.list_policy_versions(PolicyArn=arn)['Versions']]
out['document'] = iam.get_policy_version(PolicyArn=arn, VersionId='v4')['PolicyVersion']['Document']

for i in range(1, 5):
    iam.create_policy(PolicyName='boto-extra-%d' % i, PolicyDocument=doc('ec2:Describe*'))
pages = iam.get_paginator('list_policies').paginate(Scope='Local', PaginationConfig={'PageSize': 2})
out['local_pages'] = [[p['PolicyName'] for p in page['Policies']] for page in pages]

for name in ['boto-a', 'boto-b', 'boto-c']:
    iam.create_user(UserName=name)
pages = iam.get_paginator('list_users').paginate(PaginationConfig={'PageSize': 1})
out['user_pages'] = [[u['UserName'] for u in page['Users']] for page in pages]

iam.create_group(GroupName='boto-group')
iam.add_user_to_group(UserName='boto-a', GroupName='boto-group')
out['members'] = [u['UserName'] for u in iam.get_group(GroupName='boto-group')['Users']]
out['delete_user_in_group'] = error_of(lambda: iam.delete_user(UserName='boto-a'))

key = iam.create_access_key(UserName='boto-b')['AccessKey']
out['key_shape'] = [key['AccessKeyId'][:4], len(key['AccessKeyId']), len(key['SecretAccessKey']), key['Status']]
out['third_key'] = None
iam.create_access_key(UserName='boto-b')
out['third_key'] = error_of(lambda: iam.create_access_key(UserName='boto-b'))
as_user = boto3.client('sts', aws_access_key_id=key['AccessKeyId'], aws_secret_access_key=key['SecretAccessKey'])
out['identity'] = as_user.get_caller_identity()['Arn']
out['user_denied'] = error_of(lambda: boto3.client('iam', aws_access_key_id=key['AccessKeyId'], aws_secret_access_key=key['SecretAccessKey']).list_users())
iam.update_access_key(UserName='boto-b', AccessKeyId=key['AccessKeyId'], Status='Inactive')
out['inactive'] = error_of(lambda: as_user.get_caller_identity())
last = iam.get_access_key_last_used(AccessKeyId=key['AccessKeyId'])
out['last_used'] = [last['UserName'], last['AccessKeyLastUsed'].get('ServiceName'), last['AccessKeyLastUsed'].get('Region'), 'LastUsedDate' in last['AccessKeyLastUsed']]

iam.create_role(RoleName='boto-role', AssumeRolePolicyDocument=json.dumps(${JSON.stringify(JSON.parse(TRUST))}))
iam.attach_role_policy(RoleName='boto-role', PolicyArn=arn)
iam.attach_role_policy(RoleName='boto-role', PolicyArn='arn:aws:iam::aws:policy/ReadOnlyAccess')
iam.put_role_policy(RoleName='boto-role', PolicyName='boto-inline', PolicyDocument=doc('sns:*'))
out['attached'] = [p['PolicyName'] for p in iam.list_attached_role_policies(RoleName='boto-role')['AttachedPolicies']]
out['inline'] = iam.get_role_policy(RoleName='boto-role', PolicyName='boto-inline')['PolicyDocument']
out['delete_attached_policy'] = error_of(lambda: iam.delete_policy(PolicyArn=arn))
out['missing_policy'] = error_of(lambda: iam.attach_role_policy(RoleName='boto-role', PolicyArn='arn:aws:iam::222222222222:policy/nope'))

details = iam.get_paginator('get_account_authorization_details').paginate(PaginationConfig={'PageSize': 2}).build_full_result()
out['details'] = {
    'users': sorted(u['UserName'] for u in details['UserDetailList']),
    'roles': [[r['RoleName'], r['RolePolicyList'][0]['PolicyDocument'], sorted(p['PolicyName'] for p in r['AttachedManagedPolicies'])] for r in details['RoleDetailList']],
    'aws_policies': sorted(p['PolicyName'] for p in details['Policies'] if p['Arn'].startswith('arn:aws:iam::aws:')),
    'local_versions': [[v['VersionId'], v['IsDefaultVersion']] for p in details['Policies'] if p['Arn'] == arn for v in p['PolicyVersionList']],
}
summary = iam.get_account_summary()['SummaryMap']
out['summary'] = [len(summary), summary['Users'], summary['Groups'], summary['Roles'], summary['Policies']]
print(json.dumps(out))
`;

describe('boto3', { skip: noBoto3 }, () => {
  it('policies, versions, paginators, users, groups, keys, role policies and the account views', () => {
    const result = python(rc.endpoint, BOTO3_STORY, { id: '222222222222', secret: 'test' });
    assert.equal(result.status, 0, result.stderr);
    const out = JSON.parse(result.stdout) as Record<string, unknown>;
    const arn = 'arn:aws:iam::222222222222:policy/boto-policy';
    assert.equal(out['arn'], arn);
    assert.deepEqual(out['sixth'], ['LimitExceeded', SIXTH_VERSION, 409]);
    assert.deepEqual(out['delete_default'], ['DeleteConflict', DEFAULT_VERSION, 409]);
    assert.equal(out['default'], 'v4');
    assert.deepEqual(out['versions'], ['v5', 'v4', 'v3', 'v2', 'v1']);
    assert.deepEqual(out['document'], JSON.parse(policyDoc('s3:Get4')));
    assert.deepEqual(out['local_pages'], [
      ['boto-extra-1', 'boto-extra-2'],
      ['boto-extra-3', 'boto-extra-4'],
      ['boto-policy'],
    ]);
    assert.deepEqual(out['user_pages'], [['boto-a'], ['boto-b'], ['boto-c']]);
    assert.deepEqual(out['members'], ['boto-a']);
    assert.deepEqual(out['delete_user_in_group'], [
      'DeleteConflict',
      'Cannot delete entity, must remove users from group first.',
      409,
    ]);
    assert.deepEqual(out['key_shape'], ['AKIA', 20, 40, 'Active']);
    assert.deepEqual(out['third_key'], ['LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2', 409]);
    assert.equal(out['identity'], 'arn:aws:iam::222222222222:user/boto-b');
    const denied = out['user_denied'] as [string, string, number];
    assert.deepEqual([denied[0], denied[2]], ['AccessDenied', 403]);
    assert.deepEqual(out['inactive'], ['InvalidClientTokenId', INVALID_TOKEN, 403]);
    // The key's last use was the denied ListUsers: authenticated, so recorded (service iam, the signing region).
    assert.deepEqual(out['last_used'], ['boto-b', 'iam', 'us-east-1', true]);
    assert.deepEqual(out['attached'], ['boto-policy', 'ReadOnlyAccess']);
    assert.deepEqual(out['inline'], JSON.parse(policyDoc('sns:*')));
    assert.deepEqual(out['delete_attached_policy'], [
      'DeleteConflict',
      'Cannot delete a policy attached to entities.',
      409,
    ]);
    assert.deepEqual(out['missing_policy'], [
      'NoSuchEntity',
      'Policy arn:aws:iam::222222222222:policy/nope does not exist or is not attachable.',
      404,
    ]);
    assert.deepEqual(out['details'], {
      users: ['boto-a', 'boto-b', 'boto-c'],
      roles: [['boto-role', JSON.parse(policyDoc('sns:*')), ['ReadOnlyAccess', 'boto-policy']]],
      aws_policies: ['ReadOnlyAccess'],
      local_versions: [
        ['v5', false],
        ['v4', true],
        ['v3', false],
        ['v2', false],
        ['v1', false],
      ],
    });
    assert.deepEqual(out['summary'], [34, 3, 1, 1, 5]);
  });
});

describe('SDK v3 (@aws-sdk/client-iam, @aws-sdk/client-sts)', () => {
  const account = '333333333333';
  const credentials = { accessKeyId: account, secretAccessKey: 'test' };
  const iam = () => new IAMClient({ endpoint: rc.endpoint, region: 'us-east-1', credentials });

  /** The error an SDK call fails with: its name, message and HTTP status. */
  async function failure(call: Promise<unknown>): Promise<[string, string, number | undefined]> {
    try {
      await call;
    } catch (err) {
      const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      return [e.name, e.message, e.$metadata?.httpStatusCode];
    }
    return assert.fail('the call succeeded');
  }

  it('policies and versions; documents come back URL-encoded', async () => {
    const client = iam();
    const created = await client.send(
      new CreatePolicyCommand({ PolicyName: 'sdk-policy', PolicyDocument: policyDoc('s3:Get1') }),
    );
    const arn = created.Policy?.Arn ?? '';
    assert.equal(arn, `arn:aws:iam::${account}:policy/sdk-policy`);
    for (let i = 2; i <= 5; i++) {
      await client.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policyDoc(`s3:Get${i}`) }));
    }
    assert.deepEqual(
      await failure(client.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policyDoc('x:y') }))),
      ['LimitExceededException', SIXTH_VERSION, 409],
    );
    assert.deepEqual(await failure(client.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }))), [
      'DeleteConflictException',
      DEFAULT_VERSION,
      409,
    ]);
    await client.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    assert.equal((await client.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId, 'v2');
    const versions = await client.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    assert.deepEqual(
      versions.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion]),
      [
        ['v5', false],
        ['v4', false],
        ['v3', false],
        ['v2', true],
        ['v1', false],
      ],
    );
    const version = await client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    assert.equal(decodeURIComponent(version.PolicyVersion?.Document ?? ''), policyDoc('s3:Get2'));
    const local: string[] = [];
    for await (const page of paginateListPolicies({ client, pageSize: 1 }, { Scope: 'Local' })) {
      local.push(...(page.Policies ?? []).map((p) => p.PolicyName ?? ''));
    }
    assert.deepEqual(local, ['sdk-policy']);
  });

  it("users, groups, keys, role policies: the user's key signs STS calls until it is deactivated", async () => {
    const client = iam();
    const policyArn = `arn:aws:iam::${account}:policy/sdk-policy`;
    const user = await client.send(new CreateUserCommand({ UserName: 'sdk-user' }));
    await client.send(new CreateGroupCommand({ GroupName: 'sdk-group' }));
    await client.send(new AddUserToGroupCommand({ UserName: 'sdk-user', GroupName: 'sdk-group' }));
    const key = (await client.send(new CreateAccessKeyCommand({ UserName: 'sdk-user' }))).AccessKey;
    assert.ok(key?.AccessKeyId && key.SecretAccessKey);
    const asUser = new STSClient({
      endpoint: rc.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey },
    });
    const identity = await asUser.send(new GetCallerIdentityCommand({}));
    assert.deepEqual([identity.Arn, identity.UserId, identity.Account], [user.User?.Arn, user.User?.UserId, account]);
    await client.send(
      new UpdateAccessKeyCommand({ UserName: 'sdk-user', AccessKeyId: key.AccessKeyId, Status: 'Inactive' }),
    );
    const [name, message, status] = await failure(asUser.send(new GetCallerIdentityCommand({})));
    assert.deepEqual([message, status], [INVALID_TOKEN, 403]);
    assert.match(name, /InvalidClientTokenId/);

    await client.send(new CreateRoleCommand({ RoleName: 'sdk-role', AssumeRolePolicyDocument: TRUST }));
    await client.send(new AttachRolePolicyCommand({ RoleName: 'sdk-role', PolicyArn: policyArn }));
    await client.send(
      new PutRolePolicyCommand({ RoleName: 'sdk-role', PolicyName: 'sdk-inline', PolicyDocument: policyDoc('sns:*') }),
    );
    const attached = await client.send(new ListAttachedRolePoliciesCommand({ RoleName: 'sdk-role' }));
    assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 'sdk-policy', PolicyArn: policyArn }]);
    const inline = await client.send(new GetRolePolicyCommand({ RoleName: 'sdk-role', PolicyName: 'sdk-inline' }));
    assert.equal(decodeURIComponent(inline.PolicyDocument ?? ''), policyDoc('sns:*'));
    const details = await client.send(new GetAccountAuthorizationDetailsCommand({}));
    assert.deepEqual(
      details.UserDetailList?.map((u) => [u.UserName, u.GroupList]),
      [['sdk-user', ['sdk-group']]],
    );
    assert.deepEqual(
      details.RoleDetailList?.map((r) => [r.RoleName, r.RolePolicyList?.map((p) => p.PolicyName), 'Description' in r]),
      [['sdk-role', ['sdk-inline'], false]],
    );
  });
});

describe('restart', () => {
  it('policies with versions, users, groups, memberships, keys, attachments and boundaries survive a restart', async () => {
    const dataDir = tempDir();
    let server = await startRolecall({ dataDir });
    try {
      const account = '444444444444';
      const credentials = { accessKeyId: account, secretAccessKey: 'test' };
      const client = new IAMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials });
      const created = await client.send(
        new CreatePolicyCommand({
          PolicyName: 'kept',
          Path: '/keep/',
          Description: 'survives',
          PolicyDocument: policyDoc('s3:Get1'),
          Tags: [{ Key: 'a', Value: '1' }],
        }),
      );
      const arn = created.Policy?.Arn ?? '';
      await client.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policyDoc('s3:Get2') }));
      await client.send(
        new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policyDoc('s3:Get3'), SetAsDefault: true }),
      );
      await client.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
      await client.send(new CreateUserCommand({ UserName: 'kept-user', Tags: [{ Key: 'team', Value: 'x' }] }));
      await client.send(new CreateUserCommand({ UserName: 'other-user', PermissionsBoundary: arn }));
      await client.send(new PutUserPermissionsBoundaryCommand({ UserName: 'kept-user', PermissionsBoundary: arn }));
      await client.send(
        new PutUserPolicyCommand({ UserName: 'kept-user', PolicyName: 'u-inline', PolicyDocument: policyDoc('sqs:*') }),
      );
      await client.send(new CreateGroupCommand({ GroupName: 'kept-group' }));
      await client.send(new AddUserToGroupCommand({ UserName: 'kept-user', GroupName: 'kept-group' }));
      await client.send(new AttachGroupPolicyCommand({ GroupName: 'kept-group', PolicyArn: arn }));
      await client.send(
        new CreateRoleCommand({ RoleName: 'kept-role', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: arn }),
      );
      await client.send(
        new AttachRolePolicyCommand({
          RoleName: 'kept-role',
          PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
        }),
      );
      await client.send(
        new PutRolePolicyCommand({ RoleName: 'kept-role', PolicyName: 'r-inline', PolicyDocument: policyDoc('sns:*') }),
      );
      const key = (await client.send(new CreateAccessKeyCommand({ UserName: 'kept-user' }))).AccessKey;
      const inactive = (await client.send(new CreateAccessKeyCommand({ UserName: 'kept-user' }))).AccessKey;
      assert.ok(key?.AccessKeyId && key.SecretAccessKey && inactive?.AccessKeyId && inactive.SecretAccessKey);
      await client.send(
        new UpdateAccessKeyCommand({ UserName: 'kept-user', AccessKeyId: inactive.AccessKeyId, Status: 'Inactive' }),
      );

      /** Everything the account can read back, raw, request ids removed. */
      const readBack = async (endpoint: string): Promise<string[]> => {
        const requests: Record<string, string>[] = [
          { Action: 'GetAccountAuthorizationDetails' },
          { Action: 'ListPolicies', Scope: 'Local' },
          { Action: 'ListPolicies', Scope: 'AWS', OnlyAttached: 'true' },
          { Action: 'GetPolicy', PolicyArn: arn },
          { Action: 'ListPolicyVersions', PolicyArn: arn },
          { Action: 'GetPolicyVersion', PolicyArn: arn, VersionId: 'v1' },
          { Action: 'GetPolicyVersion', PolicyArn: arn, VersionId: 'v3' },
          { Action: 'ListPolicyTags', PolicyArn: arn },
          { Action: 'ListUsers' },
          { Action: 'GetUser', UserName: 'kept-user' },
          { Action: 'GetUser', UserName: 'other-user' },
          { Action: 'ListAccessKeys', UserName: 'kept-user' },
          { Action: 'GetGroup', GroupName: 'kept-group' },
          { Action: 'ListGroupsForUser', UserName: 'kept-user' },
          { Action: 'GetRole', RoleName: 'kept-role' },
          { Action: 'ListAttachedRolePolicies', RoleName: 'kept-role' },
          { Action: 'GetRolePolicy', RoleName: 'kept-role', PolicyName: 'r-inline' },
          { Action: 'GetUserPolicy', UserName: 'kept-user', PolicyName: 'u-inline' },
          { Action: 'GetAccountSummary' },
        ];
        const out: string[] = [];
        for (const params of requests) {
          const reply = await signedQuery(endpoint, 'iam', params, { accessKeyId: account });
          assert.equal(reply.status, 200, `${params['Action']}: ${reply.body}`);
          out.push(reply.body.replace(/<RequestId>[^<]*<\/RequestId>/, ''));
        }
        return out;
      };
      const before = await readBack(server.endpoint);
      assert.match(before[4] ?? '', /<VersionId>v3<\/VersionId>.*<VersionId>v1<\/VersionId>/);
      assert.match(before[0] ?? '', /<GroupList><member>kept-group<\/member><\/GroupList>/);

      assert.equal(await server.stop(), 0);
      server = await startRolecall({ dataDir });
      assert.deepEqual(await readBack(server.endpoint), before);

      const sts = (id: string, secret: string) =>
        new STSClient({
          endpoint: server.endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: id, secretAccessKey: secret },
        });
      const identity = await sts(key.AccessKeyId, key.SecretAccessKey).send(new GetCallerIdentityCommand({}));
      assert.equal(identity.Arn, `arn:aws:iam::${account}:user/kept-user`);
      await assert.rejects(sts(inactive.AccessKeyId, inactive.SecretAccessKey).send(new GetCallerIdentityCommand({})), {
        message: INVALID_TOKEN,
      });
      const keys = await new IAMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials }).send(
        new ListAccessKeysCommand({ UserName: 'kept-user' }),
      );
      assert.deepEqual(
        keys.AccessKeyMetadata?.map((k) => [k.AccessKeyId, k.Status]).sort(),
        [
          [key.AccessKeyId, 'Active'],
          [inactive.AccessKeyId, 'Inactive'],
        ].sort(),
      );
      const role = await new IAMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials }).send(
        new GetRoleCommand({ RoleName: 'kept-role' }),
      );
      assert.deepEqual(role.Role?.PermissionsBoundary, {
        PermissionsBoundaryType: 'Policy',
        PermissionsBoundaryArn: arn,
      });
    } finally {
      await server.stop();
      removeDir(dataDir);
    }
  });
});
