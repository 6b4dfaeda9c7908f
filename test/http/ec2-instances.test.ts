/**
 * EC2 instances and instance profile associations, in process: SigV4-signed EC2 Query requests (flattened lists,
 * `<item>` elements) over HTTP against startServer() with the memory store. The expected codes, statuses and
 * messages are AWS's:
 *   - shared/AWS-FACTS.md, "EC2 and instance profiles" (profile errors, association states and errors,
 *     metadata options) and "Authentication errors" (UnauthorizedOperation);
 *   - the EC2 API reference and texts quoted from real AWS responses in public issues:
 *     `The instance ID 'i-…' does not exist` / `The instance IDs 'i-…, i-…' do not exist` (atlassian/gostatsd#94),
 *     `Invalid id: "…"` (ClusterLabs/cluster-glue#29), `The instance 'i-…' is not in a state from which it can be
 *     started.` (aws-solutions/instance-scheduler-on-aws#281), `This instance 'i-…' is not in a state from which
 *     it can be stopped.` (ansible-collections/amazon.aws#146), `Instance 'i-…' cannot be stopped as it has never
 *     reached the 'running' state.` (cloud-custodian/cloud-custodian#6014), `Value ( 1 ) for parameter maxResults
 *     is invalid. Expecting a value greater than 5.` (aws/aws-sdk-ruby#2575), `The parameter instancesSet cannot
 *     be used with the parameter maxResults` (getmoto/moto#6282);
 *   - botocore's ec2 waiters-2.json: `wait instance-running` polls DescribeInstances until every
 *     `Reservations[].Instances[].State.Name` is `running`, fails on shutting-down/terminated/stopping, retries on
 *     InvalidInstanceID.NotFound.
 *
 * Metadata option defaults (EC2 API reference, InstanceMetadataOptionsRequest, checked 2026): HttpTokens defaults
 * to `required` only when the AMI's ImdsSupport is v2.0 (and no account default says otherwise); for any other
 * AMI — every AMI rolecall knows of — it is `optional`. HttpPutResponseHopLimit 1, HttpEndpoint `enabled`,
 * HttpProtocolIpv6 `disabled`, InstanceMetadataTags `disabled`.
 *
 * Time: transitional states (pending, stopping, shutting-down, associating, …) settle on rolecall's clock a
 * moment after the action (src/services/ec2/instances.ts, SETTLE_MS = 500). Tests move the clock forward with
 * `POST /_rolecall/clock` signed by a root instead of sleeping, and look at a transitional state only in the
 * reply that created it or in the request right after it.
 *
 * Each group works in an account of its own (any 12-digit access key id is the root of that account, secret
 * `test`), so listings are exact. Refused calls are checked for leaving what the account observes unchanged.
 */
import assert from 'node:assert/strict';
import { advanceClock as advanceClockAt } from '../support/clock.ts';
import { describe, it } from 'node:test';
import { inProcessServer } from '../support/in-process.ts';
import { parseXml, type Xml } from '../support/xml.ts';
import { errorOf, signedQuery, type Reply } from '../support/signed.ts';

const server = inProcessServer('rolecall-ec2-instances-');

type Params = Record<string, string>;

interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const IMAGE = 'ami-0abcdef1234567890';
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const INSTANCE_ID = /^i-[0-9a-f]{17}$/;
const RESERVATION_ID = /^r-[0-9a-f]{17}$/;
const ASSOCIATION_ID = /^iip-assoc-[0-9a-f]{17}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/** EC2's state codes (EC2 API reference, InstanceState). */
const CODES = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 } as const;
type StateName = keyof typeof CODES;

const notFound = (id: string) => `The instance ID '${id}' does not exist`;
const existingAssociation = (id: string) => `There is an existing association for instance ${id}`;
const notActive = (id: string) => `The association ${id} is not the active association`;
const noProfileName = (name: string) =>
  `Value (${name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`;
const noProfileArn = (arn: string) =>
  `Value (${arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---------------------------------------------------------------------------------------------------------------
// Reading replies

function at(node: Xml, ...path: string[]): Xml {
  let current = node;
  for (const name of path) {
    const next = current.children.find((c) => c.name === name);
    if (!next) assert.fail(`no <${name}> in <${current.name}>: ${current.children.map((c) => c.name).join(', ')}`);
    current = next;
  }
  return current;
}
function maybe(node: Xml, ...path: string[]): Xml | undefined {
  let current: Xml | undefined = node;
  for (const name of path) current = current?.children.find((c) => c.name === name);
  return current;
}
const text = (node: Xml, ...path: string[]): string => at(node, ...path).text;
const items = (node: Xml, ...path: string[]): Xml[] => {
  const list = maybe(node, ...path);
  return list ? list.children.filter((c) => c.name === 'item') : [];
};

function assertOk(reply: Reply): Xml {
  assert.equal(reply.status, 200, reply.body);
  return parseXml(reply.body);
}

/** An EC2 error exactly: status, code and message (a RegExp where AWS's wording is not known word for word). */
function assertError(reply: Reply, status: number, code: string, message: string | RegExp): void {
  const error = errorOf(reply.body);
  assert.deepEqual({ status: reply.status, code: error.code }, { status, code }, reply.body);
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message ?? '', message);
  assert.match(reply.body, /<Response><Errors><Error><Code>/);
  assert.ok((error.requestId ?? '') !== '', 'an EC2 error carries a RequestID');
  assert.equal(error.type, undefined, 'EC2 errors carry no Type');
}

interface Instance {
  readonly id: string;
  readonly imageId: string;
  readonly type: string;
  readonly state: string;
  readonly code: number;
  readonly reason: string;
  readonly zone: string;
  readonly launchTime: string;
  readonly launchIndex: number;
  readonly subnetId: string | undefined;
  readonly groups: string[];
  readonly profile: { arn: string; id: string } | undefined;
  readonly tags: Record<string, string>;
  readonly metadata: Record<string, string>;
}

const tagsOf = (node: Xml, ...path: string[]): Record<string, string> =>
  Object.fromEntries(items(node, ...path).map((t) => [text(t, 'key'), maybe(t, 'value')?.text ?? '']));

function instanceOf(node: Xml): Instance {
  const profile = maybe(node, 'iamInstanceProfile');
  const metadata = maybe(node, 'metadataOptions');
  return {
    id: text(node, 'instanceId'),
    imageId: text(node, 'imageId'),
    type: text(node, 'instanceType'),
    state: text(node, 'instanceState', 'name'),
    code: Number(text(node, 'instanceState', 'code')),
    reason: maybe(node, 'reason')?.text ?? '',
    zone: text(node, 'placement', 'availabilityZone'),
    launchTime: text(node, 'launchTime'),
    launchIndex: Number(text(node, 'amiLaunchIndex')),
    subnetId: maybe(node, 'subnetId')?.text,
    groups: items(node, 'groupSet').map((g) => text(g, 'groupId')),
    profile: profile ? { arn: text(profile, 'arn'), id: text(profile, 'id') } : undefined,
    tags: tagsOf(node, 'tagSet'),
    metadata: Object.fromEntries((metadata?.children ?? []).map((c) => [c.name, c.text])),
  };
}

interface StateChange {
  readonly id: string;
  readonly current: [string, number];
  readonly previous: [string, number];
}
const changesOf = (root: Xml): StateChange[] =>
  items(root, 'instancesSet').map((i) => ({
    id: text(i, 'instanceId'),
    current: [text(i, 'currentState', 'name'), Number(text(i, 'currentState', 'code'))],
    previous: [text(i, 'previousState', 'name'), Number(text(i, 'previousState', 'code'))],
  }));
const change = (id: string, current: StateName, previous: StateName): StateChange => ({
  id,
  current: [current, CODES[current]],
  previous: [previous, CODES[previous]],
});

interface Association {
  readonly id: string;
  readonly instanceId: string;
  readonly profileArn: string;
  readonly profileId: string;
  readonly state: string;
  readonly timestamp: string;
}
const associationOf = (node: Xml): Association => ({
  id: text(node, 'associationId'),
  instanceId: text(node, 'instanceId'),
  profileArn: text(node, 'iamInstanceProfile', 'arn'),
  profileId: text(node, 'iamInstanceProfile', 'id'),
  state: text(node, 'state'),
  timestamp: text(node, 'timestamp'),
});

// ---------------------------------------------------------------------------------------------------------------
// Request parameters

const listOf = (name: string, values: readonly string[]): Params =>
  Object.fromEntries(values.map((v, i) => [`${name}.${i + 1}`, v]));
const ids = (values: readonly string[]): Params => listOf('InstanceId', values);

/** `Filter.N.Name` / `Filter.N.Value.M`, in the order given. */
function filters(spec: Readonly<Record<string, readonly string[]>>): Params {
  const out: Params = {};
  Object.entries(spec).forEach(([name, values], i) => {
    out[`Filter.${i + 1}.Name`] = name;
    values.forEach((v, j) => (out[`Filter.${i + 1}.Value.${j + 1}`] = v));
  });
  return out;
}

const tagParams = (tags: Readonly<Record<string, string>>, prefix = 'Tag'): Params => {
  const out: Params = {};
  Object.entries(tags).forEach(([k, v], i) => {
    out[`${prefix}.${i + 1}.Key`] = k;
    out[`${prefix}.${i + 1}.Value`] = v;
  });
  return out;
};
const tagSpec = (tags: Readonly<Record<string, string>>, resourceType = 'instance', n = 1): Params => ({
  [`TagSpecification.${n}.ResourceType`]: resourceType,
  ...tagParams(tags, `TagSpecification.${n}.Tag`),
});

const doc = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (action: string | string[], resource: string | string[] = '*', condition?: object) => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...(condition && { Condition: condition }),
});
const deny = (action: string | string[], resource: string | string[] = '*') => ({
  Effect: 'Deny',
  Action: action,
  Resource: resource,
});
const passedTo = (service: string) => ({ StringEquals: { 'iam:PassedToService': service } });

// ---------------------------------------------------------------------------------------------------------------
// The clock

/** Moves rolecall's clock forward: POST /_rolecall/clock, SigV4-signed by an account root. */
async function advanceClock(seconds: number): Promise<void> {
  await advanceClockAt(server().endpoint, seconds);
}

/** Lets every transitional state settle: more than SETTLE_MS (500 ms) on rolecall's clock. */
const settle = () => advanceClock(2);

// ---------------------------------------------------------------------------------------------------------------
// Accounts

interface Profile {
  readonly name: string;
  readonly arn: string;
  readonly id: string;
  readonly roleArn: string;
}

interface User {
  readonly arn: string;
  readonly creds: Creds;
}

let accountSeq = 0;

class Account {
  readonly id: string;
  readonly root: Creds;

  constructor(id?: string) {
    this.id = id ?? `3100000${String(++accountSeq).padStart(5, '0')}`;
    this.root = { accessKeyId: this.id, secretAccessKey: 'test' };
  }

  ec2(params: Params, creds: Creds = this.root, region = 'us-east-1'): Promise<Reply> {
    return signedQuery(server().endpoint, 'ec2', params, { ...creds, region });
  }

  async ok(params: Params, creds?: Creds, region?: string): Promise<Xml> {
    return assertOk(await this.ec2(params, creds, region));
  }

  async iam(params: Params): Promise<string> {
    const reply = await signedQuery(server().endpoint, 'iam', params, this.root);
    assert.equal(reply.status, 200, reply.body);
    return reply.body;
  }

  /** RunInstances with an image, a type and one instance unless `extra` says otherwise. */
  run(extra: Params = {}, creds?: Creds): Promise<Reply> {
    return this.ec2(
      { Action: 'RunInstances', ImageId: IMAGE, InstanceType: 't3.micro', MinCount: '1', MaxCount: '1', ...extra },
      creds,
    );
  }

  async launch(extra: Params = {}, creds?: Creds): Promise<Instance[]> {
    return items(assertOk(await this.run(extra, creds)), 'instancesSet').map(instanceOf);
  }

  async launchOne(extra: Params = {}, creds?: Creds): Promise<Instance> {
    const [one] = await this.launch(extra, creds);
    assert.ok(one);
    return one;
  }

  async describe(extra: Params = {}, region?: string): Promise<Instance[]> {
    const root = await this.ok({ Action: 'DescribeInstances', ...extra }, this.root, region);
    return items(root, 'reservationSet').flatMap((r) => items(r, 'instancesSet').map(instanceOf));
  }

  async instance(id: string): Promise<Instance> {
    const [one] = await this.describe(ids([id]));
    assert.ok(one, `no instance ${id}`);
    return one;
  }

  async stateOf(id: string): Promise<string> {
    return (await this.instance(id)).state;
  }

  async associations(extra: Params = {}): Promise<Association[]> {
    const root = await this.ok({ Action: 'DescribeIamInstanceProfileAssociations', ...extra });
    return items(root, 'iamInstanceProfileAssociationSet').map(associationOf);
  }

  /** A role trusting EC2 (`<name>-role`) and an instance profile holding it. */
  async profile(name: string, path = '/'): Promise<Profile> {
    const created = parseXml(
      await this.iam({ Action: 'CreateInstanceProfile', InstanceProfileName: name, Path: path }),
    );
    const profile = at(created, 'CreateInstanceProfileResult', 'InstanceProfile');
    const role = parseXml(
      await this.iam({ Action: 'CreateRole', RoleName: `${name}-role`, AssumeRolePolicyDocument: EC2_TRUST }),
    );
    await this.iam({ Action: 'AddRoleToInstanceProfile', InstanceProfileName: name, RoleName: `${name}-role` });
    return {
      name,
      arn: text(profile, 'Arn'),
      id: text(profile, 'InstanceProfileId'),
      roleArn: text(role, 'CreateRoleResult', 'Role', 'Arn'),
    };
  }

  /** A user with an inline policy and an access key. */
  async user(name: string, policy: string): Promise<User> {
    const created = parseXml(await this.iam({ Action: 'CreateUser', UserName: name }));
    await this.iam({ Action: 'PutUserPolicy', UserName: name, PolicyName: 'p', PolicyDocument: policy });
    const key = at(parseXml(await this.iam({ Action: 'CreateAccessKey', UserName: name })), 'CreateAccessKeyResult');
    return {
      arn: text(created, 'CreateUserResult', 'User', 'Arn'),
      creds: {
        accessKeyId: text(key, 'AccessKey', 'AccessKeyId'),
        secretAccessKey: text(key, 'AccessKey', 'SecretAccessKey'),
      },
    };
  }

  /** What the account can observe of its instances, tags and associations, request ids removed. */
  async snapshot(): Promise<string[]> {
    const strip = (body: string) => body.replace(/<requestId>[^<]*<\/requestId>/, '');
    const out: string[] = [];
    for (const action of ['DescribeInstances', 'DescribeIamInstanceProfileAssociations', 'DescribeTags']) {
      const reply = await this.ec2({ Action: action });
      assert.equal(reply.status, 200, reply.body);
      out.push(strip(reply.body));
    }
    return out;
  }

  /** Runs `refused`, which must fail, and checks the account observes the same before and after. */
  async unchangedBy(refused: () => Promise<void>): Promise<void> {
    await settle();
    const before = await this.snapshot();
    await refused();
    assert.deepEqual(await this.snapshot(), before);
  }
}

/** Every page of a paginated Describe call: the item lists and the tokens between them. */
async function pages(account: Account, params: Params, setName: string): Promise<{ pages: Xml[][]; tokens: string[] }> {
  const out: Xml[][] = [];
  const tokens: string[] = [];
  let token: string | undefined;
  for (let n = 0; n < 20; n++) {
    const root = await account.ok({ ...params, ...(token !== undefined && { NextToken: token }) });
    out.push(items(root, setName));
    token = maybe(root, 'nextToken')?.text;
    if (token === undefined || token === '') return { pages: out, tokens };
    tokens.push(token);
  }
  assert.fail('more than 20 pages');
}

// ---------------------------------------------------------------------------------------------------------------

describe('RunInstances', () => {
  const acct = new Account();

  it('launches a pending instance with what was asked for, and the defaults AWS gives the rest', async () => {
    const started = Date.now();
    const root = assertOk(
      await acct.run({
        SubnetId: 'subnet-0123456789abcdef0',
        ...listOf('SecurityGroupId', ['sg-0123456789abcdef0', 'sg-0fedcba9876543210']),
        ...tagSpec({ Name: 'web-1', team: 'core' }),
        // Tags for another resource type do not land on the instance.
        ...tagSpec({ disk: 'root' }, 'volume', 2),
      }),
    );
    assert.equal(root.name, 'RunInstancesResponse');
    assert.match(text(root, 'reservationId'), RESERVATION_ID);
    assert.equal(text(root, 'ownerId'), acct.id);
    const [instance, ...others] = items(root, 'instancesSet').map(instanceOf);
    assert.ok(instance);
    assert.deepEqual(others, []);
    assert.match(instance.id, INSTANCE_ID);
    assert.match(instance.launchTime, ISO_TIME);
    assert.ok(Math.abs(Date.parse(instance.launchTime) - started) < 60_000, instance.launchTime);
    assert.match(instance.zone, /^us-east-1[a-f]$/);
    assert.deepEqual(
      { ...instance, id: '', launchTime: '', zone: '' },
      {
        id: '',
        imageId: IMAGE,
        type: 't3.micro',
        state: 'pending',
        code: 0,
        reason: '',
        zone: '',
        launchTime: '',
        launchIndex: 0,
        subnetId: 'subnet-0123456789abcdef0',
        groups: ['sg-0123456789abcdef0', 'sg-0fedcba9876543210'],
        profile: undefined,
        tags: { Name: 'web-1', team: 'core' },
        metadata: {
          state: 'applied',
          httpTokens: 'optional',
          httpPutResponseHopLimit: '1',
          httpEndpoint: 'enabled',
          httpProtocolIpv6: 'disabled',
          instanceMetadataTags: 'disabled',
        },
      },
    );
    // The same instance, described: still pending right after the launch, in one reservation owned by the account.
    const described = assertOk(await acct.ec2({ Action: 'DescribeInstances', ...ids([instance.id]) }));
    const [reservation] = items(described, 'reservationSet');
    assert.ok(reservation);
    assert.equal(text(reservation, 'reservationId'), text(root, 'reservationId'));
    assert.equal(text(reservation, 'ownerId'), acct.id);
    assert.deepEqual(items(reservation, 'instancesSet').map(instanceOf), [instance]);
  });

  it('MinCount/MaxCount 3 launches three instances in one reservation, numbered by amiLaunchIndex', async () => {
    const root = assertOk(await acct.run({ MinCount: '3', MaxCount: '3', ...tagSpec({ fleet: 'three' }) }));
    const launched = items(root, 'instancesSet').map(instanceOf);
    assert.deepEqual(
      launched.map((i) => [i.launchIndex, i.state, i.tags]),
      [0, 1, 2].map((n) => [n, 'pending', { fleet: 'three' }]),
    );
    assert.equal(new Set(launched.map((i) => i.id)).size, 3);
    const described = assertOk(await acct.ec2({ Action: 'DescribeInstances', ...filters({ 'tag:fleet': ['three'] }) }));
    const reservations = items(described, 'reservationSet');
    assert.equal(reservations.length, 1);
    assert.deepEqual(
      items(reservations[0] as Xml, 'instancesSet')
        .map((i) => text(i, 'instanceId'))
        .sort(),
      launched.map((i) => i.id).sort(),
    );
  });

  it('keeps UserData as sent (base64) for DescribeInstanceAttribute userData; none is an empty userData', async () => {
    const userData = Buffer.from('#!/bin/sh\necho hello\n').toString('base64');
    const withData = await acct.launchOne({ UserData: userData });
    const root = await acct.ok({ Action: 'DescribeInstanceAttribute', InstanceId: withData.id, Attribute: 'userData' });
    assert.equal(root.name, 'DescribeInstanceAttributeResponse');
    assert.equal(text(root, 'instanceId'), withData.id);
    assert.equal(text(root, 'userData', 'value'), userData);

    const without = await acct.launchOne();
    const none = await acct.ok({ Action: 'DescribeInstanceAttribute', InstanceId: without.id, Attribute: 'userData' });
    assert.equal(text(none, 'instanceId'), without.id);
    assert.equal(maybe(none, 'userData', 'value'), undefined);

    const type = await acct.ok({
      Action: 'DescribeInstanceAttribute',
      InstanceId: without.id,
      Attribute: 'instanceType',
    });
    assert.equal(text(type, 'instanceType', 'value'), 't3.micro');

    assertError(
      await acct.ec2({ Action: 'DescribeInstanceAttribute', InstanceId: 'i-0123456789abcdef0', Attribute: 'userData' }),
      400,
      'InvalidInstanceID.NotFound',
      notFound('i-0123456789abcdef0'),
    );
  });

  it('MetadataOptions given at launch are kept; the ones left out take the defaults', async () => {
    const instance = await acct.launchOne({
      'MetadataOptions.HttpTokens': 'required',
      'MetadataOptions.HttpPutResponseHopLimit': '2',
      'MetadataOptions.InstanceMetadataTags': 'enabled',
    });
    const expected = {
      state: 'applied',
      httpTokens: 'required',
      httpPutResponseHopLimit: '2',
      httpEndpoint: 'enabled',
      httpProtocolIpv6: 'disabled',
      instanceMetadataTags: 'enabled',
    };
    assert.deepEqual(instance.metadata, expected);
    await settle();
    assert.deepEqual((await acct.instance(instance.id)).metadata, expected);
  });

  it('a hop limit outside 1–64 at launch is InvalidParameterValue and launches nothing', async () => {
    for (const hops of ['0', '65']) {
      await acct.unchangedBy(async () => {
        const reply = await acct.run({ 'MetadataOptions.HttpPutResponseHopLimit': hops });
        assertError(reply, 400, 'InvalidParameterValue', /.+/);
      });
    }
  });

  it('DryRun answers DryRunOperation 412 and launches nothing', async () => {
    await acct.unchangedBy(async () => {
      assertError(
        await acct.run({ DryRun: 'true' }),
        412,
        'DryRunOperation',
        'Request would have succeeded, but DryRun flag is set.',
      );
    });
  });
});

describe('RunInstances with an instance profile', () => {
  const acct = new Account();
  const other = new Account();

  it('by Name: the instance carries the profile’s ARN and id, and an association is created', async () => {
    const profile = await acct.profile('web');
    const instance = await acct.launchOne({ 'IamInstanceProfile.Name': 'web' });
    assert.deepEqual(instance.profile, { arn: profile.arn, id: profile.id });
    assert.match(profile.id, /^AIPA[A-Z2-7]{17}$/);
    await settle();
    assert.deepEqual((await acct.instance(instance.id)).profile, { arn: profile.arn, id: profile.id });
    const [association, ...more] = await acct.associations(filters({ 'instance-id': [instance.id] }));
    assert.ok(association);
    assert.deepEqual(more, []);
    assert.match(association.id, ASSOCIATION_ID);
    assert.match(association.timestamp, ISO_TIME);
    assert.deepEqual(
      { ...association, id: '', timestamp: '' },
      {
        id: '',
        timestamp: '',
        instanceId: instance.id,
        profileArn: profile.arn,
        profileId: profile.id,
        state: 'associated',
      },
    );
  });

  it('by Arn, with a path', async () => {
    const profile = await acct.profile('pathed', '/app/');
    assert.equal(profile.arn, `arn:aws:iam::${acct.id}:instance-profile/app/pathed`);
    const instance = await acct.launchOne({ 'IamInstanceProfile.Arn': profile.arn });
    assert.deepEqual(instance.profile, { arn: profile.arn, id: profile.id });
  });

  it('an unknown name or ARN is InvalidParameterValue in AWS’s words, and launches nothing', async () => {
    await acct.unchangedBy(async () => {
      assertError(
        await acct.run({ 'IamInstanceProfile.Name': 'no-such-profile' }),
        400,
        'InvalidParameterValue',
        noProfileName('no-such-profile'),
      );
      const missing = `arn:aws:iam::${acct.id}:instance-profile/no-such-profile`;
      assertError(
        await acct.run({ 'IamInstanceProfile.Arn': missing }),
        400,
        'InvalidParameterValue',
        noProfileArn(missing),
      );
    });
  });

  it('a role ARN where a profile ARN belongs fails like an unknown profile', async () => {
    const profile = await acct.profile('has-role');
    const { roleArn } = profile;
    await acct.unchangedBy(async () => {
      assertError(
        await acct.run({ 'IamInstanceProfile.Arn': roleArn }),
        400,
        'InvalidParameterValue',
        noProfileArn(roleArn),
      );
    });
  });

  it('the ARN of a profile with the right name but the wrong path, or in another account, is unknown', async () => {
    await acct.profile('exact');
    const wrongPath = `arn:aws:iam::${acct.id}:instance-profile/other/exact`;
    await other.profile('theirs');
    const theirs = `arn:aws:iam::${other.id}:instance-profile/theirs`;
    await acct.unchangedBy(async () => {
      assertError(
        await acct.run({ 'IamInstanceProfile.Arn': wrongPath }),
        400,
        'InvalidParameterValue',
        noProfileArn(wrongPath),
      );
      assertError(
        await acct.run({ 'IamInstanceProfile.Arn': theirs }),
        400,
        'InvalidParameterValue',
        noProfileArn(theirs),
      );
      // Another account's profile name means nothing here either.
      assertError(
        await acct.run({ 'IamInstanceProfile.Name': 'theirs' }),
        400,
        'InvalidParameterValue',
        noProfileName('theirs'),
      );
    });
  });
});

describe('DescribeInstances', () => {
  const acct = new Account();
  let web: Instance[];
  let db: Instance;
  let plain: Instance;
  let profile: Profile;

  it('sets up: two web instances with a profile, a db instance, an untagged one', async () => {
    profile = await acct.profile('describe-profile');
    web = await acct.launch({
      MinCount: '2',
      MaxCount: '2',
      'IamInstanceProfile.Name': profile.name,
      ...tagSpec({ role: 'web', env: 'prod' }),
    });
    db = await acct.launchOne(tagSpec({ role: 'db', owner: '' }));
    plain = await acct.launchOne();
    assert.equal(web.length, 2);
  });

  it('all instances of the account in this region, without ids or filters', async () => {
    const all = await acct.describe();
    assert.deepEqual(all.map((i) => i.id).sort(), [...web.map((i) => i.id), db.id, plain.id].sort());
  });

  it('InstanceIds: exactly those; one unknown id is NotFound, several are named together', async () => {
    const [first] = web;
    assert.ok(first);
    assert.deepEqual((await acct.describe(ids([first.id, db.id]))).map((i) => i.id).sort(), [first.id, db.id].sort());
    assertError(
      await acct.ec2({ Action: 'DescribeInstances', ...ids(['i-0123456789abcdef0']) }),
      400,
      'InvalidInstanceID.NotFound',
      notFound('i-0123456789abcdef0'),
    );
    // A known id does not rescue an unknown one.
    assertError(
      await acct.ec2({ Action: 'DescribeInstances', ...ids([db.id, 'i-0123456789abcdef0']) }),
      400,
      'InvalidInstanceID.NotFound',
      notFound('i-0123456789abcdef0'),
    );
    assertError(
      await acct.ec2({ Action: 'DescribeInstances', ...ids(['i-0123456789abcdef0', 'i-0fedcba9876543210']) }),
      400,
      'InvalidInstanceID.NotFound',
      "The instance IDs 'i-0123456789abcdef0, i-0fedcba9876543210' do not exist",
    );
  });

  it('a malformed id is InvalidInstanceID.Malformed', async () => {
    for (const bad of ['web-server', 'i-xyz', 'sg-0123456789abcdef0']) {
      assertError(
        await acct.ec2({ Action: 'DescribeInstances', ...ids([bad]) }),
        400,
        'InvalidInstanceID.Malformed',
        `Invalid id: "${bad}"`,
      );
    }
  });

  it('filters: instance-state-name follows the clock', async () => {
    await settle();
    const running = await acct.describe(filters({ 'instance-state-name': ['running'] }));
    assert.equal(running.length, 4);
    assert.deepEqual(await acct.describe(filters({ 'instance-state-name': ['pending'] })), []);
    const fresh = await acct.launchOne();
    assert.deepEqual(
      (await acct.describe(filters({ 'instance-state-name': ['pending'] }))).map((i) => i.id),
      [fresh.id],
    );
    await acct.ok({ Action: 'TerminateInstances', ...ids([fresh.id]) });
    await settle();
    assert.deepEqual(
      (await acct.describe(filters({ 'instance-state-name': ['terminated'] }))).map((i) => i.id),
      [fresh.id],
    );
    assert.deepEqual(
      (await acct.describe(filters({ 'instance-state-name': ['pending', 'running'] }))).map((i) => i.id).sort(),
      [...web.map((i) => i.id), db.id, plain.id].sort(),
    );
  });

  it('filters: instance-id, tag:KEY, tag-key, iam-instance-profile.arn; values OR, filters AND', async () => {
    const idsOf = (list: Instance[]) => list.map((i) => i.id).sort();
    const webIds = idsOf(web);
    assert.deepEqual(idsOf(await acct.describe(filters({ 'instance-id': [db.id, plain.id] }))), idsOf([db, plain]));
    assert.deepEqual(idsOf(await acct.describe(filters({ 'tag:role': ['web'] }))), webIds);
    assert.deepEqual(idsOf(await acct.describe(filters({ 'tag:role': ['web', 'db'] }))), idsOf([...web, db]));
    assert.deepEqual(idsOf(await acct.describe(filters({ 'tag:role': ['WEB'] }))), [], 'values are case-sensitive');
    assert.deepEqual(idsOf(await acct.describe(filters({ 'tag-key': ['owner'] }))), [db.id]);
    assert.deepEqual(idsOf(await acct.describe(filters({ 'tag-key': ['env', 'owner'] }))), idsOf([...web, db]));
    assert.deepEqual(idsOf(await acct.describe(filters({ 'iam-instance-profile.arn': [profile.arn] }))), webIds);
    assert.deepEqual(
      idsOf(await acct.describe(filters({ 'tag:role': ['web', 'db'], 'iam-instance-profile.arn': [profile.arn] }))),
      webIds,
    );
    assert.deepEqual(idsOf(await acct.describe(filters({ 'tag:role': ['db'], 'tag-key': ['env'] }))), []);
    // Filters narrow an id list too.
    assert.deepEqual(idsOf(await acct.describe({ ...ids([db.id, plain.id]), ...filters({ 'tag:role': ['db'] }) })), [
      db.id,
    ]);
  });

  it('an unknown filter name is InvalidParameterValue', async () => {
    assertError(
      await acct.ec2({ Action: 'DescribeInstances', ...filters({ 'no-such-filter': ['x'] }) }),
      400,
      'InvalidParameterValue',
      "The filter 'no-such-filter' is invalid",
    );
  });

  it('an instance lives in the region it was launched in', async () => {
    assert.deepEqual(await acct.describe({}, 'eu-west-1'), []);
    assertError(
      await acct.ec2({ Action: 'DescribeInstances', ...ids([db.id]) }, acct.root, 'eu-west-1'),
      400,
      'InvalidInstanceID.NotFound',
      notFound(db.id),
    );
    const there = await acct.ok(
      { Action: 'RunInstances', ImageId: IMAGE, MinCount: '1', MaxCount: '1' },
      acct.root,
      'eu-west-1',
    );
    const [launched] = items(there, 'instancesSet').map(instanceOf);
    assert.ok(launched);
    assert.match(launched.zone, /^eu-west-1[a-c]$/);
    assert.deepEqual(
      (await acct.describe({}, 'eu-west-1')).map((i) => i.id),
      [launched.id],
    );
    assert.ok(!(await acct.describe()).some((i) => i.id === launched.id));
  });
});

describe('DescribeInstances pagination', () => {
  const acct = new Account();

  it('MaxResults pages through every instance once; NextToken continues with the same filters', async () => {
    const launched: string[] = [];
    for (let n = 0; n < 7; n++) launched.push((await acct.launchOne(tagSpec({ batch: 'paged' }))).id);
    await acct.launchOne(tagSpec({ batch: 'other' }));
    const { pages: got, tokens } = await pages(
      acct,
      { Action: 'DescribeInstances', MaxResults: '5', ...filters({ 'tag:batch': ['paged'] }) },
      'reservationSet',
    );
    const perPage = got.map((reservations) => reservations.flatMap((r) => items(r, 'instancesSet')).length);
    assert.deepEqual(perPage, [5, 2]);
    assert.equal(tokens.length, 1);
    const seen = got.flat().flatMap((r) => items(r, 'instancesSet').map((i) => text(i, 'instanceId')));
    assert.deepEqual([...seen].sort(), [...launched].sort());
  });

  it('MaxResults below 5 is InvalidParameterValue', async () => {
    assertError(
      await acct.ec2({ Action: 'DescribeInstances', MaxResults: '1' }),
      400,
      'InvalidParameterValue',
      'Value ( 1 ) for parameter maxResults is invalid. Expecting a value greater than 5.',
    );
  });

  it('MaxResults with InstanceIds is InvalidParameterCombination', async () => {
    const [one] = await acct.describe();
    assert.ok(one);
    assertError(
      await acct.ec2({ Action: 'DescribeInstances', MaxResults: '5', ...ids([one.id]) }),
      400,
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  });
});

describe('the instance state machine', () => {
  const acct = new Account();

  it('pending, then running once rolecall’s clock has moved on', async () => {
    const instance = await acct.launchOne();
    assert.deepEqual([instance.state, instance.code], ['pending', 0]);
    assert.equal(await acct.stateOf(instance.id), 'pending');
    await settle();
    const running = await acct.instance(instance.id);
    assert.deepEqual([running.state, running.code, running.reason], ['running', 16, '']);
  });

  it('Stop: stopping, then stopped, with a user-initiated reason; stopping again changes nothing', async () => {
    const { id } = await acct.launchOne();
    await settle();
    const stopped = await acct.ok({ Action: 'StopInstances', ...ids([id]) });
    assert.equal(stopped.name, 'StopInstancesResponse');
    assert.deepEqual(changesOf(stopped), [change(id, 'stopping', 'running')]);
    await settle();
    const after = await acct.instance(id);
    assert.deepEqual([after.state, after.code], ['stopped', 80]);
    assert.match(after.reason, /^User initiated \(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} GMT\)$/);
    assert.deepEqual(changesOf(await acct.ok({ Action: 'StopInstances', ...ids([id]) })), [
      change(id, 'stopped', 'stopped'),
    ]);
  });

  it('Start: pending, then running; starting a running instance changes nothing', async () => {
    const { id } = await acct.launchOne();
    await settle();
    await acct.ok({ Action: 'StopInstances', ...ids([id]) });
    await settle();
    const started = await acct.ok({ Action: 'StartInstances', ...ids([id]) });
    assert.equal(started.name, 'StartInstancesResponse');
    assert.deepEqual(changesOf(started), [change(id, 'pending', 'stopped')]);
    await settle();
    assert.equal(await acct.stateOf(id), 'running');
    assert.deepEqual(changesOf(await acct.ok({ Action: 'StartInstances', ...ids([id]) })), [
      change(id, 'running', 'running'),
    ]);
  });

  it('Reboot answers true and leaves the instance running', async () => {
    const { id } = await acct.launchOne();
    await settle();
    const rebooted = await acct.ok({ Action: 'RebootInstances', ...ids([id]) });
    assert.equal(rebooted.name, 'RebootInstancesResponse');
    await settle();
    assert.equal(await acct.stateOf(id), 'running');
  });

  it('Terminate: shutting-down, then terminated; terminating again changes nothing', async () => {
    const { id } = await acct.launchOne();
    await settle();
    const terminated = await acct.ok({ Action: 'TerminateInstances', ...ids([id]) });
    assert.equal(terminated.name, 'TerminateInstancesResponse');
    assert.deepEqual(changesOf(terminated), [change(id, 'shutting-down', 'running')]);
    await settle();
    const after = await acct.instance(id);
    assert.deepEqual([after.state, after.code], ['terminated', 48]);
    assert.deepEqual(changesOf(await acct.ok({ Action: 'TerminateInstances', ...ids([id]) })), [
      change(id, 'terminated', 'terminated'),
    ]);
  });

  it('a stopped instance can be terminated', async () => {
    const { id } = await acct.launchOne();
    await settle();
    await acct.ok({ Action: 'StopInstances', ...ids([id]) });
    await settle();
    assert.deepEqual(changesOf(await acct.ok({ Action: 'TerminateInstances', ...ids([id]) })), [
      change(id, 'shutting-down', 'stopped'),
    ]);
    await settle();
    assert.equal(await acct.stateOf(id), 'terminated');
  });

  it('several instances change in one call, each reported', async () => {
    const launched = await acct.launch({ MinCount: '2', MaxCount: '2' });
    const [a, b] = launched.map((i) => i.id);
    assert.ok(a && b);
    await settle();
    const stopped = changesOf(await acct.ok({ Action: 'StopInstances', ...ids([a, b]) }));
    assert.deepEqual(
      stopped.sort((x, y) => x.id.localeCompare(y.id)),
      [change(a, 'stopping', 'running'), change(b, 'stopping', 'running')].sort((x, y) => x.id.localeCompare(y.id)),
    );
  });

  it('a terminated instance cannot be started or stopped (IncorrectInstanceState), and stays terminated', async () => {
    const { id } = await acct.launchOne();
    await settle();
    await acct.ok({ Action: 'TerminateInstances', ...ids([id]) });
    await acct.unchangedBy(async () => {
      assertError(
        await acct.ec2({ Action: 'StartInstances', ...ids([id]) }),
        400,
        'IncorrectInstanceState',
        `The instance '${id}' is not in a state from which it can be started.`,
      );
      assertError(
        await acct.ec2({ Action: 'StopInstances', ...ids([id]) }),
        400,
        'IncorrectInstanceState',
        `This instance '${id}' is not in a state from which it can be stopped.`,
      );
    });
    assert.equal(await acct.stateOf(id), 'terminated');
  });

  it('an instance that never reached running cannot be stopped', async () => {
    const { id } = await acct.launchOne();
    assertError(
      await acct.ec2({ Action: 'StopInstances', ...ids([id]) }),
      400,
      'IncorrectInstanceState',
      `Instance '${id}' cannot be stopped as it has never reached the 'running' state.`,
    );
    await settle();
    assert.equal(await acct.stateOf(id), 'running');
  });

  it('unknown and malformed ids are refused by every action, and a known id in the same call is untouched', async () => {
    const { id } = await acct.launchOne();
    const unknown = 'i-0123456789abcdef0';
    await acct.unchangedBy(async () => {
      for (const action of ['StartInstances', 'StopInstances', 'RebootInstances', 'TerminateInstances']) {
        assertError(
          await acct.ec2({ Action: action, ...ids([unknown]) }),
          400,
          'InvalidInstanceID.NotFound',
          notFound(unknown),
        );
        assertError(
          await acct.ec2({ Action: action, ...ids([id, unknown]) }),
          400,
          'InvalidInstanceID.NotFound',
          notFound(unknown),
        );
        assertError(
          await acct.ec2({ Action: action, ...ids(['i-nothex']) }),
          400,
          'InvalidInstanceID.Malformed',
          'Invalid id: "i-nothex"',
        );
      }
    });
    assert.equal(await acct.stateOf(id), 'running');
  });
});

describe('DescribeInstanceStatus', () => {
  const acct = new Account();

  it('lists running instances with ok status checks; IncludeAllInstances adds the others', async () => {
    const running = await acct.launchOne();
    await settle();
    const pending = await acct.launchOne();
    const root = await acct.ok({ Action: 'DescribeInstanceStatus' });
    assert.equal(root.name, 'DescribeInstanceStatusResponse');
    const statuses = items(root, 'instanceStatusSet');
    assert.deepEqual(
      statuses.map((s) => [
        text(s, 'instanceId'),
        text(s, 'instanceState', 'name'),
        text(s, 'instanceState', 'code'),
        text(s, 'instanceStatus', 'status'),
        text(s, 'systemStatus', 'status'),
      ]),
      [[running.id, 'running', '16', 'ok', 'ok']],
    );
    assert.match(text(statuses[0] as Xml, 'availabilityZone'), /^us-east-1[a-f]$/);

    const all = items(
      await acct.ok({ Action: 'DescribeInstanceStatus', IncludeAllInstances: 'true' }),
      'instanceStatusSet',
    );
    assert.deepEqual(
      all.map((s) => [text(s, 'instanceId'), text(s, 'instanceState', 'name')]).sort(),
      [
        [running.id, 'running'],
        [pending.id, 'pending'],
      ].sort(),
    );
    assertError(
      await acct.ec2({ Action: 'DescribeInstanceStatus', ...ids(['i-0123456789abcdef0']) }),
      400,
      'InvalidInstanceID.NotFound',
      notFound('i-0123456789abcdef0'),
    );
  });
});

describe('tags on instances', () => {
  const acct = new Account();

  it('CreateTags adds and overwrites, DescribeTags lists them, DeleteTags removes by key or by key and value', async () => {
    const { id } = await acct.launchOne(tagSpec({ team: 'core' }));
    const created = await acct.ok({
      Action: 'CreateTags',
      ...listOf('ResourceId', [id]),
      ...tagParams({ team: 'web', env: 'dev', empty: '' }),
    });
    assert.equal(created.name, 'CreateTagsResponse');
    assert.deepEqual((await acct.instance(id)).tags, { team: 'web', env: 'dev', empty: '' });

    const described = await acct.ok({ Action: 'DescribeTags', ...filters({ 'resource-id': [id] }) });
    assert.deepEqual(
      items(described, 'tagSet')
        .map((t) => [text(t, 'resourceId'), text(t, 'resourceType'), text(t, 'key'), maybe(t, 'value')?.text ?? ''])
        .sort(),
      [
        [id, 'instance', 'empty', ''],
        [id, 'instance', 'env', 'dev'],
        [id, 'instance', 'team', 'web'],
      ],
    );
    const byKey = await acct.ok({
      Action: 'DescribeTags',
      ...filters({ key: ['env'], 'resource-type': ['instance'] }),
    });
    assert.deepEqual(
      items(byKey, 'tagSet').map((t) => text(t, 'resourceId')),
      [id],
    );

    // A value that does not match leaves the tag; no value removes it whatever its value.
    await acct.ok({
      Action: 'DeleteTags',
      ...listOf('ResourceId', [id]),
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'core',
      'Tag.2.Key': 'env',
    });
    assert.deepEqual((await acct.instance(id)).tags, { team: 'web', empty: '' });
    await acct.ok({ Action: 'DeleteTags', ...listOf('ResourceId', [id]), 'Tag.1.Key': 'team', 'Tag.1.Value': 'web' });
    assert.deepEqual((await acct.instance(id)).tags, { empty: '' });
  });

  it('tags on an unknown instance are InvalidInstanceID.NotFound and change nothing', async () => {
    const { id } = await acct.launchOne(tagSpec({ keep: 'me' }));
    const unknown = 'i-0123456789abcdef0';
    await acct.unchangedBy(async () => {
      assertError(
        await acct.ec2({ Action: 'CreateTags', ...listOf('ResourceId', [id, unknown]), ...tagParams({ a: 'b' }) }),
        400,
        'InvalidInstanceID.NotFound',
        notFound(unknown),
      );
      assertError(
        await acct.ec2({ Action: 'DeleteTags', ...listOf('ResourceId', [unknown]), 'Tag.1.Key': 'keep' }),
        400,
        'InvalidInstanceID.NotFound',
        notFound(unknown),
      );
    });
  });

  it('DescribeTags pages with MaxResults', async () => {
    const { id } = await acct.launchOne();
    const many = Object.fromEntries(Array.from({ length: 7 }, (_, n) => [`k${n}`, `v${n}`]));
    await acct.ok({ Action: 'CreateTags', ...listOf('ResourceId', [id]), ...tagParams(many) });
    const { pages: got } = await pages(
      acct,
      { Action: 'DescribeTags', MaxResults: '5', ...filters({ 'resource-id': [id] }) },
      'tagSet',
    );
    assert.deepEqual(
      got.map((p) => p.length),
      [5, 2],
    );
    assert.deepEqual(
      got
        .flat()
        .map((t) => text(t, 'key'))
        .sort(),
      Object.keys(many).sort(),
    );
  });
});

describe('operations without output data', () => {
  const acct = new Account();

  it('CreateTags, DeleteTags and RebootInstances answer <return>true</return> (EC2 API reference)', async () => {
    const { id } = await acct.launchOne();
    await settle();
    for (const [action, params] of [
      ['CreateTags', { ...listOf('ResourceId', [id]), ...tagParams({ a: 'b' }) }],
      ['DeleteTags', { ...listOf('ResourceId', [id]), 'Tag.1.Key': 'a' }],
      ['RebootInstances', ids([id])],
    ] as const) {
      const root = await acct.ok({ Action: action, ...params });
      assert.equal(root.name, `${action}Response`);
      assert.deepEqual(
        root.children.map((c) => c.name),
        ['requestId', 'return'],
        action,
      );
      assert.equal(text(root, 'return'), 'true', action);
    }
  });
});

describe('instance profile associations', () => {
  const acct = new Account();
  let first: Profile;
  let second: Profile;

  it('sets up two profiles', async () => {
    first = await acct.profile('assoc-first');
    second = await acct.profile('assoc-second');
  });

  it('Associate: associating in the reply, associated afterwards; the instance shows the profile', async () => {
    const { id } = await acct.launchOne();
    const root = await acct.ok({
      Action: 'AssociateIamInstanceProfile',
      InstanceId: id,
      'IamInstanceProfile.Name': first.name,
    });
    assert.equal(root.name, 'AssociateIamInstanceProfileResponse');
    const answered = associationOf(at(root, 'iamInstanceProfileAssociation'));
    assert.match(answered.id, ASSOCIATION_ID);
    assert.deepEqual(
      { ...answered, timestamp: '' },
      {
        id: answered.id,
        instanceId: id,
        profileArn: first.arn,
        profileId: first.id,
        state: 'associating',
        timestamp: '',
      },
    );
    await settle();
    assert.deepEqual(await acct.associations(listOf('AssociationId', [answered.id])), [
      { ...answered, state: 'associated' },
    ]);
    assert.deepEqual((await acct.instance(id)).profile, { arn: first.arn, id: first.id });
  });

  it('Associate on an instance that has one is IncorrectState and keeps the association', async () => {
    const { id } = await acct.launchOne({ 'IamInstanceProfile.Name': first.name });
    await acct.unchangedBy(async () => {
      assertError(
        await acct.ec2({
          Action: 'AssociateIamInstanceProfile',
          InstanceId: id,
          'IamInstanceProfile.Name': second.name,
        }),
        400,
        'IncorrectState',
        existingAssociation(id),
      );
    });
    assert.deepEqual((await acct.instance(id)).profile, { arn: first.arn, id: first.id });
  });

  it('Associate: an unknown profile or instance is refused and changes nothing', async () => {
    const { id } = await acct.launchOne();
    await acct.unchangedBy(async () => {
      assertError(
        await acct.ec2({ Action: 'AssociateIamInstanceProfile', InstanceId: id, 'IamInstanceProfile.Name': 'nope' }),
        400,
        'InvalidParameterValue',
        noProfileName('nope'),
      );
      const missing = `arn:aws:iam::${acct.id}:instance-profile/nope`;
      assertError(
        await acct.ec2({ Action: 'AssociateIamInstanceProfile', InstanceId: id, 'IamInstanceProfile.Arn': missing }),
        400,
        'InvalidParameterValue',
        noProfileArn(missing),
      );
      assertError(
        await acct.ec2({
          Action: 'AssociateIamInstanceProfile',
          InstanceId: 'i-0123456789abcdef0',
          'IamInstanceProfile.Name': first.name,
        }),
        400,
        'InvalidInstanceID.NotFound',
        notFound('i-0123456789abcdef0'),
      );
    });
    assert.equal((await acct.instance(id)).profile, undefined);
  });

  it('Replace: a new association, associating; the old id is no longer active', async () => {
    const { id } = await acct.launchOne({ 'IamInstanceProfile.Name': first.name });
    await settle();
    const [old] = await acct.associations(filters({ 'instance-id': [id] }));
    assert.ok(old);
    const root = await acct.ok({
      Action: 'ReplaceIamInstanceProfileAssociation',
      AssociationId: old.id,
      'IamInstanceProfile.Arn': second.arn,
    });
    assert.equal(root.name, 'ReplaceIamInstanceProfileAssociationResponse');
    const replaced = associationOf(at(root, 'iamInstanceProfileAssociation'));
    assert.match(replaced.id, ASSOCIATION_ID);
    assert.notEqual(replaced.id, old.id);
    assert.deepEqual(
      [replaced.instanceId, replaced.profileArn, replaced.profileId, replaced.state],
      [id, second.arn, second.id, 'associating'],
    );
    await settle();
    assert.deepEqual(
      (await acct.associations(filters({ 'instance-id': [id] }))).map((a) => [a.id, a.profileArn, a.state]),
      [[replaced.id, second.arn, 'associated']],
    );
    assert.deepEqual((await acct.instance(id)).profile, { arn: second.arn, id: second.id });

    await acct.unchangedBy(async () => {
      assertError(
        await acct.ec2({
          Action: 'ReplaceIamInstanceProfileAssociation',
          AssociationId: old.id,
          'IamInstanceProfile.Name': first.name,
        }),
        400,
        'IncorrectState',
        notActive(old.id),
      );
      // An unknown profile is refused before anything changes.
      assertError(
        await acct.ec2({
          Action: 'ReplaceIamInstanceProfileAssociation',
          AssociationId: replaced.id,
          'IamInstanceProfile.Name': 'nope',
        }),
        400,
        'InvalidParameterValue',
        noProfileName('nope'),
      );
    });
  });

  it('Disassociate: disassociating in the reply; afterwards the instance has no profile and may get one again', async () => {
    const { id } = await acct.launchOne({ 'IamInstanceProfile.Name': first.name });
    await settle();
    const [active] = await acct.associations(filters({ 'instance-id': [id] }));
    assert.ok(active);
    const root = await acct.ok({ Action: 'DisassociateIamInstanceProfile', AssociationId: active.id });
    assert.equal(root.name, 'DisassociateIamInstanceProfileResponse');
    const answered = associationOf(at(root, 'iamInstanceProfileAssociation'));
    assert.deepEqual(
      [answered.id, answered.instanceId, answered.profileArn, answered.profileId, answered.state],
      [active.id, id, first.arn, first.id, 'disassociating'],
    );
    await settle();
    assert.deepEqual(
      (await acct.associations(filters({ 'instance-id': [id], state: ['associating', 'associated'] }))).map(
        (a) => a.id,
      ),
      [],
    );
    assert.equal((await acct.instance(id)).profile, undefined);
    const again = await acct.ok({
      Action: 'AssociateIamInstanceProfile',
      InstanceId: id,
      'IamInstanceProfile.Name': second.name,
    });
    assert.equal(text(again, 'iamInstanceProfileAssociation', 'state'), 'associating');
  });

  it('unknown association ids are InvalidAssociationID.NotFound for Replace, Disassociate and Describe', async () => {
    const unknown = 'iip-assoc-0123456789abcdef0';
    const mentions = new RegExp(escape(unknown));
    await acct.unchangedBy(async () => {
      assertError(
        await acct.ec2({
          Action: 'ReplaceIamInstanceProfileAssociation',
          AssociationId: unknown,
          'IamInstanceProfile.Name': first.name,
        }),
        400,
        'InvalidAssociationID.NotFound',
        mentions,
      );
      assertError(
        await acct.ec2({ Action: 'DisassociateIamInstanceProfile', AssociationId: unknown }),
        400,
        'InvalidAssociationID.NotFound',
        mentions,
      );
      assertError(
        await acct.ec2({ Action: 'DescribeIamInstanceProfileAssociations', ...listOf('AssociationId', [unknown]) }),
        400,
        'InvalidAssociationID.NotFound',
        mentions,
      );
    });
  });

  it('Describe shows a new association as associating until the clock moves on, then associated', async () => {
    const { id } = await acct.launchOne();
    await settle();
    const answered = await acct.ok({
      Action: 'AssociateIamInstanceProfile',
      InstanceId: id,
      'IamInstanceProfile.Name': first.name,
    });
    const associationId = text(answered, 'iamInstanceProfileAssociation', 'associationId');
    assert.deepEqual(
      (await acct.associations(filters({ 'instance-id': [id] }))).map((a) => [a.id, a.state]),
      [[associationId, 'associating']],
    );
    assert.deepEqual(
      (await acct.associations(filters({ state: ['associating'], 'instance-id': [id] }))).map((a) => a.id),
      [associationId],
    );
    await settle();
    assert.deepEqual(
      (await acct.associations(filters({ 'instance-id': [id] }))).map((a) => [a.id, a.state]),
      [[associationId, 'associated']],
    );
  });

  it('terminating an instance ends its association', async () => {
    const { id } = await acct.launchOne({ 'IamInstanceProfile.Name': first.name });
    await settle();
    await acct.ok({ Action: 'TerminateInstances', ...ids([id]) });
    await settle();
    assert.deepEqual(
      await acct.associations(filters({ 'instance-id': [id], state: ['associating', 'associated'] })),
      [],
    );
  });
});

describe('DescribeIamInstanceProfileAssociations: filters and pagination', () => {
  const acct = new Account();

  it('filters instance-id and state, AssociationId lists, MaxResults pages', async () => {
    const profile = await acct.profile('paged-profile');
    const launched = await acct.launch({ MinCount: '6', MaxCount: '6', 'IamInstanceProfile.Name': profile.name });
    await settle();
    const all = await acct.associations();
    assert.deepEqual(all.map((a) => a.instanceId).sort(), launched.map((i) => i.id).sort());
    assert.ok(all.every((a) => a.state === 'associated' && a.profileArn === profile.arn));
    assert.equal(new Set(all.map((a) => a.id)).size, 6);

    const [a, b] = all;
    assert.ok(a && b);
    assert.deepEqual(
      (await acct.associations(filters({ 'instance-id': [a.instanceId] }))).map((x) => x.id),
      [a.id],
    );
    assert.deepEqual(
      (await acct.associations(listOf('AssociationId', [a.id, b.id]))).map((x) => x.id).sort(),
      [a.id, b.id].sort(),
    );
    assert.equal((await acct.associations(filters({ state: ['associated'] }))).length, 6);
    assert.deepEqual(await acct.associations(filters({ state: ['associating', 'disassociating'] })), []);

    // One more, so that the pages are 5 and 2.
    const { id: fresh } = await acct.launchOne();
    await acct.ok({
      Action: 'AssociateIamInstanceProfile',
      InstanceId: fresh,
      'IamInstanceProfile.Name': profile.name,
    });
    await settle();

    const { pages: got } = await pages(
      acct,
      { Action: 'DescribeIamInstanceProfileAssociations', MaxResults: '5' },
      'iamInstanceProfileAssociationSet',
    );
    assert.deepEqual(
      got.map((p) => p.length),
      [5, 2],
    );
    assert.deepEqual(
      got
        .flat()
        .map((x) => text(x, 'associationId'))
        .sort(),
      (await acct.associations()).map((x) => x.id).sort(),
    );
    assertError(
      await acct.ec2({ Action: 'DescribeIamInstanceProfileAssociations', ...filters({ bogus: ['x'] }) }),
      400,
      'InvalidParameterValue',
      "The filter 'bogus' is invalid",
    );
  });
});

describe('ModifyInstanceMetadataOptions', () => {
  const acct = new Account();

  it('answers pending with the options to be, and the instance shows them applied afterwards', async () => {
    const { id } = await acct.launchOne();
    await settle();
    const root = await acct.ok({
      Action: 'ModifyInstanceMetadataOptions',
      InstanceId: id,
      HttpTokens: 'required',
      HttpPutResponseHopLimit: '64',
    });
    assert.equal(root.name, 'ModifyInstanceMetadataOptionsResponse');
    assert.equal(text(root, 'instanceId'), id);
    const options = Object.fromEntries(at(root, 'instanceMetadataOptions').children.map((c) => [c.name, c.text]));
    const expected = {
      httpTokens: 'required',
      httpPutResponseHopLimit: '64',
      httpEndpoint: 'enabled',
      httpProtocolIpv6: 'disabled',
      instanceMetadataTags: 'disabled',
    };
    assert.deepEqual(options, { state: 'pending', ...expected });
    await settle();
    assert.deepEqual((await acct.instance(id)).metadata, { state: 'applied', ...expected });

    // Options not named keep their values.
    await acct.ok({
      Action: 'ModifyInstanceMetadataOptions',
      InstanceId: id,
      HttpEndpoint: 'disabled',
      InstanceMetadataTags: 'enabled',
    });
    await settle();
    assert.deepEqual((await acct.instance(id)).metadata, {
      ...expected,
      state: 'applied',
      httpEndpoint: 'disabled',
      instanceMetadataTags: 'enabled',
    });
    await acct.ok({ Action: 'ModifyInstanceMetadataOptions', InstanceId: id, HttpTokens: 'optional' });
    await settle();
    assert.equal((await acct.instance(id)).metadata['httpTokens'], 'optional');
  });

  it('a hop limit outside 1–64 or an unknown instance is refused and changes nothing', async () => {
    const { id } = await acct.launchOne();
    await acct.unchangedBy(async () => {
      for (const hops of ['0', '65']) {
        assertError(
          await acct.ec2({ Action: 'ModifyInstanceMetadataOptions', InstanceId: id, HttpPutResponseHopLimit: hops }),
          400,
          'InvalidParameterValue',
          /.+/,
        );
      }
      assertError(
        await acct.ec2({
          Action: 'ModifyInstanceMetadataOptions',
          InstanceId: 'i-0123456789abcdef0',
          HttpTokens: 'required',
        }),
        400,
        'InvalidInstanceID.NotFound',
        notFound('i-0123456789abcdef0'),
      );
    });
  });
});

describe('iam:PassRole for instance profiles', () => {
  const acct = new Account();
  let profile: Profile;
  let roleArn: string;
  let spare: Profile;
  const EC2_ALL = allow('ec2:*');

  /** AWS's EC2 denial, with rolecall's reason clause (test/http/authorization.test.ts, evaluation-logic §9). */
  const passRoleDenied = (who: string, role: string, how: 'implicit' | 'explicit') =>
    new RegExp(
      `^${escape(
        `You are not authorized to perform this operation. User: ${who} is not authorized to perform: iam:PassRole on resource: ${role} ${
          how === 'implicit'
            ? 'because no identity-based policy allows the iam:PassRole action'
            : 'with an explicit deny in an identity-based policy'
        }. Encoded authorization failure message: `,
      )}[A-Za-z0-9_-]+$`,
    );

  it('sets up a profile whose role may be passed, and a spare one', async () => {
    profile = await acct.profile('passed');
    roleArn = profile.roleArn;
    spare = await acct.profile('spare');
  });

  it('the account root may pass any role of its account', async () => {
    const instance = await acct.launchOne({ 'IamInstanceProfile.Name': profile.name });
    assert.deepEqual(instance.profile, { arn: profile.arn, id: profile.id });
  });

  it('a user allowed ec2:* but not iam:PassRole may launch, but not with a profile (UnauthorizedOperation 403)', async () => {
    const user = await acct.user('ec2-only', doc(EC2_ALL));
    const bare = await acct.launchOne({}, user.creds);
    assert.equal(bare.profile, undefined);
    await acct.unchangedBy(async () => {
      const reply = await acct.run({ 'IamInstanceProfile.Name': profile.name }, user.creds);
      assertError(reply, 403, 'UnauthorizedOperation', passRoleDenied(user.arn, roleArn, 'implicit'));
      const byArn = await acct.run({ 'IamInstanceProfile.Arn': profile.arn }, user.creds);
      assertError(byArn, 403, 'UnauthorizedOperation', passRoleDenied(user.arn, roleArn, 'implicit'));
    });
  });

  it('iam:PassRole on the role with iam:PassedToService = ec2.amazonaws.com allows it', async () => {
    const user = await acct.user('passer', doc(EC2_ALL, allow('iam:PassRole', roleArn, passedTo('ec2.amazonaws.com'))));
    const instance = await acct.launchOne({ 'IamInstanceProfile.Name': profile.name }, user.creds);
    assert.deepEqual(instance.profile, { arn: profile.arn, id: profile.id });
  });

  it('PassRole for another service, or for another role, does not', async () => {
    const lambdaOnly = await acct.user(
      'lambda-passer',
      doc(EC2_ALL, allow('iam:PassRole', roleArn, passedTo('lambda.amazonaws.com'))),
    );
    const otherRole = await acct.user('spare-passer', doc(EC2_ALL, allow('iam:PassRole', spare.roleArn)));
    await acct.unchangedBy(async () => {
      assertError(
        await acct.run({ 'IamInstanceProfile.Name': profile.name }, lambdaOnly.creds),
        403,
        'UnauthorizedOperation',
        passRoleDenied(lambdaOnly.arn, roleArn, 'implicit'),
      );
      assertError(
        await acct.run({ 'IamInstanceProfile.Name': profile.name }, otherRole.creds),
        403,
        'UnauthorizedOperation',
        passRoleDenied(otherRole.arn, roleArn, 'implicit'),
      );
    });
    // The spare role is the one that user may pass.
    const instance = await acct.launchOne({ 'IamInstanceProfile.Name': spare.name }, otherRole.creds);
    assert.deepEqual(instance.profile, { arn: spare.arn, id: spare.id });
  });

  it('an explicit deny of iam:PassRole wins over Allow *', async () => {
    const user = await acct.user('denied-passer', doc(allow('*'), deny('iam:PassRole')));
    await acct.unchangedBy(async () => {
      assertError(
        await acct.run({ 'IamInstanceProfile.Name': profile.name }, user.creds),
        403,
        'UnauthorizedOperation',
        passRoleDenied(user.arn, roleArn, 'explicit'),
      );
    });
  });

  it('Associate and Replace need iam:PassRole too; Disassociate does not', async () => {
    const user = await acct.user('assoc-user', doc(EC2_ALL));
    const { id } = await acct.launchOne();
    const { id: withProfile } = await acct.launchOne({ 'IamInstanceProfile.Name': spare.name });
    await settle();
    const [active] = await acct.associations(filters({ 'instance-id': [withProfile] }));
    assert.ok(active);
    await acct.unchangedBy(async () => {
      assertError(
        await acct.ec2(
          { Action: 'AssociateIamInstanceProfile', InstanceId: id, 'IamInstanceProfile.Name': profile.name },
          user.creds,
        ),
        403,
        'UnauthorizedOperation',
        passRoleDenied(user.arn, roleArn, 'implicit'),
      );
      assertError(
        await acct.ec2(
          {
            Action: 'ReplaceIamInstanceProfileAssociation',
            AssociationId: active.id,
            'IamInstanceProfile.Name': profile.name,
          },
          user.creds,
        ),
        403,
        'UnauthorizedOperation',
        passRoleDenied(user.arn, roleArn, 'implicit'),
      );
    });
    const gone = await acct.ok({ Action: 'DisassociateIamInstanceProfile', AssociationId: active.id }, user.creds);
    assert.equal(text(gone, 'iamInstanceProfileAssociation', 'state'), 'disassociating');
  });

  it('without ec2:RunInstances the EC2 action itself is refused', async () => {
    const user = await acct.user('pass-only', doc(allow('iam:PassRole')));
    await acct.unchangedBy(async () => {
      const reply = await acct.run({ 'IamInstanceProfile.Name': profile.name }, user.creds);
      assertError(
        reply,
        403,
        'UnauthorizedOperation',
        /^You are not authorized to perform this operation\. .*ec2:RunInstances/,
      );
    });
  });
});

describe('account isolation', () => {
  const owner = new Account();
  const stranger = new Account();

  it('another account sees none of the instances, tags or associations, and can touch none of them', async () => {
    const profile = await owner.profile('mine');
    const instance = await owner.launchOne({ 'IamInstanceProfile.Name': profile.name, ...tagSpec({ team: 'a' }) });
    await settle();
    const [association] = await owner.associations();
    assert.ok(association);

    assert.deepEqual(await stranger.describe(), []);
    assert.deepEqual(await stranger.associations(), []);
    assert.deepEqual(items(await stranger.ok({ Action: 'DescribeTags' }), 'tagSet'), []);
    await owner.unchangedBy(async () => {
      for (const action of ['DescribeInstances', 'StopInstances', 'TerminateInstances', 'RebootInstances']) {
        assertError(
          await stranger.ec2({ Action: action, ...ids([instance.id]) }),
          400,
          'InvalidInstanceID.NotFound',
          notFound(instance.id),
        );
      }
      assertError(
        await stranger.ec2({ Action: 'CreateTags', ...listOf('ResourceId', [instance.id]), ...tagParams({ x: 'y' }) }),
        400,
        'InvalidInstanceID.NotFound',
        notFound(instance.id),
      );
      assertError(
        await stranger.ec2({
          Action: 'ModifyInstanceMetadataOptions',
          InstanceId: instance.id,
          HttpTokens: 'required',
        }),
        400,
        'InvalidInstanceID.NotFound',
        notFound(instance.id),
      );
      await stranger.profile('theirs');
      assertError(
        await stranger.ec2({
          Action: 'AssociateIamInstanceProfile',
          InstanceId: instance.id,
          'IamInstanceProfile.Name': 'theirs',
        }),
        400,
        'InvalidInstanceID.NotFound',
        notFound(instance.id),
      );
      assertError(
        await stranger.ec2({ Action: 'DisassociateIamInstanceProfile', AssociationId: association.id }),
        400,
        'InvalidAssociationID.NotFound',
        new RegExp(escape(association.id)),
      );
      assertError(
        await stranger.ec2({
          Action: 'ReplaceIamInstanceProfileAssociation',
          AssociationId: association.id,
          'IamInstanceProfile.Name': 'theirs',
        }),
        400,
        'InvalidAssociationID.NotFound',
        new RegExp(escape(association.id)),
      );
      // The owner's profile ARN cannot be used from the other account.
      const [launched] = await stranger.launch();
      assert.ok(launched);
      await settle();
      assertError(
        await stranger.ec2({
          Action: 'AssociateIamInstanceProfile',
          InstanceId: launched.id,
          'IamInstanceProfile.Arn': profile.arn,
        }),
        400,
        'InvalidParameterValue',
        noProfileArn(profile.arn),
      );
    });
    assert.equal(await owner.stateOf(instance.id), 'running');
  });
});
