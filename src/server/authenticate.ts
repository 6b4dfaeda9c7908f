/**
 * Step 2 of the pipeline: who is calling. Every request is SigV4-verified (header or, for S3, presigned query)
 * and its key resolved to a principal; S3 alone also accepts anonymous requests, which only a public bucket
 * policy can let through (shared/DESIGN.md decision 3). Query and JSON bodies are read whole first, since their
 * hash is part of the signature; S3 bodies stay a stream, verified as they are read (see sigv4/payload.ts).
 */
import type { KeyResolver, ResolvedKey } from '../auth/credentials.ts';
import { anonymousPrincipal, type Principal } from '../auth/principal.ts';
import { AwsError } from '../protocol/errors.ts';
import type { Codec } from '../protocol/codec.ts';
import type { ServiceModel } from '../protocol/model.ts';
import { decodePayload } from '../protocol/sigv4/payload.ts';
import { requestCarriesCredentials, verifySigV4 } from '../protocol/sigv4/verify.ts';
import type { GatewayRequest } from './pipeline.ts';

/** A request body, read on demand: whole (bounded), or as a stream. */
export interface RequestBody {
  /** The whole body, or undefined when it is longer than `limit` bytes. Read once, then cached. */
  read(limit: number): Promise<Buffer | undefined>;
  /** The body as it arrives (the cached bytes when `read` ran first). */
  stream(): AsyncIterable<Uint8Array>;
}

export interface Authenticated {
  readonly principal: Principal;
  readonly region: string;
  /** The whole body, when it was read to verify the signature. */
  readonly body: Buffer | undefined;
  /** The verified body as a stream. */
  stream(): AsyncIterable<Uint8Array>;
}

/** Bodies of the query and JSON protocols are small; IAM's largest document is 131,072 characters. */
export const MAX_DOCUMENT_BODY_BYTES = 8 * 1024 * 1024;

/** A key the verifier accepted but no principal holds (it cannot happen while lookup and resolution agree). */
const UNKNOWN_KEY = {
  ok: false,
  code: 'InvalidClientTokenId',
  message: 'The security token included in the request is invalid.',
} as const;

/**
 * Lambda takes deployment packages of up to 50 MB inline, base64 inside the JSON body: AWS refuses bodies past
 * 69,905,067 bytes (4/3 of 50 MiB; "Request must be smaller than 69905067 bytes for the CreateFunction
 * operation", Lambda quotas).
 */
export const MAX_LAMBDA_BODY_BYTES = 69_905_067;

const bodyLimit = (model: ServiceModel): number =>
  model.service === 'lambda' ? MAX_LAMBDA_BODY_BYTES : MAX_DOCUMENT_BODY_BYTES;

export const tooLarge = (limit = MAX_DOCUMENT_BODY_BYTES): AwsError =>
  new AwsError('RequestEntityTooLarge', 413, `The request body is larger than ${limit} bytes`);

/**
 * Lambda's own answer: RequestEntityTooLargeException `Request must be smaller than 69905067 bytes for the
 * CreateFunction operation` (motdotla/node-lambda#123, localstack/localstack#2999 quoting AWS).
 */
function lambdaTooLarge(req: GatewayRequest, model: ServiceModel, codec: Codec): AwsError {
  let operation: string | undefined;
  try {
    operation = codec.operation(model, { ...req, body: Buffer.alloc(0) });
  } catch {
    operation = undefined;
  }
  const what = operation === undefined ? '' : ` for the ${operation} operation`;
  return new AwsError(
    'RequestEntityTooLargeException',
    413,
    `Request must be smaller than ${MAX_LAMBDA_BODY_BYTES} bytes${what}`,
  );
}

export async function authenticate(
  req: GatewayRequest,
  model: ServiceModel,
  codec: Codec,
  now: Date,
  resolveKey: KeyResolver,
): Promise<Authenticated> {
  if (model.protocol === 'rest-xml') return authenticateS3(req, model, codec, now, resolveKey);
  const limit = bodyLimit(model);
  const body = await req.body.read(limit);
  if (body === undefined) throw model.service === 'lambda' ? lambdaTooLarge(req, model, codec) : tooLarge(limit);
  let resolved: ResolvedKey | undefined;
  // Signatures are checked against real time (clients sign with theirs); expiry against rolecall's clock.
  const auth = verifySigV4(
    { ...req, body },
    new Date(),
    (keyId, token) => {
      resolved = resolveKey(keyId, token);
      return resolved;
    },
    { sessionNow: now },
  );
  if (!auth.ok || !resolved) throw codec.authenticationError(model, auth.ok ? UNKNOWN_KEY : auth);
  return { principal: resolved.principal, region: auth.region, body, stream: () => req.body.stream() };
}

/**
 * S3: the signature covers the declared payload hash (or a streaming mode), so the body is checked as it is
 * read: its hash, its aws-chunked signatures, its checksums (sigv4/payload.ts). Without credentials the caller
 * is anonymous, and only a public bucket policy lets it through.
 */
function authenticateS3(
  req: GatewayRequest,
  model: ServiceModel,
  codec: Codec,
  now: Date,
  resolveKey: KeyResolver,
): Authenticated {
  if (!requestCarriesCredentials(req)) {
    return { principal: anonymousPrincipal, region: 'us-east-1', body: undefined, stream: () => req.body.stream() };
  }
  let resolved: ResolvedKey | undefined;
  const auth = verifySigV4(
    { method: req.method, path: req.path, query: req.query, headers: req.headers },
    new Date(),
    (keyId, token) => {
      resolved = resolveKey(keyId, token);
      return resolved;
    },
    { sessionNow: now, s3: true },
  );
  if (!auth.ok || !resolved) throw codec.authenticationError(model, auth.ok ? UNKNOWN_KEY : auth);
  const payload = auth.payload ?? { mode: 'unsigned' as const };
  let decoded: AsyncIterable<Uint8Array> | undefined;
  return {
    principal: resolved.principal,
    region: auth.region,
    body: undefined,
    // Decoded once; the object handed on also reports the checksums the body carried, once it is read.
    stream: () => {
      if (!decoded) {
        const payloadStream = decodePayload(req.body.stream(), payload, req.headers);
        decoded = {
          [Symbol.asyncIterator]: () => payloadStream.body[Symbol.asyncIterator](),
          checksums: () => payloadStream.checksums(),
        } as AsyncIterable<Uint8Array>;
      }
      return decoded;
    },
  };
}

/** A stream read whole, refused past `limit` bytes. */
export async function collect(stream: AsyncIterable<Uint8Array>, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Reading on past the limit (and dropping the bytes) leaves the connection able to carry the error.
  for await (const chunk of stream) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw tooLarge();
  return Buffer.concat(chunks, size);
}
