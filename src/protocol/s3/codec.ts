/**
 * S3's dialect of rest-xml: the bucket may be named by the Host (virtual-hosted style, `bucket.s3.localhost:4566`,
 * `bucket.localhost:4566`, `bucket.s3.us-east-1.amazonaws.com`) or by the first path segment (path style); errors
 * are `<Error><Code/><Message/>…<RequestId/><HostId/></Error>` with x-amz-request-id and x-amz-id-2 headers
 * (Amazon S3 API Reference, "Error responses"); output bodies have the root element names S3 documents.
 */
import { randomBytes } from 'node:crypto';
import { AwsError } from '../errors.ts';
import type { WireRequest, WireResponse } from '../codec.ts';
import { escapeXml } from '../query/encode.ts';
import { validationMessage } from '../query/validate.ts';
import { createRestCodec, xmlBodies } from '../rest/codec.ts';
import { s3AuthenticationError } from './auth-errors.ts';

/** An x-amz-copy-source that names no bucket and key (CopyObject, UploadPartCopy). */
export const invalidCopySource = (header: string): AwsError =>
  new AwsError(
    'InvalidArgument',
    400,
    'Copy Source must mention the source bucket and key: sourcebucket/sourcekey.',
    'Sender',
    {
      ArgumentName: 'x-amz-copy-source',
      ArgumentValue: header,
    },
  );

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Root elements of S3 responses whose output has no payload member (Amazon S3 API Reference, each operation). */
const ROOT_ELEMENTS: Readonly<Record<string, string>> = {
  ListBuckets: 'ListAllMyBucketsResult',
  ListObjects: 'ListBucketResult',
  ListObjectsV2: 'ListBucketResult',
  ListMultipartUploads: 'ListMultipartUploadsResult',
  ListParts: 'ListPartsResult',
  CreateMultipartUpload: 'InitiateMultipartUploadResult',
  CompleteMultipartUpload: 'CompleteMultipartUploadResult',
  DeleteObjects: 'DeleteResult',
  GetBucketTagging: 'Tagging',
  GetObjectTagging: 'Tagging',
  GetBucketLocation: 'LocationConstraint',
};

/**
 * Query parameters that name an S3 subresource (every one botocore's S3 model uses). A request naming one that
 * rolecall does not serve is refused, never mistaken for the plain operation on the same path (GET /bucket?acl
 * must not list the bucket).
 */
const SUBRESOURCES = new Set(
  (
    'abac accelerate acl analytics attributes cors delete encryption intelligent-tiering inventory legal-hold ' +
    'lifecycle list-type location logging metadataConfiguration metadataInventoryTable metadataJournalTable ' +
    'metadataTable metrics notification object-lock ownershipControls policy policyStatus publicAccessBlock ' +
    'renameObject replication requestPayment restore retention select select-type session tagging torrent uploads ' +
    'versioning versions website'
  ).split(' '),
);

/** Subresources each served operation's URI names (the rest are refused). */
const OWN_SUBRESOURCES: Readonly<Record<string, readonly string[]>> = {
  GetBucketLocation: ['location'],
  DeleteObjects: ['delete'],
  ListObjectsV2: ['list-type'],
  CreateMultipartUpload: ['uploads'],
  ListMultipartUploads: ['uploads'],
  PutBucketPolicy: ['policy'],
  GetBucketPolicy: ['policy'],
  DeleteBucketPolicy: ['policy'],
  PutPublicAccessBlock: ['publicAccessBlock'],
  GetPublicAccessBlock: ['publicAccessBlock'],
  DeletePublicAccessBlock: ['publicAccessBlock'],
  PutBucketTagging: ['tagging'],
  GetBucketTagging: ['tagging'],
  DeleteBucketTagging: ['tagging'],
  PutObjectTagging: ['tagging'],
  GetObjectTagging: ['tagging'],
  DeleteObjectTagging: ['tagging'],
};

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The bucket a virtual-hosted request names in its Host header, or undefined for path-style requests. */
export function bucketFromHost(rawHost: string | undefined): string | undefined {
  if (rawHost === undefined) return undefined;
  const host = rawHost.replace(/:\d+$/, '').toLowerCase();
  if (host.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host === 'localhost') return undefined;
  const aws = /^(.+)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com$/.exec(host);
  if (aws) return aws[1];
  if (host.endsWith('.localhost')) {
    let prefix = host.slice(0, -'.localhost'.length);
    if (prefix === 's3') return undefined;
    if (prefix.endsWith('.s3')) prefix = prefix.slice(0, -'.s3'.length);
    return prefix === '' ? undefined : prefix;
  }
  return undefined;
}

/** Path segments with a virtual-hosted bucket put first, so the model's `/{Bucket}/{Key+}` templates match. */
function segments(req: WireRequest): string[] {
  const bucket = bucketFromHost(first(req.headers['host']));
  const path = req.path.startsWith('/') ? req.path.slice(1) : req.path;
  const parts = path === '' ? [] : path.split('/');
  return bucket === undefined ? parts : [encodeURIComponent(bucket), ...parts];
}

const hostId = (): string => randomBytes(48).toString('base64');

export function s3ResponseHeaders(requestId: string): Record<string, string> {
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId() };
}

export function encodeS3Error(error: AwsError, requestId: string): WireResponse {
  // 304 Not Modified carries headers only.
  if (error.status === 304) {
    return { status: 304, headers: { ...error.headers, ...s3ResponseHeaders(requestId) }, body: '' };
  }
  const details = Object.entries(error.details)
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  const id2 = hostId();
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>${details}` +
    `<RequestId>${requestId}</RequestId><HostId>${id2}</HostId></Error>`;
  return {
    status: error.status,
    headers: { ...error.headers, 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': id2 },
    body,
  };
}

export const s3Codec = createRestCodec({
  bodies: xmlBodies,
  segments,
  check(operation, _req, query) {
    const own = OWN_SUBRESOURCES[operation] ?? [];
    for (const name of query.keys()) {
      if (SUBRESOURCES.has(name) && !own.includes(name)) {
        throw new AwsError(
          'NotImplemented',
          501,
          `rolecall does not implement the S3 API for the '${name}' subresource`,
        );
      }
    }
  },
  noOperation: (req) =>
    new AwsError('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', 'Sender', {
      Method: req.method,
      ResourceType: segments(req).length > 1 ? 'OBJECT' : segments(req).length === 1 ? 'BUCKET' : 'SERVICE',
    }),
  rootElement: (operation) => ROOT_ELEMENTS[operation] ?? `${operation}Result`,
  xmlNamespace: S3_NAMESPACE,
  responseHeaders: s3ResponseHeaders,
  encodeError: encodeS3Error,
  authenticationError: s3AuthenticationError,
  validationError: (problems) => {
    // An unknown region in CreateBucketConfiguration is S3's own error, not a model violation.
    const location = problems.find((p) => p.path === 'createBucketConfiguration.locationConstraint');
    if (location) {
      return new AwsError(
        'InvalidLocationConstraint',
        400,
        'The specified location-constraint is not valid',
        'Sender',
        {
          LocationConstraint: (location.shown ?? '').replace(/^'|'$/g, ''),
        },
      );
    }
    // S3 checks no pattern on x-amz-copy-source: a source without a key is its own InvalidArgument (CopyObject,
    // UploadPartCopy; the same text the handlers give for sources the pattern lets through).
    const copySource = problems.find((p) => p.path === 'copySource');
    if (copySource) return invalidCopySource((copySource.shown ?? '').replace(/^'|'$/g, ''));
    return new AwsError('InvalidArgument', 400, validationMessage(problems));
  },
  // A ranged GetObject answers 206 Partial Content (API Reference, GetObject).
  status: (operation, output) => (operation === 'GetObject' && output['ContentRange'] !== undefined ? 206 : undefined),
  specialBody(operation, output) {
    if (operation !== 'GetBucketLocation') return undefined;
    const region = output['LocationConstraint'];
    // us-east-1 buckets answer an empty LocationConstraint (API Reference, GetBucketLocation).
    return typeof region === 'string' && region !== ''
      ? `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NAMESPACE}">${escapeXml(region)}</LocationConstraint>`
      : `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NAMESPACE}"/>`;
  },
});
