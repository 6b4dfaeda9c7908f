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
import { verifySigV4 } from '../protocol/sigv4/verify.ts';
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

export const tooLarge = (): AwsError =>
  new AwsError('RequestEntityTooLarge', 413, `The request body is larger than ${MAX_DOCUMENT_BODY_BYTES} bytes`);

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Whether a request carries any credentials (an Authorization header or a presigned query). */
export function hasCredentials(req: Pick<GatewayRequest, 'headers' | 'query'>): boolean {
  return first(req.headers['authorization']) !== undefined || /(^|&)X-Amz-Algorithm=/.test(req.query);
}

export async function authenticate(
  req: GatewayRequest,
  model: ServiceModel,
  codec: Codec,
  now: Date,
  resolveKey: KeyResolver,
): Promise<Authenticated> {
  const s3 = model.protocol === 'rest-xml';
  if (s3 && !hasCredentials(req)) {
    return { principal: anonymousPrincipal, region: 'us-east-1', body: undefined, stream: () => req.body.stream() };
  }
  const body = await req.body.read(MAX_DOCUMENT_BODY_BYTES);
  if (body === undefined) throw tooLarge();
  let resolved: ResolvedKey | undefined;
  // Signatures are checked against real time (clients sign with theirs); expiry against rolecall's clock.
  const auth = verifySigV4(
    { ...req, body },
    new Date(),
    (keyId, token) => {
      resolved = resolveKey(keyId, token);
      return resolved;
    },
    { sessionNow: now, ...(s3 && { uri: { doubleEncodePath: false, normalizePath: false } }) },
  );
  if (!auth.ok || !resolved) throw codec.authenticationError(model, auth.ok ? UNKNOWN_KEY : auth);
  return { principal: resolved.principal, region: auth.region, body, stream: () => req.body.stream() };
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
