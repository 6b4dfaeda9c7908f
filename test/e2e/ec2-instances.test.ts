/**
 * EC2 instances and instance profile associations through the real clients against `rolecall serve`: the AWS
 * CLI (run-instances with --iam-instance-profile, `aws ec2 wait …`, describe-instances with filters and --query,
 * associations, metadata options, stop/start/terminate), boto3 (run_instances, a waiter, the
 * describe_iam_instance_profile_associations paginator) and SDK v3 (RunInstancesCommand, waitUntilInstanceRunning,
 * DescribeInstancesCommand with Filters).
 *
 * Waiters poll DescribeInstances until every `Reservations[].Instances[].State.Name` is the wanted state (botocore
 * ec2 waiters-2.json; 15 s between polls in the CLI, which cannot be told otherwise). Transitional states settle
 * on rolecall's clock half a second after the action (src/services/ec2/instances.ts), so the CLI tests move the
 * clock forward (POST /_rolecall/clock, signed by a root) before waiting and the waiter's first poll succeeds;
 * boto3 and SDK v3 waiters are given a one-second delay and really wait. botocore base64-encodes RunInstances
 * UserData for the CLI and boto3; SDK v3 callers encode it themselves. Expected texts: shared/AWS-FACTS.md
 * ("EC2 and instance profiles") and the sources cited in test/http/ec2-instances.test.ts.
 *
 * Each client works in an account of its own, so listings are exact.
 */
import assert from 'node:assert/strict';
import { advanceClock as advanceClockAt } from '../support/clock.ts';
import { after, before, describe, it } from 'node:test';
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilInstanceStopped,
} from '@aws-sdk/client-ec2';
import { noAwsCli, noBoto3 } from '../support/clients.ts';
import { signedQuery } from '../support/signed.ts';
import {
  awsErrorOf,
  boto3Run,
  cliErrorLine,
  cliOk,
  cliRun,
  cliServiceErrorStatus,
  EC2_TRUST_JSON,
  py,
  useServer,
  type Attempt,
} from './helpers.ts';

const IMAGE = 'ami-0abcdef1234567890';
const INSTANCE_ID = /^i-[0-9a-f]{17}$/;
const ASSOCIATION_ID = /^iip-assoc-[0-9a-f]{17}$/;
const UNKNOWN_INSTANCE = 'i-0123456789abcdef0';
const notFound = (id: string) => `The instance ID '${id}' does not exist`;

const server = useServer();

interface Profile {
  readonly name: string;
  readonly arn: string;
  readonly id: string;
  readonly roleArn: string;
}

const between = (body: string, tag: string): string => {
  const value = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body)?.[1];
  assert.ok(value !== undefined, `no <${tag}> in ${body}`);
  return value;
};

/**
 * Lets the event loop run before this process talks to rolecall again. The CLI and boto3 run through spawnSync,
 * which blocks the loop: a keep-alive socket rolecall closed meanwhile (after 5 s idle) is only noticed once the
 * loop has run, and fetch would otherwise send the next request on it and fail with "other side closed".
 */
const yieldToLoop = () => new Promise((resolve) => setTimeout(resolve, 50));

/** A role trusting EC2 and an instance profile holding it, created over IAM's Query API as the account root. */
async function makeProfile(account: string, name: string): Promise<Profile> {
  await yieldToLoop();
  const iam = async (params: Record<string, string>) => {
    const reply = await signedQuery(server().endpoint, 'iam', params, {
      accessKeyId: account,
      secretAccessKey: 'test',
    });
    assert.equal(reply.status, 200, reply.body);
    return reply.body;
  };
  const role = await iam({ Action: 'CreateRole', RoleName: `${name}-role`, AssumeRolePolicyDocument: EC2_TRUST_JSON });
  const profile = await iam({ Action: 'CreateInstanceProfile', InstanceProfileName: name });
  await iam({ Action: 'AddRoleToInstanceProfile', InstanceProfileName: name, RoleName: `${name}-role` });
  return {
    name,
    arn: between(profile, 'Arn'),
    id: between(profile, 'InstanceProfileId'),
    roleArn: between(role, 'Arn'),
  };
}

/** Moves rolecall's clock forward: POST /_rolecall/clock signed by an account root. */
async function advanceClock(seconds: number): Promise<void> {
  await yieldToLoop();
  await advanceClockAt(server().endpoint, seconds);
}

// ---------------------------------------------------------------------------------------------------------------

interface CliState {
  Code: number;
  Name: string;
}
interface CliInstance {
  InstanceId: string;
  ImageId: string;
  InstanceType: string;
  State: CliState;
  IamInstanceProfile?: { Arn: string; Id: string };
  Tags?: { Key: string; Value: string }[];
  MetadataOptions: Record<string, unknown>;
}
interface CliAssociation {
  AssociationId: string;
  InstanceId: string;
  IamInstanceProfile: { Arn: string; Id: string };
  State: string;
  Timestamp: string;
}
interface CliStateChange {
  InstanceId: string;
  CurrentState: CliState;
  PreviousState: CliState;
}

describe('EC2 instances with the AWS CLI', { skip: noAwsCli }, () => {
  const creds = { id: '222222222222', secret: 'test' };
  const ok = <T>(args: readonly string[]) => cliOk<T>(server().endpoint, ['--region', 'us-east-1', ...args], creds);
  const SERVICE_ERROR = noAwsCli ? 0 : cliServiceErrorStatus();
  const fails = (args: readonly string[], code: string, operation: string, message: string) => {
    const r = cliRun(server().endpoint, ['--region', 'us-east-1', ...args], creds);
    assert.deepEqual(
      { status: r.status, stdout: r.stdout, stderr: r.stderr },
      { status: SERVICE_ERROR, stdout: '', stderr: cliErrorLine(code, operation, message) },
    );
  };
  /** `aws ec2 wait <waiter>` after the clock has moved past the transition: the first poll succeeds. */
  const waitFor = async (waiter: string, ids: readonly string[]) => {
    await advanceClock(2);
    const started = Date.now();
    const r = cliRun(
      server().endpoint,
      ['--region', 'us-east-1', 'ec2', 'wait', waiter, '--instance-ids', ...ids],
      creds,
    );
    assert.deepEqual({ status: r.status, stdout: r.stdout, stderr: r.stderr }, { status: 0, stdout: '', stderr: '' });
    assert.ok(Date.now() - started < 10_000, `aws ec2 wait ${waiter} took ${Date.now() - started} ms`);
  };

  let web: Profile;
  let alt: Profile;
  let ids: string[] = [];

  before(async () => {
    web = await makeProfile(creds.id, 'cli-web');
    alt = await makeProfile(creds.id, 'cli-alt');
  });

  it('run-instances --iam-instance-profile Name=…, wait instance-running, describe-instances with filters and --query', async () => {
    const { Instances: launched } = ok<{ Instances: CliInstance[]; OwnerId: string }>([
      'ec2',
      'run-instances',
      '--image-id',
      IMAGE,
      '--instance-type',
      't3.micro',
      '--count',
      '2',
      '--iam-instance-profile',
      `Name=${web.name}`,
      '--tag-specifications',
      'ResourceType=instance,Tags=[{Key=team,Value=web}]',
      '--metadata-options',
      'HttpTokens=required,HttpPutResponseHopLimit=2',
      '--user-data',
      'hello',
    ]);
    assert.equal(launched.length, 2);
    for (const instance of launched) {
      assert.match(instance.InstanceId, INSTANCE_ID);
      assert.deepEqual(
        [
          instance.ImageId,
          instance.InstanceType,
          instance.State,
          instance.IamInstanceProfile,
          instance.Tags,
          instance.MetadataOptions['HttpTokens'],
          instance.MetadataOptions['HttpPutResponseHopLimit'],
        ],
        [
          IMAGE,
          't3.micro',
          { Code: 0, Name: 'pending' },
          { Arn: web.arn, Id: web.id },
          [{ Key: 'team', Value: 'web' }],
          'required',
          2,
        ],
      );
    }
    ids = launched.map((i) => i.InstanceId).sort();

    await waitFor('instance-running', ids);

    const running = ok<string[]>([
      'ec2',
      'describe-instances',
      '--filters',
      'Name=tag:team,Values=web',
      'Name=instance-state-name,Values=running',
      '--query',
      'Reservations[].Instances[].InstanceId',
    ]);
    assert.deepEqual([...running].sort(), ids);
    const byProfile = ok<[string, string, string][]>([
      'ec2',
      'describe-instances',
      '--filters',
      `Name=iam-instance-profile.arn,Values=${web.arn}`,
      '--query',
      'Reservations[].Instances[].[InstanceId, State.Name, IamInstanceProfile.Id]',
    ]);
    assert.deepEqual(
      [...byProfile].sort(),
      ids.map((id) => [id, 'running', web.id]),
    );
    // The CLI base64-encodes --user-data (botocore's RunInstances handler); rolecall keeps what was sent.
    assert.deepEqual(
      ok(['ec2', 'describe-instance-attribute', '--instance-id', ids[0] ?? '', '--attribute', 'userData']),
      { InstanceId: ids[0], UserData: { Value: Buffer.from('hello').toString('base64') } },
    );
    fails(
      ['ec2', 'describe-instances', '--instance-ids', UNKNOWN_INSTANCE],
      'InvalidInstanceID.NotFound',
      'DescribeInstances',
      notFound(UNKNOWN_INSTANCE),
    );
    fails(
      ['ec2', 'run-instances', '--image-id', IMAGE, '--iam-instance-profile', 'Name=cli-missing'],
      'InvalidParameterValue',
      'RunInstances',
      'Value (cli-missing) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name',
    );
  });

  it('describe, replace, disassociate and associate instance profile associations', () => {
    const [first] = ids;
    assert.ok(first, 'the first test launched the instances');
    const { IamInstanceProfileAssociations: listed } = ok<{ IamInstanceProfileAssociations: CliAssociation[] }>([
      'ec2',
      'describe-iam-instance-profile-associations',
      '--filters',
      `Name=instance-id,Values=${first}`,
    ]);
    assert.equal(listed.length, 1);
    const [active] = listed;
    assert.ok(active);
    assert.match(active.AssociationId, ASSOCIATION_ID);
    assert.deepEqual(
      [active.InstanceId, active.IamInstanceProfile, active.State],
      [first, { Arn: web.arn, Id: web.id }, 'associated'],
    );

    const { IamInstanceProfileAssociation: replaced } = ok<{ IamInstanceProfileAssociation: CliAssociation }>([
      'ec2',
      'replace-iam-instance-profile-association',
      '--association-id',
      active.AssociationId,
      '--iam-instance-profile',
      `Name=${alt.name}`,
    ]);
    assert.match(replaced.AssociationId, ASSOCIATION_ID);
    assert.notEqual(replaced.AssociationId, active.AssociationId);
    assert.deepEqual(
      [replaced.InstanceId, replaced.IamInstanceProfile, replaced.State],
      [first, { Arn: alt.arn, Id: alt.id }, 'associating'],
    );
    fails(
      [
        'ec2',
        'replace-iam-instance-profile-association',
        '--association-id',
        active.AssociationId,
        '--iam-instance-profile',
        `Name=${web.name}`,
      ],
      'IncorrectState',
      'ReplaceIamInstanceProfileAssociation',
      `The association ${active.AssociationId} is not the active association`,
    );

    const { IamInstanceProfileAssociation: gone } = ok<{ IamInstanceProfileAssociation: CliAssociation }>([
      'ec2',
      'disassociate-iam-instance-profile',
      '--association-id',
      replaced.AssociationId,
    ]);
    assert.deepEqual(
      [gone.AssociationId, gone.InstanceId, gone.IamInstanceProfile, gone.State],
      [replaced.AssociationId, first, { Arn: alt.arn, Id: alt.id }, 'disassociating'],
    );

    const { IamInstanceProfileAssociation: again } = ok<{ IamInstanceProfileAssociation: CliAssociation }>([
      'ec2',
      'associate-iam-instance-profile',
      '--instance-id',
      first,
      '--iam-instance-profile',
      `Arn=${web.arn}`,
    ]);
    assert.deepEqual(
      [again.InstanceId, again.IamInstanceProfile, again.State],
      [first, { Arn: web.arn, Id: web.id }, 'associating'],
    );
    fails(
      ['ec2', 'associate-iam-instance-profile', '--instance-id', first, '--iam-instance-profile', `Name=${alt.name}`],
      'IncorrectState',
      'AssociateIamInstanceProfile',
      `There is an existing association for instance ${first}`,
    );
  });

  it('modify-instance-metadata-options, then stop, start and terminate with the waiters', async () => {
    const [first, second] = ids;
    assert.ok(first && second, 'the first test launched the instances');
    const modified = ok<{ InstanceId: string; InstanceMetadataOptions: Record<string, unknown> }>([
      'ec2',
      'modify-instance-metadata-options',
      '--instance-id',
      first,
      '--http-tokens',
      'optional',
      '--http-put-response-hop-limit',
      '3',
      '--http-endpoint',
      'enabled',
      '--instance-metadata-tags',
      'enabled',
    ]);
    const options = {
      HttpTokens: 'optional',
      HttpPutResponseHopLimit: 3,
      HttpEndpoint: 'enabled',
      HttpProtocolIpv6: 'disabled',
      InstanceMetadataTags: 'enabled',
    };
    assert.deepEqual(modified, { InstanceId: first, InstanceMetadataOptions: { State: 'pending', ...options } });

    const { StoppingInstances: stopping } = ok<{ StoppingInstances: CliStateChange[] }>([
      'ec2',
      'stop-instances',
      '--instance-ids',
      first,
    ]);
    assert.deepEqual(stopping, [
      { InstanceId: first, CurrentState: { Code: 64, Name: 'stopping' }, PreviousState: { Code: 16, Name: 'running' } },
    ]);
    await waitFor('instance-stopped', [first]);
    assert.deepEqual(
      ok([
        'ec2',
        'describe-instances',
        '--instance-ids',
        first,
        '--query',
        'Reservations[0].Instances[0].[State.Name, MetadataOptions]',
      ]),
      ['stopped', { State: 'applied', ...options }],
    );

    const { StartingInstances: starting } = ok<{ StartingInstances: CliStateChange[] }>([
      'ec2',
      'start-instances',
      '--instance-ids',
      first,
    ]);
    assert.deepEqual(starting, [
      { InstanceId: first, CurrentState: { Code: 0, Name: 'pending' }, PreviousState: { Code: 80, Name: 'stopped' } },
    ]);
    await waitFor('instance-running', [first]);

    const { TerminatingInstances: terminating } = ok<{ TerminatingInstances: CliStateChange[] }>([
      'ec2',
      'terminate-instances',
      '--instance-ids',
      first,
      second,
    ]);
    assert.deepEqual(
      [...terminating].sort((a, b) => a.InstanceId.localeCompare(b.InstanceId)),
      [first, second].map((id) => ({
        InstanceId: id,
        CurrentState: { Code: 32, Name: 'shutting-down' },
        PreviousState: { Code: 16, Name: 'running' },
      })),
    );
    await waitFor('instance-terminated', [first, second]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('EC2 instances with boto3', { skip: noBoto3 }, () => {
  const account = '333333333333';

  it('run_instances with a profile ARN, the instance_running waiter, the associations paginator, errors', async () => {
    const profile = await makeProfile(account, 'py-web');
    const r = boto3Run<{
      launched: [string, string, string][];
      waited: number;
      running: string[];
      page_sizes: number[];
      associations: [string, string, string][];
      user_data: { Value: string };
      again: Attempt;
      role_arn: Attempt;
      ids: string[];
    }>(
      server().endpoint,
      `
import time
ec2 = client('ec2', ${py(account)}, 'test')
r = ec2.run_instances(ImageId=${py(IMAGE)}, InstanceType='t3.micro', MinCount=6, MaxCount=6,
                      IamInstanceProfile={'Arn': ${py(profile.arn)}}, UserData='#!/bin/sh\\necho hi\\n')
ids = sorted(i['InstanceId'] for i in r['Instances'])
res = {'ids': ids}
res['launched'] = sorted([i['InstanceId'], i['State']['Name'], i['IamInstanceProfile']['Arn']] for i in r['Instances'])
started = time.time()
ec2.get_waiter('instance_running').wait(InstanceIds=ids, WaiterConfig={'Delay': 1, 'MaxAttempts': 10})
res['waited'] = time.time() - started
res['running'] = [i['State']['Name'] for rv in ec2.describe_instances(InstanceIds=ids)['Reservations'] for i in rv['Instances']]
pages = list(ec2.get_paginator('describe_iam_instance_profile_associations').paginate(PaginationConfig={'PageSize': 5}))
res['page_sizes'] = [len(p['IamInstanceProfileAssociations']) for p in pages]
res['associations'] = sorted([a['InstanceId'], a['State'], a['IamInstanceProfile']['Arn']]
                             for p in pages for a in p['IamInstanceProfileAssociations'])
res['user_data'] = ec2.describe_instance_attribute(InstanceId=ids[0], Attribute='userData')['UserData']
res['again'] = attempt(ec2.associate_iam_instance_profile, InstanceId=ids[0], IamInstanceProfile={'Name': 'py-web'})
res['role_arn'] = attempt(ec2.run_instances, ImageId=${py(IMAGE)}, MinCount=1, MaxCount=1,
                          IamInstanceProfile={'Arn': ${py(profile.roleArn)}})
out(res)
`,
    );
    assert.equal(r.ids.length, 6);
    for (const id of r.ids) assert.match(id, INSTANCE_ID);
    assert.deepEqual(
      r.launched,
      r.ids.map((id) => [id, 'pending', profile.arn]),
    );
    // The waiter saw pending first and polled again a second later.
    assert.ok(r.waited >= 0.9 && r.waited < 8, `the waiter took ${r.waited} s`);
    assert.deepEqual(r.running, Array(6).fill('running'));
    assert.deepEqual(r.page_sizes, [5, 1]);
    assert.deepEqual(
      r.associations,
      r.ids.map((id) => [id, 'associated', profile.arn]),
    );
    // boto3 base64-encodes UserData itself (botocore's RunInstances handler).
    assert.deepEqual(r.user_data, { Value: Buffer.from('#!/bin/sh\necho hi\n').toString('base64') });
    assert.deepEqual(r.again, {
      error: {
        Code: 'IncorrectState',
        Message: `There is an existing association for instance ${r.ids[0]}`,
        HTTPStatusCode: 400,
      },
    });
    assert.deepEqual(r.role_arn, {
      error: {
        Code: 'InvalidParameterValue',
        Message: `Value (${profile.roleArn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
        HTTPStatusCode: 400,
      },
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('EC2 instances with SDK v3', () => {
  const account = '444444444444';
  let ec2: EC2Client;
  before(() => {
    ec2 = new EC2Client({
      endpoint: server().endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: account, secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  });
  after(() => ec2.destroy());

  it('RunInstancesCommand, waitUntilInstanceRunning, DescribeInstancesCommand with Filters, Stop and its waiter', async () => {
    const profile = await makeProfile(account, 'sdk-web');
    const userData = Buffer.from('echo sdk').toString('base64');
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: IMAGE,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        IamInstanceProfile: { Name: profile.name },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'app', Value: 'sdk' }] }],
        MetadataOptions: { HttpTokens: 'required' },
        UserData: userData,
      }),
    );
    const [instance] = run.Instances ?? [];
    assert.ok(instance?.InstanceId);
    const id = instance.InstanceId;
    assert.match(id, INSTANCE_ID);
    assert.equal(run.OwnerId, account);
    assert.ok(instance.LaunchTime instanceof Date);
    assert.deepEqual(
      [instance.State, instance.IamInstanceProfile, instance.Tags, instance.MetadataOptions?.HttpTokens],
      [{ Code: 0, Name: 'pending' }, { Arn: profile.arn, Id: profile.id }, [{ Key: 'app', Value: 'sdk' }], 'required'],
    );

    const started = Date.now();
    const waited = await waitUntilInstanceRunning(
      { client: ec2, maxWaitTime: 20, minDelay: 1, maxDelay: 1 },
      { InstanceIds: [id] },
    );
    assert.equal(waited.state, 'SUCCESS');
    assert.ok(Date.now() - started < 8_000, `the waiter took ${Date.now() - started} ms`);

    await ec2.send(new RunInstancesCommand({ ImageId: IMAGE, MinCount: 1, MaxCount: 1 }));
    const described = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:app', Values: ['sdk'] },
          { Name: 'instance-state-name', Values: ['running'] },
        ],
      }),
    );
    const found = (described.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    assert.deepEqual(
      found.map((i) => [i.InstanceId, i.State?.Name, i.IamInstanceProfile?.Arn]),
      [[id, 'running', profile.arn]],
    );

    const stopped = await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(stopped.StoppingInstances, [
      { InstanceId: id, CurrentState: { Code: 64, Name: 'stopping' }, PreviousState: { Code: 16, Name: 'running' } },
    ]);
    const stoppedWait = await waitUntilInstanceStopped(
      { client: ec2, maxWaitTime: 20, minDelay: 1, maxDelay: 1 },
      { InstanceIds: [id] },
    );
    assert.equal(stoppedWait.state, 'SUCCESS');

    assert.deepEqual(await awsErrorOf(ec2.send(new DescribeInstancesCommand({ InstanceIds: [UNKNOWN_INSTANCE] }))), {
      code: 'InvalidInstanceID.NotFound',
      message: notFound(UNKNOWN_INSTANCE),
      status: 400,
      name: 'InvalidInstanceID.NotFound',
    });
  });
});
