/**
 * S3 and CloudWatch Logs durability end to end (issue 7 part 4): a real `rolecall serve` is stopped (SIGTERM) or
 * killed (SIGKILL) and started again on the same --data-dir. A clean restart keeps buckets, objects byte for byte,
 * bucket policies (still enforced), tags, Block Public Access settings, unfinished multipart uploads, and log
 * groups, streams and events. A kill in the middle of uploads loses no acknowledged object, shows no partial one,
 * and leaves no body file that no record names (src/store/blobs/README.md: write to tmp/, fsync, rename into
 * data/, commit the record, then acknowledge; at startup tmp/ is emptied and unnamed blobs are swept).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeletePublicAccessBlockCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { clientEnv, noAwsCli } from '../support/clients.ts';
import { removeDir, startRolecall, tempDir, type RolecallProcess } from '../support/server.ts';
import { awsErrorOf, byKey } from './helpers.ts';

const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
const MiB = 1024 * 1024;
/** Every part of a multipart upload but the last must be at least 5 MiB (s3-facts §F). */
const PART = 5 * MiB;

/** SDK v3 warns on the console when a streaming upload fails, as the stalled ones do at the kill: keep it quiet. */
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const s3Client = (endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string } = ROOT) =>
  new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true, maxAttempts: 1, logger: quiet });

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function body(s3: S3Client, Bucket: string, Key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key }));
  assert.ok(out.Body);
  return Buffer.from(await out.Body.transformToByteArray());
}

/** Compares bodies by hash and length, so a failure prints two short lines instead of megabytes. */
function sameBytes(actual: Buffer, expected: Buffer, what: string): void {
  assert.deepEqual(
    { size: actual.length, sha256: sha256(actual) },
    { size: expected.length, sha256: sha256(expected) },
    `${what}: the body differs`,
  );
}

async function listAll(s3: S3Client, Bucket: string) {
  const out: { Key: string; Size: number; ETag: string }[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken }));
    for (const c of page.Contents ?? []) out.push({ Key: c.Key ?? '', Size: c.Size ?? -1, ETag: c.ETag ?? '' });
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken !== undefined);
  return out;
}

/** Files under a directory, recursively, as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

/**
 * Every body file in blobs/data must belong to an object or to a part of an unfinished upload (each has its own
 * body: src/store/blobs/README.md), and blobs/tmp must be empty once the server is up.
 */
async function assertNoOrphans(s3: S3Client, dataDir: string): Promise<void> {
  assert.deepEqual(filesUnder(join(dataDir, 'blobs', 'tmp')), [], 'blobs/tmp holds leftovers after startup');
  let named = 0;
  for (const { Name } of (await s3.send(new ListBucketsCommand({}))).Buckets ?? []) {
    assert.ok(Name);
    named += (await listAll(s3, Name)).length;
    for (const u of (await s3.send(new ListMultipartUploadsCommand({ Bucket: Name }))).Uploads ?? []) {
      const parts = await s3.send(new ListPartsCommand({ Bucket: Name, Key: u.Key, UploadId: u.UploadId }));
      named += parts.Parts?.length ?? 0;
    }
  }
  assert.equal(filesUnder(join(dataDir, 'blobs', 'data')).length, named, 'blobs/data holds bodies no record names');
}

/** Polls until `done` holds (30 s at most). */
async function until(done: () => boolean, state: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    assert.ok(Date.now() < deadline, `timed out; ${state()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Starts rolecall on a data directory and always stops it (or kills what is left) when `run` ends. */
async function withServer<T>(dataDir: string, run: (server: RolecallProcess) => Promise<T>): Promise<T> {
  const server = await startRolecall({ dataDir });
  try {
    const result = await run(server);
    const code = await server.stop();
    assert.equal(code, 0, `rolecall exited with ${code}:\n${server.output()}`);
    return result;
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe('S3 and CloudWatch Logs durability', () => {
  it('a restart keeps buckets, objects byte for byte, policies, tags, Block Public Access and open uploads', async () => {
    const dataDir = tempDir();
    try {
      const bodies = new Map<string, Buffer>([
        ['empty', Buffer.alloc(0)],
        ['notes/readme.txt', Buffer.from('kept across a restart\n')],
        ['binary/random.bin', randomBytes(3 * MiB + 17)],
        ['unicode/ключ €.txt', Buffer.from('ünïcödé')],
      ]);
      const multipart = randomBytes(PART + MiB);
      const pendingPart = randomBytes(PART);
      const finalPart = randomBytes(123_456);
      const policyBucket = 'durable-policy';
      const openBucket = 'durable-open';
      let reader = { accessKeyId: '', secretAccessKey: '' };
      let policy = '';
      let pendingUpload = '';

      type Snapshot = Awaited<ReturnType<typeof snapshot>>;
      const snapshot = async (s3: S3Client) => ({
        buckets: ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => [b.Name, b.CreationDate]),
        objects: await listAll(s3, policyBucket),
        heads: await Promise.all(
          ['notes/readme.txt', 'multipart.bin'].map(async (Key) => {
            const h = await s3.send(new HeadObjectCommand({ Bucket: policyBucket, Key }));
            return [Key, h.ETag, h.ContentLength, h.ContentType, h.Metadata, h.LastModified, h.ContentDisposition];
          }),
        ),
        objectTags: byKey(
          (await s3.send(new GetObjectTaggingCommand({ Bucket: policyBucket, Key: 'notes/readme.txt' }))).TagSet,
        ),
        bucketTags: byKey((await s3.send(new GetBucketTaggingCommand({ Bucket: policyBucket }))).TagSet),
        policy: (await s3.send(new GetBucketPolicyCommand({ Bucket: policyBucket }))).Policy,
        publicAccessBlock: (await s3.send(new GetPublicAccessBlockCommand({ Bucket: policyBucket })))
          .PublicAccessBlockConfiguration,
        noPublicAccessBlock: (await awsErrorOf(s3.send(new GetPublicAccessBlockCommand({ Bucket: openBucket })))).code,
        uploads: ((await s3.send(new ListMultipartUploadsCommand({ Bucket: policyBucket }))).Uploads ?? []).map((u) => [
          u.Key,
          u.UploadId,
        ]),
        parts: (
          (await s3.send(new ListPartsCommand({ Bucket: policyBucket, Key: 'pending.bin', UploadId: pendingUpload })))
            .Parts ?? []
        ).map((p) => [p.PartNumber, p.ETag, p.Size]),
      });

      const before: Snapshot = await withServer(dataDir, async ({ endpoint }) => {
        const s3 = s3Client(endpoint);
        const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
        await iam.send(new CreateUserCommand({ UserName: 'durable-reader' }));
        const { AccessKey: key } = await iam.send(new CreateAccessKeyCommand({ UserName: 'durable-reader' }));
        assert.ok(key?.AccessKeyId && key.SecretAccessKey);
        reader = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };

        await s3.send(new CreateBucketCommand({ Bucket: policyBucket }));
        await s3.send(new CreateBucketCommand({ Bucket: openBucket }));
        for (const [Key, Body] of bodies) await s3.send(new PutObjectCommand({ Bucket: policyBucket, Key, Body }));
        await s3.send(
          new PutObjectCommand({
            Bucket: policyBucket,
            Key: 'notes/readme.txt',
            Body: Buffer.from('kept across a restart\n'),
            ContentType: 'text/plain; charset=utf-8',
            ContentDisposition: 'attachment; filename="readme.txt"',
            Metadata: { owner: 'durability-test', 'mixed-case': 'Value' },
            Tagging: 'stage=before&kept=yes',
          }),
        );
        await s3.send(
          new PutObjectTaggingCommand({
            Bucket: policyBucket,
            Key: 'notes/readme.txt',
            Tagging: {
              TagSet: [
                { Key: 'stage', Value: 'before-restart' },
                { Key: 'kept', Value: 'yes' },
              ],
            },
          }),
        );

        // A finished multipart object (ETag "<md5 of part md5s>-2") and one left open with a part uploaded.
        const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket: policyBucket, Key: 'multipart.bin' }));
        const parts: CompletedPart[] = [];
        for (const [i, chunk] of [multipart.subarray(0, PART), multipart.subarray(PART)].entries()) {
          const p = await s3.send(
            new UploadPartCommand({
              Bucket: policyBucket,
              Key: 'multipart.bin',
              UploadId: mpu.UploadId,
              PartNumber: i + 1,
              Body: chunk,
            }),
          );
          parts.push({ PartNumber: i + 1, ETag: p.ETag });
        }
        await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: policyBucket,
            Key: 'multipart.bin',
            UploadId: mpu.UploadId,
            MultipartUpload: { Parts: parts },
          }),
        );
        const pending = await s3.send(new CreateMultipartUploadCommand({ Bucket: policyBucket, Key: 'pending.bin' }));
        assert.ok(pending.UploadId);
        pendingUpload = pending.UploadId;
        await s3.send(
          new UploadPartCommand({
            Bucket: policyBucket,
            Key: 'pending.bin',
            UploadId: pendingUpload,
            PartNumber: 1,
            Body: pendingPart,
          }),
        );

        policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'ReaderMayRead',
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::000000000000:user/durable-reader' },
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::${policyBucket}/notes/*`,
            },
          ],
        });
        await s3.send(new PutBucketPolicyCommand({ Bucket: policyBucket, Policy: policy }));
        await s3.send(
          new PutBucketTaggingCommand({
            Bucket: policyBucket,
            Tagging: {
              TagSet: [
                { Key: 'team', Value: 'storage' },
                { Key: 'cost-centre', Value: '42' },
              ],
            },
          }),
        );
        await s3.send(
          new PutPublicAccessBlockCommand({
            Bucket: policyBucket,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              IgnorePublicAcls: false,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: false,
            },
          }),
        );
        await s3.send(new DeletePublicAccessBlockCommand({ Bucket: openBucket }));
        // The reader reads through the bucket policy alone (it has no identity policy).
        assert.equal(
          (await body(s3Client(endpoint, reader), policyBucket, 'notes/readme.txt')).toString(),
          'kept across a restart\n',
        );
        return snapshot(s3);
      });

      assert.equal(before.objects.find((o) => o.Key === 'multipart.bin')?.ETag.endsWith('-2"'), true);
      assert.deepEqual(before.parts.length, 1);

      await withServer(dataDir, async ({ endpoint }) => {
        const s3 = s3Client(endpoint);
        assert.deepEqual(await snapshot(s3), before);
        assert.equal(before.policy, policy);
        for (const [key, expected] of [...bodies, ['multipart.bin', multipart] as const]) {
          sameBytes(await body(s3, policyBucket, key), expected, key);
        }
        assert.equal(
          before.objects.find((o) => o.Key === 'binary/random.bin')?.ETag,
          `"${md5(bodies.get('binary/random.bin') ?? Buffer.alloc(0))}"`,
        );

        // The policy is not only stored but enforced: the reader (its key kept by IAM) still reads notes/ only.
        const asReader = s3Client(endpoint, reader);
        assert.equal((await body(asReader, policyBucket, 'notes/readme.txt')).toString(), 'kept across a restart\n');
        assert.equal(
          (await awsErrorOf(asReader.send(new GetObjectCommand({ Bucket: policyBucket, Key: 'empty' })))).code,
          'AccessDenied',
        );

        // The open upload goes on where it stopped.
        const last = await s3.send(
          new UploadPartCommand({
            Bucket: policyBucket,
            Key: 'pending.bin',
            UploadId: pendingUpload,
            PartNumber: 2,
            Body: finalPart,
          }),
        );
        const first = before.parts[0];
        assert.ok(first);
        await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: policyBucket,
            Key: 'pending.bin',
            UploadId: pendingUpload,
            MultipartUpload: {
              Parts: [
                { PartNumber: 1, ETag: String(first[1]) },
                { PartNumber: 2, ETag: last.ETag },
              ],
            },
          }),
        );
        sameBytes(await body(s3, policyBucket, 'pending.bin'), Buffer.concat([pendingPart, finalPart]), 'pending.bin');
        await assertNoOrphans(s3, dataDir);
      });
    } finally {
      removeDir(dataDir);
    }
  });

  it('a restart keeps log groups, streams and events written with the AWS CLI', { skip: noAwsCli }, async () => {
    const dataDir = tempDir();
    const cli = (endpoint: string, args: readonly string[]): Record<string, unknown> => {
      const r = spawnSync('aws', ['--output', 'json', ...args], { env: clientEnv(endpoint), encoding: 'utf8' });
      assert.equal(r.status, 0, `aws ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
      return (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as Record<string, unknown>;
    };
    const group = '/rolecall/durable';
    const stream = 'instance-1';
    const now = Date.now();
    const events = [0, 1, 2].map((i) => ({ timestamp: now - 3000 + i * 1000, message: `event ${i}: kept` }));
    type Fields = Record<string, unknown>;
    /** The members compared before and after, from SDK v3 objects or the CLI's JSON (same names). */
    const view = (groups: Fields[], streams: Fields[], got: Fields[]) => ({
      groups: groups.map((g) => [g['logGroupName'], g['arn'], g['creationTime'], g['retentionInDays']]),
      streams: streams.map((x) => [
        x['logStreamName'],
        x['arn'],
        x['creationTime'],
        x['firstEventTimestamp'],
        x['lastEventTimestamp'],
      ]),
      events: got.map((e) => ({ timestamp: e['timestamp'], message: e['message'] })),
    });
    try {
      const before = await withServer(dataDir, async ({ endpoint }) => {
        cli(endpoint, ['logs', 'create-log-group', '--log-group-name', group]);
        cli(endpoint, ['logs', 'put-retention-policy', '--log-group-name', group, '--retention-in-days', '30']);
        cli(endpoint, ['logs', 'create-log-stream', '--log-group-name', group, '--log-stream-name', stream]);
        const put = ['--log-group-name', group, '--log-stream-name', stream, '--log-events', JSON.stringify(events)];
        cli(endpoint, ['logs', 'put-log-events', ...put]);
        const logs = new CloudWatchLogsClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
        try {
          const { logGroups = [] } = await logs.send(
            new DescribeLogGroupsCommand({ logGroupNamePrefix: '/rolecall/' }),
          );
          const { logStreams = [] } = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
          const got = await logs.send(
            new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }),
          );
          return view(logGroups as Fields[], logStreams as Fields[], (got.events ?? []) as Fields[]);
        } finally {
          logs.destroy();
        }
      });
      assert.deepEqual(before.events, events);
      assert.equal(before.groups.length, 1);
      assert.equal(before.groups[0]?.[3], 30);
      assert.equal(before.streams.length, 1);

      await withServer(dataDir, async ({ endpoint }) => {
        const groups = cli(endpoint, ['logs', 'describe-log-groups', '--log-group-name-prefix', '/rolecall/']);
        const streams = cli(endpoint, ['logs', 'describe-log-streams', '--log-group-name', group]);
        const got = cli(endpoint, [
          'logs',
          'get-log-events',
          '--log-group-name',
          group,
          '--log-stream-name',
          stream,
          '--start-from-head',
        ]);
        assert.deepEqual(
          view(groups['logGroups'] as Fields[], streams['logStreams'] as Fields[], got['events'] as Fields[]),
          before,
        );
      });
    } finally {
      removeDir(dataDir);
    }
  });

  it('SIGKILL in the middle of uploads loses no acknowledged object and shows no partial one', async () => {
    const dataDir = tempDir();
    const bucket = 'crash-test';
    /** What each key should hold if it is visible after the crash. */
    const expected = new Map<string, Buffer>();
    const acknowledged = new Set<string>();
    const stalled = new Map<string, Readable>();
    const settled: Promise<unknown>[] = [];
    const kept = randomBytes(2 * MiB);
    const firstPart = randomBytes(PART);
    let uploadId = '';
    let firstPartETag = '';
    const server = await startRolecall({ dataDir });
    try {
      const s3 = s3Client(server.endpoint);
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'overwritten', Body: kept }));
      expected.set('overwritten', kept);
      acknowledged.add('overwritten');
      const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'multipart-in-flight' }));
      assert.ok(mpu.UploadId);
      uploadId = mpu.UploadId;
      const part1 = await s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'multipart-in-flight',
          UploadId: uploadId,
          PartNumber: 1,
          Body: firstPart,
        }),
      );
      assert.ok(part1.ETag);
      firstPartETag = part1.ETag;

      const track = (key: string, call: Promise<unknown>) =>
        settled.push(
          call.then(
            () => acknowledged.add(key),
            () => undefined,
          ),
        );

      // Uploads that send part of their body and then wait forever: they must never become visible. One of them
      // overwrites an acknowledged object, which must keep its old body; one is part 2 of the open upload.
      const stall = (size: number): Readable => {
        const stream = new Readable({ read() {} });
        stream.push(randomBytes(Math.floor(size / 3)));
        return stream;
      };
      for (const key of ['stalled-1', 'stalled-2', 'overwritten']) {
        const stream = stall(4 * MiB);
        stalled.set(key, stream);
        track(
          `stalled:${key}`,
          s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: stream, ContentLength: 4 * MiB })),
        );
      }
      const partStream = stall(PART);
      stalled.set('part-2', partStream);
      track(
        'stalled:part-2',
        s3.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: 'multipart-in-flight',
            UploadId: uploadId,
            PartNumber: 2,
            Body: partStream,
            ContentLength: PART,
          }),
        ),
      );

      // Wait until every stalled upload is being written (its temp file exists in blobs/tmp).
      const tmp = join(dataDir, 'blobs', 'tmp');
      await until(
        () => filesUnder(tmp).length >= stalled.size,
        () => `temp files: ${filesUnder(tmp).join(', ')}`,
      );

      // Whole uploads racing the kill: the first few are acknowledged, the rest are cut off somewhere between
      // their first byte and their answer.
      const racing = Array.from({ length: 8 }, (_, i) => [`racing-${i}`, randomBytes(3 * MiB + i * 4099)] as const);
      for (const [key, data] of racing) {
        expected.set(key, data);
        track(key, s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data })));
      }
      const racingAcked = () => [...acknowledged].filter((k) => k.startsWith('racing-')).length;
      await until(
        () => racingAcked() >= 2,
        () => `acknowledged: ${[...acknowledged].join(', ')}`,
      );
      const exited = new Promise((done) => server.child.once('exit', done));
      server.child.kill('SIGKILL');
      await exited;
      await Promise.all(settled);
      s3.destroy();
      // An upload that resolved after the signal was sent was still answered before the process died, so it was
      // committed: every resolved upload counts as acknowledged.
      assert.ok(![...acknowledged].some((k) => k.startsWith('stalled:')), 'a stalled upload was acknowledged');
      // The kill did land in the middle of writes: their temp files are still there for startup to clean.
      assert.ok(filesUnder(tmp).length >= stalled.size, 'no write was in progress at the kill');

      await withServer(dataDir, async ({ endpoint }) => {
        const after = s3Client(endpoint);
        const listed = await listAll(after, bucket);
        const listedKeys = new Set(listed.map((o) => o.Key));
        for (const key of acknowledged) assert.ok(listedKeys.has(key), `acknowledged ${key} is missing`);
        for (const key of ['stalled-1', 'stalled-2']) assert.ok(!listedKeys.has(key), `partial ${key} is visible`);
        // Every listed object is complete: the size and MD5 ETag the list reports, and the bytes a GET returns.
        for (const o of listed) {
          const want = expected.get(o.Key);
          assert.ok(want, `unexpected object ${o.Key}`);
          assert.deepEqual([o.Size, o.ETag], [want.length, `"${md5(want)}"`], o.Key);
          sameBytes(await body(after, bucket, o.Key), want, o.Key);
        }
        // A key that was never acknowledged is either absent or complete (checked above); one absent from the
        // listing is absent to GET as well.
        for (const [key] of racing) {
          if (listedKeys.has(key)) continue;
          assert.equal(
            (await awsErrorOf(after.send(new HeadObjectCommand({ Bucket: bucket, Key: key })))).status,
            404,
            key,
          );
        }

        // The open upload kept its acknowledged part 1 and nothing of part 2; it can still be finished.
        const parts = await after.send(
          new ListPartsCommand({ Bucket: bucket, Key: 'multipart-in-flight', UploadId: uploadId }),
        );
        assert.deepEqual(
          (parts.Parts ?? []).map((p) => [p.PartNumber, p.ETag, p.Size]),
          [[1, firstPartETag, PART]],
        );
        await assertNoOrphans(after, dataDir);

        const tail = Buffer.from('the end');
        const part2 = await after.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: 'multipart-in-flight',
            UploadId: uploadId,
            PartNumber: 2,
            Body: tail,
          }),
        );
        await after.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: 'multipart-in-flight',
            UploadId: uploadId,
            MultipartUpload: {
              Parts: [
                { PartNumber: 1, ETag: firstPartETag },
                { PartNumber: 2, ETag: part2.ETag },
              ],
            },
          }),
        );
        sameBytes(
          await body(after, bucket, 'multipart-in-flight'),
          Buffer.concat([firstPart, tail]),
          'multipart-in-flight',
        );
        await assertNoOrphans(after, dataDir);
      });
    } finally {
      for (const stream of stalled.values()) stream.destroy();
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      removeDir(dataDir);
    }
  });
});
