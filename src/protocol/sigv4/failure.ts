/**
 * SigV4 verification failures: the result type shared by the header parser and the verifier, and the exact error
 * texts AWS returns, each with where it was confirmed. Kept in one module so the parser and the verifier agree on
 * wording and so the protocol layers (query/XML for IAM/STS/EC2) can map codes without string matching. S3 words
 * its failures differently: an S3 verification adds a structured `reason`, worded in protocol/s3/auth-errors.ts.
 *
 * Sources used below:
 *  - [dynalite]: architect/dynalite index.js, whose comments record the JSON bodies real AWS (DynamoDB) returned for
 *    each authentication fault, in the order AWS checks them.
 *  - [scratchstack]: dacut/scratchstack-aws-signature src/auth.rs, src/canonical.rs, src/constants.rs, a Rust SigV4
 *    verifier written to reproduce AWS's messages and error ordering ("AWS Auth Error Ordering").
 *  - [moto]: getmoto/moto moto/core/exceptions.py (InvalidClientTokenIdError, SignatureDoesNotMatchError).
 *  - Captured responses quoted in public issues, cited where used.
 */

/** Error codes; the protocol layer picks the HTTP status and the per-protocol spelling (EC2 uses AuthFailure etc.). */
export type SigV4FailureCode =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'InvalidClientTokenId'
  | 'SignatureDoesNotMatch'
  | 'RequestExpired'
  | 'ExpiredToken';

export interface SigV4Failure {
  ok: false;
  code: SigV4FailureCode;
  message: string;
  /**
   * True when the failure is clock skew (X-Amz-Date outside the allowed window). AWS query services report that as
   * SignatureDoesNotMatch, but EC2 reports RequestExpired, so the EC2 protocol layer remaps on this flag.
   */
  skewed?: true;
  /**
   * Set on every failure of an S3 verification (`VerifyOptions.s3`): what exactly went wrong, with the values S3
   * echoes in its error, for protocol/s3/auth-errors.ts. `code` and `message` then hold the nearest IAM-style
   * equivalent, for callers that do not speak S3.
   */
  reason?: S3FailureReason;
}

export const fail = (code: SigV4FailureCode, message: string): SigV4Failure => ({ ok: false, code, message });

/**
 * A problem with the credential scope or the Authorization header's structure. S3 words each one the same way in
 * AuthorizationHeaderMalformed (header) and AuthorizationQueryParametersError (presigned URL).
 */
export type MalformedCredential =
  /** Header only: Credential, SignedHeaders or Signature missing. */
  | { what: 'components' }
  /** Header only: a part without '='. */
  | { what: 'component'; component: string }
  /** Not five slash-separated parts. */
  | { what: 'credential' }
  | { what: 'access-key-empty' }
  | { what: 'region-empty' }
  | { what: 'date-format'; date: string }
  | { what: 'service'; service: string }
  | { what: 'terminator'; terminator: string }
  /** The scope's date is not the day of X-Amz-Date. */
  | { what: 'date-mismatch'; scopeDate: string; requestDate: string };

/** Why an S3 request failed authentication; protocol/s3/auth-errors.ts turns each into S3's error. */
export type S3FailureReason =
  /** Neither an Authorization header nor query-string credentials: S3 may serve it anonymously. */
  | { kind: 'anonymous' }
  /** Authorization header and query-string credentials together. */
  | { kind: 'multiple-mechanisms'; authorization: string }
  /** An Authorization scheme that is neither SigV4 nor SigV2. */
  | { kind: 'unsupported-authorization'; authorization: string }
  /** Signature Version 2 (header `AWS key:sig` or query `AWSAccessKeyId`/`Signature`). */
  | { kind: 'sigv2' }
  | { kind: 'malformed'; presigned: boolean; problem: MalformedCredential }
  | { kind: 'presign-missing-parameters' }
  | { kind: 'presign-algorithm'; algorithm: string }
  | { kind: 'presign-date'; value: string }
  | { kind: 'presign-expires'; problem: 'not-a-number' | 'negative' | 'too-large'; value: string }
  | { kind: 'presign-expired'; expires: string; expiresAt: Date; serverTime: Date }
  | { kind: 'presign-not-yet-valid'; signedAt: Date; expiresAt: Date; serverTime: Date }
  /** Header-signed request without a usable X-Amz-Date or Date. */
  | { kind: 'missing-date' }
  | { kind: 'time-skewed'; requestTime: string; serverTime: Date; maxSkewMs: number }
  | { kind: 'content-sha256-missing' }
  | { kind: 'content-sha256-invalid'; value: string }
  | { kind: 'unknown-access-key'; accessKeyId: string }
  /** A session token was sent but the key/token pair is not known. */
  | { kind: 'invalid-token'; sessionToken: string }
  | {
      kind: 'signature-mismatch';
      accessKeyId: string;
      stringToSign: string;
      canonicalRequest: string;
      signatureProvided: string;
    }
  | { kind: 'expired-token'; sessionToken: string }
  /** Headers S3 requires to be signed (host, every x-amz-* but x-amz-content-sha256) that are not. */
  | { kind: 'headers-not-signed'; headers: string[] }
  /** Verification could not run (an invalid clock, a throwing key lookup): fail closed, echo nothing. */
  | { kind: 'unverifiable' };

export const s3fail = (
  code: SigV4FailureCode,
  message: string,
  reason: S3FailureReason,
  skewed = false,
): SigV4Failure => ({ ok: false, code, message, reason, ...(skewed ? { skewed: true as const } : {}) });

// [dynalite] `MissingAuthenticationTokenException: Request is missing Authentication Token`; same text in
// [scratchstack] MSG_REQUEST_MISSING_AUTH_TOKEN. No trailing period.
export const MSG_MISSING_AUTH_TOKEN = 'Request is missing Authentication Token';

// [dynalite] "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
export const MSG_BOTH_HEADER_AND_QUERY =
  "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.";

// [dynalite] and [scratchstack] MSG_AUTH_HEADER_REQ_*: each missing part adds one sentence, then
// " Authorization=<algorithm>". [scratchstack] appends only the first token of the header, which matches a response
// captured from an AWS-fronted API for `Authorization: Bearer <token>`: "... header. Authorization=Bearer" (rclone,
// backend/amazonclouddrive shouldRetry comment). [dynalite] appends the whole header; we follow the capture.
export const MSG_REQUIRES_CREDENTIAL = "Authorization header requires 'Credential' parameter.";
export const MSG_REQUIRES_SIGNATURE = "Authorization header requires 'Signature' parameter.";
export const MSG_REQUIRES_SIGNED_HEADERS = "Authorization header requires 'SignedHeaders' parameter.";
export const MSG_REQUIRES_DATE = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.";

// [dynalite] "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header:
// 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'."
export const msgNotKeyValue = (param: string, header: string): string =>
  `'${param}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`;

// [dynalite] "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). " (trailing space).
export const msgUnsupportedAlgorithm = (algorithm: string): string =>
  `Unsupported AWS 'algorithm': '${algorithm}' (only AWS4-HMAC-SHA256 for now). `;

// [dynalite] "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term,
// got 'a/b/c/d'"; [scratchstack] MSG_CREDENTIAL_MUST_HAVE_FIVE_PARTS. IncompleteSignature.
export const msgCredentialParts = (credential: string): string =>
  `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`;

// [dynalite] "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"
export const msgBadDate = (date: string): string =>
  `Date must be in ISO-8601 'basic format'. Got '${date}'. See http://en.wikipedia.org/wiki/ISO_8601`;

// [dynalite] "Signature expired: 20130301T000000Z is now earlier than 20130609T094515Z (20130609T100015Z - 15 min.)"
// [scratchstack] error.rs: "Signature not yet current: 20210502T183640Z is still later than 20210502T175140Z
// (20210502T173640Z + 15 min.)". Both are SignatureDoesNotMatch (InvalidSignatureException in JSON protocols).
export const msgSignatureExpired = (request: string, earliest: string, now: string): string =>
  `Signature expired: ${request} is now earlier than ${earliest} (${now} - 15 min.)`;
export const msgSignatureNotYetCurrent = (request: string, latest: string, now: string): string =>
  `Signature not yet current: ${request} is still later than ${latest} (${now} + 15 min.)`;

// [scratchstack] MSG_HOST_AUTHORITY_MUST_BE_SIGNED (SignatureDoesNotMatch). [dynalite] recorded the older wording
// "'Host' must be a 'SignedHeader' in the AWS Authorization."; the newer one is used.
export const MSG_HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";

// Credential scope checks, [dynalite] and [scratchstack] prevalidate(): all failing checks are joined with a space
// and reported as SignatureDoesNotMatch (InvalidSignatureException), not IncompleteSignature.
export const msgScopeRegion = (region: string): string =>
  `Credential should be scoped to a valid region, not '${region}'.`;
export const msgScopeService = (expected: string): string =>
  `Credential should be scoped to correct service: '${expected}'.`;
export const msgScopeTerminator = (terminator: string): string =>
  `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`;
export const msgScopeDate = (scopeDate: string, requestDate: string, requestTimestamp: string): string =>
  `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${requestDate}', from '${requestTimestamp}'.`;

// Unknown access key. With the trailing period: STS's answer captured in jrl84/amazon-sp-api#218 (2023,
// sts.amazonaws.com) and the AWS CLI output "An error occurred (InvalidClientTokenId) when calling the
// GetCallerIdentity operation: The security token included in the request is invalid."; [moto]
// InvalidClientTokenIdError; [dynalite] for an unknown key id. Older and regional answers without the period exist
// (aws-azure-login/aws-azure-login#251); [dynalite] records that variant for a bad X-Amz-Security-Token only.
export const MSG_INVALID_CLIENT_TOKEN = 'The security token included in the request is invalid.';

// Expired session credentials: ExpiredToken, no trailing period. IAM's ErrorResponse in cfn-sphere/cfn-sphere#55
// and STS GetCallerIdentity in miquella/vaulted#107.
export const MSG_EXPIRED_TOKEN = 'The security token included in the request is expired';

// [moto] SignatureDoesNotMatchError; [scratchstack] MSG_REQUEST_SIGNATURE_MISMATCH; [dynalite] (AWS then appends
// the expected canonical request and string to sign; we do not, to avoid echoing request details).
export const MSG_SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

// S3's XAmzContentSHA256Mismatch text, as captured in s5cmd's README ("The provided 'x-amz-content-sha256' header
// does not match what was computed."). Non-S3 services have no such code; we report it as SignatureDoesNotMatch.
export const MSG_CONTENT_SHA256_MISMATCH =
  "The provided 'x-amz-content-sha256' header does not match what was computed.";

// rolecall's own wording: these payload modes are S3-only and not supported yet (no AWS text applies).
export const msgPayloadModeUnsupported = (value: string): string =>
  `x-amz-content-sha256 '${value}' is not supported for this service; sign the payload (hex SHA-256 of the body).`;

// rolecall's own wording: presigned (query-string) SigV4 is not implemented yet.
export const MSG_QUERY_AUTH_UNSUPPORTED =
  'Query-string (presigned URL) SigV4 authentication is not supported for this service; use the Authorization header.';
