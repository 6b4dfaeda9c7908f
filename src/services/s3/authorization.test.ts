// What each S3 operation is authorized as: actions, resource ARNs and S3 condition keys (docs/research/s3-facts.md
// §A; Service Authorization Reference for Amazon S3, botocore s3 model "Permissions" sections).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { S3Operations } from '../../protocol/generated/s3.ts';
import {
  parseCopySource,
  parseTaggingHeader,
  s3Authorizations,
  type S3Authorization,
  type S3Operation,
  type S3RequestFacts,
} from './authorization.ts';

const facts: S3RequestFacts = {
  authType: 'REST-HEADER',
  signatureVersion: 'AWS4-HMAC-SHA256',
  contentSha256: 'UNSIGNED-PAYLOAD',
  bucketOwner: '111122223333',
};
const COMMON = {
  's3:authType': 'REST-HEADER',
  's3:signatureversion': 'AWS4-HMAC-SHA256',
  's3:x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
  's3:ResourceAccount': '111122223333',
};
const B = 'arn:aws:s3:::bkt';
const O = (key: string, bucket = 'bkt') => `arn:aws:s3:::${bucket}/${key}`;

/** [action, resource] pairs, the shape most tests compare. */
const pairs = (list: S3Authorization[]) => list.map((a) => [a.action, a.resource]);

function only<Op extends S3Operation>(op: Op, input: S3Operations[Op]['input'], f: S3RequestFacts = facts) {
  const list = s3Authorizations(op, input, f);
  assert.equal(list.length, 1, JSON.stringify(list));
  return list[0] as S3Authorization;
}

describe('bucket operations', () => {
  it('ListBuckets is s3:ListAllMyBuckets on *', () => {
    assert.deepEqual(pairs(s3Authorizations('ListBuckets', {}, facts)), [['s3:ListAllMyBuckets', '*']]);
  });

  it('HeadBucket is s3:ListBucket, GetBucketLocation and DeleteBucket their own actions, on the bucket ARN', () => {
    assert.deepEqual(pairs([only('HeadBucket', { Bucket: 'bkt' })]), [['s3:ListBucket', B]]);
    assert.deepEqual(pairs([only('GetBucketLocation', { Bucket: 'bkt' })]), [['s3:GetBucketLocation', B]]);
    assert.deepEqual(pairs([only('DeleteBucket', { Bucket: 'bkt' })]), [['s3:DeleteBucket', B]]);
  });

  it('carries the signing and ownership keys, and leaves out what the caller does not know', () => {
    assert.deepEqual(only('HeadBucket', { Bucket: 'bkt' }).context, COMMON);
    const anonymous = only('HeadBucket', { Bucket: 'bkt' }, {});
    assert.deepEqual(anonymous.context, {});
    const presigned = only(
      'HeadBucket',
      { Bucket: 'bkt' },
      { authType: 'REST-QUERY-STRING', signatureAgeMs: 1500, tlsVersion: '1.3' },
    );
    assert.deepEqual(presigned.context, {
      's3:authType': 'REST-QUERY-STRING',
      's3:signatureAge': '1500',
      's3:TlsVersion': '1.3',
    });
  });

  it('uses the partition it is given', () => {
    assert.equal(only('HeadBucket', { Bucket: 'bkt' }, { partition: 'aws-cn' }).resource, 'arn:aws-cn:s3:::bkt');
  });

  it('CreateBucket: s3:CreateBucket with the location, ACL and ownership keys and request tags', () => {
    const a = only('CreateBucket', {
      Bucket: 'bkt',
      ACL: 'private',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1', Tags: [{ Key: 'team', Value: 'a' }] },
    });
    assert.deepEqual([a.action, a.resource], ['s3:CreateBucket', B]);
    assert.deepEqual(a.context, {
      ...COMMON,
      's3:locationconstraint': 'eu-west-1',
      's3:x-amz-acl': 'private',
      'aws:RequestTag/team': 'a',
      'aws:TagKeys': ['team'],
    });
  });

  it('CreateBucket: a public ACL, a grant, Object Lock or Object Ownership each need their own action', () => {
    assert.deepEqual(pairs(s3Authorizations('CreateBucket', { Bucket: 'bkt', ACL: 'public-read' }, facts)), [
      ['s3:CreateBucket', B],
      ['s3:PutBucketAcl', B],
    ]);
    assert.deepEqual(pairs(s3Authorizations('CreateBucket', { Bucket: 'bkt', GrantRead: 'id=abc' }, facts)), [
      ['s3:CreateBucket', B],
      ['s3:PutBucketAcl', B],
    ]);
    assert.deepEqual(
      pairs(
        s3Authorizations(
          'CreateBucket',
          { Bucket: 'bkt', ObjectLockEnabledForBucket: true, ObjectOwnership: 'BucketOwnerEnforced' },
          facts,
        ),
      ),
      [
        ['s3:CreateBucket', B],
        ['s3:PutBucketObjectLockConfiguration', B],
        ['s3:PutBucketVersioning', B],
        ['s3:PutBucketOwnershipControls', B],
      ],
    );
  });

  it('ListObjects and ListObjectsV2 are s3:ListBucket with prefix, delimiter and max-keys when sent', () => {
    for (const op of ['ListObjects', 'ListObjectsV2'] as const) {
      const a = only(op, { Bucket: 'bkt', Prefix: 'home/', Delimiter: '/', MaxKeys: 10 });
      assert.deepEqual([a.action, a.resource], ['s3:ListBucket', B]);
      assert.deepEqual(a.context, { ...COMMON, 's3:prefix': 'home/', 's3:delimiter': '/', 's3:max-keys': '10' });
      assert.deepEqual(only(op, { Bucket: 'bkt' }).context, COMMON);
      assert.equal(only(op, { Bucket: 'bkt', Prefix: '' }).context['s3:prefix'], '');
    }
  });

  it('ListMultipartUploads is s3:ListBucketMultipartUploads on the bucket', () => {
    assert.deepEqual(pairs([only('ListMultipartUploads', { Bucket: 'bkt' })]), [['s3:ListBucketMultipartUploads', B]]);
  });

  it('bucket policy operations use their own actions', () => {
    const policy = '{"Version":"2012-10-17","Statement":[]}';
    assert.deepEqual(pairs([only('PutBucketPolicy', { Bucket: 'bkt', Policy: policy })]), [['s3:PutBucketPolicy', B]]);
    assert.deepEqual(pairs([only('GetBucketPolicy', { Bucket: 'bkt' })]), [['s3:GetBucketPolicy', B]]);
    assert.deepEqual(pairs([only('DeleteBucketPolicy', { Bucket: 'bkt' })]), [['s3:DeleteBucketPolicy', B]]);
  });

  it('public access block: Get and Put have their actions, Delete uses the Put action', () => {
    const config = { BlockPublicPolicy: true };
    assert.deepEqual(pairs([only('PutPublicAccessBlock', { Bucket: 'bkt', PublicAccessBlockConfiguration: config })]), [
      ['s3:PutBucketPublicAccessBlock', B],
    ]);
    assert.deepEqual(pairs([only('GetPublicAccessBlock', { Bucket: 'bkt' })]), [['s3:GetBucketPublicAccessBlock', B]]);
    assert.deepEqual(pairs([only('DeletePublicAccessBlock', { Bucket: 'bkt' })]), [
      ['s3:PutBucketPublicAccessBlock', B],
    ]);
  });

  it('bucket tagging: Get and Put have their actions, Delete uses the Put action', () => {
    const Tagging = { TagSet: [{ Key: 'k', Value: 'v' }] };
    assert.deepEqual(pairs([only('PutBucketTagging', { Bucket: 'bkt', Tagging })]), [['s3:PutBucketTagging', B]]);
    assert.deepEqual(pairs([only('GetBucketTagging', { Bucket: 'bkt' })]), [['s3:GetBucketTagging', B]]);
    assert.deepEqual(pairs([only('DeleteBucketTagging', { Bucket: 'bkt' })]), [['s3:PutBucketTagging', B]]);
  });
});

describe('object operations', () => {
  it('GetObject and HeadObject are s3:GetObject, or s3:GetObjectVersion with s3:versionid for a version', () => {
    for (const op of ['GetObject', 'HeadObject'] as const) {
      assert.deepEqual(pairs([only(op, { Bucket: 'bkt', Key: 'a/b c.txt' })]), [['s3:GetObject', O('a/b c.txt')]]);
      const v = only(op, { Bucket: 'bkt', Key: 'k', VersionId: 'v1' });
      assert.deepEqual([v.action, v.context['s3:versionid']], ['s3:GetObjectVersion', 'v1']);
    }
  });

  it('GetObject carries the existing object tags as s3:ExistingObjectTag', () => {
    const a = only(
      'GetObject',
      { Bucket: 'bkt', Key: 'k' },
      { ...facts, objectTags: [{ Key: 'security', Value: 'public' }] },
    );
    assert.equal(a.context['s3:ExistingObjectTag/security'], 'public');
  });

  it('PutObject is s3:PutObject with the header keys; tags also need s3:PutObjectTagging', () => {
    const list = s3Authorizations(
      'PutObject',
      {
        Bucket: 'bkt',
        Key: 'k',
        ACL: 'bucket-owner-full-control',
        GrantFullControl: 'id=abc',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'arn:aws:kms:us-east-1:111122223333:key/1',
        StorageClass: 'STANDARD_IA',
        WebsiteRedirectLocation: '/other',
        IfNoneMatch: '*',
        Tagging: 'Project=X&team=a%20b',
      },
      { ...facts, objectTags: [{ Key: 'old', Value: '1' }] },
    );
    assert.deepEqual(pairs(list), [
      ['s3:PutObject', O('k')],
      ['s3:PutObjectTagging', O('k')],
    ]);
    const put = list[0] as S3Authorization;
    // Existing tags are not a condition key of PutObject (S3 User Guide, Tagging and access control policies)...
    assert.equal(put.context['s3:ExistingObjectTag/old'], undefined);
    assert.deepEqual(put.context, {
      ...COMMON,
      's3:x-amz-acl': 'bucket-owner-full-control',
      's3:x-amz-grant-full-control': 'id=abc',
      's3:x-amz-server-side-encryption': 'aws:kms',
      's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:111122223333:key/1',
      's3:x-amz-storage-class': 'STANDARD_IA',
      's3:x-amz-website-redirect-location': '/other',
      's3:if-none-match': '*',
      's3:RequestObjectTag/Project': 'X',
      's3:RequestObjectTag/team': 'a b',
      's3:RequestObjectTagKeys': ['Project', 'team'],
    });
    // ...but are one of PutObjectTagging.
    assert.equal((list[1] as S3Authorization).context['s3:ExistingObjectTag/old'], '1');
  });

  it('PutObject without tags, or with an empty x-amz-tagging, needs s3:PutObject alone', () => {
    assert.deepEqual(pairs(s3Authorizations('PutObject', { Bucket: 'bkt', Key: 'k' }, facts)), [
      ['s3:PutObject', O('k')],
    ]);
    assert.deepEqual(pairs(s3Authorizations('PutObject', { Bucket: 'bkt', Key: 'k', Tagging: '' }, facts)), [
      ['s3:PutObject', O('k')],
    ]);
  });

  it('DeleteObject is s3:DeleteObject, or s3:DeleteObjectVersion for a version', () => {
    assert.deepEqual(pairs([only('DeleteObject', { Bucket: 'bkt', Key: 'k' })]), [['s3:DeleteObject', O('k')]]);
    const v = only('DeleteObject', { Bucket: 'bkt', Key: 'k', VersionId: 'v1', IfMatch: '"e"' });
    assert.deepEqual(
      [v.action, v.context['s3:versionid'], v.context['s3:if-match']],
      ['s3:DeleteObjectVersion', 'v1', '"e"'],
    );
  });

  it('DeleteObjects is one s3:DeleteObject (or Version) per key, marked with the key', () => {
    const list = s3Authorizations(
      'DeleteObjects',
      { Bucket: 'bkt', Delete: { Objects: [{ Key: 'a' }, { Key: 'b', VersionId: 'v2' }] } },
      facts,
    );
    assert.deepEqual(
      list.map((a) => [a.action, a.resource, a.role, a.key, a.versionId]),
      [
        ['s3:DeleteObject', O('a'), 'delete-key', 'a', undefined],
        ['s3:DeleteObjectVersion', O('b'), 'delete-key', 'b', 'v2'],
      ],
    );
  });

  it('CopyObject reads the source (s3:GetObject) and writes the target (s3:PutObject)', () => {
    const list = s3Authorizations(
      'CopyObject',
      {
        Bucket: 'dst',
        Key: 'copy.txt',
        CopySource: 'src/public/a%20b.txt',
        MetadataDirective: 'REPLACE',
        TaggingDirective: 'REPLACE',
        Tagging: 'k=v',
      },
      { ...facts, sourceBucketOwner: '444455556666', sourceObjectTags: [{ Key: 'class', Value: 'open' }] },
    );
    assert.deepEqual(
      list.map((a) => [a.action, a.resource, a.role]),
      [
        ['s3:GetObject', O('public/a b.txt', 'src'), 'copy-source'],
        ['s3:PutObject', O('copy.txt', 'dst'), 'request'],
      ],
    );
    const [source, target] = list as [S3Authorization, S3Authorization];
    assert.equal(source.context['s3:ResourceAccount'], '444455556666');
    assert.equal(source.context['s3:ExistingObjectTag/class'], 'open');
    assert.deepEqual(target.context, {
      ...COMMON,
      's3:x-amz-copy-source': 'src/public/a b.txt',
      's3:x-amz-metadata-directive': 'REPLACE',
      's3:RequestObjectTag/k': 'v',
      's3:RequestObjectTagKeys': ['k'],
    });
  });

  it('CopyObject from a version reads it with s3:GetObjectVersion', () => {
    const [source] = s3Authorizations(
      'CopyObject',
      { Bucket: 'dst', Key: 'k', CopySource: '/src/k?versionId=v9' },
      facts,
    );
    assert.deepEqual(
      [source?.action, source?.resource, source?.context['s3:versionid']],
      ['s3:GetObjectVersion', O('k', 'src'), 'v9'],
    );
  });

  it('an unreadable copy source leaves only the write, for the handler to refuse', () => {
    assert.deepEqual(pairs(s3Authorizations('CopyObject', { Bucket: 'dst', Key: 'k', CopySource: 'nokey' }, facts)), [
      ['s3:PutObject', O('k', 'dst')],
    ]);
  });

  it('UploadPartCopy authorizes like CopyObject', () => {
    const list = s3Authorizations(
      'UploadPartCopy',
      { Bucket: 'dst', Key: 'k', CopySource: 'src/x', PartNumber: 1, UploadId: 'u' },
      facts,
    );
    assert.deepEqual(pairs(list), [
      ['s3:GetObject', O('x', 'src')],
      ['s3:PutObject', O('k', 'dst')],
    ]);
    assert.equal((list[1] as S3Authorization).context['s3:x-amz-copy-source'], 'src/x');
  });

  it('the multipart upload writes are s3:PutObject', () => {
    const create = s3Authorizations(
      'CreateMultipartUpload',
      { Bucket: 'bkt', Key: 'k', ACL: 'private', Tagging: 'a=1' },
      facts,
    );
    assert.deepEqual(pairs(create), [
      ['s3:PutObject', O('k')],
      ['s3:PutObjectTagging', O('k')],
    ]);
    assert.equal((create[0] as S3Authorization).context['s3:x-amz-acl'], 'private');
    assert.deepEqual(pairs([only('UploadPart', { Bucket: 'bkt', Key: 'k', PartNumber: 1, UploadId: 'u' })]), [
      ['s3:PutObject', O('k')],
    ]);
    const complete = only('CompleteMultipartUpload', { Bucket: 'bkt', Key: 'k', UploadId: 'u', IfNoneMatch: '*' });
    assert.deepEqual([complete.action, complete.context['s3:if-none-match']], ['s3:PutObject', '*']);
  });

  it('AbortMultipartUpload and ListParts have their own actions on the object', () => {
    assert.deepEqual(pairs([only('AbortMultipartUpload', { Bucket: 'bkt', Key: 'k', UploadId: 'u' })]), [
      ['s3:AbortMultipartUpload', O('k')],
    ]);
    assert.deepEqual(pairs([only('ListParts', { Bucket: 'bkt', Key: 'k', UploadId: 'u' })]), [
      ['s3:ListMultipartUploadParts', O('k')],
    ]);
  });

  it('object tagging: Put/Get/Delete actions, their Version forms, request and existing tag keys', () => {
    const existing = { ...facts, objectTags: [{ Key: 'owner', Value: 'me' }] };
    const put = only(
      'PutObjectTagging',
      { Bucket: 'bkt', Key: 'k', Tagging: { TagSet: [{ Key: 'Project', Value: 'X' }] } },
      existing,
    );
    assert.deepEqual([put.action, put.resource], ['s3:PutObjectTagging', O('k')]);
    assert.deepEqual(put.context, {
      ...COMMON,
      's3:RequestObjectTag/Project': 'X',
      's3:RequestObjectTagKeys': ['Project'],
      's3:ExistingObjectTag/owner': 'me',
    });
    const empty = only('PutObjectTagging', { Bucket: 'bkt', Key: 'k', Tagging: { TagSet: [] } });
    assert.deepEqual(empty.context['s3:RequestObjectTagKeys'], []);
    const get = only('GetObjectTagging', { Bucket: 'bkt', Key: 'k' }, existing);
    assert.deepEqual([get.action, get.context['s3:ExistingObjectTag/owner']], ['s3:GetObjectTagging', 'me']);
    assert.equal(only('DeleteObjectTagging', { Bucket: 'bkt', Key: 'k' }).action, 's3:DeleteObjectTagging');
    const versioned = { Bucket: 'bkt', Key: 'k', VersionId: 'v1' };
    assert.equal(
      only('PutObjectTagging', { ...versioned, Tagging: { TagSet: [] } }).action,
      's3:PutObjectVersionTagging',
    );
    assert.equal(only('GetObjectTagging', versioned).action, 's3:GetObjectVersionTagging');
    assert.equal(only('DeleteObjectTagging', versioned).action, 's3:DeleteObjectVersionTagging');
  });
});

describe('parseCopySource', () => {
  it('reads bucket/key with or without a leading slash, URL-decoded, with an optional versionId', () => {
    assert.deepEqual(parseCopySource('bkt/a/b.txt'), { bucket: 'bkt', key: 'a/b.txt' });
    assert.deepEqual(parseCopySource('/bkt/a%2Fb%20c%3F.txt'), { bucket: 'bkt', key: 'a/b c?.txt' });
    assert.deepEqual(parseCopySource('bkt/k?versionId=3%2Fx'), { bucket: 'bkt', key: 'k', versionId: '3/x' });
  });

  it('refuses a missing bucket or key, bad percent-encoding and access point ARNs', () => {
    for (const bad of [
      '',
      'bkt',
      'bkt/',
      '/k',
      'bkt/%E0%A4%A',
      'arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/k',
    ]) {
      assert.equal(parseCopySource(bad), undefined, bad);
    }
  });
});

describe('parseTaggingHeader', () => {
  it('reads URL query encoding; a key without = has an empty value; a repeated key keeps its last value', () => {
    assert.deepEqual(parseTaggingHeader('a=1&b=x%20y&c'), [
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: 'x y' },
      { Key: 'c', Value: '' },
    ]);
    assert.deepEqual(parseTaggingHeader('a=1&a=2'), [{ Key: 'a', Value: '2' }]);
    assert.deepEqual(parseTaggingHeader(''), []);
  });
});

describe('coverage', () => {
  it('every served operation yields at least one authorization', () => {
    const inputs: { [Op in S3Operation]: S3Operations[Op]['input'] } = {
      AbortMultipartUpload: { Bucket: 'b', Key: 'k', UploadId: 'u' },
      CompleteMultipartUpload: { Bucket: 'b', Key: 'k', UploadId: 'u' },
      CopyObject: { Bucket: 'b', Key: 'k', CopySource: 's/k' },
      CreateBucket: { Bucket: 'b' },
      CreateMultipartUpload: { Bucket: 'b', Key: 'k' },
      DeleteBucket: { Bucket: 'b' },
      DeleteBucketPolicy: { Bucket: 'b' },
      DeleteBucketTagging: { Bucket: 'b' },
      DeleteObject: { Bucket: 'b', Key: 'k' },
      DeleteObjectTagging: { Bucket: 'b', Key: 'k' },
      DeleteObjects: { Bucket: 'b', Delete: { Objects: [{ Key: 'k' }] } },
      DeletePublicAccessBlock: { Bucket: 'b' },
      GetBucketLocation: { Bucket: 'b' },
      GetBucketPolicy: { Bucket: 'b' },
      GetBucketTagging: { Bucket: 'b' },
      GetObject: { Bucket: 'b', Key: 'k' },
      GetObjectTagging: { Bucket: 'b', Key: 'k' },
      GetPublicAccessBlock: { Bucket: 'b' },
      HeadBucket: { Bucket: 'b' },
      HeadObject: { Bucket: 'b', Key: 'k' },
      ListBuckets: {},
      ListMultipartUploads: { Bucket: 'b' },
      ListObjects: { Bucket: 'b' },
      ListObjectsV2: { Bucket: 'b' },
      ListParts: { Bucket: 'b', Key: 'k', UploadId: 'u' },
      PutBucketPolicy: { Bucket: 'b', Policy: '{}' },
      PutBucketTagging: { Bucket: 'b', Tagging: { TagSet: [] } },
      PutObject: { Bucket: 'b', Key: 'k' },
      PutObjectTagging: { Bucket: 'b', Key: 'k', Tagging: { TagSet: [] } },
      PutPublicAccessBlock: { Bucket: 'b', PublicAccessBlockConfiguration: {} },
      UploadPart: { Bucket: 'b', Key: 'k', PartNumber: 1, UploadId: 'u' },
      UploadPartCopy: { Bucket: 'b', Key: 'k', CopySource: 's/k', PartNumber: 1, UploadId: 'u' },
    };
    assert.equal(Object.keys(inputs).length, 32);
    for (const op of Object.keys(inputs) as S3Operation[]) {
      const list = s3Authorizations(op, inputs[op], facts);
      assert.ok(list.length > 0, op);
      for (const a of list) {
        assert.match(a.action, /^s3:[A-Za-z]+$/, op);
        assert.ok(a.resource === '*' || a.resource.startsWith('arn:aws:s3:::'), op);
      }
    }
  });
});
