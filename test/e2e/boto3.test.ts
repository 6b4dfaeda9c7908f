/**
 * boto3 against a running rolecall. Each test runs one Python script that makes its calls, catches each
 * ClientError as {Code, Message, HTTPStatusCode}, and prints everything as JSON for the test to compare exactly.
 * After every refused call the script reads the state back, to show the refusal changed nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { noBoto3 } from '../support/clients.ts';
import {
  awsError,
  boto3Run,
  DEFAULT_ACCOUNT,
  EC2_TRUST,
  EC2_TRUST_JSON,
  LAMBDA_TRUST_JSON,
  MALFORMED_TRUST,
  messages,
  OTHER_ACCOUNT,
  py,
  sorted,
  uniqueIdPattern,
  useServer,
  validationMessage,
  type Attempt,
} from './helpers.ts';

interface Role {
  Path: string;
  RoleName: string;
  RoleId: string;
  Arn: string;
  AssumeRolePolicyDocument: unknown;
  Tags?: { Key: string; Value: string }[];
}

describe('boto3 against rolecall', { skip: noBoto3 }, () => {
  const server = useServer();
  const run = <T>(script: string) => boto3Run<T>(server().endpoint, script);

  it('refuses a duplicate role or instance profile name, in any case, and keeps the original', () => {
    const r = run<{
      created: Role;
      same: Attempt;
      other_case: Attempt;
      after: { RoleId: string; Trust: unknown };
      listed: [string, string][];
      profile_again: Attempt;
      profiles: string[];
    }>(`
created = iam.create_role(RoleName='py-app', Path='/app/', AssumeRolePolicyDocument=${py(EC2_TRUST_JSON)},
                          Tags=[{'Key': 'team', 'Value': 'core'}])['Role']
res = {'created': created}
res['same'] = attempt(iam.create_role, RoleName='py-app', AssumeRolePolicyDocument=${py(LAMBDA_TRUST_JSON)})
res['other_case'] = attempt(iam.create_role, RoleName='PY-APP', AssumeRolePolicyDocument=${py(LAMBDA_TRUST_JSON)})
after = iam.get_role(RoleName='py-app')['Role']
res['after'] = {'RoleId': after['RoleId'], 'Trust': after['AssumeRolePolicyDocument']}
res['listed'] = [[r['RoleName'], r['RoleId']] for r in iam.list_roles()['Roles'] if r['RoleName'].lower() == 'py-app']
iam.create_instance_profile(InstanceProfileName='py-profile')
res['profile_again'] = attempt(iam.create_instance_profile, InstanceProfileName='Py-Profile')
res['profiles'] = [p['InstanceProfileName'] for p in iam.list_instance_profiles()['InstanceProfiles']]
out(res)
`);
    const role = r.created;
    assert.match(role.RoleId, uniqueIdPattern('AROA'));
    assert.deepEqual(
      [role.Arn, role.Path, role.AssumeRolePolicyDocument, role.Tags],
      [`arn:aws:iam::${DEFAULT_ACCOUNT}:role/app/py-app`, '/app/', EC2_TRUST, [{ Key: 'team', Value: 'core' }]],
    );
    assert.deepEqual(r.same, awsError('EntityAlreadyExists', 409, messages.roleExists('py-app')));
    // IAM names are unique case-insensitively (CreateRole: "Names are not distinguished by case"). Which
    // spelling the message shows is not established (wire-facts, "Not established"), so either is accepted.
    assert.ok(
      [
        awsError('EntityAlreadyExists', 409, messages.roleExists('PY-APP')),
        awsError('EntityAlreadyExists', 409, messages.roleExists('py-app')),
      ].some((e) => isDeepStrictEqual(e, r.other_case)),
      JSON.stringify(r.other_case),
    );
    assert.deepEqual(r.after, { RoleId: role.RoleId, Trust: EC2_TRUST });
    assert.deepEqual(r.listed, [['py-app', role.RoleId]]);

    assert.ok(
      [
        awsError('EntityAlreadyExists', 409, messages.profileExists('Py-Profile')),
        awsError('EntityAlreadyExists', 409, messages.profileExists('py-profile')),
      ].some((e) => isDeepStrictEqual(e, r.profile_again)),
      JSON.stringify(r.profile_again),
    );
    assert.deepEqual(r.profiles, ['py-profile']);
  });

  it('answers NoSuchEntity (404) for roles and instance profiles that do not exist', () => {
    const r = run<Record<string, Attempt>>(`
iam.create_role(RoleName='py-lonely', AssumeRolePolicyDocument=${py(EC2_TRUST_JSON)})
iam.create_instance_profile(InstanceProfileName='py-empty')
out(dict(
    get_role=attempt(iam.get_role, RoleName='py-missing'),
    delete_role=attempt(iam.delete_role, RoleName='py-missing'),
    update_role=attempt(iam.update_role, RoleName='py-missing', Description='x'),
    tag_role=attempt(iam.tag_role, RoleName='py-missing', Tags=[{'Key': 'k', 'Value': 'v'}]),
    list_role_tags=attempt(iam.list_role_tags, RoleName='py-missing'),
    get_profile=attempt(iam.get_instance_profile, InstanceProfileName='py-missing'),
    delete_profile=attempt(iam.delete_instance_profile, InstanceProfileName='py-missing'),
    add_missing_role=attempt(iam.add_role_to_instance_profile, InstanceProfileName='py-empty', RoleName='py-missing'),
    add_to_missing_profile=attempt(iam.add_role_to_instance_profile, InstanceProfileName='py-missing',
                                   RoleName='py-lonely'),
    remove_absent=attempt(iam.remove_role_from_instance_profile, InstanceProfileName='py-empty', RoleName='py-lonely'),
    profile_after=attempt(iam.get_instance_profile, InstanceProfileName='py-empty'),
))
`);
    const noRole = awsError('NoSuchEntity', 404, messages.roleNotFound('py-missing'));
    const noProfile = awsError('NoSuchEntity', 404, messages.profileNotFound('py-missing'));
    assert.deepEqual(
      { ...r, profile_after: undefined },
      {
        get_role: noRole,
        delete_role: noRole,
        update_role: noRole,
        tag_role: noRole,
        list_role_tags: noRole,
        get_profile: noProfile,
        delete_profile: noProfile,
        add_missing_role: noRole,
        add_to_missing_profile: noProfile,
        remove_absent: awsError('NoSuchEntity', 404, messages.roleNotInProfile('py-lonely', 'py-empty')),
        profile_after: undefined,
      },
    );
    const profile = r['profile_after'] as { ok: { InstanceProfile: { Roles: unknown[]; Tags: unknown[] } } };
    assert.deepEqual([profile.ok.InstanceProfile.Roles, profile.ok.InstanceProfile.Tags], [[], []]);
  });

  it('lets an instance profile hold one role: LimitExceeded and DeleteConflict (409) change nothing', () => {
    const r = run<Record<string, unknown>>(`
for name in ('py-web', 'py-worker'):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=${py(EC2_TRUST_JSON)})
iam.create_instance_profile(InstanceProfileName='py-web-profile')
def held():
    p = iam.get_instance_profile(InstanceProfileName='py-web-profile')['InstanceProfile']
    return [r['RoleName'] for r in p['Roles']]
def profiles_of(role):
    return [p['InstanceProfileName'] for p in iam.list_instance_profiles_for_role(RoleName=role)['InstanceProfiles']]
res = {}
res['add'] = attempt(iam.add_role_to_instance_profile, InstanceProfileName='py-web-profile', RoleName='py-web')
res['second'] = attempt(iam.add_role_to_instance_profile, InstanceProfileName='py-web-profile', RoleName='py-worker')
res['held_after_second'] = held()
res['delete_role'] = attempt(iam.delete_role, RoleName='py-web')
res['delete_profile'] = attempt(iam.delete_instance_profile, InstanceProfileName='py-web-profile')
res['role_after'] = attempt(iam.get_role, RoleName='py-web')['ok']['Role']['RoleName']
res['held_after_deletes'] = held()
res['for_web'] = profiles_of('py-web')
res['for_worker'] = profiles_of('py-worker')
res['remove'] = attempt(iam.remove_role_from_instance_profile, InstanceProfileName='py-web-profile', RoleName='py-web')
res['held_after_remove'] = held()
res['delete_role_now'] = attempt(iam.delete_role, RoleName='py-web')
res['delete_profile_now'] = attempt(iam.delete_instance_profile, InstanceProfileName='py-web-profile')
res['gone_role'] = attempt(iam.get_role, RoleName='py-web')
res['gone_profile'] = attempt(iam.get_instance_profile, InstanceProfileName='py-web-profile')
out(res)
`);
    assert.deepEqual(r, {
      add: { ok: {} },
      second: awsError('LimitExceeded', 409, messages.profileQuota),
      held_after_second: ['py-web'],
      delete_role: awsError('DeleteConflict', 409, messages.removeRolesFirst),
      delete_profile: awsError('DeleteConflict', 409, messages.removeRolesFirst),
      role_after: 'py-web',
      held_after_deletes: ['py-web'],
      for_web: ['py-web-profile'],
      for_worker: [],
      remove: { ok: {} },
      held_after_remove: [],
      delete_role_now: { ok: {} },
      delete_profile_now: { ok: {} },
      gone_role: awsError('NoSuchEntity', 404, messages.roleNotFound('py-web')),
      gone_profile: awsError('NoSuchEntity', 404, messages.profileNotFound('py-web-profile')),
    });
  });

  it('refuses malformed trust policies with MalformedPolicyDocument (400) and keeps the old one', () => {
    const missingRole = `arn:aws:iam::${DEFAULT_ACCOUNT}:role/py-nobody`;
    const refused: Record<string, { document: string; code: string; status: number; message: string }> = {
      ...Object.fromEntries(
        Object.entries(MALFORMED_TRUST).map(([key, { document, message }]) => [
          key,
          { document, code: 'MalformedPolicyDocument', status: 400, message },
        ]),
      ),
      // IAM resolves principal ARNs when it stores the policy, so a role that does not exist is refused (wire-facts §6).
      missingPrincipal: {
        document: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: missingRole }, Action: 'sts:AssumeRole' }],
        }),
        code: 'MalformedPolicyDocument',
        status: 400,
        message: `Invalid principal in policy: "AWS":"${missingRole}"`,
      },
      // Over the 2,048-character trust policy quota: LimitExceeded, 409 (wire-facts §6).
      tooLarge: {
        document: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'ec2.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': 'x'.repeat(2100) } },
            },
          ],
        }),
        code: 'LimitExceeded',
        status: 409,
        message: 'Cannot exceed quota for ACLSizePerRole: 2048',
      },
    };
    const r = run<Record<string, unknown>>(`
res = {}
for key, doc in ${py(Object.fromEntries(Object.entries(refused).map(([k, v]) => [k, v.document])))}.items():
    res['create_' + key] = attempt(iam.create_role, RoleName='py-bad-' + key, AssumeRolePolicyDocument=doc)
    res['exists_' + key] = attempt(iam.get_role, RoleName='py-bad-' + key)
iam.create_role(RoleName='py-trusting', AssumeRolePolicyDocument=${py(EC2_TRUST_JSON)})
res['update'] = attempt(iam.update_assume_role_policy, RoleName='py-trusting',
                        PolicyDocument=${py(MALFORMED_TRUST.notSts.document)})
res['trust_after'] = iam.get_role(RoleName='py-trusting')['Role']['AssumeRolePolicyDocument']
out(res)
`);
    const expected: Record<string, unknown> = {
      update: awsError('MalformedPolicyDocument', 400, MALFORMED_TRUST.notSts.message),
      trust_after: EC2_TRUST,
    };
    for (const [key, { code, status, message }] of Object.entries(refused)) {
      expected[`create_${key}`] = awsError(code, status, message);
      expected[`exists_${key}`] = awsError('NoSuchEntity', 404, messages.roleNotFound(`py-bad-${key}`));
    }
    assert.deepEqual(r, expected);
  });

  it('refuses values outside the model constraints with ValidationError (400), before looking anything up', () => {
    const long = 'r'.repeat(65);
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const r = run<Record<string, Attempt>>(`
trust = ${py(EC2_TRUST_JSON)}
res = {}
res['bad_name'] = attempt(iam.create_role, RoleName='bad name!', AssumeRolePolicyDocument=trust)
res['long_name'] = attempt(iam.create_role, RoleName='${long}', AssumeRolePolicyDocument=trust)
res['short_session'] = attempt(iam.create_role, RoleName='py-short', MaxSessionDuration=100,
                               AssumeRolePolicyDocument=trust)
res['bad_path'] = attempt(iam.create_role, RoleName='py-pathless', Path='app', AssumeRolePolicyDocument=trust)
res['many_tags'] = attempt(iam.create_role, RoleName='py-many-tags', Tags=${py(tags(51))},
                           AssumeRolePolicyDocument=trust)
res['long_tag_key'] = attempt(iam.create_role, RoleName='py-long-key', Tags=[{'Key': 'k' * 129, 'Value': 'v'}],
                              AssumeRolePolicyDocument=trust)
res['tag_missing_role'] = attempt(iam.tag_role, RoleName='py-missing', Tags=${py(tags(51))})
res['duplicate_tag_keys'] = attempt(iam.create_role, RoleName='py-dup-tags', AssumeRolePolicyDocument=trust,
                                    Tags=[{'Key': 'Team', 'Value': 'a'}, {'Key': 'team', 'Value': 'b'}])
names = [r['RoleName'] for r in iam.list_roles()['Roles']]
res['listed'] = {'ok': [n for n in names if n in ('bad name!', '${long}', 'py-short', 'py-pathless', 'py-many-tags',
                                                   'py-long-key', 'py-dup-tags')]}
out(res)
`);
    assert.deepEqual(r, {
      // IAM words a name that breaks its pattern its own way, not as the generic pattern message: seen in real
      // IAM responses to CreateRole (wire-facts §2; kubecost/docs#36, aws-amplify/amplify-cli#9120).
      bad_name: awsError('ValidationError', 400, messages.invalidRoleName),
      long_name: awsError(
        'ValidationError',
        400,
        validationMessage(long, 'roleName', 'Member must have length less than or equal to 64'),
      ),
      short_session: awsError(
        'ValidationError',
        400,
        validationMessage('100', 'maxSessionDuration', 'Member must have value greater than or equal to 3600'),
      ),
      bad_path: awsError(
        'ValidationError',
        400,
        'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.',
      ),
      // IAM leaves the value out for tags (wire-facts §2, recorded from AWS).
      many_tags: awsError(
        'ValidationError',
        400,
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
      ),
      long_tag_key: awsError(
        'ValidationError',
        400,
        "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128",
      ),
      // Constraint checks come before the lookup: the role does not exist, yet the answer is about the tags.
      tag_missing_role: awsError(
        'ValidationError',
        400,
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
      ),
      duplicate_tag_keys: awsError(
        'InvalidInput',
        400,
        'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      ),
      listed: { ok: [] },
    });
  });

  it('pages through roles with the list_roles paginator, each role exactly once', () => {
    const names = Array.from({ length: 7 }, (_, i) => `py-page-${i}`);
    const r = run<{ pages: string[][]; first: { IsTruncated: boolean; Marker: string | null; count: number } }>(`
for name in ${py(names)}:
    iam.create_role(RoleName=name, Path='/pypage/', AssumeRolePolicyDocument=${py(EC2_TRUST_JSON)})
pages = [[r['RoleName'] for r in page['Roles']]
         for page in iam.get_paginator('list_roles').paginate(PathPrefix='/pypage/', PaginationConfig={'PageSize': 2})]
first = iam.list_roles(PathPrefix='/pypage/', MaxItems=2)
out(dict(pages=pages, first=dict(IsTruncated=first['IsTruncated'], Marker=first.get('Marker'), count=len(first['Roles']))))
`);
    assert.deepEqual(
      r.pages.map((p) => p.length),
      [2, 2, 2, 1],
    );
    assert.deepEqual(sorted(r.pages.flat()), names);
    assert.deepEqual({ ...r.first, Marker: typeof r.first.Marker }, { IsTruncated: true, Marker: 'string', count: 2 });
  });

  it('refuses unknown keys and wrong secrets: InvalidClientTokenId and SignatureDoesNotMatch, AuthFailure on EC2', () => {
    const r = run<Record<string, unknown>>(`
unknown = ('AKIAXXXXXXXXXXXXXXXX', 'test')
wrong = ('test', 'not-the-secret')
res = {}
res['iam_unknown'] = attempt(client('iam', *unknown).create_role, RoleName='py-intruder',
                             AssumeRolePolicyDocument=${py(EC2_TRUST_JSON)})
res['iam_wrong'] = attempt(client('iam', *wrong).create_role, RoleName='py-intruder',
                           AssumeRolePolicyDocument=${py(EC2_TRUST_JSON)})
res['sts_unknown'] = attempt(client('sts', *unknown).get_caller_identity)
res['sts_wrong'] = attempt(client('sts', *wrong).get_caller_identity)
res['ec2_unknown'] = attempt(client('ec2', *unknown).describe_regions)
res['ec2_wrong'] = attempt(client('ec2', *wrong).describe_regions)
from botocore import UNSIGNED
anonymous = boto3.client('iam', config=CONFIG.merge(Config(signature_version=UNSIGNED)))
res['iam_unsigned'] = attempt(anonymous.create_role, RoleName='py-intruder', AssumeRolePolicyDocument=${py(EC2_TRUST_JSON)})
res['intruder'] = attempt(iam.get_role, RoleName='py-intruder')
out(res)
`);
    const invalidToken = awsError('InvalidClientTokenId', 403, messages.invalidToken);
    const mismatch = awsError('SignatureDoesNotMatch', 403, messages.signatureMismatch);
    assert.deepEqual(r, {
      iam_unknown: invalidToken,
      iam_wrong: mismatch,
      sts_unknown: invalidToken,
      sts_wrong: mismatch,
      // EC2 reports an unknown key as AuthFailure with HTTP 401 (wire-facts §3).
      ec2_unknown: awsError('AuthFailure', 401, messages.ec2AuthFailure),
      ec2_wrong: mismatch,
      // No signature at all (wire-facts §8: no period at the end).
      iam_unsigned: awsError('MissingAuthenticationToken', 403, 'Request is missing Authentication Token'),
      intruder: awsError('NoSuchEntity', 404, messages.roleNotFound('py-intruder')),
    });
  });

  it('names the caller by access key, keeps accounts apart, and describes EC2 regions', () => {
    const r = run<Record<string, unknown>>(`
other = ('${OTHER_ACCOUNT}', 'test')
oiam = client('iam', *other)
res = {}
res['me'] = attempt(sts.get_caller_identity)
res['them'] = attempt(client('sts', *other).get_caller_identity)
res['their_roles'] = [r['RoleName'] for r in oiam.list_roles()['Roles']]
res['their_get'] = attempt(oiam.get_role, RoleName='py-lonely')
created = oiam.create_role(RoleName='py-lonely', AssumeRolePolicyDocument=${py(EC2_TRUST_JSON)})['Role']
res['their_arn'] = created['Arn']
res['same_id'] = created['RoleId'] == iam.get_role(RoleName='py-lonely')['Role']['RoleId']
regions = ec2.describe_regions()['Regions']
res['us_east_1'] = [r for r in regions if r['RegionName'] == 'us-east-1']
res['region_count_unique'] = len(regions) == len({r['RegionName'] for r in regions})
zones = ec2.describe_availability_zones()['AvailabilityZones']
res['zones'] = sorted({(z['RegionName'], z['State']) for z in zones})
res['zone_names_ok'] = all(z['ZoneName'].startswith('us-east-1') and len(z['ZoneName']) == 10 for z in zones)
out(res)
`);
    assert.deepEqual(r, {
      me: { ok: { UserId: DEFAULT_ACCOUNT, Account: DEFAULT_ACCOUNT, Arn: `arn:aws:iam::${DEFAULT_ACCOUNT}:root` } },
      them: { ok: { UserId: OTHER_ACCOUNT, Account: OTHER_ACCOUNT, Arn: `arn:aws:iam::${OTHER_ACCOUNT}:root` } },
      their_roles: [],
      their_get: awsError('NoSuchEntity', 404, messages.roleNotFound('py-lonely')),
      their_arn: `arn:aws:iam::${OTHER_ACCOUNT}:role/py-lonely`,
      same_id: false,
      us_east_1: [
        { RegionName: 'us-east-1', Endpoint: 'ec2.us-east-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
      ],
      region_count_unique: true,
      zones: [['us-east-1', 'available']],
      zone_names_ok: true,
    });
  });
});
