/**
 * Verifies AWS Signature Version 4 on header-signed requests (`Authorization: AWS4-HMAC-SHA256 ...`), as IAM, STS
 * and EC2 receive them from the AWS CLI, boto3 and the SDKs. Returns AWS's error code and message for each failure,
 * in AWS's order of checks (see failure.ts for sources). Presigned URLs and aws-chunked payloads (S3) are not
 * handled yet: they are refused with a clear message, and `VerifyOptions` is where S3 will opt in.
 */
import { timingSafeEqual } from 'node:crypto';
import { parseAuthorizationHeader, SCOPE_TERMINATOR } from './authorization-header.ts';
import {
  canonicalRequest,
  computeSignature,
  credentialScope,
  DEFAULT_URI_OPTIONS,
  deriveSigningKey,
  sha256Hex,
  stringToSign,
} from './canonical.ts';
import type { CanonicalUriOptions } from './canonical.ts';
import {
  fail,
  MSG_BOTH_HEADER_AND_QUERY,
  MSG_CONTENT_SHA256_MISMATCH,
  MSG_EXPIRED_TOKEN,
  MSG_HOST_NOT_SIGNED,
  MSG_INVALID_CLIENT_TOKEN,
  MSG_MISSING_AUTH_TOKEN,
  MSG_QUERY_AUTH_UNSUPPORTED,
  MSG_REQUIRES_DATE,
  MSG_SIGNATURE_MISMATCH,
  msgBadDate,
  msgPayloadModeUnsupported,
  msgScopeDate,
  msgScopeRegion,
  msgScopeService,
  msgScopeTerminator,
  msgSignatureExpired,
  msgSignatureNotYetCurrent,
} from './failure.ts';
import type { SigV4Failure } from './failure.ts';

export type { SigV4Failure, SigV4FailureCode } from './failure.ts';

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
  body: Buffer;
}

export interface KeyInfo {
  secretAccessKey: string;
  /** For temporary (session) credentials: from this instant on, a correctly signed request gets ExpiredToken. */
  expiresAt?: Date;
}

/** Looks up the secret for an access key id (and session token when present). undefined → unknown key. */
export type KeyLookup = (accessKeyId: string, sessionToken: string | undefined) => KeyInfo | undefined;

export interface SigV4Success {
  ok: true;
  accessKeyId: string;
  sessionToken: string | undefined;
  region: string;
  service: string;
  signedAt: Date;
}

export interface VerifyOptions {
  /**
   * The time temporary credentials expire against, when it differs from the request's: rolecall's adjustable
   * clock. Signatures are checked against real time, because clients sign with theirs.
   */
  sessionNow?: Date;
  /** Canonical URI rules; the default (double-encode, normalise) is right for every service but S3. */
  uri?: Readonly<CanonicalUriOptions>;
  /** When set, the credential scope must name this service (AWS: "Credential should be scoped to correct service"). */
  expectedService?: string;
}

/**
 * Allowed clock skew either way. 15 minutes is what AWS's own messages state for IAM/STS-style services, e.g.
 * "(20130609T100015Z - 15 min.)" (architect/dynalite) and ALLOWED_MISMATCH_MINUTES = 15
 * (dacut/scratchstack-aws-signature). Some endpoints use 5 minutes (a CloudFormation message quoted in public tests
 * reads "- 5 min."); rolecall uses 15 everywhere.
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const CONTENT_SHA256 = 'x-amz-content-sha256';

/** Verifies `req` at time `now`. Never throws: any unexpected error becomes a SignatureDoesNotMatch failure. */
export function verifySigV4(
  req: SignedRequest,
  now: Date,
  lookup: KeyLookup,
  options: VerifyOptions = {},
): SigV4Success | SigV4Failure {
  try {
    return verify(req, now, lookup, options);
  } catch {
    // Fail closed without echoing internals (a throwing lookup, a malformed Date) to the client.
    return fail('SignatureDoesNotMatch', MSG_SIGNATURE_MISMATCH);
  }
}

function verify(req: SignedRequest, now: Date, lookup: KeyLookup, options: VerifyOptions): SigV4Success | SigV4Failure {
  // An invalid clock would make every skew comparison false and let any timestamp through.
  if (!Number.isFinite(now.getTime())) return fail('SignatureDoesNotMatch', MSG_SIGNATURE_MISMATCH);
  const authorization = first(req.headers['authorization']);
  const queryAuth = hasQueryParam(req.query, 'X-Amz-Algorithm');
  if (authorization === undefined) {
    return queryAuth
      ? fail('IncompleteSignature', MSG_QUERY_AUTH_UNSUPPORTED)
      : fail('MissingAuthenticationToken', MSG_MISSING_AUTH_TOKEN);
  }
  // architect/dynalite records AWS refusing a request that carries both forms.
  if (queryAuth) return fail('SignatureDoesNotMatch', MSG_BOTH_HEADER_AND_QUERY);

  // SigV4 takes the time from X-Amz-Date, else from Date (which must then also be ISO 8601 basic format).
  const timestamp = first(req.headers['x-amz-date']) ?? first(req.headers['date']);
  const auth = parseAuthorizationHeader(authorization, { hasDateHeader: timestamp !== undefined });
  if (!auth.ok) return auth;
  if (timestamp === undefined) return fail('IncompleteSignature', MSG_REQUIRES_DATE); // the parser already reported it

  const signedAt = parseAmzDate(timestamp);
  if (signedAt === undefined) return fail('IncompleteSignature', msgBadDate(timestamp));

  const skew = signedAt.getTime() - now.getTime();
  if (skew < -MAX_CLOCK_SKEW_MS) {
    const message = msgSignatureExpired(
      timestamp,
      formatAmzDate(new Date(now.getTime() - MAX_CLOCK_SKEW_MS)),
      formatAmzDate(now),
    );
    return { ...fail('SignatureDoesNotMatch', message), skewed: true };
  }
  if (skew > MAX_CLOCK_SKEW_MS) {
    const message = msgSignatureNotYetCurrent(
      timestamp,
      formatAmzDate(new Date(now.getTime() + MAX_CLOCK_SKEW_MS)),
      formatAmzDate(now),
    );
    return { ...fail('SignatureDoesNotMatch', message), skewed: true };
  }

  // Without Host in the signature a request could be replayed against another endpoint. AWS compares names
  // case-insensitively (architect/dynalite).
  if (!auth.signedHeaders.some((h) => h.toLowerCase() === 'host' || h === ':authority')) {
    return fail('SignatureDoesNotMatch', MSG_HOST_NOT_SIGNED);
  }

  // AWS reports every scope problem at once. Any region is accepted (rolecall serves all regions); the service is
  // checked only when the caller knows which one it expects (the router normally chose it from this very scope).
  const scopeErrors: string[] = [];
  if (auth.region === '') scopeErrors.push(msgScopeRegion(auth.region));
  if (options.expectedService !== undefined && auth.service !== options.expectedService) {
    scopeErrors.push(msgScopeService(options.expectedService));
  }
  if (auth.terminator !== SCOPE_TERMINATOR) scopeErrors.push(msgScopeTerminator(auth.terminator));
  const requestDate = timestamp.slice(0, 8);
  if (auth.date !== requestDate) scopeErrors.push(msgScopeDate(auth.date, requestDate, timestamp));
  if (scopeErrors.length > 0) return fail('SignatureDoesNotMatch', scopeErrors.join(' '));

  // The canonical request always uses the hash of the body we actually received, so a signature can never vouch
  // for different bytes. A declared x-amz-content-sha256 must agree with it.
  const payloadHash = sha256Hex(req.body);
  const declared = first(req.headers[CONTENT_SHA256]);
  if (declared !== undefined) {
    // S3-only payload modes; S3 will enable them through VerifyOptions when it lands.
    if (declared === 'UNSIGNED-PAYLOAD' || declared.startsWith('STREAMING-')) {
      return fail('SignatureDoesNotMatch', msgPayloadModeUnsupported(declared));
    }
    if (declared !== payloadHash) return fail('SignatureDoesNotMatch', MSG_CONTENT_SHA256_MISMATCH);
  }

  // AWS checks the key id before the signature (architect/dynalite ordering), so an unknown key is InvalidClientTokenId.
  const sessionToken = first(req.headers['x-amz-security-token']);
  const key = lookup(auth.accessKeyId, sessionToken);
  if (key === undefined) return fail('InvalidClientTokenId', MSG_INVALID_CLIENT_TOKEN);

  const canonical = canonicalRequest({
    method: req.method,
    path: req.path,
    query: req.query,
    headers: req.headers,
    signedHeaders: auth.signedHeaders,
    payloadHash,
    uri: options.uri ?? DEFAULT_URI_OPTIONS,
  });
  const signingKey = deriveSigningKey(key.secretAccessKey, auth.date, auth.region, auth.service);
  const expected = computeSignature(
    signingKey,
    stringToSign(timestamp, credentialScope(auth.date, auth.region, auth.service), canonical),
  );
  if (!constantTimeEqual(expected, auth.signature)) return fail('SignatureDoesNotMatch', MSG_SIGNATURE_MISMATCH);

  // Expiry is reported only for a correctly signed request, so it reveals nothing to someone without the secret.
  if (key.expiresAt !== undefined && (options.sessionNow ?? now).getTime() >= key.expiresAt.getTime()) {
    return fail('ExpiredToken', MSG_EXPIRED_TOKEN);
  }

  return {
    ok: true,
    accessKeyId: auth.accessKeyId,
    sessionToken,
    region: auth.region,
    service: auth.service,
    signedAt,
  };
}

function first(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/** Whether a raw query string has a parameter with exactly this (unencoded, case-sensitive) name. */
function hasQueryParam(query: string, name: string): boolean {
  if (!query.includes(name)) return false;
  return query.split('&').some((p) => p === name || p.startsWith(`${name}=`));
}

/** timingSafeEqual needs equal lengths; a length difference is no secret (signatures are always 64 hex digits). */
function constantTimeEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses ISO 8601 basic format `yyyymmddThhmmssZ`; undefined for anything else, including impossible dates. */
export function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls over impossible dates (Feb 30 → Mar 2): a real date keeps its fields.
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return valid ? date : undefined;
}

/** `yyyymmddThhmmssZ`, dropping milliseconds, as AWS prints times in its messages. */
export function formatAmzDate(date: Date): string {
  const iso = date.toISOString(); // 2026-01-01T00:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}
