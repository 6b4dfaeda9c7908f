/**
 * The verifier's input and output shapes, shared by the IAM/STS/EC2 verifier (verify.ts) and the S3 one
 * (s3-verify.ts), and by the S3 payload decoder (payload.ts), which consumes the payload description.
 */
import type { SigV4Failure } from './failure.ts';
import type { CanonicalUriOptions } from './canonical.ts';

export interface SignedRequest {
  method: string;
  /** Raw path as received, without query. */
  path: string;
  /** Raw query string, without '?'. */
  query: string;
  /**
   * Node IncomingHttpHeaders, lower-case names. Prefer `request.headersDistinct`: Node's `headers` joins a repeated
   * header with ', ' where SigV4 joins with ',', so a repeated signed header would not verify.
   */
  headers: Record<string, string | string[] | undefined>;
  /**
   * The whole body. Required for IAM/STS/EC2 (the payload hash is computed from it). With `VerifyOptions.s3` it is
   * never read: S3 bodies are streamed after verification and checked by `decodePayload` (payload.ts).
   */
  body?: Buffer;
}

export interface KeyInfo {
  secretAccessKey: string;
  /** For temporary (session) credentials: from this instant on, a correctly signed request gets ExpiredToken. */
  expiresAt?: Date;
}

/** Looks up the secret for an access key id (and session token when present). undefined → unknown key. */
export type KeyLookup = (accessKeyId: string, sessionToken: string | undefined) => KeyInfo | undefined;

/** What aws-chunked signed payloads need to verify each chunk's signature (sigv4-streaming.html). */
export interface ChunkSigning {
  /** kSigning for the request's scope. */
  signingKey: Buffer;
  /** The request's own signature: the first chunk's "previous signature". */
  seedSignature: string;
  /** The request's yyyymmddThhmmssZ timestamp. */
  timestamp: string;
  /** `date/region/service/aws4_request`. */
  scope: string;
}

/**
 * How an S3 request's payload was signed, from x-amz-content-sha256 (or UNSIGNED-PAYLOAD for a presigned URL),
 * i.e. what the body decoder must check once the body streams in.
 */
export type PayloadDescription =
  /** A hex SHA-256 the client declared and signed; the body must hash to it. */
  | { mode: 'sha256'; hash: string }
  /** UNSIGNED-PAYLOAD: nothing to check beyond a declared x-amz-checksum-* header. */
  | { mode: 'unsigned' }
  /** STREAMING-AWS4-HMAC-SHA256-PAYLOAD: aws-chunked, every chunk signed. */
  | { mode: 'streaming-signed'; signing: ChunkSigning }
  /** STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: signed chunks, then signed trailing headers. */
  | { mode: 'streaming-signed-trailer'; signing: ChunkSigning }
  /** STREAMING-UNSIGNED-PAYLOAD-TRAILER: aws-chunked without signatures, then trailing headers (SDK v3, boto3). */
  | { mode: 'streaming-unsigned-trailer' };

export type PayloadMode = PayloadDescription['mode'];

export interface SigV4Success {
  ok: true;
  accessKeyId: string;
  sessionToken: string | undefined;
  region: string;
  service: string;
  signedAt: Date;
  /** S3 only: how the body must be decoded and checked (see payload.ts). */
  payload?: PayloadDescription;
  /** S3 only: whether the credentials came in the Authorization header or in the query (presigned URL). */
  authType?: 'header' | 'presigned';
  /** Presigned URLs only: X-Amz-Date + X-Amz-Expires. */
  expiresAt?: Date;
}

export interface VerifyOptions {
  /**
   * The time temporary credentials (and presigned URLs) expire against, when it differs from the request's:
   * rolecall's adjustable clock. Signatures are checked against real time, because clients sign with theirs.
   */
  sessionNow?: Date;
  /** Canonical URI rules; the default (double-encode, normalise) is right for every service but S3. */
  uri?: Readonly<CanonicalUriOptions>;
  /**
   * When set, the credential scope must name this service (AWS: "Credential should be scoped to correct service").
   * With `s3` it defaults to 's3'.
   */
  expectedService?: string;
  /**
   * Amazon S3's rules: S3's canonical URI (no double encoding, no normalisation), presigned URLs, the payload taken
   * from x-amz-content-sha256 instead of the body (UNSIGNED-PAYLOAD, aws-chunked STREAMING-* modes), S3's order
   * of checks. Every failure then carries a `reason` for protocol/s3/auth-errors.ts; a success carries `payload`.
   */
  s3?: boolean;
}

export type SigV4Result = SigV4Success | SigV4Failure;
