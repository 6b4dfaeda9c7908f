import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { s3Model } from '../generated/s3.ts';
import { matchBinding, parseQuery } from './bindings.ts';

const op = (method: string, path: string, query = '', headers: Record<string, string> = {}) =>
  matchBinding(
    s3Model,
    method,
    path.split('/').filter((_, i) => i > 0),
    parseQuery(query),
    headers,
  )?.binding.operation;

describe('REST bindings: which S3 operation a request names', () => {
  it('shared method and path are told apart by required query parameters and headers', () => {
    assert.equal(op('PUT', '/b/k'), 'PutObject');
    assert.equal(op('PUT', '/b/k', '', { 'x-amz-copy-source': 'a/b' }), 'CopyObject');
    assert.equal(op('PUT', '/b/k', 'partNumber=1&uploadId=u'), 'UploadPart');
    assert.equal(op('PUT', '/b/k', 'partNumber=1&uploadId=u', { 'x-amz-copy-source': 'a/b' }), 'UploadPartCopy');
    assert.equal(op('POST', '/b/k', 'uploadId=u'), 'CompleteMultipartUpload');
    assert.equal(op('POST', '/b/k', 'uploads'), 'CreateMultipartUpload');
    assert.equal(op('DELETE', '/b/k', 'uploadId=u'), 'AbortMultipartUpload');
    assert.equal(op('GET', '/b/k', 'uploadId=u'), 'ListParts');
    assert.equal(op('GET', '/b/k', 'tagging'), 'GetObjectTagging');
  });

  it('bucket operations by subresource; list-type=2 is ListObjectsV2', () => {
    assert.equal(op('GET', '/b'), 'ListObjects');
    assert.equal(op('GET', '/b/'), 'ListObjects');
    assert.equal(op('GET', '/b', 'list-type=2&prefix=x'), 'ListObjectsV2');
    assert.equal(op('GET', '/b', 'location'), 'GetBucketLocation');
    assert.equal(op('GET', '/b', 'uploads'), 'ListMultipartUploads');
    assert.equal(op('PUT', '/b', 'policy'), 'PutBucketPolicy');
    assert.equal(op('DELETE', '/b', 'publicAccessBlock'), 'DeletePublicAccessBlock');
    assert.equal(op('POST', '/b', 'delete'), 'DeleteObjects');
    assert.equal(op('HEAD', '/b'), 'HeadBucket');
    assert.equal(op('HEAD', '/b/k'), 'HeadObject');
    assert.equal(op('GET', '/'), 'ListBuckets');
  });

  it('a key keeps its slashes and is percent-decoded', () => {
    const m = matchBinding(s3Model, 'GET', ['b', 'a%20b', 'c%2Fd', ''], parseQuery(''), {});
    assert.equal(m?.labels['Key'], 'a b/c/d/');
    assert.equal(m?.labels['Bucket'], 'b');
  });

  it('no binding for a method the path does not take', () => {
    assert.equal(op('POST', '/b/k'), undefined);
    assert.equal(op('PATCH', '/b'), undefined);
  });
});
