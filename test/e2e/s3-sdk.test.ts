/**
 * AWS SDK for JavaScript v3 (@aws-sdk/client-s3, lib-storage, s3-request-presigner) against rolecall's S3, as the
 * account root, with the SDK's defaults: since 3.729 it sends a CRC32 with every upload (a header for a body of
 * known bytes, an aws-chunked body with a trailer for a stream) and validates the checksum of what it downloads
 * when asked. Path-style addressing, and one suite in virtual-hosted style (bucket.s3.localhost).
 */
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import type { LookupAddress } from 'node:dns';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  BucketAlreadyOwnedByYou,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ROOT_CREDENTIALS, useServer } from './helpers.ts';
import {
  crc32Base64,
  fileSha256,
  md5Hex,
  multipartEtag,
  randomFile,
  s3Client,
  s3ErrorOf,
  s3Messages as m,
  sha256,
} from './s3-client-support.ts';

const MiB = 1024 * 1024;

type Headers = Record<string, string>;

/** Records the headers of every request as it leaves the client (after signing). */
function recordRequests(client: S3Client): Headers[] {
  const seen: Headers[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      seen.push({ ...(args.request as { headers: Headers }).headers });
      return next(args);
    },
    { step: 'deserialize', name: 'rolecallTestRecordRequests' },
  );
  return seen;
}

const bytesOf = async (out: GetObjectCommandOutput): Promise<Buffer> =>
  Buffer.from((await out.Body?.transformToByteArray()) ?? []);

/** The error a call fails with, as the SDK hands it over. */
async function failure(call: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof S3ServiceException, `not an S3 service error: ${String(err)}`);
    return err;
  }
  assert.fail('the call succeeded, but an S3 error was expected');
}

describe('SDK v3 against rolecall S3', { concurrency: 4 }, () => {
  const server = useServer();
  let s3: S3Client;
  let dir: string;
  before(() => {
    s3 = s3Client(server().endpoint);
    dir = mkdtempSync(join(tmpdir(), 'rolecall-s3-sdk-'));
  });
  after(() => {
    s3.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const bucket = (name: string) => s3.send(new CreateBucketCommand({ Bucket: name }));
  const get = (Bucket: string, Key: string) => s3.send(new GetObjectCommand({ Bucket, Key }));

  it('PutObject with the default checksums: a header for a string or Buffer, an aws-chunked CRC32 trailer for a stream', async () => {
    await bucket('sdk-checksums');
    const client = s3Client(server().endpoint);
    const seen = recordRequests(client);
    try {
      const text = 'a string body, é and all';
      const buffer = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
      // The SDK frames a stream in chunks of at least 8 KiB (its InvalidChunkSizeError otherwise), so three.
      const streamed = Buffer.concat([Buffer.alloc(65_536, 'a'), Buffer.alloc(65_536, 'b'), Buffer.from('tail')]);
      const cases: [string, Buffer, PutObjectCommandInputBody][] = [
        ['string', Buffer.from(text), text],
        ['buffer', buffer, buffer],
        [
          'stream',
          streamed,
          Readable.from([streamed.subarray(0, 65_536), streamed.subarray(65_536, 131_072), streamed.subarray(131_072)]),
        ],
      ];
      for (const [key, data, body] of cases) {
        const put = await client.send(
          new PutObjectCommand({
            Bucket: 'sdk-checksums',
            Key: key,
            Body: body,
            ...(key === 'stream' && { ContentLength: data.length }),
          }),
        );
        assert.deepEqual([put.ETag, put.ChecksumCRC32], [`"${md5Hex(data)}"`, crc32Base64(data)], key);
        const sent = seen.at(-1) ?? {};
        if (key === 'stream') {
          // What SDK v3 sends by default for a stream: an unsigned aws-chunked body whose CRC32 is a trailer.
          assert.deepEqual(
            [
              sent['content-encoding'],
              sent['x-amz-content-sha256'],
              sent['x-amz-trailer'],
              sent['x-amz-decoded-content-length'],
            ],
            ['aws-chunked', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-checksum-crc32', String(data.length)],
          );
        } else {
          assert.deepEqual(
            [sent['x-amz-checksum-crc32'], sent['x-amz-sdk-checksum-algorithm']],
            [crc32Base64(data), 'CRC32'],
          );
        }

        assert.ok((await bytesOf(await get('sdk-checksums', key))).equals(data), `${key}: the body is byte-exact`);
        // With ChecksumMode the SDK checks the returned CRC32 against the body (and throws when they differ).
        const checked = await client.send(
          new GetObjectCommand({ Bucket: 'sdk-checksums', Key: key, ChecksumMode: 'ENABLED' }),
        );
        assert.equal(checked.ChecksumCRC32, crc32Base64(data), key);
        assert.ok((await bytesOf(checked)).equals(data), key);
      }
    } finally {
      client.destroy();
    }
  });

  it('HeadObject and GetObject return the metadata; a Range gets 206 and Content-Range', async () => {
    await bucket('sdk-head');
    await s3.send(
      new PutObjectCommand({
        Bucket: 'sdk-head',
        Key: 'doc.txt',
        Body: '0123456789',
        ContentType: 'text/plain; charset=utf-8',
        ContentDisposition: 'inline',
        Metadata: { Reviewer: 'bob' },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'sdk-head', Key: 'doc.txt' }));
    assert.deepEqual(
      [head.$metadata.httpStatusCode, head.ContentLength, head.ETag, head.ContentType, head.ContentDisposition],
      [200, 10, `"${md5Hex(Buffer.from('0123456789'))}"`, 'text/plain; charset=utf-8', 'inline'],
    );
    assert.deepEqual(head.Metadata, { reviewer: 'bob' });
    assert.ok(head.LastModified instanceof Date && Math.abs(head.LastModified.getTime() - Date.now()) < 120_000);

    const part = await s3.send(new GetObjectCommand({ Bucket: 'sdk-head', Key: 'doc.txt', Range: 'bytes=3-6' }));
    assert.deepEqual(
      [part.$metadata.httpStatusCode, part.ContentRange, part.ContentLength, (await bytesOf(part)).toString()],
      [206, 'bytes 3-6/10', 4, '3456'],
    );
  });

  it('lib-storage Upload sends 24 MiB in 5 MiB parts (ETag "-5"), and the download is byte-exact', async () => {
    await bucket('sdk-upload');
    const file = join(dir, 'upload.bin');
    const data = randomFile(file, 24 * MiB);
    const upload = new Upload({
      client: s3,
      params: { Bucket: 'sdk-upload', Key: 'big/upload.bin', Body: createReadStream(file), ContentType: 'video/mp4' },
      partSize: 5 * MiB,
      queueSize: 2,
    });
    const done = await upload.done();
    const expected = multipartEtag(data, 5 * MiB);
    assert.match(expected, /-5"$/);
    assert.deepEqual([done.Bucket, done.Key, done.ETag], ['sdk-upload', 'big/upload.bin', expected]);

    const head = await s3.send(new HeadObjectCommand({ Bucket: 'sdk-upload', Key: 'big/upload.bin' }));
    assert.deepEqual([head.ContentLength, head.ETag, head.ContentType], [24 * MiB, expected, 'video/mp4']);
    const out = await get('sdk-upload', 'big/upload.bin');
    assert.equal(sha256(await bytesOf(out)), await fileSha256(file));
  });

  it('presigned GET and PUT URLs (s3-request-presigner) work with plain fetch', async () => {
    await bucket('sdk-presign');
    const data = Buffer.from('presigned download, byte for byte \x00\xff');
    await s3.send(new PutObjectCommand({ Bucket: 'sdk-presign', Key: 'in/get me.bin', Body: data }));
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'sdk-presign', Key: 'in/get me.bin' }), {
      expiresIn: 300,
    });
    const got = await fetch(getUrl);
    assert.equal(got.status, 200);
    assert.ok(Buffer.from(await got.arrayBuffer()).equals(data));

    // response-* overrides are honoured for signed requests (s3-facts §D.4).
    const overridden = await getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: 'sdk-presign',
        Key: 'in/get me.bin',
        ResponseContentType: 'application/x-override',
        ResponseContentDisposition: 'attachment; filename="x.bin"',
      }),
      { expiresIn: 300 },
    );
    const res = await fetch(overridden);
    await res.arrayBuffer();
    assert.deepEqual(
      [res.status, res.headers.get('content-type'), res.headers.get('content-disposition')],
      [200, 'application/x-override', 'attachment; filename="x.bin"'],
    );

    // The presigner hoists the SDK's CRC32 of the (absent) body into the URL, `x-amz-checksum-crc32=AAAAAA==`;
    // S3 does not check checksums on presigned uploads (S3 User Guide, "Uploading objects with presigned
    // URLs"; localstack/localstack#12169 matched AWS by ignoring it), so the upload works.
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'sdk-presign', Key: 'up/put.txt' }), {
      expiresIn: 300,
    });
    const put = await fetch(putUrl, { method: 'PUT', body: 'uploaded through a presigned URL' });
    assert.equal(put.status, 200, await put.text());
    assert.equal(put.headers.get('etag'), `"${md5Hex(Buffer.from('uploaded through a presigned URL'))}"`);
    const back = await s3.send(
      new GetObjectCommand({ Bucket: 'sdk-presign', Key: 'up/put.txt', ChecksumMode: 'ENABLED' }),
    );
    assert.equal((await bytesOf(back)).toString(), 'uploaded through a presigned URL');

    // The URL is for that key and method only.
    const elsewhere = new URL(putUrl);
    elsewhere.pathname = '/sdk-presign/up/other.txt';
    const refused = await s3ErrorOf(await fetch(elsewhere, { method: 'PUT', body: 'x' }));
    assert.deepEqual([refused.status, refused.fields['Code']], [403, 'SignatureDoesNotMatch']);
  });

  it('paginateListObjectsV2 walks every page in key order', async () => {
    await bucket('sdk-pages');
    const keys = ['a', 'b/1', 'b/2', 'c', 'd/1', 'e', 'f'];
    await Promise.all(keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: 'sdk-pages', Key, Body: Key }))));
    const pages: string[][] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 3 }, { Bucket: 'sdk-pages' })) {
      pages.push((page.Contents ?? []).map((c) => c.Key ?? ''));
    }
    assert.deepEqual(pages, [['a', 'b/1', 'b/2'], ['c', 'd/1', 'e'], ['f']]);
    const grouped: [string[], string[]][] = [];
    for await (const page of paginateListObjectsV2(
      { client: s3, pageSize: 2 },
      { Bucket: 'sdk-pages', Delimiter: '/' },
    )) {
      grouped.push([
        (page.Contents ?? []).map((c) => c.Key ?? ''),
        (page.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''),
      ]);
    }
    assert.deepEqual(grouped, [
      [['a'], ['b/']],
      [['c'], ['d/']],
      [['e', 'f'], []],
    ]);
  });

  it('DeleteObjects reports a missing key as deleted; CopyObject copies or replaces metadata', async () => {
    await bucket('sdk-ops');
    await s3.send(
      new PutObjectCommand({
        Bucket: 'sdk-ops',
        Key: 'orig',
        Body: 'original',
        Metadata: { v: '1' },
        ContentType: 'text/x',
      }),
    );
    const copied = await s3.send(new CopyObjectCommand({ Bucket: 'sdk-ops', Key: 'copy', CopySource: 'sdk-ops/orig' }));
    assert.equal(copied.CopyObjectResult?.ETag, `"${md5Hex(Buffer.from('original'))}"`);
    assert.ok(copied.CopyObjectResult?.LastModified instanceof Date);
    const kept = await s3.send(new HeadObjectCommand({ Bucket: 'sdk-ops', Key: 'copy' }));
    assert.deepEqual([kept.Metadata, kept.ContentType], [{ v: '1' }, 'text/x']);
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'sdk-ops',
        Key: 'replaced',
        CopySource: 'sdk-ops/orig',
        MetadataDirective: 'REPLACE',
        Metadata: { v: '2' },
        ContentType: 'text/y',
      }),
    );
    const replaced = await s3.send(new HeadObjectCommand({ Bucket: 'sdk-ops', Key: 'replaced' }));
    assert.deepEqual([replaced.Metadata, replaced.ContentType], [{ v: '2' }, 'text/y']);
    const self = await failure(
      s3.send(new CopyObjectCommand({ Bucket: 'sdk-ops', Key: 'orig', CopySource: 'sdk-ops/orig' })),
    );
    assert.deepEqual([self.name, self.message, self.$metadata.httpStatusCode], ['InvalidRequest', m.selfCopy, 400]);
    // The same error from CopyObject and UploadPartCopy when the source names no key.
    const noKey = await failure(s3.send(new CopyObjectCommand({ Bucket: 'sdk-ops', Key: 'k', CopySource: 'sdk-ops' })));
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'sdk-ops', Key: 'mp' }));
    const noKeyPart = await failure(
      s3.send(
        new UploadPartCopyCommand({
          Bucket: 'sdk-ops',
          Key: 'mp',
          UploadId: upload.UploadId,
          PartNumber: 1,
          CopySource: 'sdk-ops/',
        }),
      ),
    );
    for (const e of [noKey, noKeyPart]) {
      assert.deepEqual(
        [e.name, e.message, e.$metadata.httpStatusCode],
        ['InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey.', 400],
      );
    }
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'sdk-ops', Key: 'mp', UploadId: upload.UploadId }));

    const deleted = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'sdk-ops',
        Delete: { Objects: [{ Key: 'copy' }, { Key: 'never-existed' }, { Key: 'replaced' }] },
      }),
    );
    assert.deepEqual(
      [(deleted.Deleted ?? []).map((d) => d.Key).sort(), deleted.Errors],
      [['copy', 'never-existed', 'replaced'], undefined],
    );
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'sdk-ops' }));
    assert.deepEqual(
      (left.Contents ?? []).map((c) => c.Key),
      ['orig'],
    );
  });

  it('errors are typed SDK exceptions with the status: NoSuchKey, NoSuchBucket, NotFound for HEAD', async () => {
    await bucket('sdk-errors');
    const noKey = await failure(get('sdk-errors', 'missing/key'));
    assert.ok(noKey instanceof NoSuchKey);
    assert.deepEqual([noKey.name, noKey.message, noKey.$metadata.httpStatusCode], ['NoSuchKey', m.noSuchKey, 404]);
    // S3's RequestId and HostId (x-amz-request-id, x-amz-id-2) reach the SDK's metadata.
    assert.ok(noKey.$metadata.requestId && noKey.$metadata.extendedRequestId, JSON.stringify(noKey.$metadata));

    const noBucket = await failure(s3.send(new ListObjectsV2Command({ Bucket: 'sdk-no-such-bucket' })));
    assert.ok(noBucket instanceof NoSuchBucket);
    assert.deepEqual(
      [noBucket.name, noBucket.message, noBucket.$metadata.httpStatusCode],
      ['NoSuchBucket', m.noSuchBucket, 404],
    );
    const putNoBucket = await failure(
      s3.send(new PutObjectCommand({ Bucket: 'sdk-no-such-bucket', Key: 'k', Body: 'x' })),
    );
    assert.deepEqual([putNoBucket.name, putNoBucket.$metadata.httpStatusCode], ['NoSuchBucket', 404]);

    // HEAD responses have no body, so the SDK names the error after the status.
    const head = await failure(s3.send(new HeadObjectCommand({ Bucket: 'sdk-errors', Key: 'missing' })));
    assert.deepEqual([head.name, head.$metadata.httpStatusCode], ['NotFound', 404]);

    const eu = s3Client(server().endpoint, 'eu-west-1');
    try {
      const create = () =>
        eu.send(
          new CreateBucketCommand({
            Bucket: 'sdk-errors-eu',
            CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
          }),
        );
      await create();
      const owned = await failure(create());
      assert.ok(owned instanceof BucketAlreadyOwnedByYou);
      assert.deepEqual([owned.message, owned.$metadata.httpStatusCode], [m.bucketAlreadyOwnedByYou, 409]);
    } finally {
      eu.destroy();
    }
  });
});

/**
 * Virtual-hosted style: the bucket in the Host (`bucket.s3.localhost:PORT`). glibc resolves `*.localhost` only
 * with nss-myhostname, which many machines lack, so the client's agent resolves it to 127.0.0.1 itself (as
 * RFC 6761 says `.localhost` names resolve), instead of the test depending on the machine's resolver.
 */
describe('SDK v3 against rolecall S3, virtual-hosted style', () => {
  const server = useServer();
  let s3: S3Client;
  const hosts: string[] = [];
  before(() => {
    const lookup = (
      hostname: string,
      options: { all?: boolean },
      callback: (err: null, address: string | LookupAddress[], family?: number) => void,
    ) => {
      hosts.push(hostname);
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    const port = new URL(server().endpoint).port;
    s3 = new S3Client({
      endpoint: `http://s3.localhost:${port}`,
      region: 'us-east-1',
      credentials: ROOT_CREDENTIALS,
      requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, lookup } as never) }),
    });
  });
  after(() => s3.destroy());

  it('creates a bucket, puts, gets and lists through bucket.s3.localhost', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-vhost' }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'sdk-vhost', Key: 'dir/a b.txt', Body: 'virtual host' }));
    assert.equal(put.ETag, `"${md5Hex(Buffer.from('virtual host'))}"`);
    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'sdk-vhost', Key: 'dir/a b.txt', ChecksumMode: 'ENABLED' }),
    );
    assert.equal(await got.Body?.transformToString(), 'virtual host');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'sdk-vhost' }));
    assert.deepEqual(
      (listed.Contents ?? []).map((c) => c.Key),
      ['dir/a b.txt'],
    );
    assert.ok(hosts.includes('sdk-vhost.s3.localhost'), `hosts resolved: ${hosts.join(', ')}`);
    const missing = await failure(s3.send(new GetObjectCommand({ Bucket: 'sdk-vhost', Key: 'nope' })));
    assert.deepEqual([missing.name, missing.message], ['NoSuchKey', m.noSuchKey]);
  });
});

type PutObjectCommandInputBody = string | Buffer | Readable;
