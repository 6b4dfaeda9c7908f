/**
 * Amazon S3: buckets, objects, listings, multipart uploads, bucket policies, Block Public Access and tags, over
 * S3's rest-xml dialect. Authorization follows AWS's evaluation with the bucket policy as the resource policy:
 * the checks of each operation come from authorization.ts, each under the policy of the bucket it touches.
 */
import { s3Model, type S3Operations } from '../../protocol/generated/s3.ts';
import { s3Codec } from '../../protocol/s3/codec.ts';
import type { AuthorizationCheck, AuthorizationPlan } from '../../auth/authorize.ts';
import type { Principal } from '../../auth/principal.ts';
import type { BucketRecord, ObjectRecord } from '../../model/s3.ts';
import type { S3State } from '../../state/s3-state.ts';
import { defineService, type OperationContext, type ServiceDefinition } from '../service.ts';
import { parseCopySource, s3Authorizations, type S3Authorization, type S3Operation } from './authorization.ts';
import type { BlobStore as Blobs } from '../../store/blobs/blob-store.ts';
import { bucketHandlers } from './buckets.ts';
import { listingHandlers } from './listing.ts';
import { multipartHandlers } from './multipart.ts';
import { objectHandlers } from './objects.ts';
import { isPublicPolicy } from './public-policy.ts';

export interface S3ServiceDeps {
  readonly state: S3State;
  readonly blobs: Blobs;
}

const bucketOf = (arn: string): string => arn.slice('arn:aws:s3:::'.length).split('/')[0] ?? '';

/**
 * Stands in for a public bucket policy under RestrictPublicBuckets: "Any denial resulting from the
 * RestrictPublicBuckets setting is explicit", answered "with an explicit deny in a resource-based policy" (Amazon
 * S3 User Guide, "Troubleshoot access denied (403 Forbidden) errors", Access denied due to Block Public Access
 * settings).
 */
const RESTRICTED_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }],
});

/**
 * The bucket policy that applies to a caller. With RestrictPublicBuckets on, a public policy grants nothing to
 * anyone outside the bucket owner's account, not even what it grants them by name, and the outsider is denied
 * explicitly (Amazon S3 User Guide, "Blocking public access": "only AWS service principals and authorized users
 * within the bucket owner's account").
 */
function policyFor(bucket: BucketRecord | undefined, principal: Principal): AuthorizationCheck['resourcePolicy'] {
  if (!bucket?.policy) return undefined;
  const outsider = principal.type === 'anonymous' || principal.account !== bucket.owner;
  if (outsider && bucket.publicAccessBlock?.RestrictPublicBuckets && isPublicPolicy(bucket.policy.document)) {
    return { id: 'rolecall:s3:restrict-public-buckets', document: RESTRICTED_POLICY };
  }
  return { id: `arn:aws:s3:::${bucket.name}#policy#${bucket.policy.revision}`, document: bucket.policy.document };
}

export function createS3Service(deps: S3ServiceDeps): ServiceDefinition {
  const { state, blobs } = deps;

  const toCheck = (a: S3Authorization, principal: Principal): AuthorizationCheck => {
    const bucket = a.resource === '*' ? undefined : state.bucket(bucketOf(a.resource));
    return {
      action: a.action,
      resource: a.resource,
      context: a.context,
      resourcePolicy: policyFor(bucket, principal),
      // A bucket that does not exist yet (CreateBucket) belongs to no one: the caller's own policies decide.
      resourceAccount: bucket?.owner ?? principal.account,
    };
  };

  const authorizations = (operation: string, input: Readonly<Record<string, unknown>>, principal: Principal) => {
    const bucketName = typeof input['Bucket'] === 'string' ? input['Bucket'] : undefined;
    const key = typeof input['Key'] === 'string' ? input['Key'] : undefined;
    const object: ObjectRecord | undefined =
      bucketName !== undefined && key !== undefined ? state.object(bucketName, key) : undefined;
    const source = typeof input['CopySource'] === 'string' ? parseCopySource(input['CopySource']) : undefined;
    const anonymous = principal.type === 'anonymous';
    const owner = bucketName === undefined ? undefined : state.bucket(bucketName)?.owner;
    const sourceOwner = source && state.bucket(source.bucket)?.owner;
    return s3Authorizations(operation as S3Operation, input as never, {
      ...(!anonymous && { authType: 'REST-HEADER' as const, signatureVersion: 'AWS4-HMAC-SHA256' as const }),
      ...(owner !== undefined && { bucketOwner: owner }),
      ...(object && { objectTags: object.tags }),
      ...(sourceOwner !== undefined && { sourceBucketOwner: sourceOwner }),
      ...(source && { sourceObjectTags: state.object(source.bucket, source.key)?.tags ?? [] }),
    });
  };

  const plan = (
    operation: string,
    input: Readonly<Record<string, unknown>>,
    principal: Principal,
  ): AuthorizationPlan => ({
    checks: authorizations(operation, input, principal)
      .filter((a) => a.role !== 'delete-key')
      .map((a) => toCheck(a, principal)),
  });

  const commitObject = async (record: ObjectRecord): Promise<void> => {
    let replaced: string | undefined;
    await state.write(async (w) => {
      replaced = state.object(record.bucket, record.key)?.blobId;
      await w.put('s3.object', record);
    });
    if (replaced !== undefined && replaced !== record.blobId) await blobs.delete(replaced);
  };

  const objects = objectHandlers({
    state,
    blobs,
    commitObject,
    deleteKeyPlan: (bucket, key, ctx: OperationContext) =>
      plan('DeleteObject', { Bucket: bucket, Key: key }, ctx.principal),
    listPlan: (bucket, ctx: OperationContext) => plan('ListObjectsV2', { Bucket: bucket }, ctx.principal),
  });

  return defineService<S3Operations>(
    s3Model,
    {
      ...bucketHandlers({ state }),
      ...objects,
      ...listingHandlers(state),
      ...multipartHandlers({ state, blobs, commitObject }),
    },
    undefined,
    { codec: s3Codec, authorization: (operation, input, principal) => plan(operation, input, principal) },
  );
}

/**
 * s3:GetObject on an object under its bucket's policy, for other services that read S3 with the caller's
 * permission (Lambda's CreateFunction and UpdateFunctionCode with S3Bucket/S3Key).
 */
export function s3ObjectReadCheck(
  state: S3State,
  principal: Principal,
  bucket: string,
  key: string,
): AuthorizationCheck {
  const record = state.bucket(bucket);
  return {
    action: 's3:GetObject',
    resource: `arn:aws:s3:::${bucket}/${key}`,
    resourcePolicy: policyFor(record, principal),
    resourceAccount: record?.owner ?? principal.account,
  };
}
