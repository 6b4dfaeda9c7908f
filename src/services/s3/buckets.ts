/**
 * Buckets and their configuration: create, list, delete, location, bucket policy, public access block, tags.
 * Bucket names are global: another account's bucket of the same name is BucketAlreadyExists.
 */
import { randomUUID } from 'node:crypto';
import { validatePolicy } from '../../policy/index.ts';
import type { S3Operations } from '../../protocol/generated/s3.ts';
import type { BucketRecord } from '../../model/s3.ts';
import type { S3State } from '../../state/s3-state.ts';
import type { Handlers, OperationContext } from '../service.ts';
import { s3Errors } from './errors.ts';
import { isPublicPolicy } from './public-policy.ts';
import { checkTags } from './tags.ts';

export interface S3Deps {
  readonly state: S3State;
}

type BucketOps = Pick<
  S3Operations,
  | 'ListBuckets'
  | 'CreateBucket'
  | 'HeadBucket'
  | 'DeleteBucket'
  | 'GetBucketLocation'
  | 'PutBucketPolicy'
  | 'GetBucketPolicy'
  | 'DeleteBucketPolicy'
  | 'PutPublicAccessBlock'
  | 'GetPublicAccessBlock'
  | 'DeletePublicAccessBlock'
  | 'PutBucketTagging'
  | 'GetBucketTagging'
  | 'DeleteBucketTagging'
>;

/**
 * Bucket naming rules (Amazon S3 User Guide, "General purpose bucket naming rules"): 3–63 characters of
 * lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit, no two adjacent
 * dots, not an IP address, not starting with `xn--`, `sthree-` or `amzn-s3-demo-`, not ending with `-s3alias`,
 * `--ol-s3`, `.mrap` or `--x-s3`.
 */
export function validBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3)$/.test(name)
  );
}

/** The bucket, if it exists; NoSuchBucket otherwise. */
export function requireBucket(state: S3State, name: string): BucketRecord {
  const bucket = state.bucket(name);
  if (!bucket) throw s3Errors.noSuchBucket(name);
  return bucket;
}

/** The bucket a configuration operation acts on (who may do it was decided by the bucket policy and IAM). */
const ownBucket = (state: S3State, name: string, _ctx: OperationContext): BucketRecord => requireBucket(state, name);

/**
 * New buckets start with all four Block Public Access settings on (AWS's default since April 2023; What's New,
 * 2022-12, "Amazon S3 will automatically enable S3 Block Public Access … for all new buckets").
 */
const NEW_BUCKET_BLOCK = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
} as const;

/**
 * S3's checks of a bucket policy beyond IAM's grammar: it must be a resource policy with a Principal, and every
 * Resource must be this bucket or an object in it ("Policy has invalid resource", Amazon S3 User Guide,
 * bucket policy examples; aws-cli and boto3 issue threads quote these messages).
 */
function policyProblem(bucket: string, text: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'This policy contains invalid Json';
  }
  const iam = validatePolicy(text, 'resource');
  if (iam !== undefined) return iam;
  const statements = (doc as { Statement?: unknown }).Statement;
  for (const st of Array.isArray(statements) ? statements : [statements]) {
    const s = st as { Principal?: unknown; NotPrincipal?: unknown; Resource?: unknown; NotResource?: unknown };
    if (s.Principal === undefined && s.NotPrincipal === undefined) return 'Missing required field Principal';
    const resources = s.Resource ?? s.NotResource;
    for (const r of Array.isArray(resources) ? resources : [resources]) {
      if (typeof r !== 'string') return 'Policy has invalid resource';
      if (r !== `arn:aws:s3:::${bucket}` && !r.startsWith(`arn:aws:s3:::${bucket}/`)) {
        // Wildcards that can match the bucket are accepted, as S3 accepts them: the text before the first
        // wildcard must lead to this bucket (`arn:aws:s3:::other/*` names another bucket and is refused).
        const wildcard = r.search(/[*?]/);
        if (wildcard < 0) return 'Policy has invalid resource';
        const literal = r.slice(0, wildcard);
        if (!`arn:aws:s3:::${bucket}`.startsWith(literal) && !literal.startsWith(`arn:aws:s3:::${bucket}/`)) {
          return 'Policy has invalid resource';
        }
      }
    }
  }
  return undefined;
}

export function bucketHandlers(deps: S3Deps): Handlers<BucketOps> {
  const { state } = deps;
  const update = (bucket: BucketRecord) => state.write((w) => w.put('s3.bucket', bucket));
  return {
    ListBuckets: (input, ctx) => {
      const all = state
        .bucketsOf(ctx.account)
        .filter((b) => input.Prefix === undefined || b.name.startsWith(input.Prefix));
      const max = input.MaxBuckets;
      const after = input.ContinuationToken;
      const from = after === undefined ? all : all.filter((b) => b.name > after);
      const page = max === undefined ? from : from.slice(0, max);
      const truncated = page.length < from.length;
      return {
        Buckets: page.map((b) => ({ Name: b.name, CreationDate: new Date(b.createdAt), BucketRegion: b.region })),
        Owner: { ID: ownerId(ctx.account), DisplayName: 'rolecall' },
        ...(truncated && { ContinuationToken: page[page.length - 1]?.name }),
        ...(input.Prefix !== undefined && { Prefix: input.Prefix }),
      };
    },

    CreateBucket: async (input, ctx) => {
      const name = input.Bucket;
      if (!validBucketName(name)) throw s3Errors.invalidBucketName(name);
      const constraint: string | undefined = input.CreateBucketConfiguration?.LocationConstraint;
      // us-east-1 takes no constraint; elsewhere the constraint must name the endpoint's region
      // (API Reference, CreateBucket; IllegalLocationConstraintException).
      if (constraint === 'us-east-1') throw s3Errors.invalidLocation(constraint);
      if (constraint === undefined && ctx.region !== 'us-east-1') throw s3Errors.illegalLocation(undefined);
      if (constraint !== undefined && ctx.region !== 'us-east-1' && constraint !== ctx.region) {
        throw s3Errors.illegalLocation(constraint);
      }
      const existing = state.bucket(name);
      if (existing) {
        if (existing.owner !== ctx.account) throw s3Errors.bucketAlreadyExists(name);
        // us-east-1 answers 200 again for the owner's own bucket, for legacy reasons (API Reference, CreateBucket).
        if (existing.region === 'us-east-1' && ctx.region === 'us-east-1') return { Location: `/${name}` };
        throw s3Errors.bucketAlreadyOwnedByYou(name);
      }
      const region = constraint ?? 'us-east-1';
      await update({
        name,
        owner: ctx.account,
        region,
        createdAt: ctx.now.toISOString(),
        publicAccessBlock: NEW_BUCKET_BLOCK,
      });
      return { Location: region === 'us-east-1' ? `/${name}` : `http://${name}.s3.amazonaws.com/` };
    },

    HeadBucket: (input) => {
      const bucket = requireBucket(state, input.Bucket);
      return { BucketRegion: bucket.region };
    },

    DeleteBucket: async (input, ctx) => {
      const bucket = ownBucket(state, input.Bucket, ctx);
      if (state.objectCount(bucket.name) > 0) throw s3Errors.bucketNotEmpty(bucket.name);
      await state.write(async (w) => {
        for (const upload of state.uploads(bucket.name)) await w.delete('s3.upload', upload);
        await w.delete('s3.bucket', bucket);
      });
      return;
    },

    GetBucketLocation: (input, ctx) => {
      const bucket = ownBucket(state, input.Bucket, ctx);
      return bucket.region === 'us-east-1' ? {} : { LocationConstraint: bucket.region as never };
    },

    PutBucketPolicy: async (input, ctx) => {
      const bucket = ownBucket(state, input.Bucket, ctx);
      const problem = policyProblem(bucket.name, input.Policy);
      if (problem !== undefined) throw s3Errors.malformedPolicy(problem);
      // BlockPublicPolicy refuses policies that grant public access (User Guide, "Blocking public access").
      if (bucket.publicAccessBlock?.BlockPublicPolicy && isPublicPolicy(input.Policy)) {
        throw s3Errors.accessDenied(
          `User: ${ctx.principal.arn} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${bucket.name}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
        );
      }
      await update({ ...bucket, policy: { document: input.Policy, revision: randomUUID() } });
      return;
    },

    GetBucketPolicy: (input, ctx) => {
      const bucket = ownBucket(state, input.Bucket, ctx);
      if (!bucket.policy) throw s3Errors.noSuchBucketPolicy(bucket.name);
      return { Policy: bucket.policy.document };
    },

    DeleteBucketPolicy: async (input, ctx) => {
      const bucket = ownBucket(state, input.Bucket, ctx);
      const { policy: _dropped, ...rest } = bucket;
      await update(rest);
      return;
    },

    PutPublicAccessBlock: async (input, ctx) => {
      const bucket = ownBucket(state, input.Bucket, ctx);
      const c = input.PublicAccessBlockConfiguration;
      await update({
        ...bucket,
        publicAccessBlock: {
          BlockPublicAcls: c.BlockPublicAcls ?? false,
          IgnorePublicAcls: c.IgnorePublicAcls ?? false,
          BlockPublicPolicy: c.BlockPublicPolicy ?? false,
          RestrictPublicBuckets: c.RestrictPublicBuckets ?? false,
        },
      });
      return;
    },

    GetPublicAccessBlock: (input, ctx) => {
      const bucket = ownBucket(state, input.Bucket, ctx);
      if (!bucket.publicAccessBlock) throw s3Errors.noSuchPublicAccessBlock(bucket.name);
      return { PublicAccessBlockConfiguration: { ...bucket.publicAccessBlock } };
    },

    DeletePublicAccessBlock: async (input, ctx) => {
      const bucket = ownBucket(state, input.Bucket, ctx);
      const { publicAccessBlock: _dropped, ...rest } = bucket;
      await update(rest);
      return;
    },

    PutBucketTagging: async (input, ctx) => {
      const bucket = ownBucket(state, input.Bucket, ctx);
      const tags = input.Tagging.TagSet.map((t) => ({ Key: t.Key, Value: t.Value }));
      checkTags(tags, 50);
      await update({ ...bucket, tags });
      return;
    },

    GetBucketTagging: (input, ctx) => {
      const bucket = ownBucket(state, input.Bucket, ctx);
      if (!bucket.tags || bucket.tags.length === 0) throw s3Errors.noSuchTagSet(bucket.name);
      return { TagSet: bucket.tags.map((t) => ({ ...t })) };
    },

    DeleteBucketTagging: async (input, ctx) => {
      const bucket = ownBucket(state, input.Bucket, ctx);
      const { tags: _dropped, ...rest } = bucket;
      await update(rest);
      return;
    },
  };
}

/** The canonical user id S3 shows as an account's Owner.ID (64 hex digits; derived, stable per account). */
export function ownerId(account: string): string {
  return Buffer.from(`rolecall-owner-${account}`).toString('hex').padEnd(64, '0').slice(0, 64);
}
