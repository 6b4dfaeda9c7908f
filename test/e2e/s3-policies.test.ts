/**
 * S3 authorization end to end: a real `rolecall serve` driven by SDK v3 (most checks), the AWS CLI and boto3 (the
 * same denials through their error handling) and plain fetch (anonymous requests). Each story is one "done when"
 * of issue 7 part 3: identity policies of users and role sessions, bucket policies (explicit deny, same-account
 * grants by name, cross-account grants that need both sides), public-read policies against Block Public Access,
 * NoSuchKey versus AccessDenied, DeleteObjects' per-key denials, CopyObject's two checks, the S3 condition keys,
 * and presigned URLs and multipart uploads that go through the same checks. Facts: docs/research/s3-facts.md
 * (§A authorization, §I bucket policies and Block Public Access) and docs/research/evaluation-logic.md §1.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  DeletePublicAccessBlockCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Upload } from '@aws-sdk/lib-storage';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { clientEnv, noAwsCli, noBoto3 } from '../support/clients.ts';
import { removeDir, tempDir } from '../support/server.ts';
import { parseXml } from '../support/xml.ts';
import {
  awsErrorOf,
  boto3Run,
  cliErrorLine,
  cliServiceErrorStatus,
  DEFAULT_ACCOUNT,
  OTHER_ACCOUNT,
  py,
  rejectsWithAws,
  useServer,
} from './helpers.ts';
import { allow, deny, doc, rootOf, type Creds, type Statement } from '../support/policies.ts';

const ROOT = rootOf('000000000000');
const OTHER_ROOT = rootOf(OTHER_ACCOUNT);
const ROOT_ARN = `arn:aws:iam::${DEFAULT_ACCOUNT}:root`;
const OTHER_ROOT_ARN = `arn:aws:iam::${OTHER_ACCOUNT}:root`;

// ---------------------------------------------------------------------------------------------------------------
// Policies and S3's denial messages

/** A bucket policy statement: the same, with a Principal (`*` or {AWS: …}). */
const grant = (principal: '*' | string | string[], statement: Statement): Statement => ({
  ...statement,
  Principal: principal === '*' ? '*' : { AWS: principal },
});

const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

/**
 * S3 quotes the resource, unlike IAM (s3-facts §A.3; real AWS output e.g. "User: arn:aws:sts::195275674349:
 * assumed-role/api-role-0rb94tto/api is not authorized to perform: s3:GetObject on resource:
 * \"arn:aws:s3:::aws-training-app-words/words.json\" because no identity-based policy allows the s3:GetObject
 * action", found with find_string).
 */
const noAllow = (who: string, action: string, resource: string, layer = 'identity-based policy') =>
  `User: ${who} is not authorized to perform: ${action} on resource: "${resource}" because no ${layer} allows the ${action} action`;
const explicitDeny = (who: string, action: string, resource: string, layer = 'a resource-based policy') =>
  `User: ${who} is not authorized to perform: ${action} on resource: "${resource}" with an explicit deny in ${layer}`;
/** BlockPublicPolicy's refusal of PutBucketPolicy (s3-facts §I.2, raw AWS output found with find_string). */
const blockedPublicPolicy = (who: string, bucket: string) =>
  `User: ${who} is not authorized to perform: s3:PutBucketPolicy on resource: "${bucketArn(bucket)}" because public policies are blocked by the BlockPublicPolicy block public access setting.`;

const accessDenied = (call: Promise<unknown>, message: string) =>
  rejectsWithAws(call, { code: 'AccessDenied', message, status: 403 });

/** A HEAD error has no body (s3-facts §B.1): SDK v3 names it after the status alone. */
async function headStatus(call: Promise<unknown>): Promise<number | undefined> {
  return (await awsErrorOf(call)).status;
}

/** The status, code and message of an S3 error answered to a plain fetch (XML `<Error>`; none for HEAD). */
async function s3ErrorOf(res: Response): Promise<{ status: number; code?: string; message?: string }> {
  const text = await res.text();
  if (text === '') return { status: res.status };
  const root = parseXml(text);
  const field = (name: string) => root.children.find((c) => c.name === name)?.text;
  return { status: res.status, code: field('Code') ?? '<none>', message: field('Message') ?? '<none>' };
}
const ANONYMOUS_DENIED = { status: 403, code: 'AccessDenied', message: 'Access Denied' };

/** Only a public policy's anonymous reader: Principal "*" and s3:GetObject on every key (s3-facts §I.3). */
const publicRead = (bucket: string) => doc(grant('*', allow('s3:GetObject', `${bucketArn(bucket)}/*`)));

// ---------------------------------------------------------------------------------------------------------------
// Clients and identities

class Clients {
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly s3: S3Client;
  constructor(endpoint: string, credentials: Creds) {
    const options = { endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
    this.iam = new IAMClient(options);
    this.sts = new STSClient(options);
    this.s3 = new S3Client({ ...options, forcePathStyle: true });
  }
  destroy(): void {
    this.iam.destroy();
    this.sts.destroy();
    this.s3.destroy();
  }
}

interface Identity {
  readonly arn: string;
  readonly creds: Creds;
}

class World {
  private readonly open: Clients[] = [];
  private counter = 0;
  constructor(readonly endpoint: string) {}

  as(creds: Creds = ROOT): Clients {
    const clients = new Clients(this.endpoint, creds);
    this.open.push(clients);
    return clients;
  }
  s3(creds: Creds = ROOT): S3Client {
    return this.as(creds).s3;
  }
  destroy(): void {
    for (const c of this.open.splice(0)) c.destroy();
  }
  fresh(prefix: string): string {
    return `${prefix}-${++this.counter}`;
  }

  async user(prefix: string, options: { policy?: string; as?: Creds } = {}): Promise<Identity & { name: string }> {
    const name = this.fresh(prefix);
    const { iam } = this.as(options.as);
    const { User: user } = await iam.send(new CreateUserCommand({ UserName: name }));
    if (options.policy !== undefined) {
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 's3', PolicyDocument: options.policy }));
    }
    const { AccessKey: key } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    assert.ok(user?.Arn && key?.AccessKeyId && key.SecretAccessKey);
    return { name, arn: user.Arn, creds: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey } };
  }

  /** A role that the account's root may assume, with an optional inline policy, and one session of it. */
  async session(prefix: string, policy?: string): Promise<Identity & { roleArn: string }> {
    const name = this.fresh(prefix);
    const { iam, sts } = this.as();
    const trust = doc(grant(ROOT_ARN, { Effect: 'Allow', Action: 'sts:AssumeRole' }));
    const { Role: role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
    if (policy !== undefined) {
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 's3', PolicyDocument: policy }));
    }
    assert.ok(role?.Arn);
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'work' }));
    const c = out.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken && out.AssumedRoleUser?.Arn);
    return {
      roleArn: role.Arn,
      arn: out.AssumedRoleUser.Arn,
      creds: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
    };
  }

  /** A new bucket (the owner's root creates it) holding the given objects. */
  async bucket(prefix: string, objects: Record<string, string> = {}, owner: Creds = ROOT): Promise<string> {
    const name = this.fresh(`pol-${prefix}`);
    const s3 = this.s3(owner);
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    for (const [Key, Body] of Object.entries(objects)) await s3.send(new PutObjectCommand({ Bucket: name, Key, Body }));
    return name;
  }

  async policy(bucket: string, policy: string): Promise<void> {
    await this.s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
  }

  /** Block Public Access off (new buckets have all four settings on, s3-facts §C). */
  async unblock(bucket: string): Promise<void> {
    await this.s3().send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
  }
}

async function read(s3: S3Client, Bucket: string, Key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key }));
  assert.ok(out.Body);
  return out.Body.transformToString();
}

// ---------------------------------------------------------------------------------------------------------------
// The AWS CLI and boto3 with any credentials, path-style S3

/** CLI v1 signs presigned URLs with SigV2 unless told otherwise; path style keeps the bucket off the host name. */
const CLI_CONFIG = '[default]\ns3 =\n    addressing_style = path\n    signature_version = s3v4\n';

/**
 * Runs the AWS CLI without blocking the event loop: a spawnSync of several seconds would leave fetch's pooled
 * keep-alive socket unaware that the server has closed it, and the next fetch would fail on it.
 */
async function cliAs(endpoint: string, config: string, args: readonly string[], creds: Creds = ROOT) {
  const env: Record<string, string> = {
    ...clientEnv(endpoint, creds.accessKeyId, creds.secretAccessKey),
    AWS_CONFIG_FILE: config,
  };
  if (creds.sessionToken !== undefined) env['AWS_SESSION_TOKEN'] = creds.sessionToken;
  try {
    const r = await promisify(execFile)('aws', ['--output', 'json', ...args], { env, encoding: 'utf8' });
    return { status: 0, stdout: r.stdout, stderr: r.stderr.trim() };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    return {
      status: typeof e.code === 'number' ? e.code : null,
      stdout: e.stdout ?? '',
      stderr: (e.stderr ?? '').trim(),
    };
  }
}

/** A boto3 S3 client for the credentials, path-style. */
const botoS3 = (creds: Creds) =>
  `boto3.client('s3', config=CONFIG.merge(Config(s3={'addressing_style': 'path'})), region_name='us-east-1', ` +
  `aws_access_key_id=${py(creds.accessKeyId)}, aws_secret_access_key=${py(creds.secretAccessKey)}, ` +
  `aws_session_token=${creds.sessionToken === undefined ? 'None' : py(creds.sessionToken)})`;

// ---------------------------------------------------------------------------------------------------------------

describe('S3 authorization against rolecall serve', () => {
  const server = useServer();
  let world: World;
  let configDir: string;
  let cliConfig: string;
  before(() => {
    world = new World(server().endpoint);
    configDir = tempDir('rolecall-s3-cli-');
    cliConfig = join(configDir, 'config');
    writeFileSync(cliConfig, CLI_CONFIG);
  });
  after(() => {
    world.destroy();
    removeDir(configDir);
  });
  const endpoint = () => server().endpoint;
  const url = (bucket: string, key?: string) => `${endpoint()}/${bucket}${key === undefined ? '' : `/${key}`}`;
  /**
   * An unsigned GET in virtual-hosted style, `Host: bucket.s3.localhost:PORT`, sent to the loopback address
   * (Node 20 does not resolve *.localhost names itself).
   */
  const virtualHostGet = (bucket: string, key: string): Promise<Response> => {
    const { port } = new URL(endpoint());
    return new Promise((done, fail) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: `/${key}`, headers: { host: `${bucket}.s3.localhost:${port}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0 })));
        },
      );
      req.on('error', fail);
      req.end();
    });
  };

  describe('identity policies', () => {
    const readOnly = (bucket: string) => doc(allow('s3:GetObject', `${bucketArn(bucket)}/*`));

    it('a user allowed s3:GetObject on bkt/* reads; PutObject is denied in S3’s words', async () => {
      const bucket = await world.bucket('idu', { k: 'hello' });
      const user = await world.user('reader', { policy: readOnly(bucket) });
      const s3 = world.s3(user.creds);
      assert.equal(await read(s3, bucket, 'k'), 'hello');
      await accessDenied(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'overwritten' })),
        noAllow(user.arn, 's3:PutObject', objectArn(bucket, 'k')),
      );
      // Nor anything else on the bucket: listing needs s3:ListBucket on the bucket ARN.
      await accessDenied(
        s3.send(new ListObjectsV2Command({ Bucket: bucket })),
        noAllow(user.arn, 's3:ListBucket', bucketArn(bucket)),
      );
      assert.equal(await read(world.s3(), bucket, 'k'), 'hello');
    });

    it('a role session with the same policy reads and cannot write', async () => {
      const bucket = await world.bucket('idr', { 'a/b.txt': 'from a role' });
      const session = await world.session('s3-reader', readOnly(bucket));
      assert.match(session.arn, /^arn:aws:sts::000000000000:assumed-role\/s3-reader-\d+\/work$/);
      const s3 = world.s3(session.creds);
      assert.equal(await read(s3, bucket, 'a/b.txt'), 'from a role');
      await accessDenied(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/b.txt', Body: 'x' })),
        noAllow(session.arn, 's3:PutObject', objectArn(bucket, 'a/b.txt')),
      );
    });

    it('the AWS CLI reads with the user’s keys and prints S3’s denial for put-object', { skip: noAwsCli }, async () => {
      const bucket = await world.bucket('idcli', { 'cli.txt': 'cli body' });
      const user = await world.user('cli-reader', { policy: readOnly(bucket) });
      const got = await cliAs(endpoint(), cliConfig, ['s3', 'cp', `s3://${bucket}/cli.txt`, '-'], user.creds);
      assert.deepEqual({ status: got.status, stdout: got.stdout }, { status: 0, stdout: 'cli body' }, got.stderr);
      const put = await cliAs(
        endpoint(),
        cliConfig,
        ['s3api', 'put-object', '--bucket', bucket, '--key', 'cli.txt', '--body', cliConfig],
        user.creds,
      );
      assert.deepEqual(
        { status: put.status, stderr: put.stderr },
        {
          status: cliServiceErrorStatus(),
          stderr: cliErrorLine(
            'AccessDenied',
            'PutObject',
            noAllow(user.arn, 's3:PutObject', objectArn(bucket, 'cli.txt')),
          ),
        },
      );
    });

    it('boto3 reads with a role session’s keys and gets S3’s denial for put_object', { skip: noBoto3 }, async () => {
      const bucket = await world.bucket('idboto', { 'boto.txt': 'boto body' });
      const session = await world.session('boto-reader', readOnly(bucket));
      const r = boto3Run<Record<string, unknown>>(
        endpoint(),
        `
s3 = ${botoS3(session.creds)}
body = s3.get_object(Bucket=${py(bucket)}, Key='boto.txt')['Body'].read().decode()
out({'body': body, 'put': attempt(s3.put_object, Bucket=${py(bucket)}, Key='boto.txt', Body=b'x')})
`,
      );
      assert.deepEqual(r, {
        body: 'boto body',
        put: {
          error: {
            Code: 'AccessDenied',
            Message: noAllow(session.arn, 's3:PutObject', objectArn(bucket, 'boto.txt')),
            HTTPStatusCode: 403,
          },
        },
      });
    });
  });

  describe('bucket policies (same account)', () => {
    it('an explicit Deny in the bucket policy beats an identity Allow, and binds the account’s root too', async () => {
      const bucket = await world.bucket('deny', { 'open/a': 'open', 'secret/a': 'secret' });
      const user = await world.user('admin', { policy: doc(allow('s3:*')) });
      await world.policy(bucket, doc(grant('*', deny('s3:GetObject', `${bucketArn(bucket)}/secret/*`))));
      const s3 = world.s3(user.creds);
      assert.equal(await read(s3, bucket, 'open/a'), 'open');
      await accessDenied(
        s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'secret/a' })),
        explicitDeny(user.arn, 's3:GetObject', objectArn(bucket, 'secret/a')),
      );
      // A resource policy's explicit deny applies to the root as well (evaluation-logic.md §1 "Root user, same
      // account"), except for the bucket policy operations themselves, which the owner's root can always use
      // ("even if the policy explicitly denies the root user", botocore s3 model, PutBucketPolicy).
      await accessDenied(
        world.s3().send(new GetObjectCommand({ Bucket: bucket, Key: 'secret/a' })),
        explicitDeny(ROOT_ARN, 's3:GetObject', objectArn(bucket, 'secret/a')),
      );
      await world.policy(bucket, doc(grant('*', deny('s3:*', [bucketArn(bucket), `${bucketArn(bucket)}/*`]))));
      await world.s3().send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
      assert.equal(await read(s3, bucket, 'secret/a'), 'secret');
    });

    it('boto3 sees the explicit deny of a bucket policy', { skip: noBoto3 }, async () => {
      const bucket = await world.bucket('denyboto', { k: 'v' });
      const user = await world.user('boto-admin', { policy: doc(allow('s3:*')) });
      await world.policy(bucket, doc(grant(user.arn, deny('s3:GetObject', `${bucketArn(bucket)}/*`))));
      const r = boto3Run<unknown>(
        endpoint(),
        `out(attempt(${botoS3(user.creds)}.get_object, Bucket=${py(bucket)}, Key='k'))`,
      );
      assert.deepEqual(r, {
        error: {
          Code: 'AccessDenied',
          Message: explicitDeny(user.arn, 's3:GetObject', objectArn(bucket, 'k')),
          HTTPStatusCode: 403,
        },
      });
    });

    it('a bucket policy naming a user or role allows without any identity policy', async () => {
      const bucket = await world.bucket('byname', { k: 'named' });
      const user = await world.user('named-user');
      const session = await world.session('named-role');
      const other = await world.user('not-named');
      // Naming the role grants its sessions (evaluation-logic.md §1 "RP names a role ARN": no identity Allow needed).
      await world.policy(
        bucket,
        doc(grant([user.arn, session.roleArn], allow('s3:GetObject', `${bucketArn(bucket)}/*`))),
      );
      assert.equal(await read(world.s3(user.creds), bucket, 'k'), 'named');
      assert.equal(await read(world.s3(session.creds), bucket, 'k'), 'named');
      await accessDenied(
        world.s3(other.creds).send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })),
        noAllow(other.arn, 's3:GetObject', objectArn(bucket, 'k')),
      );
      // The grant is for what the policy says: writing is still refused.
      await accessDenied(
        world.s3(user.creds).send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' })),
        noAllow(user.arn, 's3:PutObject', objectArn(bucket, 'k')),
      );
    });

    it('a bucket policy naming the owner’s own account delegates: its users still need identity policies', async () => {
      // "Because the policy grants trust only to the account, individual users in the account must still be
      // granted permissions" (evaluation-logic.md §1, AWS's bucket policy examples).
      const bucket = await world.bucket('byacct', { k: 'v' });
      await world.policy(bucket, doc(grant(DEFAULT_ACCOUNT, allow('s3:GetObject', `${bucketArn(bucket)}/*`))));
      const bare = await world.user('acct-bare');
      await accessDenied(
        world.s3(bare.creds).send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })),
        noAllow(bare.arn, 's3:GetObject', objectArn(bucket, 'k')),
      );
    });
  });

  describe('public access', () => {
    it('the default Block Public Access refuses a public-read policy with BlockPublicPolicy’s message', async () => {
      const bucket = await world.bucket('bpp', { k: 'v' });
      await accessDenied(
        world.s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicRead(bucket) })),
        blockedPublicPolicy(ROOT_ARN, bucket),
      );
      // Still private: nothing was stored.
      assert.equal((await fetch(url(bucket, 'k'))).status, 403);
    });

    it('after DeletePublicAccessBlock a public-read policy lets an unsigned GET through, and nothing else', async () => {
      const bucket = await world.bucket('pub', { 'index.html': '<h1>public</h1>', 'dir/x y.txt': 'spaced' });
      await world.unblock(bucket);
      await world.policy(bucket, publicRead(bucket));

      const res = await fetch(url(bucket, 'index.html'));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '<h1>public</h1>');
      assert.equal((await fetch(url(bucket, 'dir/x%20y.txt'))).status, 200);
      const hosted = await virtualHostGet(bucket, 'index.html');
      assert.equal(hosted.status, 200);
      assert.equal(await hosted.text(), '<h1>public</h1>');
      // A missing key: the policy grants no s3:ListBucket, so the anonymous caller learns nothing (403).
      assert.deepEqual(await s3ErrorOf(await fetch(url(bucket, 'missing'))), ANONYMOUS_DENIED);

      // An anonymous caller learns no more than "Access Denied" (s3-facts §A.3).
      const put = await fetch(url(bucket, 'index.html'), { method: 'PUT', body: 'defaced' });
      assert.deepEqual(await s3ErrorOf(put), ANONYMOUS_DENIED);
      const del = await fetch(url(bucket, 'index.html'), { method: 'DELETE' });
      assert.deepEqual(await s3ErrorOf(del), ANONYMOUS_DENIED);
      assert.equal(await read(world.s3(), bucket, 'index.html'), '<h1>public</h1>');

      // Listing needs s3:ListBucket, which the public policy does not grant.
      for (const list of [url(bucket), `${url(bucket)}?list-type=2`]) {
        assert.deepEqual(await s3ErrorOf(await fetch(list)), ANONYMOUS_DENIED, list);
      }
    });

    it('anonymous requests to a bucket without a public policy are denied', async () => {
      const bucket = await world.bucket('private', { k: 'v' });
      await world.unblock(bucket);
      for (const [method, target] of [
        ['GET', url(bucket, 'k')],
        ['GET', url(bucket)],
        ['GET', `${url(bucket)}?list-type=2&prefix=k`],
        ['PUT', url(bucket, 'new')],
      ] as const) {
        const r = await fetch(target, { method, ...(method === 'PUT' && { body: 'x' }) });
        assert.deepEqual(await s3ErrorOf(r), ANONYMOUS_DENIED, `${method} ${target}`);
      }
      // "Anonymous requests are never allowed to create buckets" (botocore s3 model, CreateBucket).
      const create = await fetch(url(world.fresh('pol-anon-create')), { method: 'PUT' });
      assert.deepEqual(await s3ErrorOf(create), ANONYMOUS_DENIED);
      // Virtual-hosted style names the same bucket another way, under the same checks.
      assert.deepEqual(await s3ErrorOf(await virtualHostGet(bucket, 'k')), ANONYMOUS_DENIED);
      const head = await fetch(url(bucket, 'k'), { method: 'HEAD' });
      assert.equal(head.status, 403);
    });

    it('RestrictPublicBuckets keeps a public policy but refuses anonymous reads with “Access Denied”', async () => {
      const bucket = await world.bucket('restrict', { k: 'v' });
      await world.s3().send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: false,
            IgnorePublicAcls: false,
            BlockPublicPolicy: false,
            RestrictPublicBuckets: true,
          },
        }),
      );
      await world.policy(bucket, publicRead(bucket));
      assert.deepEqual(await s3ErrorOf(await fetch(url(bucket, 'k'))), ANONYMOUS_DENIED);
      // Turning the restriction off opens the same policy.
      await world.unblock(bucket);
      const open = await fetch(url(bucket, 'k'));
      assert.equal(open.status, 200);
      assert.equal(await open.text(), 'v');
    });

    it('the AWS CLI is refused a public policy under the default Block Public Access', { skip: noAwsCli }, async () => {
      const bucket = await world.bucket('bppcli');
      const r = await cliAs(endpoint(), cliConfig, [
        's3api',
        'put-bucket-policy',
        '--bucket',
        bucket,
        '--policy',
        publicRead(bucket),
      ]);
      assert.deepEqual(
        { status: r.status, stderr: r.stderr },
        {
          status: cliServiceErrorStatus(),
          stderr: cliErrorLine('AccessDenied', 'PutBucketPolicy', blockedPublicPolicy(ROOT_ARN, bucket)),
        },
      );
    });
  });

  describe('cross-account (111111111111 reads a bucket of 000000000000)', () => {
    const readAll = (bucket: string) => allow('s3:GetObject', `${bucketArn(bucket)}/*`);

    it('a bucket policy granting the account: its user reads only with its own identity Allow; its root reads', async () => {
      const bucket = await world.bucket('xacct', { k: 'shared' });
      await world.policy(bucket, doc(grant(OTHER_ACCOUNT, readAll(bucket))));
      const reader = await world.user('x-reader', { as: OTHER_ROOT, policy: doc(readAll(bucket)) });
      const bare = await world.user('x-bare', { as: OTHER_ROOT });
      assert.equal(reader.arn, `arn:aws:iam::${OTHER_ACCOUNT}:user/${reader.name}`);

      assert.equal(await read(world.s3(reader.creds), bucket, 'k'), 'shared');
      await accessDenied(
        world.s3(bare.creds).send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })),
        noAllow(bare.arn, 's3:GetObject', objectArn(bucket, 'k')),
      );
      assert.equal(await read(world.s3(OTHER_ROOT), bucket, 'k'), 'shared');
      // What the bucket policy does not grant stays closed, whatever the caller's own policy says.
      const writer = await world.user('x-writer', { as: OTHER_ROOT, policy: doc(allow('s3:*')) });
      await accessDenied(
        world.s3(writer.creds).send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' })),
        noAllow(writer.arn, 's3:PutObject', objectArn(bucket, 'k'), 'resource-based policy'),
      );
    });

    it('a bucket policy naming the other account’s user still needs that user’s identity Allow', async () => {
      const bucket = await world.bucket('xuser', { k: 'named' });
      const named = await world.user('x-named', { as: OTHER_ROOT });
      const namedWithPolicy = await world.user('x-named-allowed', { as: OTHER_ROOT, policy: doc(readAll(bucket)) });
      await world.policy(bucket, doc(grant([named.arn, namedWithPolicy.arn], readAll(bucket))));
      await accessDenied(
        world.s3(named.creds).send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })),
        noAllow(named.arn, 's3:GetObject', objectArn(bucket, 'k')),
      );
      assert.equal(await read(world.s3(namedWithPolicy.creds), bucket, 'k'), 'named');
    });

    it('without a bucket policy the other account is refused, its root included', async () => {
      const bucket = await world.bucket('xnone', { k: 'v' });
      const reader = await world.user('x-lonely', { as: OTHER_ROOT, policy: doc(readAll(bucket)) });
      // A cross-account request the bucket does not grant: "because no resource-based policy allows" (S3 User
      // Guide, "Troubleshoot access denied (403 Forbidden) errors", resource-based policies – implicit denial;
      // real output in public logs, e.g. "…is not authorized to perform: s3:ListBucket on resource:
      // \"arn:aws:s3:::krost-media-folder\" because no resource-based policy allows the s3:ListBucket action").
      for (const [who, creds] of [
        [reader.arn, reader.creds],
        [OTHER_ROOT_ARN, OTHER_ROOT],
      ] as const) {
        await accessDenied(
          world.s3(creds).send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })),
          noAllow(who, 's3:GetObject', objectArn(bucket, 'k'), 'resource-based policy'),
        );
      }
    });

    it('RestrictPublicBuckets cuts off the other account when the policy is also public', async () => {
      // "all cross-account access through that policy is blocked, including statements that name another account"
      // (S3 User Guide, Blocking public access; s3-facts §I.2).
      const bucket = await world.bucket('xrestrict', { k: 'v' });
      await world.s3().send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: false,
            RestrictPublicBuckets: true,
          },
        }),
      );
      await world.policy(bucket, doc(grant(OTHER_ACCOUNT, readAll(bucket)), grant('*', readAll(bucket))));
      // "Any denial resulting from the RestrictPublicBuckets setting is explicit" (S3 User Guide, "Troubleshoot
      // access denied (403 Forbidden) errors", Access denied due to Block Public Access settings).
      await accessDenied(
        world.s3(OTHER_ROOT).send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })),
        explicitDeny(OTHER_ROOT_ARN, 's3:GetObject', objectArn(bucket, 'k')),
      );
      await world.unblock(bucket);
      assert.equal(await read(world.s3(OTHER_ROOT), bucket, 'k'), 'v');
    });

    it('boto3 as the other account’s user reads through the bucket policy', { skip: noBoto3 }, async () => {
      const bucket = await world.bucket('xboto', { k: 'cross' });
      await world.policy(bucket, doc(grant(OTHER_ROOT_ARN, readAll(bucket))));
      const reader = await world.user('x-boto', { as: OTHER_ROOT, policy: doc(readAll(bucket)) });
      const r = boto3Run<unknown>(
        endpoint(),
        `out(${botoS3(reader.creds)}.get_object(Bucket=${py(bucket)}, Key='k')['Body'].read().decode())`,
      );
      assert.equal(r, 'cross');
    });
  });

  describe('missing keys', () => {
    it('a caller allowed s3:ListBucket gets 404 NoSuchKey; one without it 403 AccessDenied', async () => {
      // botocore s3 model, GetObject and HeadObject "Permissions" (s3-facts §A.1).
      const bucket = await world.bucket('missing', { present: 'here' });
      const objects = `${bucketArn(bucket)}/*`;
      const lister = await world.user('lister', {
        policy: doc(allow('s3:GetObject', objects), allow('s3:ListBucket', bucketArn(bucket))),
      });
      const reader = await world.user('no-lister', { policy: doc(allow('s3:GetObject', objects)) });

      const seen = await awsErrorOf(
        world.s3(lister.creds).send(new GetObjectCommand({ Bucket: bucket, Key: 'absent' })),
      );
      assert.deepEqual(seen, {
        code: 'NoSuchKey',
        message: 'The specified key does not exist.',
        status: 404,
        name: 'NoSuchKey',
      });
      const hidden = await awsErrorOf(
        world.s3(reader.creds).send(new GetObjectCommand({ Bucket: bucket, Key: 'absent' })),
      );
      assert.deepEqual([hidden.code, hidden.status], ['AccessDenied', 403]);

      assert.equal(
        await headStatus(world.s3(lister.creds).send(new HeadObjectCommand({ Bucket: bucket, Key: 'absent' }))),
        404,
      );
      assert.equal(
        await headStatus(world.s3(reader.creds).send(new HeadObjectCommand({ Bucket: bucket, Key: 'absent' }))),
        403,
      );
      // Both read an object that exists.
      assert.equal(await read(world.s3(reader.creds), bucket, 'present'), 'here');
    });

    it('s3:ListBucket granted by the bucket policy counts too', async () => {
      const bucket = await world.bucket('missingbp');
      const reader = await world.user('bp-lister', { policy: doc(allow('s3:GetObject', `${bucketArn(bucket)}/*`)) });
      await world.policy(bucket, doc(grant(reader.arn, allow('s3:ListBucket', bucketArn(bucket)))));
      const e = await awsErrorOf(world.s3(reader.creds).send(new GetObjectCommand({ Bucket: bucket, Key: 'absent' })));
      assert.deepEqual([e.code, e.status], ['NoSuchKey', 404]);
    });
  });

  describe('DeleteObjects', () => {
    it('keys the caller may not delete come back as per-key AccessDenied errors in a 200 result', async () => {
      // s3-facts §A.1: `<Error><Key>k</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`.
      const bucket = await world.bucket('multidel', { 'tmp/a': '1', 'tmp/b': '2', 'keep/c': '3' });
      const user = await world.user('cleaner', { policy: doc(allow('s3:DeleteObject', `${bucketArn(bucket)}/tmp/*`)) });
      const out = await world.s3(user.creds).send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: [{ Key: 'tmp/a' }, { Key: 'keep/c' }, { Key: 'tmp/b' }] },
        }),
      );
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.deepEqual((out.Deleted ?? []).map((d) => d.Key).sort(), ['tmp/a', 'tmp/b']);
      assert.deepEqual(
        (out.Errors ?? []).map(({ Key, Code, Message }) => ({ Key, Code, Message })),
        [{ Key: 'keep/c', Code: 'AccessDenied', Message: 'Access Denied' }],
      );
      const left = await world.s3().send(new ListObjectsV2Command({ Bucket: bucket }));
      assert.deepEqual(
        (left.Contents ?? []).map((c) => c.Key),
        ['keep/c'],
      );
    });

    it('boto3’s delete_objects reports the same per-key error', { skip: noBoto3 }, async () => {
      const bucket = await world.bucket('multidelboto', { 'a/1': '1', 'b/2': '2' });
      const user = await world.user('boto-cleaner', {
        policy: doc(allow('s3:DeleteObject', `${bucketArn(bucket)}/a/*`)),
      });
      const r = boto3Run<{ deleted: string[]; errors: unknown[] }>(
        endpoint(),
        `
res = ${botoS3(user.creds)}.delete_objects(Bucket=${py(bucket)}, Delete={'Objects': [{'Key': 'a/1'}, {'Key': 'b/2'}]})
out({'deleted': [d['Key'] for d in res.get('Deleted', [])],
     'errors': [{k: e[k] for k in ('Key', 'Code', 'Message')} for e in res.get('Errors', [])]})
`,
      );
      assert.deepEqual(r, {
        deleted: ['a/1'],
        errors: [{ Key: 'b/2', Code: 'AccessDenied', Message: 'Access Denied' }],
      });
    });
  });

  describe('CopyObject and UploadPartCopy', () => {
    it('need s3:GetObject on the source and s3:PutObject on the target, each denied on its own', async () => {
      const source = await world.bucket('copysrc', { 'readable/a': 'copy me', 'secret/a': 'do not copy' });
      const target = await world.bucket('copydst');
      const user = await world.user('copier', {
        policy: doc(
          allow('s3:GetObject', `${bucketArn(source)}/readable/*`),
          allow('s3:PutObject', `${bucketArn(target)}/writable/*`),
        ),
      });
      const s3 = world.s3(user.creds);
      await s3.send(new CopyObjectCommand({ Bucket: target, Key: 'writable/a', CopySource: `${source}/readable/a` }));
      assert.equal(await read(world.s3(), target, 'writable/a'), 'copy me');

      await accessDenied(
        s3.send(new CopyObjectCommand({ Bucket: target, Key: 'writable/b', CopySource: `${source}/secret/a` })),
        noAllow(user.arn, 's3:GetObject', objectArn(source, 'secret/a')),
      );
      await accessDenied(
        s3.send(new CopyObjectCommand({ Bucket: target, Key: 'elsewhere/a', CopySource: `${source}/readable/a` })),
        noAllow(user.arn, 's3:PutObject', objectArn(target, 'elsewhere/a')),
      );
      const listed = await world.s3().send(new ListObjectsV2Command({ Bucket: target }));
      assert.deepEqual(
        (listed.Contents ?? []).map((c) => c.Key),
        ['writable/a'],
      );
    });

    it('UploadPartCopy checks the source read the same way', async () => {
      const source = await world.bucket('upcsrc', { 'secret/big': 'part source' });
      const target = await world.bucket('upcdst');
      const user = await world.user('part-copier', { policy: doc(allow('s3:PutObject', `${bucketArn(target)}/*`)) });
      const s3 = world.s3(user.creds);
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: target, Key: 'copied' }));
      await accessDenied(
        s3.send(
          new UploadPartCopyCommand({
            Bucket: target,
            Key: 'copied',
            UploadId,
            PartNumber: 1,
            CopySource: `${source}/secret/big`,
          }),
        ),
        noAllow(user.arn, 's3:GetObject', objectArn(source, 'secret/big')),
      );
    });
  });

  describe('condition keys', () => {
    it('s3:prefix: ListBucket allowed only for prefixes StringLike home/*', async () => {
      const bucket = await world.bucket('prefix', { 'home/alice/a': '1', 'home/bob/b': '2', 'etc/passwd': '3' });
      const user = await world.user('homebody', {
        policy: doc(allow('s3:ListBucket', bucketArn(bucket), { StringLike: { 's3:prefix': 'home/*' } })),
      });
      const s3 = world.s3(user.creds);
      const alice = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'home/alice/' }));
      assert.deepEqual(
        (alice.Contents ?? []).map((c) => c.Key),
        ['home/alice/a'],
      );
      const home = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'home/', Delimiter: '/' }));
      assert.deepEqual(
        (home.CommonPrefixes ?? []).map((p) => p.Prefix),
        ['home/alice/', 'home/bob/'],
      );
      // No prefix at all: the key is absent from the request, so StringLike does not match.
      for (const Prefix of [undefined, 'etc/', 'hom']) {
        await accessDenied(
          s3.send(new ListObjectsV2Command({ Bucket: bucket, ...(Prefix !== undefined && { Prefix }) })),
          noAllow(user.arn, 's3:ListBucket', bucketArn(bucket)),
        );
      }
    });

    it('s3:ExistingObjectTag/<key>: GetObject only of objects tagged classification=public', async () => {
      const bucket = await world.bucket('extag');
      const root = world.s3();
      await root.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'pub', Body: 'open', Tagging: 'classification=public' }),
      );
      await root.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'sec', Body: 'closed', Tagging: 'classification=secret' }),
      );
      await root.send(new PutObjectCommand({ Bucket: bucket, Key: 'none', Body: 'untagged' }));
      const user = await world.user('tag-reader', {
        policy: doc(
          allow('s3:GetObject', `${bucketArn(bucket)}/*`, {
            StringEquals: { 's3:ExistingObjectTag/classification': 'public' },
          }),
        ),
      });
      const s3 = world.s3(user.creds);
      assert.equal(await read(s3, bucket, 'pub'), 'open');
      for (const Key of ['sec', 'none']) {
        await accessDenied(
          s3.send(new GetObjectCommand({ Bucket: bucket, Key })),
          noAllow(user.arn, 's3:GetObject', objectArn(bucket, Key)),
        );
      }
    });

    it('s3:RequestObjectTag/<key>: PutObject only with x-amz-tagging team=blue', async () => {
      const bucket = await world.bucket('reqtag');
      const user = await world.user('tag-writer', {
        policy: doc(
          allow(['s3:PutObject', 's3:PutObjectTagging'], `${bucketArn(bucket)}/*`, {
            StringEquals: { 's3:RequestObjectTag/team': 'blue' },
          }),
        ),
      });
      const s3 = world.s3(user.creds);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'blue', Body: 'b', Tagging: 'team=blue&env=dev' }));
      for (const [Key, Tagging] of [
        ['red', 'team=red'],
        ['untagged', undefined],
      ] as const) {
        await accessDenied(
          s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x', ...(Tagging !== undefined && { Tagging }) })),
          noAllow(user.arn, 's3:PutObject', objectArn(bucket, Key)),
        );
      }
      const listed = await world.s3().send(new ListObjectsV2Command({ Bucket: bucket }));
      assert.deepEqual(
        (listed.Contents ?? []).map((c) => c.Key),
        ['blue'],
      );
    });
  });

  describe('no path bypasses authorization', () => {
    it('presigned URLs carry the signer’s permissions: GET works, PUT is denied', async () => {
      const bucket = await world.bucket('presign', { k: 'presigned body' });
      const user = await world.user('presigner', { policy: doc(allow('s3:GetObject', `${bucketArn(bucket)}/*`)) });
      const s3 = world.s3(user.creds);
      const get = await fetch(
        await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'k' }), { expiresIn: 300 }),
      );
      assert.equal(get.status, 200);
      assert.equal(await get.text(), 'presigned body');

      const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'k' }), { expiresIn: 300 });
      const put = await fetch(putUrl, { method: 'PUT', body: 'overwritten' });
      assert.equal(put.status, 403);
      assert.deepEqual(await s3ErrorOf(put), {
        status: 403,
        code: 'AccessDenied',
        message: noAllow(user.arn, 's3:PutObject', objectArn(bucket, 'k')),
      });
      assert.equal(await read(world.s3(), bucket, 'k'), 'presigned body');
    });

    it('a presigned URL of a user with no permission is denied, even for GET', async () => {
      const bucket = await world.bucket('presign0', { k: 'v' });
      const user = await world.user('presign-nobody');
      const signed = await getSignedUrl(world.s3(user.creds), new GetObjectCommand({ Bucket: bucket, Key: 'k' }), {
        expiresIn: 60,
      });
      assert.equal((await fetch(signed)).status, 403);
    });

    it('the AWS CLI’s presigned URL works for a reader', { skip: noAwsCli }, async () => {
      const bucket = await world.bucket('presigncli', { k: 'cli presigned' });
      const user = await world.user('cli-presigner', { policy: doc(allow('s3:GetObject', `${bucketArn(bucket)}/*`)) });
      const r = await cliAs(
        endpoint(),
        cliConfig,
        ['s3', 'presign', `s3://${bucket}/k`, '--expires-in', '300'],
        user.creds,
      );
      assert.equal(r.status, 0, r.stderr);
      const signed = r.stdout.trim();
      assert.match(signed, /X-Amz-Algorithm=AWS4-HMAC-SHA256/);
      const res = await fetch(signed);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'cli presigned');
    });

    it('multipart uploads need s3:PutObject at every step', async () => {
      const bucket = await world.bucket('mpu');
      const user = await world.user('mpu-reader', {
        policy: doc(allow(['s3:GetObject', 's3:ListBucket'], [bucketArn(bucket), `${bucketArn(bucket)}/*`])),
      });
      const s3 = world.s3(user.creds);
      const denied = noAllow(user.arn, 's3:PutObject', objectArn(bucket, 'big'));
      await accessDenied(s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big' })), denied);

      // An upload someone else started cannot be fed or finished by the reader.
      const root = world.s3();
      const { UploadId } = await root.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big' }));
      assert.ok(UploadId);
      await accessDenied(
        s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'big', UploadId, PartNumber: 1, Body: 'part' })),
        denied,
      );
      const part = await root.send(
        new UploadPartCommand({ Bucket: bucket, Key: 'big', UploadId, PartNumber: 1, Body: 'part' }),
      );
      await accessDenied(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: 'big',
            UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
          }),
        ),
        denied,
      );
      await assert.rejects(world.s3(user.creds).send(new HeadObjectCommand({ Bucket: bucket, Key: 'big' })));

      // lib-storage's multipart path (more than one 5 MiB part) is refused at its first step.
      const upload = new Upload({
        client: s3,
        params: { Bucket: bucket, Key: 'big-lib', Body: Buffer.alloc(11 * 1024 * 1024, 7) },
        partSize: 5 * 1024 * 1024,
      });
      const e = await awsErrorOf(upload.done());
      assert.deepEqual([e.code, e.status], ['AccessDenied', 403]);
      const listed = await root.send(new ListObjectsV2Command({ Bucket: bucket }));
      assert.equal(listed.KeyCount, 0);
    });
  });
});
