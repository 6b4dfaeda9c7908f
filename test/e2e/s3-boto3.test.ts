/**
 * boto3 against rolecall's S3, as the account root: put_object/get_object, the transfer manager's upload_file and
 * download_file in multipart (a small multipart_threshold), the list_objects_v2 paginator, and presigned URLs.
 * Each test runs one Python script that prints its findings as JSON; the test compares them exactly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noBoto3, python } from '../support/clients.ts';
import { py, useServer } from './helpers.ts';
import { md5Hex, multipartEtag, randomFile, s3Messages as m, sha256 } from './s3-client-support.ts';

const MiB = 1024 * 1024;

/**
 * The start of every script: an S3 client for the endpoint in the environment, path-style and SigV4 (botocore
 * presigns with SigV2 in us-east-1 otherwise), no retries; `attempt` turns a ClientError into
 * {Code, Message, HTTPStatusCode}, `out` prints JSON.
 */
const PRELUDE = `
import base64, hashlib, json, os
import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client('s3', config=Config(signature_version='s3v4', s3={'addressing_style': 'path'},
                                       retries={'total_max_attempts': 1}))

def attempt(fn, **kwargs):
    try:
        response = fn(**kwargs)
        response.pop('ResponseMetadata', None)
        return {'ok': response}
    except ClientError as e:
        return {'error': {'Code': e.response['Error']['Code'], 'Message': e.response['Error'].get('Message'),
                          'HTTPStatusCode': e.response['ResponseMetadata']['HTTPStatusCode']}}

def out(value):
    print(json.dumps(value, default=str))
`;

describe('boto3 against rolecall S3', { skip: noBoto3 }, () => {
  const server = useServer();
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rolecall-s3-boto3-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = <T>(script: string): T => {
    const r = python(server().endpoint, `${PRELUDE}\n${script}`);
    assert.equal(r.status, 0, `python failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as T;
  };

  it('put_object and get_object round-trip bytes and metadata; a missing key is NoSuchKey', () => {
    const r = run<{
      put: { ETag: string; ChecksumCRC32?: string };
      body_b64: string;
      got: { ContentType: string; Metadata: Record<string, string>; ContentLength: number; ETag: string };
      head: { ContentLength: number; ETag: string };
      missing: unknown;
      missing_head: unknown;
    }>(`
s3.create_bucket(Bucket='py-roundtrip')
body = bytes(range(256)) * 4
put = s3.put_object(Bucket='py-roundtrip', Key='bin/all bytes', Body=body, ContentType='application/x-bytes',
                    Metadata={'Source': 'boto3'})
got = s3.get_object(Bucket='py-roundtrip', Key='bin/all bytes')
data = got['Body'].read()
head = s3.head_object(Bucket='py-roundtrip', Key='bin/all bytes')
out({
    'put': {'ETag': put['ETag']},
    'body_b64': base64.b64encode(data).decode(),
    'got': {k: got[k] for k in ('ContentType', 'Metadata', 'ContentLength', 'ETag')},
    'head': {k: head[k] for k in ('ContentLength', 'ETag')},
    'missing': attempt(s3.get_object, Bucket='py-roundtrip', Key='nope'),
    'missing_head': attempt(s3.head_object, Bucket='py-roundtrip', Key='nope'),
})
`);
    const body = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
    const etag = `"${md5Hex(body)}"`;
    assert.ok(Buffer.from(r.body_b64, 'base64').equals(body));
    assert.deepEqual(r.put, { ETag: etag });
    assert.deepEqual(r.got, {
      ContentType: 'application/x-bytes',
      Metadata: { source: 'boto3' },
      ContentLength: 1024,
      ETag: etag,
    });
    assert.deepEqual(r.head, { ContentLength: 1024, ETag: etag });
    assert.deepEqual(r.missing, { error: { Code: 'NoSuchKey', Message: m.noSuchKey, HTTPStatusCode: 404 } });
    // A HEAD error has no body: botocore names it after the status.
    assert.deepEqual(r.missing_head, { error: { Code: '404', Message: 'Not Found', HTTPStatusCode: 404 } });
  });

  it('upload_file and download_file go multipart with a small multipart_threshold; the copy is byte-exact', () => {
    const source = join(dir, 'upload.bin');
    const copy = join(dir, 'download.bin');
    const data = randomFile(source, 12 * MiB + 3);
    const r = run<{ etag: string; length: number; parts: number }>(`
s3.create_bucket(Bucket='py-transfer')
config = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024, max_concurrency=2)
s3.upload_file(${py(source)}, 'py-transfer', 'big/upload.bin', Config=config)
head = s3.head_object(Bucket='py-transfer', Key='big/upload.bin')
s3.download_file('py-transfer', 'big/upload.bin', ${py(copy)}, Config=config)
out({'etag': head['ETag'], 'length': head['ContentLength'], 'parts': int(head['ETag'].strip('"').split('-')[1])})
`);
    assert.deepEqual(r, { etag: multipartEtag(data, 5 * MiB), length: data.length, parts: 3 });
    assert.equal(sha256(readFileSync(copy)), sha256(data));
  });

  it('the list_objects_v2 paginator walks every page, with and without a delimiter', () => {
    const r = run<{ pages: string[][]; grouped: [string[], string[]][] }>(`
s3.create_bucket(Bucket='py-pages')
for key in ['a', 'b/1', 'b/2', 'c', 'd/1', 'e', 'f']:
    s3.put_object(Bucket='py-pages', Key=key, Body=key.encode())
paginator = s3.get_paginator('list_objects_v2')
pages = [[o['Key'] for o in p.get('Contents', [])]
         for p in paginator.paginate(Bucket='py-pages', PaginationConfig={'PageSize': 3})]
grouped = [[[o['Key'] for o in p.get('Contents', [])], [c['Prefix'] for c in p.get('CommonPrefixes', [])]]
           for p in paginator.paginate(Bucket='py-pages', Delimiter='/', PaginationConfig={'PageSize': 2})]
out({'pages': pages, 'grouped': grouped})
`);
    assert.deepEqual(r.pages, [['a', 'b/1', 'b/2'], ['c', 'd/1', 'e'], ['f']]);
    assert.deepEqual(r.grouped, [
      [['a'], ['b/']],
      [['c'], ['d/']],
      [['e', 'f'], []],
    ]);
  });

  it('generate_presigned_url: a GET and a PUT URL work with plain fetch', async () => {
    const r = run<{ get: string; put: string }>(`
s3.create_bucket(Bucket='py-presign')
s3.put_object(Bucket='py-presign', Key='shared/report.txt', Body=b'presigned by boto3')
out({
    'get': s3.generate_presigned_url('get_object', Params={'Bucket': 'py-presign', 'Key': 'shared/report.txt'},
                                     ExpiresIn=300),
    'put': s3.generate_presigned_url('put_object', Params={'Bucket': 'py-presign', 'Key': 'inbox/upload.txt'},
                                     ExpiresIn=300),
})
`);
    const getUrl = new URL(r.get);
    assert.deepEqual(
      [getUrl.searchParams.get('X-Amz-Algorithm'), getUrl.searchParams.get('X-Amz-Expires')],
      ['AWS4-HMAC-SHA256', '300'],
    );
    const got = await fetch(getUrl);
    assert.deepEqual([got.status, await got.text()], [200, 'presigned by boto3']);

    const put = await fetch(r.put, { method: 'PUT', body: 'uploaded with a boto3 URL' });
    assert.equal(put.status, 200, await put.text());
    const back = run<{ body: string }>(`
out({'body': s3.get_object(Bucket='py-presign', Key='inbox/upload.txt')['Body'].read().decode()})
`);
    assert.deepEqual(back, { body: 'uploaded with a boto3 URL' });
  });
});
