/**
 * The instance metadata service end to end: a real `rolecall serve`, instances launched with instance profiles,
 * and the real clients — the AWS CLI, boto3 and SDK v3 — running as workloads on an instance under
 * `rolecall run`, so their default credential chains end at the instance's metadata listener. What is checked is
 * shared/AWS-FACTS.md, "Instance metadata service" and "EC2 and instance profiles": the role session the workload
 * gets (`assumed-role/<role>/<instance id>`), IMDSv2 tokens and their status codes, the meta-data paths SDKs read,
 * credentials replaced before they expire on rolecall's clock, associations changed under a running workload, a
 * role that does not trust EC2, iam:PassRole to EC2, ec2:SourceInstanceARN and ec2:RoleDelivery in policies, the
 * listener following the instance's state, and `rolecall env` / `rolecall run` themselves.
 *
 * One server for the file; each group launches its own instances and names its own roles. The groups run in
 * order, and the rotation group moves rolecall's clock by more than six hours: no group keeps credentials from
 * one test to the next. Raw listener requests use node:http on a fresh connection each.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import {
  DeleteRolePolicyCommand,
  GetRoleCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AssociateIamInstanceProfileCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DisassociateIamInstanceProfileCommand,
  ModifyInstanceMetadataOptionsCommand,
  ReplaceIamInstanceProfileAssociationCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { noAwsCli, noBoto3 } from '../support/clients.ts';
import { BIN, removeDir, startRolecall } from '../support/server.ts';
import {
  awsErrorOf,
  cliErrorLine,
  cliServiceErrorStatus,
  EC2_TRUST_JSON,
  LAMBDA_TRUST_JSON,
  useServer,
} from './helpers.ts';
import {
  ACCOUNT,
  advanceClock,
  allow,
  boto3On,
  cleanEnv,
  cliJsonOn,
  cliOn,
  clockNow,
  Cloud,
  credentialsDocument,
  credsOf,
  doc,
  EXPIRED_TOKEN,
  imds,
  IMDS_TIME,
  imdsToken,
  imdsV2,
  instanceArn,
  instanceInfo,
  noAllow,
  NODE_PATH,
  onInstance,
  py,
  refused,
  removeSdkScript,
  rolecall,
  sdkScript,
  sdkV3On,
  sessionArn,
  TOKEN_HEADER,
  TTL_HEADER,
  waitFor,
  waitForState,
  type Creds,
  type CredentialsDocument,
  type Role,
  type SdkOutcome,
} from './imds-helpers.ts';

const HOUR = 3600;
const WHO_AM_I = [['sts', 'GetCallerIdentity']] as const;

/** GetCallerIdentity as the instance's role session answers it. */
const identity = (role: Role, instanceId: string) => ({
  UserId: `${role.id}:${instanceId}`,
  Account: ACCOUNT,
  Arn: sessionArn(role.name, instanceId),
});

/** The ARN the SDK v3 workload's GetCallerIdentity (its first call) answered, or its error. */
const arnOf = (r: SdkOutcome): unknown => {
  const first = r.results[0];
  return first && 'ok' in first ? first.ok['Arn'] : first;
};

describe('the instance metadata service and workloads under rolecall run', () => {
  const server = useServer();
  let cloud: Cloud;
  before(() => {
    cloud = new Cloud(server().endpoint);
  });
  after(() => {
    cloud.destroy();
    removeSdkScript();
  });
  const endpoint = () => server().endpoint;

  // -------------------------------------------------------------------------------------------------------------
  describe('a workload acts as the instance’s role', () => {
    let role: Role;
    let other: Role;
    let instance = '';
    before(async () => {
      other = await cloud.role('imds-app-other', EC2_TRUST_JSON);
      role = await cloud.role('imds-app', EC2_TRUST_JSON, {
        read: doc(allow('iam:GetRole', `arn:aws:iam::${ACCOUNT}:role/imds-app`)),
      });
      await cloud.profile('imds-app-profile', role.name);
      [instance = ''] = await cloud.launch({ IamInstanceProfile: { Name: 'imds-app-profile' } });
    });
    const denied = () => noAllow(sessionArn(role.name, instance), 'iam:GetRole', other.arn);

    it(
      'the AWS CLI: assumed-role/<role>/<instance id>, an allowed call works, another is AccessDenied',
      { skip: noAwsCli },
      () => {
        assert.deepEqual(cliJsonOn(endpoint(), instance, ['sts', 'get-caller-identity']), identity(role, instance));
        const own = cliJsonOn<{ Role: { RoleName: string } }>(endpoint(), instance, [
          'iam',
          'get-role',
          '--role-name',
          role.name,
        ]);
        assert.equal(own.Role.RoleName, role.name);
        const r = cliOn(endpoint(), instance, ['iam', 'get-role', '--role-name', other.name]);
        assert.deepEqual(
          { status: r.status, stderr: r.stderr },
          { status: cliServiceErrorStatus(), stderr: cliErrorLine('AccessDenied', 'GetRole', denied()) },
        );
      },
    );

    it('boto3: the same, with credentials from the instance role provider', { skip: noBoto3 }, () => {
      const r = boto3On(
        endpoint(),
        instance,
        `
out({'method': session.get_credentials().method, 'who': attempt(sts.get_caller_identity),
     'own': iam.get_role(RoleName=${py(role.name)})['Role']['RoleName'],
     'other': attempt(iam.get_role, RoleName=${py(other.name)})})
`,
      );
      assert.deepEqual(r, {
        method: 'iam-role',
        who: { ok: identity(role, instance) },
        own: role.name,
        other: { error: { Code: 'AccessDenied', Message: denied(), HTTPStatusCode: 403 } },
      });
    });

    it('SDK v3: the same, with the credentials the metadata service hands out', async () => {
      const served = await credentialsDocument(await cloud.metadataEndpoint(instance), role.name);
      const r = sdkV3On(endpoint(), instance, [
        ['sts', 'GetCallerIdentity'],
        ['iam', 'GetRole', { RoleName: role.name }],
        ['iam', 'GetRole', { RoleName: other.name }],
      ]);
      assert.equal(r.key, served.AccessKeyId);
      assert.deepEqual(r.results[0], { ok: identity(role, instance) });
      const own = r.results[1];
      assert.ok(own && 'ok' in own, JSON.stringify(own));
      assert.equal((own.ok['Role'] as { RoleName: string }).RoleName, role.name);
      assert.deepEqual(r.results[2], { error: { code: 'AccessDenied', message: denied(), status: 403 } });
    });

    it('a change to the role’s policy applies at once to the credentials the workload already has', async () => {
      const served = await credentialsDocument(await cloud.metadataEndpoint(instance), role.name);
      const getOwn = [['iam', 'GetRole', { RoleName: role.name }]] as const;
      await cloud.iam.send(
        new PutRolePolicyCommand({
          RoleName: role.name,
          PolicyName: 'no',
          PolicyDocument: doc({ ...allow('iam:GetRole'), Effect: 'Deny' }),
        }),
      );
      const blocked = sdkV3On(endpoint(), instance, getOwn);
      assert.equal(blocked.key, served.AccessKeyId, 'the workload has the same credentials as before');
      assert.deepEqual(blocked.results, [
        {
          error: {
            code: 'AccessDenied',
            message: `User: ${sessionArn(role.name, instance)} is not authorized to perform: iam:GetRole on resource: ${role.arn} with an explicit deny in an identity-based policy`,
            status: 403,
          },
        },
      ]);
      await cloud.iam.send(new DeleteRolePolicyCommand({ RoleName: role.name, PolicyName: 'no' }));
      const again = sdkV3On(endpoint(), instance, getOwn);
      assert.equal(again.key, served.AccessKeyId);
      assert.ok(again.results[0] && 'ok' in again.results[0], JSON.stringify(again.results));
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('IMDSv2 tokens', () => {
    let role: Role;
    let strict = '';
    let loose = '';
    let strictEp = '';
    let looseEp = '';
    before(async () => {
      role = await cloud.role('imds-v2', EC2_TRUST_JSON);
      await cloud.profile('imds-v2-profile', role.name);
      [strict = '', loose = ''] = await cloud.launch({
        IamInstanceProfile: { Name: 'imds-v2-profile' },
        MinCount: 2,
        MaxCount: 2,
      });
      const out = await cloud.ec2.send(
        new ModifyInstanceMetadataOptionsCommand({ InstanceId: strict, HttpTokens: 'required' }),
      );
      assert.equal(out.InstanceMetadataOptions?.HttpTokens, 'required');
      strictEp = await cloud.metadataEndpoint(strict);
      looseEp = await cloud.metadataEndpoint(loose);
    });

    it('with HttpTokens required a request without a token is 401; with tokens optional it is answered', async () => {
      const path = '/latest/meta-data/instance-id';
      assert.deepEqual(
        [(await imds(strictEp, path)).status, (await imds(strictEp, '/latest/meta-data/iam/info')).status],
        [401, 401],
      );
      const v1 = await imds(looseEp, path);
      assert.deepEqual([v1.status, v1.body], [200, loose]);
      const v2 = await imds(strictEp, path, { headers: { [TOKEN_HEADER]: await imdsToken(strictEp) } });
      assert.deepEqual([v2.status, v2.body], [200, strict]);
    });

    it('the token PUT: TTL echoed, 1–21600 only, 403 with X-Forwarded-For, 405 for other methods', async () => {
      const put = (headers: Record<string, string>) => imds(strictEp, '/latest/api/token', { method: 'PUT', headers });
      const max = await put({ [TTL_HEADER]: '21600' });
      assert.equal(max.status, 200);
      assert.equal(max.headers[TTL_HEADER], '21600');
      assert.match(max.body, /^\S+$/, 'the body is the token, with no trailing newline');
      const min = await put({ [TTL_HEADER]: '1' });
      assert.deepEqual([min.status, min.headers[TTL_HEADER]], [200, '1']);

      const statuses = async (ttls: (string | undefined)[]) =>
        Promise.all(ttls.map(async (ttl) => (await put(ttl === undefined ? {} : { [TTL_HEADER]: ttl })).status));
      assert.deepEqual(await statuses([undefined, '0', '21601', '-1', 'abc', '']), [400, 400, 400, 400, 400, 400]);
      assert.equal((await put({ [TTL_HEADER]: '60', 'X-Forwarded-For': '203.0.113.7' })).status, 403);
      assert.equal((await imds(strictEp, '/latest/api/token')).status, 405);
      assert.equal(
        (await imds(strictEp, '/latest/api/token', { method: 'POST', headers: { [TTL_HEADER]: '60' } })).status,
        405,
      );
    });

    it('a token works only on the instance that issued it, and only until its TTL on rolecall’s clock', async () => {
      const path = '/latest/meta-data/instance-id';
      const fromLoose = await imdsToken(looseEp);
      const fromStrict = await imdsToken(strictEp);
      assert.equal((await imds(strictEp, path, { headers: { [TOKEN_HEADER]: fromLoose } })).status, 401);
      assert.equal((await imds(looseEp, path, { headers: { [TOKEN_HEADER]: fromStrict } })).status, 401);
      assert.equal((await imds(strictEp, path, { headers: { [TOKEN_HEADER]: 'made-up' } })).status, 401);

      const short = await imdsToken(strictEp, 2);
      assert.equal((await imds(strictEp, path, { headers: { [TOKEN_HEADER]: short } })).status, 200);
      await advanceClock(endpoint(), 3);
      assert.equal((await imds(strictEp, path, { headers: { [TOKEN_HEADER]: short } })).status, 401);
      assert.equal((await imds(strictEp, path, { headers: { [TOKEN_HEADER]: fromStrict } })).status, 200);
    });

    it('SDK v3 works on an instance that requires tokens', () => {
      assert.deepEqual(sdkV3On(endpoint(), strict, WHO_AM_I).results, [{ ok: identity(role, strict) }]);
    });

    it('the AWS CLI works on an instance that requires tokens', { skip: noAwsCli }, () => {
      assert.deepEqual(cliJsonOn(endpoint(), strict, ['sts', 'get-caller-identity']), identity(role, strict));
    });

    it('boto3 works on an instance that requires tokens', { skip: noBoto3 }, () => {
      assert.deepEqual(boto3On(endpoint(), strict, 'out(attempt(sts.get_caller_identity))'), {
        ok: identity(role, strict),
      });
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('the meta-data tree', () => {
    let role: Role;
    let profile: { arn: string; id: string };
    let withProfile = '';
    let bare = '';
    let ep = '';
    let bareEp = '';
    before(async () => {
      role = await cloud.role('imds-tree', EC2_TRUST_JSON);
      profile = await cloud.profile('imds-tree-profile', role.name);
      [withProfile = ''] = await cloud.launch({
        IamInstanceProfile: { Arn: profile.arn },
        InstanceType: 't3.micro',
        Placement: { AvailabilityZone: 'us-east-1b' },
      });
      [bare = ''] = await cloud.launch();
      ep = await cloud.metadataEndpoint(withProfile);
      bareEp = await cloud.metadataEndpoint(bare);
    });
    const get = async (metadataEndpoint: string, path: string) => {
      const r = await imdsV2(metadataEndpoint, path);
      return [r.status, r.body] as const;
    };

    it('instance-id, placement (with and without a trailing slash) and the listing', async () => {
      assert.deepEqual(await get(ep, '/latest/meta-data/instance-id'), [200, withProfile]);
      assert.deepEqual(await get(ep, '/latest/meta-data/placement/availability-zone'), [200, 'us-east-1b']);
      assert.deepEqual(await get(ep, '/latest/meta-data/placement/availability-zone/'), [200, 'us-east-1b']);
      assert.deepEqual(await get(ep, '/latest/meta-data/placement/region'), [200, 'us-east-1']);
      assert.deepEqual(await get(ep, '/latest/meta-data/instance-type'), [200, 't3.micro']);
      const [missing, notFoundPage] = await get(ep, '/latest/meta-data/no-such-thing');
      assert.deepEqual([missing, notFoundPage.includes('404 - Not Found')], [404, true]);
      const [, listing] = await get(ep, '/latest/meta-data/');
      assert.ok(listing.split('\n').includes('iam/'), listing);
      assert.ok(listing.split('\n').includes('instance-id'), listing);
      const [, bareListing] = await get(bareEp, '/latest/meta-data/');
      assert.ok(!bareListing.split('\n').includes('iam/'), bareListing);
    });

    it('iam/info and iam/security-credentials/', async () => {
      const [status, body] = await get(ep, '/latest/meta-data/iam/info');
      assert.equal(status, 200);
      const info = JSON.parse(body) as Record<string, string>;
      assert.deepEqual(Object.keys(info).sort(), ['Code', 'InstanceProfileArn', 'InstanceProfileId', 'LastUpdated']);
      assert.deepEqual(
        {
          Code: info['Code'],
          InstanceProfileArn: info['InstanceProfileArn'],
          InstanceProfileId: info['InstanceProfileId'],
        },
        { Code: 'Success', InstanceProfileArn: profile.arn, InstanceProfileId: profile.id },
      );
      assert.match(info['LastUpdated'] ?? '', IMDS_TIME);
      assert.deepEqual(await get(ep, '/latest/meta-data/iam/security-credentials/'), [200, role.name]);
      assert.equal((await get(ep, '/latest/meta-data/iam/security-credentials/someone-else'))[0], 404);
    });

    it('the credentials document: Code Success, Type AWS-HMAC, six hours, timestamps without milliseconds', async () => {
      const [status, body] = await get(ep, `/latest/meta-data/iam/security-credentials/${role.name}`);
      assert.equal(status, 200);
      const d = JSON.parse(body) as CredentialsDocument;
      assert.deepEqual(Object.keys(d).sort(), [
        'AccessKeyId',
        'Code',
        'Expiration',
        'LastUpdated',
        'SecretAccessKey',
        'Token',
        'Type',
      ]);
      assert.deepEqual([d.Code, d.Type], ['Success', 'AWS-HMAC']);
      assert.match(d.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
      assert.match(d.LastUpdated, IMDS_TIME);
      assert.match(d.Expiration, IMDS_TIME);
      const issued = Date.parse(d.LastUpdated);
      assert.equal(Date.parse(d.Expiration) - issued, 6 * HOUR * 1000);
      assert.ok(Math.abs((await clockNow(endpoint())).getTime() - issued) < 10_000, 'issued now, on rolecall’s clock');
      // The credentials are the role session's: STS recognises them as such.
      const who = await cloud.stsAs(credsOf(d)).send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, sessionArn(role.name, withProfile));
    });

    it('dynamic/instance-identity/document', async () => {
      const [status, body] = await get(ep, '/latest/dynamic/instance-identity/document');
      assert.equal(status, 200);
      const d = JSON.parse(body) as Record<string, unknown>;
      const [, privateIp] = await get(ep, '/latest/meta-data/local-ipv4');
      const described = await cloud.ec2.send(new DescribeInstancesCommand({ InstanceIds: [withProfile] }));
      const view = described.Reservations?.[0]?.Instances?.[0];
      assert.equal(privateIp, view?.PrivateIpAddress);
      assert.deepEqual(
        {
          accountId: d['accountId'],
          instanceId: d['instanceId'],
          region: d['region'],
          availabilityZone: d['availabilityZone'],
          imageId: d['imageId'],
          instanceType: d['instanceType'],
          privateIp: d['privateIp'],
          architecture: d['architecture'],
          version: d['version'],
        },
        {
          accountId: ACCOUNT,
          instanceId: withProfile,
          region: 'us-east-1',
          availabilityZone: 'us-east-1b',
          imageId: view?.ImageId,
          instanceType: 't3.micro',
          privateIp,
          architecture: 'x86_64',
          version: '2017-09-30',
        },
      );
      assert.match(String(d['pendingTime']), IMDS_TIME);
    });

    it('an instance without a profile: the iam paths are 404 and the SDKs find no credentials', async () => {
      for (const path of [
        'iam',
        'iam/',
        'iam/info',
        'iam/security-credentials',
        'iam/security-credentials/',
        `iam/security-credentials/${role.name}`,
      ]) {
        assert.equal((await get(bareEp, `/latest/meta-data/${path}`))[0], 404, path);
      }
      const r = sdkV3On(endpoint(), bare, WHO_AM_I);
      assert.equal(typeof r.key, 'object', `no credentials expected, got ${JSON.stringify(r.key)}`);
      // rolecall says why in its log.
      await waitFor('the no-profile warning', async () =>
        server().output().includes(`instance ${bare} has no IAM instance profile`) ? true : undefined,
      );
      // …and keeps it, for the checks that look for the classic mistakes.
      const info = (await (await fetch(`${endpoint()}/_rolecall/instances/${bare}`)).json()) as Record<string, string>;
      assert.match(info['credentialsAskedWithoutProfileAt'] ?? '', /^\d{4}-\d{2}-\d{2}T/);
      if (!noAwsCli) {
        const cli = cliOn(endpoint(), bare, ['sts', 'get-caller-identity']);
        assert.notEqual(cli.status, 0);
        assert.match(cli.stderr, /Unable to locate credentials/);
      }
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('credentials replaced before they expire, on rolecall’s clock', () => {
    let role: Role;
    let instance = '';
    let ep = '';
    before(async () => {
      role = await cloud.role('imds-rotate', EC2_TRUST_JSON);
      await cloud.profile('imds-rotate-profile', role.name);
      [instance = ''] = await cloud.launch({ IamInstanceProfile: { Name: 'imds-rotate-profile' } });
      ep = await cloud.metadataEndpoint(instance);
    });

    it('new credentials after 5.5 hours; the old ones work until their own expiry, then ExpiredToken', async () => {
      const first = await credentialsDocument(ep, role.name);
      const before = sdkV3On(endpoint(), instance, WHO_AM_I);
      assert.deepEqual([before.key, arnOf(before)], [first.AccessKeyId, sessionArn(role.name, instance)]);

      // With 1.5 hours left the same credentials are served.
      await advanceClock(endpoint(), 4.5 * HOUR);
      assert.equal((await credentialsDocument(ep, role.name)).AccessKeyId, first.AccessKeyId);

      // With half an hour left they are replaced.
      await advanceClock(endpoint(), HOUR);
      const second = await credentialsDocument(ep, role.name);
      assert.notEqual(second.AccessKeyId, first.AccessKeyId);
      const later = Date.parse(second.Expiration) - Date.parse(first.Expiration);
      assert.ok(Math.abs(later - 5.5 * HOUR * 1000) < 60_000, `expires ${later} ms later`);
      assert.equal(Date.parse(second.Expiration) - Date.parse(second.LastUpdated), 6 * HOUR * 1000);

      const after = sdkV3On(endpoint(), instance, WHO_AM_I);
      assert.deepEqual([after.key, arnOf(after)], [second.AccessKeyId, sessionArn(role.name, instance)]);
      if (!noBoto3) {
        assert.deepEqual(boto3On(endpoint(), instance, 'out([key(), sts.get_caller_identity()["Arn"]])'), [
          second.AccessKeyId,
          sessionArn(role.name, instance),
        ]);
      }
      if (!noAwsCli) {
        assert.equal(
          cliJsonOn<{ Arn: string }>(endpoint(), instance, ['sts', 'get-caller-identity']).Arn,
          sessionArn(role.name, instance),
        );
      }
      const old = cloud.stsAs(credsOf(first));
      assert.equal((await old.send(new GetCallerIdentityCommand({}))).Arn, sessionArn(role.name, instance));

      // Past six hours from the first issue: the old credentials have expired, the new ones have not.
      await advanceClock(endpoint(), 0.6 * HOUR);
      const expired = await awsErrorOf(old.send(new GetCallerIdentityCommand({})));
      assert.deepEqual([expired.code, expired.status, expired.message], ['ExpiredToken', 403, EXPIRED_TOKEN]);
      assert.equal(
        (await cloud.stsAs(credsOf(second)).send(new GetCallerIdentityCommand({}))).Arn,
        sessionArn(role.name, instance),
      );
      const still = sdkV3On(endpoint(), instance, WHO_AM_I);
      assert.deepEqual([still.key, arnOf(still)], [second.AccessKeyId, sessionArn(role.name, instance)]);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('associations changed under a running instance', () => {
    let first: Role;
    let second: Role;
    let secondProfile: { arn: string; id: string };
    let instance = '';
    let ep = '';
    before(async () => {
      first = await cloud.role('imds-first', EC2_TRUST_JSON);
      second = await cloud.role('imds-second', EC2_TRUST_JSON);
      await cloud.profile('imds-first-profile', first.name);
      secondProfile = await cloud.profile('imds-second-profile', second.name);
      [instance = ''] = await cloud.launch({ IamInstanceProfile: { Name: 'imds-first-profile' } });
      ep = await cloud.metadataEndpoint(instance);
    });
    const associationId = async () => {
      const out = await cloud.ec2.send(
        new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instance] }] }),
      );
      const id = out.IamInstanceProfileAssociations?.[0]?.AssociationId;
      assert.ok(id);
      return id;
    };

    it('detach: no credentials are served, the issued ones stay valid; re-associate: the role is back', async () => {
      const issued = await credentialsDocument(ep, first.name);
      assert.equal(arnOf(sdkV3On(endpoint(), instance, WHO_AM_I)), sessionArn(first.name, instance));

      await cloud.ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: await associationId() }));
      for (const path of ['iam/info', 'iam/security-credentials/', `iam/security-credentials/${first.name}`]) {
        assert.equal((await imdsV2(ep, `/latest/meta-data/${path}`)).status, 404, path);
      }
      const without = sdkV3On(endpoint(), instance, WHO_AM_I);
      assert.equal(typeof without.key, 'object', `no credentials expected, got ${JSON.stringify(without.key)}`);
      const kept = cloud.stsAs(credsOf(issued));
      assert.equal((await kept.send(new GetCallerIdentityCommand({}))).Arn, sessionArn(first.name, instance));

      await cloud.ec2.send(
        new AssociateIamInstanceProfileCommand({
          InstanceId: instance,
          IamInstanceProfile: { Name: 'imds-first-profile' },
        }),
      );
      assert.equal(arnOf(sdkV3On(endpoint(), instance, WHO_AM_I)), sessionArn(first.name, instance));
    });

    it('replace: the workload gets the other profile’s role', async () => {
      await cloud.ec2.send(
        new ReplaceIamInstanceProfileAssociationCommand({
          AssociationId: await associationId(),
          IamInstanceProfile: { Arn: secondProfile.arn },
        }),
      );
      const info = JSON.parse((await imdsV2(ep, '/latest/meta-data/iam/info')).body) as Record<string, string>;
      assert.deepEqual([info['InstanceProfileArn'], info['InstanceProfileId']], [secondProfile.arn, secondProfile.id]);
      assert.equal((await imdsV2(ep, '/latest/meta-data/iam/security-credentials/')).body, second.name);
      assert.equal((await imdsV2(ep, `/latest/meta-data/iam/security-credentials/${first.name}`)).status, 404);

      assert.deepEqual(sdkV3On(endpoint(), instance, WHO_AM_I).results, [{ ok: identity(second, instance) }]);
      if (!noAwsCli) {
        assert.deepEqual(cliJsonOn(endpoint(), instance, ['sts', 'get-caller-identity']), identity(second, instance));
      }
      if (!noBoto3) {
        assert.deepEqual(boto3On(endpoint(), instance, 'out(attempt(sts.get_caller_identity))'), {
          ok: identity(second, instance),
        });
      }
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('a role that does not trust ec2.amazonaws.com', () => {
    let role: Role;
    let instance = '';
    let ep = '';
    before(async () => {
      role = await cloud.role('imds-lambda-only', LAMBDA_TRUST_JSON);
      await cloud.profile('imds-lambda-profile', role.name);
      [instance = ''] = await cloud.launch({ IamInstanceProfile: { Name: 'imds-lambda-profile' } });
      ep = await cloud.metadataEndpoint(instance);
    });

    it('the credentials path answers AssumeRoleUnauthorizedAccess; trusting EC2 fixes it at once', async () => {
      assert.equal((await imdsV2(ep, '/latest/meta-data/iam/security-credentials/')).body, role.name);
      const r = await imdsV2(ep, `/latest/meta-data/iam/security-credentials/${role.name}`);
      assert.equal(r.status, 200);
      const d = JSON.parse(r.body) as Record<string, string>;
      assert.deepEqual(Object.keys(d).sort(), ['Code', 'LastUpdated', 'Message']);
      assert.deepEqual(
        [d['Code'], d['Message']],
        [
          'AssumeRoleUnauthorizedAccess',
          `EC2 cannot assume the role ${role.name}.  Please see documentation at https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html#roles-usingrole-ec2instance-roles.`,
        ],
      );
      assert.match(d['LastUpdated'] ?? '', IMDS_TIME);
      const sdk = sdkV3On(endpoint(), instance, WHO_AM_I);
      assert.equal(typeof sdk.key, 'object', `no credentials expected, got ${JSON.stringify(sdk.key)}`);
      if (!noBoto3) assert.equal(boto3On(endpoint(), instance, 'out(key())'), null);

      await cloud.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: EC2_TRUST_JSON }));
      assert.equal((await credentialsDocument(ep, role.name)).Code, 'Success');
      assert.deepEqual(sdkV3On(endpoint(), instance, WHO_AM_I).results, [{ ok: identity(role, instance) }]);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('handing a role to EC2', () => {
    let role: Role;
    before(async () => {
      role = await cloud.role('imds-passed', EC2_TRUST_JSON);
      await cloud.profile('imds-passed-profile', role.name);
    });

    it('RunInstances with a role ARN instead of a profile ARN is InvalidParameterValue', async () => {
      const e = await awsErrorOf(cloud.launch({ IamInstanceProfile: { Arn: role.arn } }));
      assert.deepEqual(
        [e.code, e.status, e.message],
        [
          'InvalidParameterValue',
          400,
          `Value (${role.arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
        ],
      );
    });

    it('ec2:RunInstances alone cannot launch with a profile; iam:PassRole for ec2.amazonaws.com can', async () => {
      const run = allow('ec2:RunInstances');
      const passTo = (service: string) =>
        allow('iam:PassRole', role.arn, { StringEquals: { 'iam:PassedToService': service } });
      const withProfile = { IamInstanceProfile: { Name: 'imds-passed-profile' } };

      const noPass = cloud.ec2As(await cloud.user('imds-no-pass', doc(run)));
      const refusal = await awsErrorOf(cloud.launch(withProfile, noPass));
      assert.deepEqual([refusal.code, refusal.status], ['UnauthorizedOperation', 403]);
      assert.ok(
        refusal.message.startsWith('You are not authorized to perform this operation. ') &&
          refusal.message.includes('iam:PassRole') &&
          /\. Encoded authorization failure message: [A-Za-z0-9_-]+$/.test(refusal.message),
        refusal.message,
      );
      const [plain = ''] = await cloud.launch({}, noPass);
      assert.match(plain, /^i-[0-9a-f]{17}$/, 'without a profile ec2:RunInstances is enough');

      const toLambda = cloud.ec2As(await cloud.user('imds-pass-lambda', doc(run, passTo('lambda.amazonaws.com'))));
      assert.equal((await awsErrorOf(cloud.launch(withProfile, toLambda))).code, 'UnauthorizedOperation');

      const toEc2 = cloud.ec2As(await cloud.user('imds-pass-ec2', doc(run, passTo('ec2.amazonaws.com'))));
      const [launched = ''] = await cloud.launch(withProfile, toEc2);
      assert.deepEqual(sdkV3On(endpoint(), launched, WHO_AM_I).results, [{ ok: identity(role, launched) }]);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('condition keys the instance’s credentials carry', () => {
    it('ec2:SourceInstanceARN: the same role on two instances, allowed on one only', async () => {
      const role = await cloud.role('imds-pinned', EC2_TRUST_JSON);
      await cloud.profile('imds-pinned-profile', role.name);
      const [a = '', b = ''] = await cloud.launch({
        IamInstanceProfile: { Name: 'imds-pinned-profile' },
        MinCount: 2,
        MaxCount: 2,
      });
      await cloud.iam.send(
        new PutRolePolicyCommand({
          RoleName: role.name,
          PolicyName: 'only-a',
          PolicyDocument: doc(
            allow('iam:GetRole', role.arn, { ArnEquals: { 'ec2:SourceInstanceARN': instanceArn(a) } }),
          ),
        }),
      );
      const getRole = [['iam', 'GetRole', { RoleName: role.name }]] as const;
      const onA = sdkV3On(endpoint(), a, getRole).results[0];
      assert.ok(onA && 'ok' in onA, JSON.stringify(onA));
      const denied = noAllow(sessionArn(role.name, b), 'iam:GetRole', role.arn);
      assert.deepEqual(sdkV3On(endpoint(), b, getRole).results, [
        { error: { code: 'AccessDenied', message: denied, status: 403 } },
      ]);
      if (!noAwsCli) {
        assert.equal(
          cliJsonOn<{ Role: { RoleName: string } }>(endpoint(), a, ['iam', 'get-role', '--role-name', role.name]).Role
            .RoleName,
          role.name,
        );
        assert.equal(
          cliOn(endpoint(), b, ['iam', 'get-role', '--role-name', role.name]).stderr,
          cliErrorLine('AccessDenied', 'GetRole', denied),
        );
      }
      if (!noBoto3) {
        assert.deepEqual(boto3On(endpoint(), b, `out(attempt(iam.get_role, RoleName=${py(role.name)}))`), {
          error: { Code: 'AccessDenied', Message: denied, HTTPStatusCode: 403 },
        });
      }
    });

    it('ec2:RoleDelivery: credentials fetched with IMDSv1 are 1.0, with IMDSv2 2.0', async () => {
      const role = await cloud.role('imds-delivery', EC2_TRUST_JSON, {
        v2: doc(
          allow('iam:GetRole', `arn:aws:iam::${ACCOUNT}:role/imds-delivery`, {
            NumericGreaterThanEquals: { 'ec2:RoleDelivery': '2.0' },
          }),
        ),
      });
      await cloud.profile('imds-delivery-profile', role.name);
      const [instance = ''] = await cloud.launch({ IamInstanceProfile: { Name: 'imds-delivery-profile' } });
      const ep = await cloud.metadataEndpoint(instance);
      const v1 = await imds(ep, `/latest/meta-data/iam/security-credentials/${role.name}`);
      assert.equal(v1.status, 200);
      const v1Creds = credsOf(JSON.parse(v1.body) as CredentialsDocument);
      const v2Creds = credsOf(await credentialsDocument(ep, role.name));
      assert.notEqual(v1Creds.accessKeyId, v2Creds.accessKeyId);
      const getRole = (creds: Creds) => cloud.iamAs(creds).send(new GetRoleCommand({ RoleName: role.name }));
      assert.equal((await getRole(v2Creds)).Role?.RoleName, role.name);
      const e = await awsErrorOf(getRole(v1Creds));
      assert.deepEqual(
        [e.code, e.message],
        ['AccessDenied', noAllow(sessionArn(role.name, instance), 'iam:GetRole', role.arn)],
      );
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('the listener follows the instance', () => {
    it('stop closes it and `rolecall env` says so; start reopens it on the same port; terminate closes it', async () => {
      const [instance = ''] = await cloud.launch();
      const ep = await cloud.metadataEndpoint(instance);
      assert.equal((await imds(ep, '/latest/meta-data/instance-id')).body, instance);

      await cloud.ec2.send(new StopInstancesCommand({ InstanceIds: [instance] }));
      await waitForState(endpoint(), instance, 'stopping');
      assert.ok(await refused(ep), 'the listener closes as the instance starts stopping');
      await cloud.settle([instance], 'stopped');
      assert.ok(await refused(ep));
      const message = (command: string, state: string) =>
        `rolecall ${command}: instance ${instance} is ${state}: its metadata service runs only while it is running`;
      assert.deepEqual(rolecall(['env', '--instance', instance, '--endpoint', endpoint()]), {
        status: 1,
        stdout: '',
        stderr: message('env', 'stopped'),
      });
      assert.deepEqual(onInstance(endpoint(), instance, ['sh', '-c', 'echo ran']), {
        status: 1,
        stdout: '',
        stderr: message('run', 'stopped'),
      });

      await cloud.ec2.send(new StartInstancesCommand({ InstanceIds: [instance] }));
      await cloud.settle([instance], 'running');
      assert.equal(await cloud.metadataEndpoint(instance), ep, 'the same port as before');
      assert.equal((await imds(ep, '/latest/meta-data/instance-id')).body, instance);

      await cloud.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance] }));
      await cloud.settle([instance], 'terminated');
      assert.ok(await refused(ep));
      assert.deepEqual(rolecall(['env', '--instance', instance, '--endpoint', endpoint()]), {
        status: 1,
        stdout: '',
        stderr: message('env', 'terminated'),
      });
    });

    it('HttpEndpoint disabled closes it while the instance runs; enabled reopens it on the same port', async () => {
      const [instance = ''] = await cloud.launch();
      const ep = await cloud.metadataEndpoint(instance);
      await cloud.ec2.send(
        new ModifyInstanceMetadataOptionsCommand({ InstanceId: instance, HttpEndpoint: 'disabled' }),
      );
      const info = await waitFor('the listener to close', async () => {
        const i = await instanceInfo(endpoint(), instance);
        return i.metadataEndpoint === undefined ? i : undefined;
      });
      assert.equal(info.state, 'running');
      assert.ok(await refused(ep));
      await cloud.ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: instance, HttpEndpoint: 'enabled' }));
      assert.equal(await cloud.metadataEndpoint(instance), ep);
      assert.equal((await imds(ep, '/latest/meta-data/instance-id')).body, instance);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('rolecall env and rolecall run', () => {
    let role: Role;
    let instance = '';
    let ep = '';
    before(async () => {
      role = await cloud.role('imds-env', EC2_TRUST_JSON);
      await cloud.profile('imds-env-profile', role.name);
      [instance = ''] = await cloud.launch({ IamInstanceProfile: { Name: 'imds-env-profile' } });
      ep = await cloud.metadataEndpoint(instance);
    });
    /** Root's keys, which would work, in the parent environment: the workload must not use them. */
    const leakyEnv = () =>
      cleanEnv({
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_SESSION_TOKEN: 'not-a-token',
        AWS_PROFILE: 'nope',
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
      });

    it('rolecall env prints the unsets and exports', () => {
      const r = rolecall(['env', '--instance', instance, '--endpoint', endpoint()]);
      assert.deepEqual({ status: r.status, stderr: r.stderr }, { status: 0, stderr: '' });
      const lines = r.stdout.trim().split('\n');
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
        assert.ok(lines.includes(`unset ${name}`), `unset ${name}:\n${r.stdout}`);
      }
      for (const line of [
        `export AWS_EC2_METADATA_SERVICE_ENDPOINT='${ep}'`,
        `export AWS_ENDPOINT_URL='${endpoint()}'`,
        `export AWS_REGION='us-east-1'`,
        `export AWS_DEFAULT_REGION='us-east-1'`,
      ]) {
        assert.ok(lines.includes(line), `${line}:\n${r.stdout}`);
      }
      assert.ok(
        lines.every((l) => /^unset AWS_[A-Z_]+$/.test(l) || /^export AWS_[A-Z0-9_]+='[^']*'$/.test(l)),
        r.stdout,
      );
    });

    it('eval "$(rolecall env …)" in a shell with other keys set: the SDK uses the instance role (ROLECALL_ENDPOINT)', () => {
      const r = shell('eval "$("$NODE" "$BIN" env --instance "$INSTANCE")" && exec "$NODE" "$SCRIPT" "$CALLS"', {
        ...leakyEnv(),
        ROLECALL_ENDPOINT: `${endpoint()}/`,
        INSTANCE: instance,
        CALLS: JSON.stringify(WHO_AM_I),
      });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as SdkOutcome;
      assert.deepEqual(out.results, [{ ok: identity(role, instance) }]);
    });

    it('rolecall run: keys in the parent environment do not leak into the workload', () => {
      const seen = onInstance(
        endpoint(),
        instance,
        [
          'sh',
          '-c',
          'echo "${AWS_ACCESS_KEY_ID-unset} ${AWS_SECRET_ACCESS_KEY-unset} ${AWS_SESSION_TOKEN-unset} ${AWS_PROFILE-unset} $AWS_REGION"',
        ],
        leakyEnv(),
      );
      assert.deepEqual(seen, { status: 0, stdout: 'unset unset unset unset us-east-1\n', stderr: '' });
      assert.deepEqual(sdkV3On(endpoint(), instance, WHO_AM_I, leakyEnv()).results, [{ ok: identity(role, instance) }]);
      if (!noAwsCli) {
        const cli = onInstance(
          endpoint(),
          instance,
          ['aws', '--output', 'json', 'sts', 'get-caller-identity'],
          leakyEnv(),
        );
        assert.equal(cli.status, 0, cli.stderr);
        assert.deepEqual(JSON.parse(cli.stdout), identity(role, instance));
      }
    });

    it('rolecall run passes the exit code and the output through', () => {
      assert.deepEqual(onInstance(endpoint(), instance, ['sh', '-c', 'echo out; echo err >&2; exit 7']), {
        status: 7,
        stdout: 'out\n',
        stderr: 'err',
      });
      assert.equal(onInstance(endpoint(), instance, ['true']).status, 0);
      const missing = onInstance(endpoint(), instance, ['rolecall-no-such-program']);
      assert.equal(missing.status, 127);
      assert.match(missing.stderr, /^rolecall run: cannot run rolecall-no-such-program: /);
    });

    it('a workload killed by a signal exits 128 + the signal number, as shells report it', () => {
      assert.equal(onInstance(endpoint(), instance, ['sh', '-c', 'kill -TERM $$']).status, 128 + 15);
    });

    it('an unknown instance, an unreachable rolecall and usage errors', () => {
      const unknown = 'i-0123456789abcdef0';
      assert.deepEqual(onInstance(endpoint(), unknown, ['sh', '-c', 'echo ran']), {
        status: 1,
        stdout: '',
        stderr: `rolecall run: rolecall at ${endpoint()} has no instance ${unknown}`,
      });
      assert.deepEqual(rolecall(['env', '--instance', unknown, '--endpoint', endpoint()]), {
        status: 1,
        stdout: '',
        stderr: `rolecall env: rolecall at ${endpoint()} has no instance ${unknown}`,
      });
      const nowhere = 'http://127.0.0.1:1';
      assert.deepEqual(rolecall(['env', '--instance', instance, '--endpoint', nowhere]), {
        status: 1,
        stdout: '',
        stderr: `rolecall env: cannot reach rolecall at ${nowhere} (start it with \`rolecall serve\`, or pass --endpoint)`,
      });
      assert.equal(rolecall(['env']).status, 2);
      assert.equal(rolecall(['run', '--instance', instance, '--endpoint', endpoint()]).status, 2);
    });

    it('ROLECALL_ENDPOINT is honoured, and --endpoint wins over it', () => {
      const byEnv = rolecall(['env', '--instance', instance], cleanEnv({ ROLECALL_ENDPOINT: endpoint() }));
      assert.equal(byEnv.status, 0, byEnv.stderr);
      assert.ok(byEnv.stdout.includes(`export AWS_ENDPOINT_URL='${endpoint()}'\n`), byEnv.stdout);
      const overridden = rolecall(
        ['env', '--instance', instance, '--endpoint', endpoint()],
        cleanEnv({ ROLECALL_ENDPOINT: 'http://127.0.0.1:1' }),
      );
      assert.equal(overridden.status, 0, overridden.stderr);
      const run = onInstance(
        endpoint(),
        instance,
        ['sh', '-c', 'echo "$AWS_ENDPOINT_URL"'],
        cleanEnv({ ROLECALL_ENDPOINT: 'http://127.0.0.1:1' }),
      );
      assert.deepEqual(run, { status: 0, stdout: `${endpoint()}\n`, stderr: '' });
    });

    it('rolecall serve starts with ROLECALL_ENDPOINT in its environment', async () => {
      const other = await startRolecall({ env: { ROLECALL_ENDPOINT: endpoint() } });
      try {
        const res = await fetch(new URL('/_rolecall/health', other.endpoint));
        assert.equal(res.status, 200);
      } finally {
        const code = await other.stop();
        removeDir(other.dataDir);
        assert.equal(code, 0, other.output());
      }
    });
  });
});

/** Runs `sh -c SCRIPT` with NODE, BIN and SCRIPT (the SDK v3 workload, with its NODE_PATH) in its environment. */
function shell(script: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', script], {
    env: { ...env, NODE: process.execPath, BIN, SCRIPT: sdkScript(), NODE_PATH },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}
