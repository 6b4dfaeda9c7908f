/**
 * Verifies AWS Signature Version 4 on header-signed requests (`Authorization: AWS4-HMAC-SHA256 ...`), as IAM, STS
 * and EC2 receive them from the AWS CLI, boto3 and the SDKs. Returns AWS's error code and message for each failure,
 * in AWS's order of checks (see failure.ts for sources). Presigned URLs and aws-chunked payloads are S3's: they are
 * refused here unless `VerifyOptions.s3` is set, which hands the request to s3-verify.ts.
 */
import { parseAuthorizationHeader, SCOPE_TERMINATOR } from './authorization-header.ts';
import {
  canonicalRequest,
  computeSignature,
  constantTimeEqual,
  credentialScope,
  DEFAULT_URI_OPTIONS,
  deriveSigningKey,
  sha256Hex,
  stringToSign,
} from './canonical.ts';
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
  s3fail,
} from './failure.ts';
import type { SigV4Failure } from './failure.ts';
import { requestCarriesCredentials, verifyS3 } from './s3-verify.ts';
import { formatAmzDate, MAX_CLOCK_SKEW_MS, parseAmzDate } from './time.ts';
import type { KeyLookup, SignedRequest, SigV4Success, VerifyOptions } from './types.ts';

export type { MalformedCredential, S3FailureReason, SigV4Failure, SigV4FailureCode } from './failure.ts';
export type {
  ChunkSigning,
  KeyInfo,
  KeyLookup,
  PayloadDescription,
  PayloadMode,
  SignedRequest,
  SigV4Result,
  SigV4Success,
  VerifyOptions,
} from './types.ts';
export { formatAmzDate, MAX_CLOCK_SKEW_MS, parseAmzDate } from './time.ts';
export { requestCarriesCredentials };

const CONTENT_SHA256 = 'x-amz-content-sha256';

/** Verifies `req` at time `now`. Never throws: any unexpected error becomes a SignatureDoesNotMatch failure. */
export function verifySigV4(
  req: SignedRequest,
  now: Date,
  lookup: KeyLookup,
  options: VerifyOptions = {},
): SigV4Success | SigV4Failure {
  try {
    return options.s3 === true ? verifyS3(req, now, lookup, options) : verify(req, now, lookup, options);
  } catch {
    // Fail closed without echoing internals (a throwing lookup, a malformed Date) to the client.
    return options.s3 === true
      ? s3fail('SignatureDoesNotMatch', MSG_SIGNATURE_MISMATCH, { kind: 'unverifiable' })
      : fail('SignatureDoesNotMatch', MSG_SIGNATURE_MISMATCH);
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
  // for different bytes. A declared x-amz-content-sha256 must agree with it. Without a body (a caller bug: only S3
  // streams its body) nothing can vouch for the payload, so the request fails closed.
  if (req.body === undefined) return fail('SignatureDoesNotMatch', MSG_SIGNATURE_MISMATCH);
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
