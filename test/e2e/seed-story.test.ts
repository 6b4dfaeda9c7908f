/**
 * Issue 7's seed story, end to end, the way a user does it: "an instance reads from S3 and writes its logs to
 * CloudWatch with the role's credentials". As the account root, with the AWS CLI: a bucket `data` (path-style)
 * holding an object; a log group `/app/workload`; a role that trusts ec2.amazonaws.com and may read
 * `arn:aws:s3:::data/*` and create streams and put events in that one group; an instance profile with the role;
 * `aws ec2 run-instances --iam-instance-profile Name=…` and `aws ec2 wait instance-running`. Then the real
 * clients — the AWS CLI (v1), boto3 and SDK v3 (an .mjs script) — run as workloads under
 * `rolecall run --instance i-… -- <cmd>`, whose credential chains end at the instance's metadata service: each
 * reads the object, creates its log stream and writes events, and is refused PutObject (S3's AccessDenied naming
 * the session `arn:aws:sts::000000000000:assumed-role/<role>/<instance id>`); root reads the events back.
 *
 * One server and one instance for the file; each client writes its own stream and tries its own key. Root's CLI
 * calls run as child processes without blocking this process (spawn, not spawnSync), and independent ones run
 * side by side.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clientEnv, noAwsCli, noBoto3 } from '../support/clients.ts';
import { removeDir, tempDir } from '../support/server.ts';
import { cliErrorLine, cliServiceErrorStatus, EC2_TRUST_JSON, useServer } from './helpers.ts';
import {
  ACCOUNT,
  allow,
  boto3On,
  cleanEnv,
  cliOn,
  doc,
  NODE_PATH,
  onInstance,
  py,
  sessionArn,
  waitForState,
} from './imds-helpers.ts';

const BUCKET = 'data';
const INPUT_KEY = 'seed/input.txt';
const GROUP = '/app/workload';
const OTHER_GROUP = '/app/other';
const ROLE = 'seed-app';
const PROFILE = 'seed-app-profile';
const REGION = 'us-east-1';

/** The role's permissions: read the bucket's objects, write to one log group (`:*` covers its streams). */
const ROLE_POLICY = doc(
  allow('s3:GetObject', `arn:aws:s3:::${BUCKET}/*`),
  allow(['logs:CreateLogStream', 'logs:PutLogEvents'], `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${GROUP}:*`),
);

/** S3's AccessDenied sentence quotes the resource (docs/research/s3-facts.md §A.3). */
const s3Denied = (instance: string, key: string) =>
  `User: ${sessionArn(ROLE, instance)} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::${BUCKET}/${key}" because no identity-based policy allows the s3:PutObject action`;

/** Logs' AccessDeniedException names the log-stream ARN, unquoted (test/e2e/logs.test.ts, MSG.denied). */
const logsDenied = (instance: string, action: string, group: string, stream: string) =>
  `User: ${sessionArn(ROLE, instance)} is not authorized to perform: ${action} on resource: arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:${stream} because no identity-based policy allows the ${action} action`;

interface Output {
  readonly status: number | null;
  readonly stdout: string;
  /** Trimmed. */
  readonly stderr: string;
}

/**
 * The SDK v3 workload. ESM ignores NODE_PATH, but a require made with createRequire honours it, so the script
 * finds the project's @aws-sdk packages the way the imds tests' CommonJS workload does. The clients take
 * everything from the environment `rolecall run` sets: region, endpoint (AWS_ENDPOINT_URL) and credentials (the
 * default chain, ending at the instance's metadata service).
 */
const SDK_WORKLOAD = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { S3Client, GetObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
const logsSdk = require('@aws-sdk/client-cloudwatch-logs');
const [bucket, key, group, stream, deniedKey, otherGroup] = process.argv.slice(2);

const s3 = new S3Client({ forcePathStyle: true, maxAttempts: 1 });
const logs = new logsSdk.CloudWatchLogsClient({ maxAttempts: 1 });
const attempt = async (call) => {
  try {
    const { $metadata, ...ok } = await call;
    return { ok };
  } catch (e) {
    return { error: { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode } };
  }
};

const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
const body = await object.Body.transformToString();
await logs.send(new logsSdk.CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
const now = Date.now();
const put = await logs.send(new logsSdk.PutLogEventsCommand({
  logGroupName: group,
  logStreamName: stream,
  logEvents: [
    { timestamp: now - 1, message: 'sdk: started' },
    { timestamp: now, message: 'sdk: read ' + Buffer.byteLength(body) + ' bytes' },
  ],
}));
const denied = await attempt(s3.send(new PutObjectCommand({ Bucket: bucket, Key: deniedKey, Body: 'not allowed' })));
const other = await attempt(logs.send(new logsSdk.CreateLogStreamCommand({ logGroupName: otherGroup, logStreamName: stream })));
console.log(JSON.stringify({ body, rejected: put.rejectedLogEventsInfo ?? null, denied, other }));
`;

describe('the seed story: an instance reads s3://data and writes its logs with its role', { skip: noAwsCli }, () => {
  const server = useServer();
  const endpoint = () => server().endpoint;
  let dir = '';
  let instance = '';
  /** The object's content, unique to this run. */
  const content = `seed data ${process.pid} ${Date.now()}\n`;

  /** Root's environment: the test endpoint, and a config that makes the CLI address S3 path-style. */
  const rootEnv = () => ({ ...clientEnv(endpoint()), AWS_CONFIG_FILE: join(dir, 'config') });

  /** `aws --output json ARGS…` as root, without blocking this process. */
  const aws = (args: readonly string[]): Promise<Output> =>
    new Promise((resolve, reject) => {
      const child = spawn('aws', ['--output', 'json', ...args], { env: rootEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr: stderr.trim() }));
    });

  const awsOk = async <T = Record<string, unknown>>(args: readonly string[]): Promise<T> => {
    const r = await aws(args);
    assert.equal(r.status, 0, `aws ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
    return (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as T;
  };

  /** The messages root reads back from a stream of /app/workload, oldest first. */
  const eventsOf = async (stream: string): Promise<string[]> => {
    const r = await awsOk<{ events: { message: string }[] }>([
      'logs',
      'get-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      stream,
      '--start-from-head',
    ]);
    return r.events.map((e) => e.message);
  };

  before(async () => {
    dir = tempDir('rolecall-seed-');
    writeFileSync(join(dir, 'config'), '[default]\ns3 =\n    addressing_style = path\n');
    writeFileSync(join(dir, 'input.txt'), content);
    writeFileSync(join(dir, 'workload.mjs'), SDK_WORKLOAD);

    await Promise.all([
      (async () => {
        await awsOk(['s3api', 'create-bucket', '--bucket', BUCKET]);
        // `aws s3 cp` prints a line of text rather than JSON.
        const cp = await aws(['s3', 'cp', '--no-progress', join(dir, 'input.txt'), `s3://${BUCKET}/${INPUT_KEY}`]);
        assert.equal(cp.status, 0, cp.stderr);
      })(),
      awsOk(['logs', 'create-log-group', '--log-group-name', GROUP]),
      awsOk(['logs', 'create-log-group', '--log-group-name', OTHER_GROUP]),
      (async () => {
        await awsOk(['iam', 'create-role', '--role-name', ROLE, '--assume-role-policy-document', EC2_TRUST_JSON]);
        await awsOk([
          'iam',
          'put-role-policy',
          '--role-name',
          ROLE,
          '--policy-name',
          'workload',
          '--policy-document',
          ROLE_POLICY,
        ]);
      })(),
      awsOk(['iam', 'create-instance-profile', '--instance-profile-name', PROFILE]),
    ]);
    await awsOk(['iam', 'add-role-to-instance-profile', '--instance-profile-name', PROFILE, '--role-name', ROLE]);

    const launched = await awsOk<{ Instances: { InstanceId: string; IamInstanceProfile?: { Arn: string } }[] }>([
      'ec2',
      'run-instances',
      '--image-id',
      'ami-0abcdef1234567890',
      '--count',
      '1',
      '--iam-instance-profile',
      `Name=${PROFILE}`,
    ]);
    instance = launched.Instances[0]?.InstanceId ?? '';
    assert.match(instance, /^i-[0-9a-f]{17}$/);
    assert.equal(launched.Instances[0]?.IamInstanceProfile?.Arn, `arn:aws:iam::${ACCOUNT}:instance-profile/${PROFILE}`);
    // An instance is pending for 500 ms; the waiter polls every 15 s, so letting that pass first keeps its first
    // look the only one.
    await new Promise((r) => setTimeout(r, 600));
    await awsOk(['ec2', 'wait', 'instance-running', '--instance-ids', instance]);
    // `rolecall run` needs the instance's metadata listener, which opens once the instance is running.
    await waitForState(endpoint(), instance, 'running');
  });

  after(() => {
    if (dir !== '') removeDir(dir);
  });

  it('the AWS CLI on the instance reads the object and writes its log stream; PutObject is AccessDenied', async () => {
    const stream = `cli-${instance}`;
    const read = onInstance(endpoint(), instance, ['aws', 's3', 'cp', `s3://${BUCKET}/${INPUT_KEY}`, '-']);
    assert.deepEqual({ status: read.status, stdout: read.stdout }, { status: 0, stdout: content }, read.stderr);

    const created = cliOn(endpoint(), instance, [
      'logs',
      'create-log-stream',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      stream,
    ]);
    assert.equal(created.status, 0, created.stderr);
    const now = Date.now();
    const events = [
      { timestamp: now - 1, message: 'cli: started' },
      { timestamp: now, message: `cli: read ${Buffer.byteLength(read.stdout)} bytes` },
    ];
    const put = cliOn(endpoint(), instance, [
      'logs',
      'put-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      stream,
      '--log-events',
      JSON.stringify(events),
    ]);
    assert.equal(put.status, 0, put.stderr);
    assert.equal((JSON.parse(put.stdout) as Record<string, unknown>)['rejectedLogEventsInfo'], undefined);

    const key = 'out/cli.txt';
    const write = cliOn(endpoint(), instance, [
      's3api',
      'put-object',
      '--bucket',
      BUCKET,
      '--key',
      key,
      '--body',
      join(dir, 'input.txt'),
    ]);
    assert.deepEqual(
      { status: write.status, stderr: write.stderr },
      { status: cliServiceErrorStatus(), stderr: cliErrorLine('AccessDenied', 'PutObject', s3Denied(instance, key)) },
    );

    assert.deepEqual(
      await eventsOf(stream),
      events.map((e) => e.message),
    );
  });

  it('boto3 on the instance: the same, and the other log group is out of reach', { skip: noBoto3 }, async () => {
    const stream = `boto3-${instance}`;
    const key = 'out/boto3.txt';
    const r = boto3On<{ body: string; method: string; rejected: unknown; denied: unknown; other: unknown }>(
      endpoint(),
      instance,
      `
import time
s3 = session.client('s3', config=CONFIG.merge(Config(s3={'addressing_style': 'path'})))
logs = session.client('logs', config=CONFIG)
body = s3.get_object(Bucket=${py(BUCKET)}, Key=${py(INPUT_KEY)})['Body'].read().decode()
logs.create_log_stream(logGroupName=${py(GROUP)}, logStreamName=${py(stream)})
now = int(time.time() * 1000)
put = logs.put_log_events(logGroupName=${py(GROUP)}, logStreamName=${py(stream)}, logEvents=[
    {'timestamp': now - 1, 'message': 'boto3: started'},
    {'timestamp': now, 'message': 'boto3: read %d bytes' % len(body.encode())},
])
out({'body': body, 'method': session.get_credentials().method, 'rejected': put.get('rejectedLogEventsInfo'),
     'denied': attempt(s3.put_object, Bucket=${py(BUCKET)}, Key=${py(key)}, Body=b'not allowed'),
     'other': attempt(logs.create_log_stream, logGroupName=${py(OTHER_GROUP)}, logStreamName=${py(stream)})})
`,
    );
    assert.deepEqual(r, {
      body: content,
      method: 'iam-role',
      rejected: null,
      denied: { error: { Code: 'AccessDenied', Message: s3Denied(instance, key), HTTPStatusCode: 403 } },
      other: {
        error: {
          Code: 'AccessDeniedException',
          Message: logsDenied(instance, 'logs:CreateLogStream', OTHER_GROUP, stream),
          HTTPStatusCode: 400,
        },
      },
    });
    const size = Buffer.byteLength(content);
    assert.deepEqual(await eventsOf(stream), ['boto3: started', `boto3: read ${size} bytes`]);
  });

  it('SDK v3 on the instance (an .mjs script run with node): the same', async () => {
    const stream = `sdk-${instance}`;
    const key = 'out/sdk.txt';
    const r = onInstance(
      endpoint(),
      instance,
      [process.execPath, join(dir, 'workload.mjs'), BUCKET, INPUT_KEY, GROUP, stream, key, OTHER_GROUP],
      cleanEnv({ NODE_PATH }),
    );
    assert.equal(r.status, 0, `node on ${instance} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1) ?? ''), {
      body: content,
      rejected: null,
      denied: { error: { name: 'AccessDenied', message: s3Denied(instance, key), status: 403 } },
      other: {
        error: {
          name: 'AccessDeniedException',
          message: logsDenied(instance, 'logs:CreateLogStream', OTHER_GROUP, stream),
          status: 400,
        },
      },
    });
    const size = Buffer.byteLength(content);
    assert.deepEqual(await eventsOf(stream), ['sdk: started', `sdk: read ${size} bytes`]);
  });

  it('no PutObject from the instance reached the bucket: it holds only what root put there', async () => {
    const objects = await awsOk<{ Contents?: { Key: string }[] }>(['s3api', 'list-objects-v2', '--bucket', BUCKET]);
    assert.deepEqual(
      objects.Contents?.map((o) => o.Key),
      [INPUT_KEY],
    );
  });
});
