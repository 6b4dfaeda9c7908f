/**
 * The AWS CLI against a running rolecall: a role trusting EC2 and its instance profile from creation to
 * deletion, tags, pagination, the account a key stands for, and EC2 regions and zones. The CLI costs ~0.4 s a
 * call, so each story makes only the calls it needs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noAwsCli } from '../support/clients.ts';
import {
  cliErrorLine,
  cliRun,
  cliOk,
  cliServiceErrorStatus,
  DEFAULT_ACCOUNT,
  EC2_TRUST,
  EC2_TRUST_JSON,
  messages,
  OTHER_ACCOUNT,
  sorted,
  byKey,
  uniqueIdPattern,
  useServer,
} from './helpers.ts';

interface Tag {
  Key: string;
  Value: string;
}
interface Role {
  Path: string;
  RoleName: string;
  RoleId: string;
  Arn: string;
  CreateDate: string;
  AssumeRolePolicyDocument: unknown;
  Description?: string;
  MaxSessionDuration?: number;
  Tags?: Tag[];
  RoleLastUsed?: unknown;
}
interface InstanceProfile {
  Path: string;
  InstanceProfileName: string;
  InstanceProfileId: string;
  Arn: string;
  CreateDate: string;
  Roles: Role[];
  Tags?: Tag[];
}

const OTHER = { id: OTHER_ACCOUNT, secret: 'test' };

describe('the AWS CLI against rolecall', { skip: noAwsCli }, () => {
  const server = useServer();
  const ok = <T = Record<string, unknown>>(args: readonly string[], creds?: { id: string; secret: string }) =>
    cliOk<T>(server().endpoint, args, creds);
  const SERVICE_ERROR = noAwsCli ? 0 : cliServiceErrorStatus();
  /** Runs a command that must fail with a service error and checks the exit code and the exact stderr. */
  const fails = (args: readonly string[], code: string, operation: string, message: string) => {
    const r = cliRun(server().endpoint, args);
    assert.deepEqual(
      { status: r.status, stdout: r.stdout, stderr: r.stderr },
      { status: SERVICE_ERROR, stdout: '', stderr: cliErrorLine(code, operation, message) },
    );
  };
  const createRole = (name: string, ...extra: string[]) =>
    ok<{ Role: Role }>([
      'iam',
      'create-role',
      '--role-name',
      name,
      '--assume-role-policy-document',
      EC2_TRUST_JSON,
      ...extra,
    ]).Role;

  it('creates a role trusting EC2 under a path, with tags, and shows its trust policy decoded', () => {
    const started = Date.now();
    const created = createRole(
      'cli-app',
      '--path',
      '/app/',
      '--description',
      'runs the app',
      '--tags',
      'Key=team,Value=core',
      'Key=env,Value=dev',
    );
    assert.match(created.RoleId, uniqueIdPattern('AROA'));
    assert.ok(Math.abs(Date.parse(created.CreateDate) - started) < 120_000, `CreateDate ${created.CreateDate}`);
    // CreateRole answers without Description, MaxSessionDuration or RoleLastUsed (wire-facts §5).
    // IAM sends whole seconds (`2012-05-08T23:34:01Z`, IAM API reference samples); CLI v1 prints them as sent.
    assert.match(created.CreateDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|\+00:00)$/);
    assert.deepEqual(
      { ...created, Tags: byKey(created.Tags) },
      {
        Path: '/app/',
        RoleName: 'cli-app',
        RoleId: created.RoleId,
        Arn: `arn:aws:iam::${DEFAULT_ACCOUNT}:role/app/cli-app`,
        CreateDate: created.CreateDate,
        AssumeRolePolicyDocument: EC2_TRUST,
        Tags: [
          { Key: 'env', Value: 'dev' },
          { Key: 'team', Value: 'core' },
        ],
      },
    );

    const { Role: got } = ok<{ Role: Role }>(['iam', 'get-role', '--role-name', 'cli-app']);
    assert.deepEqual(
      { ...got, Tags: byKey(got.Tags) },
      {
        ...created,
        Description: 'runs the app',
        MaxSessionDuration: 3600,
        Tags: byKey(created.Tags),
        RoleLastUsed: {},
      },
    );
  });

  it('puts the role in an instance profile, which then holds it and only it, until it is removed', () => {
    const role = ok<{ Role: Role }>(['iam', 'get-role', '--role-name', 'cli-app']).Role;
    const { InstanceProfile: profile } = ok<{ InstanceProfile: InstanceProfile }>([
      'iam',
      'create-instance-profile',
      '--instance-profile-name',
      'cli-app-profile',
      '--path',
      '/app/',
    ]);
    assert.match(profile.InstanceProfileId, uniqueIdPattern('AIPA'));
    // CreateInstanceProfile answers with Roles: [] and, when no tags were given, no Tags (wire-facts §5).
    assert.deepEqual(profile, {
      Path: '/app/',
      InstanceProfileName: 'cli-app-profile',
      InstanceProfileId: profile.InstanceProfileId,
      Arn: `arn:aws:iam::${DEFAULT_ACCOUNT}:instance-profile/app/cli-app-profile`,
      CreateDate: profile.CreateDate,
      Roles: [],
    });

    assert.deepEqual(
      ok([
        'iam',
        'add-role-to-instance-profile',
        '--instance-profile-name',
        'cli-app-profile',
        '--role-name',
        'cli-app',
      ]),
      {},
    );
    // The CLI pages through the whole list itself and prints the aggregate, without IsTruncated or Marker.
    const forRole = ok<{ InstanceProfiles: InstanceProfile[] }>([
      'iam',
      'list-instance-profiles-for-role',
      '--role-name',
      'cli-app',
    ]);
    assert.deepEqual(Object.keys(forRole), ['InstanceProfiles']);
    assert.deepEqual(
      forRole.InstanceProfiles.map((p) => [p.InstanceProfileName, p.InstanceProfileId, p.Roles.map((r) => r.RoleId)]),
      [['cli-app-profile', profile.InstanceProfileId, [role.RoleId]]],
    );
    // A role inside a profile carries its basic attributes only (wire-facts §5).
    assert.deepEqual(forRole.InstanceProfiles[0]?.Roles[0], {
      Path: '/app/',
      RoleName: 'cli-app',
      RoleId: role.RoleId,
      Arn: role.Arn,
      CreateDate: role.CreateDate,
      AssumeRolePolicyDocument: EC2_TRUST,
    });

    createRole('cli-other');
    fails(
      ['iam', 'add-role-to-instance-profile', '--instance-profile-name', 'cli-app-profile', '--role-name', 'cli-other'],
      'LimitExceeded',
      'AddRoleToInstanceProfile',
      messages.profileQuota,
    );
    fails(['iam', 'delete-role', '--role-name', 'cli-app'], 'DeleteConflict', 'DeleteRole', messages.removeRolesFirst);
    fails(
      ['iam', 'delete-instance-profile', '--instance-profile-name', 'cli-app-profile'],
      'DeleteConflict',
      'DeleteInstanceProfile',
      messages.removeRolesFirst,
    );
    // None of the refused calls changed anything.
    const held = ok<{ InstanceProfile: InstanceProfile }>([
      'iam',
      'get-instance-profile',
      '--instance-profile-name',
      'cli-app-profile',
    ]).InstanceProfile;
    assert.deepEqual(
      held.Roles.map((r) => r.RoleName),
      ['cli-app'],
    );

    assert.deepEqual(
      ok([
        'iam',
        'remove-role-from-instance-profile',
        '--instance-profile-name',
        'cli-app-profile',
        '--role-name',
        'cli-app',
      ]),
      {},
    );
    fails(
      [
        'iam',
        'remove-role-from-instance-profile',
        '--instance-profile-name',
        'cli-app-profile',
        '--role-name',
        'cli-app',
      ],
      'NoSuchEntity',
      'RemoveRoleFromInstanceProfile',
      messages.roleNotInProfile('cli-app', 'cli-app-profile'),
    );
    assert.deepEqual(ok(['iam', 'list-instance-profiles-for-role', '--role-name', 'cli-app']), {
      InstanceProfiles: [],
    });

    ok(['iam', 'delete-role', '--role-name', 'cli-app']);
    ok(['iam', 'delete-role', '--role-name', 'cli-other']);
    ok(['iam', 'delete-instance-profile', '--instance-profile-name', 'cli-app-profile']);
    fails(['iam', 'get-role', '--role-name', 'cli-app'], 'NoSuchEntity', 'GetRole', messages.roleNotFound('cli-app'));
    fails(
      ['iam', 'get-instance-profile', '--instance-profile-name', 'cli-app-profile'],
      'NoSuchEntity',
      'GetInstanceProfile',
      messages.profileNotFound('cli-app-profile'),
    );
  });

  it('tags roles and instance profiles, overwrites a value, and untags', () => {
    createRole('cli-tagged');
    ok(['iam', 'tag-role', '--role-name', 'cli-tagged', '--tags', 'Key=team,Value=core', 'Key=cost,Value=42']);
    ok(['iam', 'tag-role', '--role-name', 'cli-tagged', '--tags', 'Key=team,Value=platform']);
    assert.deepEqual(byKey(ok<{ Tags: Tag[] }>(['iam', 'list-role-tags', '--role-name', 'cli-tagged']).Tags), [
      { Key: 'cost', Value: '42' },
      { Key: 'team', Value: 'platform' },
    ]);
    ok(['iam', 'untag-role', '--role-name', 'cli-tagged', '--tag-keys', 'cost']);
    assert.deepEqual(ok(['iam', 'list-role-tags', '--role-name', 'cli-tagged']), {
      Tags: [{ Key: 'team', Value: 'platform' }],
    });

    ok(['iam', 'create-instance-profile', '--instance-profile-name', 'cli-tagged-profile']);
    ok([
      'iam',
      'tag-instance-profile',
      '--instance-profile-name',
      'cli-tagged-profile',
      '--tags',
      'Key=app,Value=web',
      'Key=tier,Value=',
    ]);
    assert.deepEqual(
      byKey(
        ok<{ Tags: Tag[] }>(['iam', 'list-instance-profile-tags', '--instance-profile-name', 'cli-tagged-profile'])
          .Tags,
      ),
      [
        { Key: 'app', Value: 'web' },
        { Key: 'tier', Value: '' },
      ],
    );
    ok(['iam', 'untag-instance-profile', '--instance-profile-name', 'cli-tagged-profile', '--tag-keys', 'app', 'tier']);
    // GetInstanceProfile always carries Tags, empty when there are none (wire-facts §5).
    const profile = ok<{ InstanceProfile: InstanceProfile }>([
      'iam',
      'get-instance-profile',
      '--instance-profile-name',
      'cli-tagged-profile',
    ]).InstanceProfile;
    assert.deepEqual(profile.Tags, []);
  });

  it('paginates list-roles: CLI tokens, --page-size and raw markers each give every role exactly once', () => {
    const names = Array.from({ length: 7 }, (_, i) => `cli-page-${i}`);
    for (const name of names) createRole(name, '--path', '/page/');
    const list = ['iam', 'list-roles', '--path-prefix', '/page/'];
    type Page = { Roles: Role[]; NextToken?: string; Marker?: string; IsTruncated?: boolean };

    // The CLI's own paging: --max-items per call, NextToken to continue.
    const seen: string[] = [];
    let token: string | undefined;
    let calls = 0;
    do {
      const page = ok<Page>([
        ...list,
        '--max-items',
        '2',
        '--page-size',
        '2',
        ...(token ? ['--starting-token', token] : []),
      ]);
      calls++;
      assert.ok(page.Roles.length <= 2, `page of ${page.Roles.length}`);
      seen.push(...page.Roles.map((r) => r.RoleName));
      token = page.NextToken;
    } while (token !== undefined && calls < 10);
    assert.equal(calls, 4);
    assert.deepEqual(sorted(seen), names);

    // --page-size 2 fetches every page itself: four requests, one answer.
    const all = cliRun(server().endpoint, [...list, '--page-size', '2', '--debug']);
    assert.equal(all.status, 0, all.stderr.slice(-2000));
    assert.deepEqual(sorted((JSON.parse(all.stdout) as Page).Roles.map((r) => r.RoleName)), names);
    assert.equal(all.stderr.split('Making request for OperationModel(name=ListRoles)').length - 1, 4);

    // --no-paginate: --max-items is IAM's MaxItems, and Marker continues.
    const raw: string[] = [];
    let marker: string | undefined;
    calls = 0;
    do {
      const page = ok<Page>([...list, '--no-paginate', '--max-items', '2', ...(marker ? ['--marker', marker] : [])]);
      calls++;
      raw.push(...page.Roles.map((r) => r.RoleName));
      assert.equal(page.IsTruncated, page.Marker !== undefined);
      assert.equal(page.Roles.length, page.IsTruncated ? 2 : 1);
      marker = page.Marker;
    } while (marker !== undefined && calls < 10);
    assert.equal(calls, 4);
    assert.deepEqual(sorted(raw), names);
  });

  it('get-caller-identity names the root of the account the access key stands for', () => {
    assert.deepEqual(ok(['sts', 'get-caller-identity']), {
      UserId: DEFAULT_ACCOUNT,
      Account: DEFAULT_ACCOUNT,
      Arn: `arn:aws:iam::${DEFAULT_ACCOUNT}:root`,
    });
    assert.deepEqual(ok(['sts', 'get-caller-identity'], OTHER), {
      UserId: OTHER_ACCOUNT,
      Account: OTHER_ACCOUNT,
      Arn: `arn:aws:iam::${OTHER_ACCOUNT}:root`,
    });
  });

  it('keeps accounts apart: another account neither sees nor collides with these roles', () => {
    const mine = ok<{ Role: Role }>(['iam', 'get-role', '--role-name', 'cli-tagged']).Role;
    const theirs = ok<{ Roles: Role[] }>(['iam', 'list-roles'], OTHER).Roles;
    assert.deepEqual(
      theirs.map((r) => r.RoleName),
      [],
    );
    const r = cliRun(server().endpoint, ['iam', 'get-role', '--role-name', 'cli-tagged'], OTHER);
    assert.deepEqual(
      { status: r.status, stderr: r.stderr },
      { status: SERVICE_ERROR, stderr: cliErrorLine('NoSuchEntity', 'GetRole', messages.roleNotFound('cli-tagged')) },
    );
    const same = ok<{ Role: Role }>(
      ['iam', 'create-role', '--role-name', 'cli-tagged', '--assume-role-policy-document', EC2_TRUST_JSON],
      OTHER,
    ).Role;
    assert.equal(same.Arn, `arn:aws:iam::${OTHER_ACCOUNT}:role/cli-tagged`);
    assert.notEqual(same.RoleId, mine.RoleId);
    // The default account's role is untouched.
    assert.deepEqual(ok<{ Role: Role }>(['iam', 'get-role', '--role-name', 'cli-tagged']).Role, mine);
  });

  it('describes EC2 regions and the availability zones of the region asked', () => {
    type Region = { RegionName: string; Endpoint: string; OptInStatus: string };
    const { Regions } = ok<{ Regions: Region[] }>(['ec2', 'describe-regions']);
    const names = Regions.map((r) => r.RegionName);
    assert.equal(new Set(names).size, names.length);
    for (const region of ['us-east-1', 'us-west-2', 'eu-west-1']) {
      assert.deepEqual(
        Regions.find((r) => r.RegionName === region),
        { RegionName: region, Endpoint: `ec2.${region}.amazonaws.com`, OptInStatus: 'opt-in-not-required' },
      );
    }

    type Zone = { ZoneName: string; ZoneId: string; State: string; RegionName: string; ZoneType: string };
    const zones = ok<{ AvailabilityZones: Zone[] }>([
      'ec2',
      'describe-availability-zones',
      '--region',
      'eu-west-1',
    ]).AvailabilityZones;
    assert.ok(zones.length >= 3, `${zones.length} zones`);
    for (const zone of zones) {
      assert.match(zone.ZoneName, /^eu-west-1[a-z]$/);
      assert.match(zone.ZoneId, /^euw1-az\d$/);
      assert.deepEqual([zone.State, zone.RegionName, zone.ZoneType], ['available', 'eu-west-1', 'availability-zone']);
    }
  });
});
