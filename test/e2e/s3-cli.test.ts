/**
 * The AWS CLI against rolecall's S3, as the account root: the `aws s3` commands (mb, cp both ways, ls, sync both
 * ways, rm, rb, presign, a 64 MiB multipart upload) and `aws s3api` for what `aws s3` does not reach (metadata,
 * ranges, conditions, copies, batch deletes, listings, multipart by hand, tags, bucket policies, Block Public
 * Access, locations) with S3's exact errors. Each test has its own bucket; the tests of a suite run concurrently
 * because every CLI call is a process start (expected values: docs/research/s3-facts.md).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { noAwsCli } from '../support/clients.ts';
import { advanceClock } from '../support/clock.ts';
import { cliServiceErrorStatus, DEFAULT_ACCOUNT, useServer } from './helpers.ts';
import {
  cliErrorLine,
  CliWorkspace,
  crc32Base64,
  fileSha256,
  md5Hex,
  multipartEtag,
  randomFile,
  s3Client,
  s3ErrorOf,
  s3Messages as m,
  sha256,
  type CliCall,
} from './s3-client-support.ts';

const MiB = 1024 * 1024;

interface HeadObject {
  ChecksumCRC32?: string;
  AcceptRanges?: string;
  LastModified?: string;
  ContentLength?: number;
  ETag?: string;
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  CacheControl?: string;
  ContentRange?: string;
  Metadata?: Record<string, string>;
}
interface ListV2 {
  IsTruncated?: boolean;
  Contents?: { Key: string; Size: number; ETag: string; StorageClass: string }[];
  CommonPrefixes?: { Prefix: string }[];
  KeyCount?: number;
  MaxKeys?: number;
  NextContinuationToken?: string;
  ContinuationToken?: string;
  StartAfter?: string;
  NextToken?: string;
}
interface ListV1 {
  IsTruncated?: boolean;
  Marker?: string;
  NextMarker?: string;
  Contents?: { Key: string }[];
  CommonPrefixes?: { Prefix: string }[];
}
interface Part {
  PartNumber: number;
  ETag: string;
  Size: number;
}

const keysOf = (l: { Contents?: { Key: string }[] }) => (l.Contents ?? []).map((c) => c.Key);
const prefixesOf = (l: { CommonPrefixes?: { Prefix: string }[] }) => (l.CommonPrefixes ?? []).map((p) => p.Prefix);
const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '');

/** `aws s3 ls` output as [size, name] for objects and ['PRE', name] for common prefixes. */
function lsEntries(stdout: string): [string, string][] {
  return lines(stdout).map((line) => {
    const pre = /^\s+PRE (.+)$/.exec(line);
    if (pre) return ['PRE', pre[1] ?? ''];
    const obj = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +(\d+) (.+)$/.exec(line);
    assert.ok(obj, `not an ls line: ${JSON.stringify(line)}`);
    return [obj[1] ?? '', obj[2] ?? ''];
  });
}

const SERVICE_ERROR = noAwsCli ? 0 : cliServiceErrorStatus();
/** CLI v1 presigns with SigV2 in us-east-1 unless configured otherwise; v2 always uses SigV4. */
const noSigV2Presign = SERVICE_ERROR === 255 ? false : 'AWS CLI v2 presigns with SigV4 whatever the configuration';

/** The CLI calls of one suite: its server and workspace, and assertions on the CLI's output. */
function cliSuite() {
  const server = useServer();
  let ws: CliWorkspace | undefined;
  let client: S3Client | undefined;
  before(() => {
    ws = new CliWorkspace();
    client = s3Client(server().endpoint);
  });
  after(() => {
    ws?.remove();
    client?.destroy();
  });
  /** SDK v3 sets up and reads back state where the CLI is not what is tested (a CLI call is a process start). */
  const sdk = (): S3Client => {
    assert.ok(client);
    return client;
  };
  const createBucket = async (bucket: string) => {
    await sdk().send(new CreateBucketCommand({ Bucket: bucket }));
  };
  const putObject = async (
    bucket: string,
    key: string,
    body: string | Buffer = '',
    extra: Partial<PutObjectCommandInput> = {},
  ) => (await sdk().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }))).ETag ?? '';
  const headObject = (bucket: string, key: string) => sdk().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const bucketNames = async () =>
    ((await sdk().send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? '');
  const listKeys = async (bucket: string) =>
    ((await sdk().send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((c) => c.Key ?? '');
  const workspace = (): CliWorkspace => {
    assert.ok(ws);
    return ws;
  };
  const run = (args: readonly string[], options: { plainConfig?: boolean } = {}): Promise<CliCall> =>
    workspace().run(server().endpoint, args, options);
  /** A command that must succeed; its JSON output ({} when it prints nothing). */
  const ok = async <T = Record<string, unknown>>(args: readonly string[]): Promise<T> => {
    const r = await run(args);
    assert.equal(r.status, 0, `aws ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
    return (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as T;
  };
  /** A high-level `aws s3` command that must succeed; its stdout. */
  const s3 = async (args: readonly string[]): Promise<string> => {
    const r = await run(['s3', ...args]);
    assert.equal(r.status, 0, `aws s3 ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
    return r.stdout;
  };
  /** An s3api command that must fail with this service error, printed as the CLI prints it. */
  const fails = async (args: readonly string[], code: string, operation: string, message: string) => {
    const r = await run(args);
    assert.deepEqual(
      { status: r.status, stdout: r.stdout, stderr: r.stderr },
      { status: SERVICE_ERROR, stdout: '', stderr: cliErrorLine(code, operation, message) },
      `aws ${args.join(' ')}`,
    );
  };
  const mb = async (bucket: string) => assert.equal(await s3(['mb', `s3://${bucket}`]), `make_bucket: ${bucket}\n`);
  const head = (bucket: string, key: string, ...extra: string[]) =>
    ok<HeadObject>(['s3api', 'head-object', '--bucket', bucket, '--key', key, ...extra]);
  return {
    server,
    workspace,
    run,
    ok,
    s3,
    fails,
    mb,
    head,
    sdk,
    createBucket,
    putObject,
    headObject,
    listKeys,
    bucketNames,
  };
}

describe('the AWS CLI against rolecall S3', { skip: noAwsCli, concurrency: 4 }, () => {
  const {
    server,
    workspace,
    run,
    ok,
    s3,
    fails,
    mb,
    head,
    sdk,
    createBucket,
    putObject,
    headObject,
    listKeys,
    bucketNames,
  } = cliSuite();

  it('aws s3 mb, cp up and down, and ls of buckets, prefixes and whole buckets', async () => {
    const ws = workspace();
    await mb('cli-basic');
    writeFileSync(ws.path('hello.txt'), 'hello, S3\n');
    const data = randomFile(ws.path('data.bin'), 3000);
    assert.equal(
      await s3(['cp', 'hello.txt', 's3://cli-basic/docs/hello.txt', '--no-progress']),
      'upload: ./hello.txt to s3://cli-basic/docs/hello.txt\n',
    );
    assert.equal(
      await s3(['cp', 'data.bin', 's3://cli-basic/docs/deep/key with spaces.bin', '--no-progress']),
      'upload: ./data.bin to s3://cli-basic/docs/deep/key with spaces.bin\n',
    );
    await putObject('cli-basic', 'data.bin', data);

    assert.ok(
      lines(await s3(['ls'])).some((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d cli-basic$/.test(l)),
      'ls lists the bucket',
    );
    assert.deepEqual(lsEntries(await s3(['ls', 's3://cli-basic'])), [
      ['PRE', 'docs/'],
      ['3000', 'data.bin'],
    ]);
    assert.deepEqual(lsEntries(await s3(['ls', 's3://cli-basic/docs/'])), [
      ['PRE', 'deep/'],
      ['10', 'hello.txt'],
    ]);
    // Without a trailing slash the argument is a key prefix: the common prefix it starts is listed.
    assert.deepEqual(lsEntries(await s3(['ls', 's3://cli-basic/do'])), [['PRE', 'docs/']]);
    assert.deepEqual(lsEntries(await s3(['ls', 's3://cli-basic', '--recursive'])), [
      ['3000', 'data.bin'],
      ['3000', 'docs/deep/key with spaces.bin'],
      ['10', 'docs/hello.txt'],
    ]);

    assert.equal(
      await s3(['cp', 's3://cli-basic/docs/deep/key with spaces.bin', 'down.bin', '--no-progress']),
      'download: s3://cli-basic/docs/deep/key with spaces.bin to ./down.bin\n',
    );
    assert.ok(readFileSync(ws.path('down.bin')).equals(data), 'the download is byte-exact');
    assert.equal(await s3(['cp', 's3://cli-basic/docs/hello.txt', '-']), 'hello, S3\n');
  });

  it('aws s3 cp uploads a 64 MiB file in 8 MiB parts (ETag "-8") and downloads it byte for byte', async () => {
    const ws = workspace();
    await createBucket('cli-large');
    const data = randomFile(ws.path('large.bin'), 64 * MiB);
    const expectedEtag = multipartEtag(data, 8 * MiB);
    const expectedSha = sha256(data);
    await s3(['cp', 'large.bin', 's3://cli-large/large.bin', '--no-progress']);
    const meta = await headObject('cli-large', 'large.bin');
    assert.deepEqual([meta.ETag, meta.ContentLength], [expectedEtag, 64 * MiB]);
    assert.match(meta.ETag ?? '', /^"[0-9a-f]{32}-8"$/);
    await s3(['cp', 's3://cli-large/large.bin', 'large.out', '--no-progress']);
    assert.equal(statSync(ws.path('large.out')).size, 64 * MiB);
    assert.equal(await fileSha256(ws.path('large.out')), expectedSha);
  });

  it('aws s3 sync uploads and downloads a tree, a second sync copies nothing, --delete removes', async () => {
    const ws = workspace();
    await createBucket('cli-sync');
    mkdirSync(ws.path('tree', 'sub', 'deeper'), { recursive: true });
    writeFileSync(ws.path('tree', 'a.txt'), 'alpha\n');
    writeFileSync(ws.path('tree', 'sub', 'b.txt'), 'bravo\n');
    const c = randomFile(ws.path('tree', 'sub', 'deeper', 'c.bin'), 20_000);

    assert.deepEqual(lines(await s3(['sync', 'tree', 's3://cli-sync/site', '--no-progress'])).sort(), [
      'upload: tree/a.txt to s3://cli-sync/site/a.txt',
      'upload: tree/sub/b.txt to s3://cli-sync/site/sub/b.txt',
      'upload: tree/sub/deeper/c.bin to s3://cli-sync/site/sub/deeper/c.bin',
    ]);
    assert.equal(await s3(['sync', 'tree', 's3://cli-sync/site', '--no-progress']), '');

    assert.deepEqual(lines(await s3(['sync', 's3://cli-sync/site', 'copy', '--no-progress'])).sort(), [
      'download: s3://cli-sync/site/a.txt to copy/a.txt',
      'download: s3://cli-sync/site/sub/b.txt to copy/sub/b.txt',
      'download: s3://cli-sync/site/sub/deeper/c.bin to copy/sub/deeper/c.bin',
    ]);
    assert.equal(await s3(['sync', 's3://cli-sync/site', 'copy', '--no-progress']), '');
    assert.equal(readFileSync(ws.path('copy', 'a.txt'), 'utf8'), 'alpha\n');
    assert.equal(readFileSync(ws.path('copy', 'sub', 'b.txt'), 'utf8'), 'bravo\n');
    assert.ok(readFileSync(ws.path('copy', 'sub', 'deeper', 'c.bin')).equals(c));

    // A changed file (its size differs) is the only one sent again; --delete removes what is gone remotely.
    writeFileSync(ws.path('tree', 'a.txt'), 'alpha, changed\n');
    assert.equal(
      await s3(['sync', 'tree', 's3://cli-sync/site', '--no-progress']),
      'upload: tree/a.txt to s3://cli-sync/site/a.txt\n',
    );
    await sdk().send(new DeleteObjectCommand({ Bucket: 'cli-sync', Key: 'site/sub/deeper/c.bin' }));
    assert.deepEqual(lines(await s3(['sync', 's3://cli-sync/site', 'copy', '--delete', '--no-progress'])).sort(), [
      'delete: copy/sub/deeper/c.bin',
      'download: s3://cli-sync/site/a.txt to copy/a.txt',
    ]);
    assert.equal(readFileSync(ws.path('copy', 'a.txt'), 'utf8'), 'alpha, changed\n');
    assert.equal(existsSync(ws.path('copy', 'sub', 'deeper', 'c.bin')), false);
  });

  it('aws s3 rm (one key, --recursive), rb refuses a non-empty bucket and leaves it, rb --force empties it', async () => {
    await createBucket('cli-rm');
    for (const key of ['keep.txt', 'gone.txt', 'logs/a.log', 'logs/x/b.log']) await putObject('cli-rm', key, 'x');

    assert.equal(await s3(['rm', 's3://cli-rm/gone.txt']), 'delete: s3://cli-rm/gone.txt\n');
    assert.deepEqual(lines(await s3(['rm', 's3://cli-rm/logs/', '--recursive'])).sort(), [
      'delete: s3://cli-rm/logs/a.log',
      'delete: s3://cli-rm/logs/x/b.log',
    ]);
    assert.deepEqual(await listKeys('cli-rm'), ['keep.txt']);

    const refused = await run(['s3', 'rb', 's3://cli-rm']);
    assert.deepEqual(
      { status: refused.status, stderr: refused.stderr },
      {
        status: 1,
        stderr: `remove_bucket failed: s3://cli-rm ${cliErrorLine('BucketNotEmpty', 'DeleteBucket', m.bucketNotEmpty)}`,
      },
    );
    assert.deepEqual(await listKeys('cli-rm'), ['keep.txt'], 'the refused rb changed nothing');

    assert.deepEqual(lines(await s3(['rb', 's3://cli-rm', '--force'])), [
      'delete: s3://cli-rm/keep.txt',
      'remove_bucket: cli-rm',
    ]);
    const listed = await run(['s3', 'ls', 's3://cli-rm']);
    assert.deepEqual(
      [listed.status, listed.stderr],
      [SERVICE_ERROR, cliErrorLine('NoSuchBucket', 'ListObjectsV2', m.noSuchBucket)],
    );
  });

  it('aws s3 presign: the URL fetches the object byte-exact; a tampered one is SignatureDoesNotMatch', async () => {
    await createBucket('cli-presign');
    const data = randomFile(workspace().path('p.bin'), 5000);
    await putObject('cli-presign', 'dir/presigned file.bin', data);
    const url = new URL(
      (await s3(['presign', 's3://cli-presign/dir/presigned file.bin', '--expires-in', '300'])).trim(),
    );
    assert.equal(url.origin, server().endpoint);
    assert.equal(url.pathname, '/cli-presign/dir/presigned%20file.bin');
    assert.equal(url.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.equal(url.searchParams.get('X-Amz-Expires'), '300');

    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), `"${md5Hex(data)}"`);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(data), 'the presigned GET is byte-exact');

    const longer = new URL(url);
    longer.searchParams.set('X-Amz-Expires', '3000');
    const signature = url.searchParams.get('X-Amz-Signature') ?? '';
    const forged = new URL(url);
    forged.searchParams.set(
      'X-Amz-Signature',
      signature.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
    );
    const otherKey = new URL(url);
    otherKey.pathname = '/cli-presign/dir/other.bin';
    for (const tampered of [longer, forged, otherKey]) {
      const err = await s3ErrorOf(await fetch(tampered));
      assert.deepEqual(
        [err.status, err.fields['Code'], err.fields['Message'], err.fields['AWSAccessKeyId']],
        [403, 'SignatureDoesNotMatch', m.signatureMismatch, 'test'],
        tampered.href,
      );
      assert.equal(err.fields['SignatureProvided'], tampered.searchParams.get('X-Amz-Signature'));
    }
  });

  it(
    "aws s3 presign without the s3v4 setting makes a SigV2 URL, which is refused with S3's message",
    {
      skip: noSigV2Presign,
    },
    async () => {
      await createBucket('cli-sigv2');
      await putObject('cli-sigv2', 'v2.txt', 'v2');
      const r = await run(['s3', 'presign', 's3://cli-sigv2/v2.txt'], { plainConfig: true });
      assert.equal(r.status, 0, r.stderr);
      const url = new URL(r.stdout.trim());
      assert.ok(url.searchParams.has('AWSAccessKeyId') && url.searchParams.has('Signature'), url.href);
      const err = await s3ErrorOf(await fetch(url));
      assert.deepEqual([err.status, err.fields['Code'], err.fields['Message']], [400, 'InvalidRequest', m.sigV2]);
    },
  );

  it('s3api put-object keeps x-amz-meta-* and Content-Type/Encoding/Disposition; head and get return them', async () => {
    const ws = workspace();
    await createBucket('cli-meta');
    writeFileSync(ws.path('report.csv'), 'a,b\n1,2\n');
    const put = await ok<{ ETag: string }>([
      's3api',
      'put-object',
      '--bucket',
      'cli-meta',
      '--key',
      'reports/2024.csv',
      '--body',
      'report.csv',
      '--metadata',
      'owner=alice,Stage=draft',
      '--content-type',
      'text/csv',
      '--content-encoding',
      'identity',
      '--content-disposition',
      'attachment; filename="2024.csv"',
      '--cache-control',
      'max-age=60',
    ]);
    const etag = `"${md5Hex(Buffer.from('a,b\n1,2\n'))}"`;
    assert.equal(put.ETag, etag);
    const expected = {
      AcceptRanges: 'bytes',
      ContentLength: 8,
      ETag: etag,
      CacheControl: 'max-age=60',
      ContentDisposition: 'attachment; filename="2024.csv"',
      ContentEncoding: 'identity',
      ContentType: 'text/csv',
      // S3 keeps user metadata names in lower case (they travel as HTTP headers).
      Metadata: { owner: 'alice', stage: 'draft' },
    };
    const meta = await head('cli-meta', 'reports/2024.csv');
    assert.match(meta.LastModified ?? '', /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
    assert.deepEqual({ ...meta, LastModified: undefined }, { ...expected, LastModified: undefined });
    const got = await ok<HeadObject>([
      's3api',
      'get-object',
      '--bucket',
      'cli-meta',
      '--key',
      'reports/2024.csv',
      'got.csv',
    ]);
    // get-object asks for the checksum (botocore sends x-amz-checksum-mode: ENABLED and validates it); the CLI sent
    // a CRC32 with the upload, which S3 keeps.
    assert.deepEqual(
      { ...got, LastModified: undefined },
      { ...expected, ChecksumCRC32: crc32Base64('a,b\n1,2\n'), LastModified: undefined },
    );
    assert.equal(readFileSync(ws.path('got.csv'), 'utf8'), 'a,b\n1,2\n');
  });

  it('s3api get-object --range answers 206 with Content-Range; a range past the end is InvalidRange', async () => {
    const ws = workspace();
    await createBucket('cli-range');
    await putObject('cli-range', 'letters', 'abcdefghij');
    const get = ['s3api', 'get-object', '--bucket', 'cli-range', '--key', 'letters', '--range'];

    // --debug shows the status line urllib3 logged (the CLI prints no status otherwise).
    const debug = await run([...get, 'bytes=2-5', 'r1.txt', '--debug']);
    assert.equal(debug.status, 0);
    assert.match(debug.stderr, /"GET \/cli-range\/letters HTTP\/1\.1" 206 4/);
    assert.equal(readFileSync(ws.path('r1.txt'), 'utf8'), 'cdef');
    const stdout = JSON.parse(debug.stdout) as HeadObject;
    assert.deepEqual([stdout.ContentRange, stdout.ContentLength], ['bytes 2-5/10', 4]);

    const cases: [string, string, string][] = [
      ['bytes=-3', 'hij', 'bytes 7-9/10'],
      // An end past the object is clamped (s3-facts §D.3).
      ['bytes=5-100', 'fghij', 'bytes 5-9/10'],
    ];
    for (const [range, body, contentRange] of cases) {
      const out = await ok<HeadObject>([...get, range, `${range}.txt`]);
      assert.deepEqual(
        [out.ContentRange, out.ContentLength, readFileSync(ws.path(`${range}.txt`), 'utf8')],
        [contentRange, body.length, body],
        range,
      );
    }
    await fails([...get, 'bytes=10-20', 'r.txt'], 'InvalidRange', 'GetObject', m.invalidRange);
  });

  it('s3api conditional gets: If-None-Match → 304, If-Match mismatch → 412 PreconditionFailed', async () => {
    const ws = workspace();
    await createBucket('cli-cond');
    const etag = await putObject('cli-cond', 'c.txt', 'conditional');
    const lastModified = (await headObject('cli-cond', 'c.txt')).LastModified?.toUTCString() ?? '';
    const get = (...extra: string[]) => [
      's3api',
      'get-object',
      '--bucket',
      'cli-cond',
      '--key',
      'c.txt',
      ...extra,
      'out.txt',
    ];

    // The CLI reports a 304 by its status, with HTTP's reason phrase as the message.
    await fails(get('--if-none-match', etag), '304', 'GetObject', 'Not Modified');
    assert.equal(existsSync(ws.path('out.txt')), false, 'nothing was written for a 304');
    await fails(get('--if-modified-since', lastModified), '304', 'GetObject', 'Not Modified');
    await fails(
      get('--if-match', '"0123456789abcdef0123456789abcdef"'),
      'PreconditionFailed',
      'GetObject',
      m.preconditionFailed,
    );
    await fails(
      get('--if-unmodified-since', '2001-01-01T00:00:00Z'),
      'PreconditionFailed',
      'GetObject',
      m.preconditionFailed,
    );
    // HEAD errors have no body: the CLI shows the status and its reason phrase.
    await fails(
      ['s3api', 'head-object', '--bucket', 'cli-cond', '--key', 'c.txt', '--if-match', '"nope"'],
      '412',
      'HeadObject',
      'Precondition Failed',
    );
    assert.equal((await ok<HeadObject>(get('--if-match', etag))).ETag, etag);
    assert.equal(readFileSync(ws.path('out.txt'), 'utf8'), 'conditional');
  });

  it('s3api copy-object: COPY keeps metadata, REPLACE takes the new; copying onto itself unchanged is refused', async () => {
    await createBucket('cli-copy');
    const bodyEtag = await putObject('cli-copy', 'src.txt', 'source body', {
      Metadata: { origin: 'upload' },
      ContentType: 'text/plain',
    });
    assert.equal(bodyEtag, `"${md5Hex(Buffer.from('source body'))}"`);
    const copy = (key: string, ...extra: string[]) =>
      ok<{ CopyObjectResult: { ETag: string; LastModified: string } }>([
        's3api',
        'copy-object',
        '--bucket',
        'cli-copy',
        '--key',
        key,
        '--copy-source',
        'cli-copy/src.txt',
        ...extra,
      ]);
    const described = async (key: string) => {
      const h = await headObject('cli-copy', key);
      return [h.ContentType, h.Metadata, h.ETag];
    };

    const copied = await copy('copied.txt');
    assert.equal(copied.CopyObjectResult.ETag, bodyEtag);
    assert.match(copied.CopyObjectResult.LastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(await described('copied.txt'), ['text/plain', { origin: 'upload' }, bodyEtag]);

    await copy(
      'replaced.txt',
      '--metadata-directive',
      'REPLACE',
      '--metadata',
      'origin=copy',
      '--content-type',
      'application/json',
    );
    assert.deepEqual(await described('replaced.txt'), ['application/json', { origin: 'copy' }, bodyEtag]);

    const before = await headObject('cli-copy', 'src.txt');
    await fails(
      ['s3api', 'copy-object', '--bucket', 'cli-copy', '--key', 'src.txt', '--copy-source', 'cli-copy/src.txt'],
      'InvalidRequest',
      'CopyObject',
      m.selfCopy,
    );
    const unchanged = await headObject('cli-copy', 'src.txt');
    assert.deepEqual(
      [unchanged.LastModified, unchanged.Metadata, unchanged.ETag],
      [before.LastModified, before.Metadata, before.ETag],
      'the refused copy changed nothing',
    );
    // REPLACE onto itself is how metadata is changed in place.
    await copy('src.txt', '--metadata-directive', 'REPLACE', '--metadata', 'origin=edited');
    assert.deepEqual((await described('src.txt')).slice(1), [{ origin: 'edited' }, bodyEtag]);

    await fails(
      ['s3api', 'copy-object', '--bucket', 'cli-copy', '--key', 'x', '--copy-source', 'cli-copy/missing.txt'],
      'NoSuchKey',
      'CopyObject',
      m.noSuchKey,
    );
  });

  it('s3api delete-objects counts a missing key as deleted; quiet mode answers nothing', async () => {
    await createBucket('cli-delete');
    for (const key of ['k1', 'k2', 'k3']) await putObject('cli-delete', key);
    const deleted = await ok<{ Deleted: { Key: string }[]; Errors?: unknown }>([
      's3api',
      'delete-objects',
      '--bucket',
      'cli-delete',
      '--delete',
      JSON.stringify({ Objects: [{ Key: 'k1' }, { Key: 'missing' }] }),
    ]);
    assert.deepEqual(deleted, { Deleted: [{ Key: 'k1' }, { Key: 'missing' }] });
    const quiet = JSON.stringify({ Objects: [{ Key: 'k2' }], Quiet: true });
    assert.deepEqual(await ok(['s3api', 'delete-objects', '--bucket', 'cli-delete', '--delete', quiet]), {});
    assert.deepEqual(await listKeys('cli-delete'), ['k3']);
  });

  it('s3api list-objects-v2: prefix, delimiter, common prefixes, start-after, max-keys and pagination', async () => {
    await createBucket('cli-list');
    const keys = [
      'a.txt',
      'docs/2023/feb.txt',
      'docs/2023/jan.txt',
      'docs/2024/mar.txt',
      'docs/readme.md',
      'img/my photo+1.png',
      'z.txt',
    ];
    for (const key of keys) await putObject('cli-list', key, key);
    const list = (...args: string[]) => ok<ListV2>(['s3api', 'list-objects-v2', '--bucket', 'cli-list', ...args]);

    // The CLI asks for encoding-type=url and decodes the keys (the space and the plus come back as sent).
    const all = await list();
    assert.deepEqual(keysOf(all), keys);
    assert.deepEqual(
      all.Contents?.map((c) => [c.Size, c.StorageClass, c.ETag]),
      keys.map((k) => [Buffer.byteLength(k), 'STANDARD', `"${md5Hex(Buffer.from(k))}"`]),
    );

    const top = await list('--delimiter', '/');
    assert.deepEqual(
      [keysOf(top), prefixesOf(top)],
      [
        ['a.txt', 'z.txt'],
        ['docs/', 'img/'],
      ],
    );
    const docs = await list('--prefix', 'docs/', '--delimiter', '/');
    assert.deepEqual([keysOf(docs), prefixesOf(docs)], [['docs/readme.md'], ['docs/2023/', 'docs/2024/']]);
    assert.deepEqual(keysOf(await list('--start-after', 'docs/2024/mar.txt')), keys.slice(4));

    // One page as S3 sends it: KeyCount counts keys and common prefixes; the token leads to the next page.
    const first = await list('--no-paginate', '--max-keys', '2', '--delimiter', '/');
    assert.deepEqual(
      [keysOf(first), prefixesOf(first), first.KeyCount, first.MaxKeys, first.IsTruncated],
      [['a.txt'], ['docs/'], 2, 2, true],
    );
    const token = first.NextContinuationToken ?? '';
    assert.notEqual(token, '');
    const second = await list('--no-paginate', '--max-keys', '2', '--delimiter', '/', '--continuation-token', token);
    assert.deepEqual(
      [keysOf(second), prefixesOf(second), second.KeyCount, second.IsTruncated, second.ContinuationToken],
      [['z.txt'], ['img/'], 2, false, token],
    );
    assert.equal(second.NextContinuationToken, undefined);

    // The CLI's own pagination: --page-size is max-keys per request, --max-items what it prints.
    const p1 = await list('--page-size', '2', '--max-items', '3');
    assert.deepEqual(keysOf(p1), keys.slice(0, 3));
    assert.ok(p1.NextToken);
    const p2 = await list('--page-size', '2', '--max-items', '5', '--starting-token', p1.NextToken);
    assert.deepEqual([keysOf(p2), p2.NextToken], [keys.slice(3), undefined]);

    await fails(
      ['s3api', 'list-objects-v2', '--bucket', 'cli-list', '--no-paginate', '--continuation-token', 'bm90LWEtdG9rZW4='],
      'InvalidArgument',
      'ListObjectsV2',
      m.badContinuationToken,
    );
  });

  it('s3api list-objects (v1): marker, NextMarker only with a delimiter, and the CLI pages through all', async () => {
    await createBucket('cli-list-v1');
    const keys = ['a/1', 'a/2', 'b', 'c/3', 'd'];
    for (const key of keys) await putObject('cli-list-v1', key);
    const list = (...args: string[]) => ok<ListV1>(['s3api', 'list-objects', '--bucket', 'cli-list-v1', ...args]);

    const first = await list('--no-paginate', '--max-keys', '2');
    assert.deepEqual(
      [keysOf(first), first.IsTruncated, first.Marker, first.NextMarker],
      [['a/1', 'a/2'], true, '', undefined],
    );
    const next = await list('--no-paginate', '--max-keys', '2', '--marker', 'a/2');
    assert.deepEqual([keysOf(next), next.IsTruncated, next.Marker], [['b', 'c/3'], true, 'a/2']);
    const grouped = await list('--no-paginate', '--max-keys', '2', '--delimiter', '/');
    assert.deepEqual(
      [keysOf(grouped), prefixesOf(grouped), grouped.IsTruncated, grouped.NextMarker],
      [['b'], ['a/'], true, 'b'],
    );
    assert.deepEqual(keysOf(await list('--page-size', '2')), keys);
  });

  it('s3api multipart by hand: part checks at completion, list-parts, list-multipart-uploads, abort', async () => {
    const ws = workspace();
    await createBucket('cli-mpu');
    const five = randomFile(ws.path('five.bin'), 5 * MiB);
    const small = randomFile(ws.path('small.bin'), 100);
    const { UploadId: uploadId } = await ok<{ UploadId: string; Bucket: string; Key: string }>([
      's3api',
      'create-multipart-upload',
      '--bucket',
      'cli-mpu',
      '--key',
      'assembled.bin',
      '--content-type',
      'application/x-test',
    ]);
    const upload = ['--bucket', 'cli-mpu', '--key', 'assembled.bin', '--upload-id', uploadId];
    const uploadPart = async (n: number, file: string) =>
      (await ok<{ ETag: string }>(['s3api', 'upload-part', ...upload, '--part-number', String(n), '--body', file]))
        .ETag;
    const e1 = await uploadPart(1, 'small.bin');
    const e2 = await uploadPart(2, 'five.bin');
    const e3 = await uploadPart(3, 'small.bin');
    assert.deepEqual([e1, e2, e3], [`"${md5Hex(small)}"`, `"${md5Hex(five)}"`, `"${md5Hex(small)}"`]);

    const listed = await ok<{ Uploads: { Key: string; UploadId: string }[] }>([
      's3api',
      'list-multipart-uploads',
      '--bucket',
      'cli-mpu',
    ]);
    assert.deepEqual(
      listed.Uploads.map((u) => [u.Key, u.UploadId]),
      [['assembled.bin', uploadId]],
    );
    const parts = await ok<{ Parts: Part[] }>(['s3api', 'list-parts', ...upload]);
    assert.deepEqual(
      parts.Parts.map((p) => [p.PartNumber, p.Size, p.ETag]),
      [
        [1, 100, e1],
        [2, 5 * MiB, e2],
        [3, 100, e3],
      ],
    );

    const complete = (list: { PartNumber: number; ETag: string }[]) => [
      's3api',
      'complete-multipart-upload',
      ...upload,
      '--multipart-upload',
      JSON.stringify({ Parts: list }),
    ];
    await fails(
      complete([
        { PartNumber: 2, ETag: e2 },
        { PartNumber: 1, ETag: e1 },
      ]),
      'InvalidPartOrder',
      'CompleteMultipartUpload',
      m.invalidPartOrder,
    );
    // Part 1 is 100 bytes and not the last: only the last part may be under 5 MiB.
    await fails(
      complete([
        { PartNumber: 1, ETag: e1 },
        { PartNumber: 2, ETag: e2 },
      ]),
      'EntityTooSmall',
      'CompleteMultipartUpload',
      m.entityTooSmall,
    );
    await fails(complete([{ PartNumber: 2, ETag: e1 }]), 'InvalidPart', 'CompleteMultipartUpload', m.invalidPart);
    // The refusals changed nothing: no object was made, and the upload goes on.
    await assert.rejects(headObject('cli-mpu', 'assembled.bin'), { name: 'NotFound' });

    // Sending part 1 again replaces it; then the upload completes, the last part being the small one.
    assert.equal(await uploadPart(1, 'five.bin'), e2);
    const done = await ok<{ ETag: string; Bucket: string; Key: string }>(
      complete([
        { PartNumber: 1, ETag: e2 },
        { PartNumber: 2, ETag: e2 },
        { PartNumber: 3, ETag: e3 },
      ]),
    );
    const whole = Buffer.concat([five, five, small]);
    assert.deepEqual([done.Bucket, done.Key, done.ETag], ['cli-mpu', 'assembled.bin', multipartEtag(whole, 5 * MiB)]);
    const object = await sdk().send(new GetObjectCommand({ Bucket: 'cli-mpu', Key: 'assembled.bin' }));
    assert.deepEqual([object.ContentType, object.ContentLength], ['application/x-test', whole.length]);
    assert.equal(sha256(Buffer.from((await object.Body?.transformToByteArray()) ?? [])), sha256(whole));

    // An aborted upload is gone: its parts, its listing, and any further part.
    const { UploadId: other } = await ok<{ UploadId: string }>([
      's3api',
      'create-multipart-upload',
      '--bucket',
      'cli-mpu',
      '--key',
      'abandoned.bin',
    ]);
    const abandoned = ['--bucket', 'cli-mpu', '--key', 'abandoned.bin', '--upload-id', other];
    assert.deepEqual(await ok(['s3api', 'abort-multipart-upload', ...abandoned]), {});
    await fails(['s3api', 'list-parts', ...abandoned], 'NoSuchUpload', 'ListParts', m.noSuchUpload);
    await fails(
      ['s3api', 'upload-part', ...abandoned, '--part-number', '1', '--body', 'small.bin'],
      'NoSuchUpload',
      'UploadPart',
      m.noSuchUpload,
    );
    const after = await ok<{ Uploads?: unknown[] }>(['s3api', 'list-multipart-uploads', '--bucket', 'cli-mpu']);
    assert.deepEqual(after.Uploads ?? [], []);
  });

  it('s3api bucket and object tagging: put, get, delete; an untagged bucket is NoSuchTagSet', async () => {
    await createBucket('cli-tags');
    const bucket = ['--bucket', 'cli-tags'];
    await fails(['s3api', 'get-bucket-tagging', ...bucket], 'NoSuchTagSet', 'GetBucketTagging', m.noSuchTagSet);
    await ok([
      's3api',
      'put-bucket-tagging',
      ...bucket,
      '--tagging',
      'TagSet=[{Key=team,Value=core},{Key=env,Value=dev}]',
    ]);
    const tagged = await ok<{ TagSet: { Key: string; Value: string }[] }>(['s3api', 'get-bucket-tagging', ...bucket]);
    assert.deepEqual(
      [...tagged.TagSet].sort((a, b) => a.Key.localeCompare(b.Key)),
      [
        { Key: 'env', Value: 'dev' },
        { Key: 'team', Value: 'core' },
      ],
    );
    assert.deepEqual(await ok(['s3api', 'delete-bucket-tagging', ...bucket]), {});
    await fails(['s3api', 'get-bucket-tagging', ...bucket], 'NoSuchTagSet', 'GetBucketTagging', m.noSuchTagSet);

    const object = [...bucket, '--key', 'o.txt'];
    await putObject('cli-tags', 'o.txt');
    // An untagged object has an empty tag set (200), unlike a bucket (s3-facts §G).
    assert.deepEqual(await ok(['s3api', 'get-object-tagging', ...object]), { TagSet: [] });
    await ok(['s3api', 'put-object-tagging', ...object, '--tagging', 'TagSet=[{Key=class,Value=secret}]']);
    assert.deepEqual(await ok(['s3api', 'get-object-tagging', ...object]), {
      TagSet: [{ Key: 'class', Value: 'secret' }],
    });
    await ok(['s3api', 'delete-object-tagging', ...object]);
    assert.deepEqual(await ok(['s3api', 'get-object-tagging', ...object]), { TagSet: [] });
    await fails(
      ['s3api', 'get-object-tagging', ...bucket, '--key', 'missing.txt'],
      'NoSuchKey',
      'GetObjectTagging',
      m.noSuchKey,
    );
  });

  it('s3api bucket policy: put, get as sent, delete; an invalid one is MalformedPolicy and changes nothing', async () => {
    await createBucket('cli-policy');
    const bucket = ['--bucket', 'cli-policy'];
    await fails(
      ['s3api', 'get-bucket-policy', ...bucket],
      'NoSuchBucketPolicy',
      'GetBucketPolicy',
      m.noSuchBucketPolicy,
    );
    const statement = {
      Sid: 'ReadForOther',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::cli-policy/*',
    };
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [statement] }, null, 2);
    assert.deepEqual(await ok(['s3api', 'put-bucket-policy', ...bucket, '--policy', policy]), {});
    assert.deepEqual(await ok(['s3api', 'get-bucket-policy', ...bucket]), { Policy: policy });

    // Resources outside the bucket, with or without a wildcard (s3-facts §I.1).
    for (const resource of ['arn:aws:s3:::another-bucket/key', 'arn:aws:s3:::another-bucket/*']) {
      const wrong = JSON.stringify({ Version: '2012-10-17', Statement: [{ ...statement, Resource: resource }] });
      await fails(
        ['s3api', 'put-bucket-policy', ...bucket, '--policy', wrong],
        'MalformedPolicy',
        'PutBucketPolicy',
        m.invalidResource,
      );
    }
    // Which words S3 uses for JSON it cannot parse is not established (s3-facts §I.1): the code is checked.
    const broken = await run([
      's3api',
      'put-bucket-policy',
      ...bucket,
      '--policy',
      '{"Version": "2012-10-17", "Statement": [',
    ]);
    assert.equal(broken.status, SERVICE_ERROR);
    assert.match(broken.stderr, /^An error occurred \(MalformedPolicy\) when calling the PutBucketPolicy operation: /);
    // A new bucket blocks public policies (BlockPublicPolicy is on by default).
    const everyone = JSON.stringify({ Version: '2012-10-17', Statement: [{ ...statement, Principal: '*' }] });
    await fails(
      ['s3api', 'put-bucket-policy', ...bucket, '--policy', everyone],
      'AccessDenied',
      'PutBucketPolicy',
      m.blockedPublicPolicy(DEFAULT_ACCOUNT, 'cli-policy'),
    );
    assert.deepEqual(
      await ok(['s3api', 'get-bucket-policy', ...bucket]),
      { Policy: policy },
      'the refusals changed nothing',
    );

    assert.deepEqual(await ok(['s3api', 'delete-bucket-policy', ...bucket]), {});
    await fails(
      ['s3api', 'get-bucket-policy', ...bucket],
      'NoSuchBucketPolicy',
      'GetBucketPolicy',
      m.noSuchBucketPolicy,
    );
  });

  it('s3api public access block: a new bucket has all four on; put, get; delete, then get is 404', async () => {
    await createBucket('cli-pab');
    const bucket = ['--bucket', 'cli-pab'];
    const get = () => ok(['s3api', 'get-public-access-block', ...bucket]);
    assert.deepEqual(await get(), {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
    await ok([
      's3api',
      'put-public-access-block',
      ...bucket,
      '--public-access-block-configuration',
      'BlockPublicAcls=true,IgnorePublicAcls=false,BlockPublicPolicy=false,RestrictPublicBuckets=true',
    ]);
    assert.deepEqual(await get(), {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: false,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: true,
      },
    });
    assert.deepEqual(await ok(['s3api', 'delete-public-access-block', ...bucket]), {});
    await fails(
      ['s3api', 'get-public-access-block', ...bucket],
      'NoSuchPublicAccessBlockConfiguration',
      'GetPublicAccessBlock',
      m.noSuchPublicAccessBlock,
    );
  });

  it('s3api get-bucket-location: us-east-1 is null, a bucket made in eu-west-1 says so; creating it again', async () => {
    const created = await ok(['s3api', 'create-bucket', '--bucket', 'cli-loc-us']);
    assert.deepEqual(created, { Location: '/cli-loc-us' });
    assert.deepEqual(await ok(['s3api', 'get-bucket-location', '--bucket', 'cli-loc-us']), {
      LocationConstraint: null,
    });
    // us-east-1 answers 200 again to the owner, for legacy compatibility (s3-facts §B.3).
    assert.deepEqual(await ok(['s3api', 'create-bucket', '--bucket', 'cli-loc-us']), { Location: '/cli-loc-us' });

    const eu = ['--region', 'eu-west-1', '--create-bucket-configuration', 'LocationConstraint=eu-west-1'];
    await ok(['s3api', 'create-bucket', '--bucket', 'cli-loc-eu', ...eu]);
    assert.deepEqual(await ok(['s3api', 'get-bucket-location', '--bucket', 'cli-loc-eu']), {
      LocationConstraint: 'eu-west-1',
    });
    await fails(
      ['s3api', 'create-bucket', '--bucket', 'cli-loc-eu', ...eu],
      'BucketAlreadyOwnedByYou',
      'CreateBucket',
      m.bucketAlreadyOwnedByYou,
    );
    await fails(
      ['s3api', 'create-bucket', '--bucket', 'cli-loc-none', '--region', 'eu-west-1'],
      'IllegalLocationConstraintException',
      'CreateBucket',
      m.unspecifiedLocation,
    );
    await fails(
      [
        's3api',
        'create-bucket',
        '--bucket',
        'cli-loc-us1',
        '--create-bucket-configuration',
        'LocationConstraint=us-east-1',
      ],
      'InvalidLocationConstraint',
      'CreateBucket',
      m.invalidLocation,
    );
    const names = await bucketNames();
    assert.deepEqual(
      ['cli-loc-us', 'cli-loc-eu', 'cli-loc-none', 'cli-loc-us1'].map((n) => names.includes(n)),
      [true, true, false, false],
    );
  });

  it("s3api errors: NoSuchBucket, NoSuchKey, BucketNotEmpty, InvalidBucketName with S3's messages; nothing changes", async () => {
    const cli = (operation: string, ...args: string[]) => ['s3api', operation, ...args];
    await fails(
      cli('get-object', '--bucket', 'cli-nowhere', '--key', 'k', 'x.out'),
      'NoSuchBucket',
      'GetObject',
      m.noSuchBucket,
    );
    await fails(cli('list-objects-v2', '--bucket', 'cli-nowhere'), 'NoSuchBucket', 'ListObjectsV2', m.noSuchBucket);
    await fails(cli('head-bucket', '--bucket', 'cli-nowhere'), '404', 'HeadBucket', 'Not Found');

    await createBucket('cli-errors');
    await putObject('cli-errors', 'stays');
    await fails(
      cli('get-object', '--bucket', 'cli-errors', '--key', 'missing', 'x.out'),
      'NoSuchKey',
      'GetObject',
      m.noSuchKey,
    );
    await fails(cli('head-object', '--bucket', 'cli-errors', '--key', 'missing'), '404', 'HeadObject', 'Not Found');
    await fails(cli('delete-bucket', '--bucket', 'cli-errors'), 'BucketNotEmpty', 'DeleteBucket', m.bucketNotEmpty);
    assert.deepEqual(await listKeys('cli-errors'), ['stays']);

    // Names the CLI lets through (it checks only the characters) and S3 refuses (s3-facts §C).
    const invalid = ['ab', 'Upper-Case', 'two..dots', '192.168.5.4', '-dash-first'];
    for (const name of invalid) {
      await fails(cli('create-bucket', `--bucket=${name}`), 'InvalidBucketName', 'CreateBucket', m.invalidBucketName);
    }
    const names = await bucketNames();
    assert.deepEqual(
      invalid.filter((n) => names.includes(n)),
      [],
    );
  });
});

describe('aws s3 presign and rolecall clock', { skip: noAwsCli }, () => {
  const { server, s3, createBucket, putObject } = cliSuite();

  it('a presigned URL works until its expiry on rolecall clock, then is 403 AccessDenied "Request has expired"', async () => {
    await createBucket('cli-expiry');
    const data = randomBytes(1234);
    await putObject('cli-expiry', 'e.bin', data);
    const url = new URL((await s3(['presign', 's3://cli-expiry/e.bin', '--expires-in', '60'])).trim());
    const fresh = await fetch(url);
    assert.equal(fresh.status, 200);
    assert.ok(Buffer.from(await fresh.arrayBuffer()).equals(data));

    await advanceClock(server().endpoint, 120);
    const err = await s3ErrorOf(await fetch(url));
    const signedAt = (url.searchParams.get('X-Amz-Date') ?? '').replace(
      /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/,
      '$1-$2-$3T$4:$5:$6Z',
    );
    const expires = new Date(Date.parse(signedAt) + 60_000).toISOString().replace('.000Z', 'Z');
    assert.deepEqual(
      [err.status, err.fields['Code'], err.fields['Message'], err.fields['X-Amz-Expires'], err.fields['Expires']],
      [403, 'AccessDenied', m.requestExpired, '60', expires],
    );
    assert.ok(Date.parse(err.fields['ServerTime'] ?? '') >= Date.parse(expires) + 60_000, err.fields['ServerTime']);
  });
});
