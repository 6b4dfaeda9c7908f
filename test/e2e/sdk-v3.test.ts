/**
 * AWS SDK for JavaScript v3 (IAM, STS and EC2 clients, in-process) against a running rolecall. SDK v3 hands
 * back policy documents exactly as IAM sends them, URL-encoded (shared/AWS-FACTS.md), and reports errors as
 * exceptions whose name is the AWS error code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  IAMClient,
  ListInstanceProfilesCommand,
  ListInstanceProfilesForRoleCommand,
  ListInstanceProfileTagsCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  paginateListRoles,
  RemoveRoleFromInstanceProfileCommand,
  TagInstanceProfileCommand,
  TagRoleCommand,
  UntagInstanceProfileCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeAvailabilityZonesCommand, DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  awsErrorOf,
  byKey,
  DEFAULT_ACCOUNT,
  EC2_TRUST,
  EC2_TRUST_JSON,
  LAMBDA_TRUST_JSON,
  MALFORMED_TRUST,
  messages,
  OTHER_ACCOUNT,
  OTHER_CREDENTIALS,
  rejectsWithAws,
  ROOT_CREDENTIALS,
  sorted,
  uniqueIdPattern,
  useServer,
  validationMessage,
} from './helpers.ts';

type Credentials = { readonly accessKeyId: string; readonly secretAccessKey: string };
const options = (endpoint: string, credentials: Credentials, region = 'us-east-1') => ({
  endpoint,
  region,
  credentials,
  maxAttempts: 1,
});

/** The trust policy as a person writes it, with line breaks and indentation, which IAM keeps as sent. */
const PRETTY_TRUST = JSON.stringify(EC2_TRUST, null, 2);

describe('AWS SDK v3 against rolecall', () => {
  const server = useServer();
  let iam: IAMClient;
  before(() => {
    iam = new IAMClient(options(server().endpoint, ROOT_CREDENTIALS));
  });
  after(() => iam.destroy());
  const trustOf = async (name: string) =>
    decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.AssumeRolePolicyDocument ?? '');

  it('creates a role under a path with tags; the trust policy comes back URL-encoded, text unchanged', async () => {
    const started = Date.now();
    const { Role: created } = await iam.send(
      new CreateRoleCommand({
        RoleName: 'sdk-app',
        Path: '/app/',
        AssumeRolePolicyDocument: PRETTY_TRUST,
        Description: 'runs the app',
        MaxSessionDuration: 7200,
        Tags: [
          { Key: 'team', Value: 'core' },
          { Key: 'env', Value: 'dev' },
        ],
      }),
    );
    assert.ok(created);
    assert.match(created.RoleId ?? '', uniqueIdPattern('AROA'));
    assert.ok(created.CreateDate instanceof Date);
    assert.ok(Math.abs(created.CreateDate.getTime() - started) < 120_000, String(created.CreateDate));
    assert.equal(created.AssumeRolePolicyDocument, encodeURIComponent(PRETTY_TRUST));
    assert.equal(decodeURIComponent(created.AssumeRolePolicyDocument ?? ''), PRETTY_TRUST);
    // CreateRole answers without Description, MaxSessionDuration or RoleLastUsed (wire-facts §5).
    assert.deepEqual(
      [
        created.Path,
        created.RoleName,
        created.Arn,
        created.Description,
        created.MaxSessionDuration,
        created.RoleLastUsed,
      ],
      ['/app/', 'sdk-app', `arn:aws:iam::${DEFAULT_ACCOUNT}:role/app/sdk-app`, undefined, undefined, undefined],
    );

    const { Role: got } = await iam.send(new GetRoleCommand({ RoleName: 'sdk-app' }));
    assert.ok(got);
    assert.deepEqual(
      {
        ...got,
        Tags: byKey(got.Tags),
      },
      {
        Path: '/app/',
        RoleName: 'sdk-app',
        RoleId: created.RoleId,
        Arn: created.Arn,
        CreateDate: created.CreateDate,
        AssumeRolePolicyDocument: encodeURIComponent(PRETTY_TRUST),
        Description: 'runs the app',
        MaxSessionDuration: 7200,
        Tags: byKey(created.Tags),
        RoleLastUsed: {},
      },
    );

    // IAM names are unique case-insensitively; which spelling the message names is not established, so either.
    const clash = await awsErrorOf(
      iam.send(new CreateRoleCommand({ RoleName: 'SDK-App', AssumeRolePolicyDocument: LAMBDA_TRUST_JSON })),
    );
    assert.deepEqual(
      [clash.code, clash.status, clash.name],
      ['EntityAlreadyExists', 409, 'EntityAlreadyExistsException'],
    );
    assert.ok([messages.roleExists('SDK-App'), messages.roleExists('sdk-app')].includes(clash.message), clash.message);
    assert.equal(await trustOf('sdk-app'), PRETTY_TRUST);
  });

  it('updates description, session length and trust policy; a refused update changes nothing', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'sdk-updated', AssumeRolePolicyDocument: EC2_TRUST_JSON }));
    const get = async () => (await iam.send(new GetRoleCommand({ RoleName: 'sdk-updated' }))).Role;

    const updated = await iam.send(new UpdateRoleCommand({ RoleName: 'sdk-updated', MaxSessionDuration: 7200 }));
    assert.deepEqual(Object.keys(updated), ['$metadata']);
    assert.deepEqual([(await get())?.MaxSessionDuration, (await get())?.Description], [7200, undefined]);

    const { Role: described } = await iam.send(
      new UpdateRoleDescriptionCommand({ RoleName: 'sdk-updated', Description: 'first words' }),
    );
    // UpdateRoleDescription shows the role as CreateRole does, plus its Description (wire-facts §5).
    assert.deepEqual(
      [described?.RoleName, described?.Description, described?.MaxSessionDuration, described?.RoleLastUsed],
      ['sdk-updated', 'first words', undefined, undefined],
    );

    // Parameters left out keep their values (wire-facts §5).
    await iam.send(new UpdateRoleCommand({ RoleName: 'sdk-updated', Description: 'second words' }));
    await iam.send(new UpdateRoleCommand({ RoleName: 'sdk-updated' }));
    assert.deepEqual([(await get())?.MaxSessionDuration, (await get())?.Description], [7200, 'second words']);

    await rejectsWithAws(iam.send(new UpdateRoleCommand({ RoleName: 'sdk-updated', MaxSessionDuration: 43201 })), {
      code: 'ValidationError',
      message: validationMessage('43201', 'maxSessionDuration', 'Member must have value less than or equal to 43200'),
      status: 400,
    });
    assert.equal((await get())?.MaxSessionDuration, 7200);

    const policyUpdate = await iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'sdk-updated', PolicyDocument: LAMBDA_TRUST_JSON }),
    );
    assert.deepEqual(Object.keys(policyUpdate), ['$metadata']);
    assert.equal(await trustOf('sdk-updated'), LAMBDA_TRUST_JSON);
    for (const bad of Object.values(MALFORMED_TRUST)) {
      await rejectsWithAws(
        iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'sdk-updated', PolicyDocument: bad.document })),
        { code: 'MalformedPolicyDocument', message: bad.message, status: 400 },
      );
    }
    assert.equal(await trustOf('sdk-updated'), LAMBDA_TRUST_JSON);

    const noRole = { code: 'NoSuchEntity', message: messages.roleNotFound('sdk-nobody'), status: 404 };
    await rejectsWithAws(iam.send(new UpdateRoleCommand({ RoleName: 'sdk-nobody', Description: 'x' })), noRole);
    await rejectsWithAws(
      iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'sdk-nobody', Description: 'x' })),
      noRole,
    );
    await rejectsWithAws(
      iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'sdk-nobody', PolicyDocument: EC2_TRUST_JSON })),
      noRole,
    );
  });

  it('puts the role in an instance profile that holds one role, and tears both down in order', async () => {
    const role = (await iam.send(new GetRoleCommand({ RoleName: 'sdk-app' }))).Role;
    const { InstanceProfile: created } = await iam.send(
      new CreateInstanceProfileCommand({
        InstanceProfileName: 'sdk-app-profile',
        Path: '/app/',
        Tags: [{ Key: 'team', Value: 'core' }],
      }),
    );
    assert.match(created?.InstanceProfileId ?? '', uniqueIdPattern('AIPA'));
    assert.deepEqual(
      [created?.Arn, created?.Path, created?.Roles, created?.Tags],
      [
        `arn:aws:iam::${DEFAULT_ACCOUNT}:instance-profile/app/sdk-app-profile`,
        '/app/',
        [],
        [{ Key: 'team', Value: 'core' }],
      ],
    );

    await iam.send(
      new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'sdk-app-profile', RoleName: 'sdk-app' }),
    );
    const { InstanceProfile: got } = await iam.send(
      new GetInstanceProfileCommand({ InstanceProfileName: 'sdk-app-profile' }),
    );
    assert.deepEqual(got?.Roles, [
      {
        Path: '/app/',
        RoleName: 'sdk-app',
        RoleId: role?.RoleId,
        Arn: role?.Arn,
        CreateDate: role?.CreateDate,
        AssumeRolePolicyDocument: encodeURIComponent(PRETTY_TRUST),
      },
    ]);
    const forRole = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'sdk-app' }));
    assert.deepEqual(
      [forRole.IsTruncated, forRole.InstanceProfiles?.map((p) => [p.InstanceProfileId, p.Tags])],
      [false, [[created?.InstanceProfileId, undefined]]],
    );

    await iam.send(new CreateRoleCommand({ RoleName: 'sdk-second', AssumeRolePolicyDocument: EC2_TRUST_JSON }));
    await rejectsWithAws(
      iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'sdk-app-profile', RoleName: 'sdk-second' })),
      { code: 'LimitExceeded', message: messages.profileQuota, status: 409 },
    );
    await rejectsWithAws(iam.send(new DeleteRoleCommand({ RoleName: 'sdk-app' })), {
      code: 'DeleteConflict',
      message: messages.removeRolesFirst,
      status: 409,
    });
    await rejectsWithAws(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'sdk-app-profile' })), {
      code: 'DeleteConflict',
      message: messages.removeRolesFirst,
      status: 409,
    });
    const still = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'sdk-app-profile' }));
    assert.deepEqual(
      still.InstanceProfile?.Roles?.map((r) => r.RoleName),
      ['sdk-app'],
    );
    assert.deepEqual(
      (await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'sdk-second' }))).InstanceProfiles,
      [],
    );

    await iam.send(
      new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'sdk-app-profile', RoleName: 'sdk-app' }),
    );
    await rejectsWithAws(
      iam.send(
        new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'sdk-app-profile', RoleName: 'sdk-app' }),
      ),
      { code: 'NoSuchEntity', message: messages.roleNotInProfile('sdk-app', 'sdk-app-profile'), status: 404 },
    );
    await iam.send(new DeleteRoleCommand({ RoleName: 'sdk-app' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'sdk-second' }));
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'sdk-app-profile' }));
    await rejectsWithAws(iam.send(new GetRoleCommand({ RoleName: 'sdk-app' })), {
      code: 'NoSuchEntity',
      message: messages.roleNotFound('sdk-app'),
      status: 404,
    });
    await rejectsWithAws(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'sdk-app-profile' })), {
      code: 'NoSuchEntity',
      message: messages.profileNotFound('sdk-app-profile'),
      status: 404,
    });
  });

  it('tags and untags roles and instance profiles', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'sdk-tagged', AssumeRolePolicyDocument: EC2_TRUST_JSON }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'sdk-tagged-profile' }));

    await iam.send(
      new TagRoleCommand({
        RoleName: 'sdk-tagged',
        Tags: [
          { Key: 'team', Value: 'core' },
          { Key: 'cost', Value: '42' },
        ],
      }),
    );
    await iam.send(new TagRoleCommand({ RoleName: 'sdk-tagged', Tags: [{ Key: 'team', Value: 'platform' }] }));
    const roleTags = await iam.send(new ListRoleTagsCommand({ RoleName: 'sdk-tagged' }));
    assert.deepEqual(
      [roleTags.IsTruncated, byKey(roleTags.Tags)],
      [
        false,
        [
          { Key: 'cost', Value: '42' },
          { Key: 'team', Value: 'platform' },
        ],
      ],
    );
    await iam.send(new UntagRoleCommand({ RoleName: 'sdk-tagged', TagKeys: ['cost', 'absent'] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'sdk-tagged' }))).Tags, [
      { Key: 'team', Value: 'platform' },
    ]);
    assert.deepEqual((await iam.send(new GetRoleCommand({ RoleName: 'sdk-tagged' }))).Role?.Tags, [
      { Key: 'team', Value: 'platform' },
    ]);

    await iam.send(
      new TagInstanceProfileCommand({
        InstanceProfileName: 'sdk-tagged-profile',
        Tags: [
          { Key: 'app', Value: 'web' },
          { Key: 'tier', Value: '' },
        ],
      }),
    );
    assert.deepEqual(
      byKey((await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: 'sdk-tagged-profile' }))).Tags),
      [
        { Key: 'app', Value: 'web' },
        { Key: 'tier', Value: '' },
      ],
    );
    await iam.send(new UntagInstanceProfileCommand({ InstanceProfileName: 'sdk-tagged-profile', TagKeys: ['tier'] }));
    assert.deepEqual(
      (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'sdk-tagged-profile' }))).InstanceProfile
        ?.Tags,
      [{ Key: 'app', Value: 'web' }],
    );
    await rejectsWithAws(iam.send(new TagRoleCommand({ RoleName: 'sdk-nobody', Tags: [{ Key: 'k', Value: 'v' }] })), {
      code: 'NoSuchEntity',
      message: messages.roleNotFound('sdk-nobody'),
      status: 404,
    });
  });

  it('filters roles and instance profiles by path prefix, and pages through every role exactly once', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `sdk-page-${i}`);
    for (const [i, name] of names.entries()) {
      await iam.send(
        new CreateRoleCommand({
          RoleName: name,
          Path: i % 2 === 0 ? '/sdk/even/' : '/sdk/odd/',
          AssumeRolePolicyDocument: EC2_TRUST_JSON,
        }),
      );
    }
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'sdk-even-profile', Path: '/sdk/even/' }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'sdk-odd-profile', Path: '/sdk/odd/' }));

    const even = await iam.send(new ListRolesCommand({ PathPrefix: '/sdk/even/' }));
    assert.deepEqual(
      [even.IsTruncated, even.Marker, sorted(even.Roles?.map((r) => r.RoleName) ?? [])],
      [false, undefined, names.filter((_, i) => i % 2 === 0)],
    );
    // ListRoles leaves out Tags and RoleLastUsed (IAM API reference, ListRoles).
    assert.deepEqual(
      even.Roles?.map((r) => [r.Tags, r.RoleLastUsed, r.MaxSessionDuration]),
      names.filter((_, i) => i % 2 === 0).map(() => [undefined, undefined, 3600]),
    );
    const oddProfiles = await iam.send(new ListInstanceProfilesCommand({ PathPrefix: '/sdk/odd/' }));
    assert.deepEqual(
      oddProfiles.InstanceProfiles?.map((p) => [p.InstanceProfileName, p.Path]),
      [['sdk-odd-profile', '/sdk/odd/']],
    );
    const allSdkProfiles = await iam.send(new ListInstanceProfilesCommand({ PathPrefix: '/sdk/' }));
    assert.deepEqual(sorted(allSdkProfiles.InstanceProfiles?.map((p) => p.InstanceProfileName) ?? []), [
      'sdk-even-profile',
      'sdk-odd-profile',
    ]);
    assert.deepEqual((await iam.send(new ListRolesCommand({ PathPrefix: '/nowhere/' }))).Roles, []);

    const pages: string[][] = [];
    for await (const page of paginateListRoles({ client: iam, pageSize: 2 }, { PathPrefix: '/sdk/' })) {
      pages.push(page.Roles?.map((r) => r.RoleName ?? '<missing>') ?? []);
    }
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 2, 2, 1],
    );
    assert.deepEqual(sorted(pages.flat()), names);
  });

  it('names the root of the account the key stands for, and keeps accounts apart', async () => {
    const sts = (credentials: Credentials) => new STSClient(options(server().endpoint, credentials));
    const me = await sts(ROOT_CREDENTIALS).send(new GetCallerIdentityCommand({}));
    const them = await sts(OTHER_CREDENTIALS).send(new GetCallerIdentityCommand({}));
    assert.deepEqual(
      [me.Account, me.Arn, me.UserId],
      [DEFAULT_ACCOUNT, `arn:aws:iam::${DEFAULT_ACCOUNT}:root`, DEFAULT_ACCOUNT],
    );
    assert.deepEqual(
      [them.Account, them.Arn, them.UserId],
      [OTHER_ACCOUNT, `arn:aws:iam::${OTHER_ACCOUNT}:root`, OTHER_ACCOUNT],
    );

    const other = new IAMClient(options(server().endpoint, OTHER_CREDENTIALS));
    assert.deepEqual((await other.send(new ListRolesCommand({}))).Roles, []);
    await rejectsWithAws(other.send(new GetRoleCommand({ RoleName: 'sdk-tagged' })), {
      code: 'NoSuchEntity',
      message: messages.roleNotFound('sdk-tagged'),
      status: 404,
    });
    const theirs = await other.send(
      new CreateRoleCommand({ RoleName: 'sdk-tagged', AssumeRolePolicyDocument: LAMBDA_TRUST_JSON }),
    );
    assert.equal(theirs.Role?.Arn, `arn:aws:iam::${OTHER_ACCOUNT}:role/sdk-tagged`);
    assert.equal(await trustOf('sdk-tagged'), EC2_TRUST_JSON);

    await rejectsWithAws(
      new IAMClient(options(server().endpoint, { accessKeyId: 'AKIAXXXXXXXXXXXXXXXX', secretAccessKey: 'test' })).send(
        new ListRolesCommand({}),
      ),
      { code: 'InvalidClientTokenId', message: messages.invalidToken, status: 403 },
    );
    await rejectsWithAws(
      new IAMClient(options(server().endpoint, { accessKeyId: 'test', secretAccessKey: 'wrong' })).send(
        new ListRolesCommand({}),
      ),
      { code: 'SignatureDoesNotMatch', message: messages.signatureMismatch, status: 403 },
    );
  });

  it('describes EC2 regions and the zones of the client region', async () => {
    const ec2 = new EC2Client(options(server().endpoint, ROOT_CREDENTIALS, 'eu-west-1'));
    const { Regions = [] } = await ec2.send(new DescribeRegionsCommand({}));
    assert.deepEqual(
      Regions.filter((r) => r.RegionName === 'eu-west-1'),
      [{ RegionName: 'eu-west-1', Endpoint: 'ec2.eu-west-1.amazonaws.com', OptInStatus: 'opt-in-not-required' }],
    );
    const named = await ec2.send(new DescribeRegionsCommand({ RegionNames: ['us-west-2', 'eu-north-1'] }));
    assert.deepEqual(sorted(named.Regions?.map((r) => r.RegionName) ?? []), ['eu-north-1', 'us-west-2']);

    const { AvailabilityZones: zones = [] } = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    assert.ok(zones.length >= 3, `${zones.length} zones`);
    for (const zone of zones) {
      assert.match(zone.ZoneName ?? '', /^eu-west-1[a-z]$/);
      assert.deepEqual([zone.RegionName, zone.State], ['eu-west-1', 'available']);
    }
    await rejectsWithAws(
      new EC2Client(options(server().endpoint, { accessKeyId: 'AKIAXXXXXXXXXXXXXXXX', secretAccessKey: 'test' })).send(
        new DescribeRegionsCommand({}),
      ),
      { code: 'AuthFailure', message: messages.ec2AuthFailure, status: 401 },
    );
  });
});
