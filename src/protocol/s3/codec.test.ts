import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError, isAwsError } from '../errors.ts';
import { s3Model } from '../generated/s3.ts';
import { bucketFromHost, s3Codec } from './codec.ts';

const wire = (method: string, path: string, query = '', host = '127.0.0.1:4566') => ({
  method,
  path,
  query,
  headers: { host },
  body: Buffer.alloc(0),
});

describe('S3 addressing', () => {
  it('virtual-hosted buckets from the Host header', () => {
    assert.equal(bucketFromHost('data.s3.localhost:4566'), 'data');
    assert.equal(bucketFromHost('my.dotted.bucket.localhost:4566'), 'my.dotted.bucket');
    assert.equal(bucketFromHost('data.s3.us-east-1.amazonaws.com'), 'data');
    assert.equal(bucketFromHost('data.s3.amazonaws.com'), 'data');
    assert.equal(bucketFromHost('data.s3-us-west-2.amazonaws.com'), 'data');
  });

  it('path style for addresses, localhost and the bare S3 endpoints', () => {
    for (const host of ['127.0.0.1:4566', 'localhost:4566', 's3.localhost:4566', '[::1]:4566', 's3.amazonaws.com']) {
      assert.equal(bucketFromHost(host), undefined, host);
    }
  });

  it('a virtual-hosted request names the same operation and input as its path-style twin', () => {
    const vh = wire('GET', '/dir/file.txt', '', 'data.s3.localhost:4566');
    assert.equal(s3Codec.operation(s3Model, vh), 'GetObject');
    const input = s3Codec.decode(s3Model, 'GetObject', vh).input;
    assert.equal(input['Bucket'], 'data');
    assert.equal(input['Key'], 'dir/file.txt');
  });

  it('a subresource rolecall does not serve is refused, never taken for the plain operation', () => {
    for (const q of ['acl', 'versioning', 'cors', 'lifecycle', 'versions']) {
      assert.throws(
        () => s3Codec.operation(s3Model, wire('GET', '/b', q)),
        (err: unknown) => isAwsError(err) && err.code === 'NotImplemented' && err.status === 501,
        q,
      );
    }
  });

  it('a method no operation takes is MethodNotAllowed with the resource type', () => {
    assert.throws(
      () => s3Codec.operation(s3Model, wire('POST', '/b/k')),
      (err: unknown) =>
        isAwsError(err) &&
        err.code === 'MethodNotAllowed' &&
        err.status === 405 &&
        err.details['ResourceType'] === 'OBJECT',
    );
  });

  it('errors are S3 XML with their extra elements, RequestId and HostId; 304 has no body', () => {
    const res = s3Codec.encodeError(
      s3Model,
      new AwsError('NoSuchKey', 404, 'The specified key does not exist.', 'Sender', { Key: 'a&b' }),
      'req-1',
    );
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-amz-request-id'], 'req-1');
    assert.match(
      String(res.body),
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>a&amp;b<\/Key><RequestId>req-1<\/RequestId><HostId>[A-Za-z0-9+/=]+<\/HostId><\/Error>$/,
    );
    const notModified = s3Codec.encodeError(
      s3Model,
      new AwsError('NotModified', 304, 'Not Modified', 'Sender', {}, { etag: '"x"' }),
      'r',
    );
    assert.equal(notModified.status, 304);
    assert.equal(notModified.body, '');
    assert.equal(notModified.headers['etag'], '"x"');
  });
});
