/**
 * SigV4 as Amazon S3 applies it: header-signed requests whose payload hash is the declared x-amz-content-sha256
 * (a hex SHA-256, UNSIGNED-PAYLOAD or an aws-chunked STREAMING-* mode) because the body is streamed afterwards, and
 * presigned URLs (query-string authentication). Each failure carries an `S3FailureReason` that
 * protocol/s3/auth-errors.ts turns into S3's own error; the sources of S3's behaviour are cited there and below.
 *
 * Specs: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html,
 * .../sigv4-query-string-auth.html, .../sigv4-streaming.html, .../sigv4-streaming-trailers.html.
 */
import { SCOPE_TERMINATOR, SEPARATORS, SIGV4_ALGORITHM, splitCredential } from './authorization-header.ts';
import type { CredentialParts } from './authorization-header.ts';
import {
  canonicalRequest,
  computeSignature,
  constantTimeEqual,
  credentialScope,
  deriveSigningKey,
  percentDecode,
  S3_URI_OPTIONS,
  stringToSign,
} from './canonical.ts';
import {
  MSG_EXPIRED_TOKEN,
  MSG_INVALID_CLIENT_TOKEN,
  MSG_MISSING_AUTH_TOKEN,
  MSG_SIGNATURE_MISMATCH,
  s3fail,
} from './failure.ts';
import type { MalformedCredential, S3FailureReason, SigV4Failure, SigV4FailureCode } from './failure.ts';
import { isScopeDate, MAX_CLOCK_SKEW_MS, parseAmzDate } from './time.ts';
import type {
  ChunkSigning,
  KeyLookup,
  PayloadDescription,
  PayloadMode,
  SignedRequest,
  SigV4Result,
  VerifyOptions,
} from './types.ts';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

/**
 * The longest a presigned URL may live: seven days. S3 refuses more ("X-Amz-Expires must be less than a week (in
 * seconds); that is, the given X-Amz-Expires must be less than 604800 seconds", aws/aws-cli#5464) while the SDKs
 * sign exactly 604800 (smithy MAX_PRESIGNED_TTL = 60 * 60 * 24 * 7; aws/aws-sdk-js-v3#5577 shows such a URL).
 */
export const MAX_PRESIGN_EXPIRES_SECONDS = 604800;

const CONTENT_SHA256 = 'x-amz-content-sha256';

/** Query parameters a presigned URL must carry; S3 names all six when one is missing (kaliber-scala/play-s3#73). */
const PRESIGN_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Signature',
  'X-Amz-Date',
  'X-Amz-SignedHeaders',
  'X-Amz-Expires',
] as const;

/**
 * Whether the request carries credentials at all: an Authorization header, a SigV4 presigned query
 * (X-Amz-Algorithm) or a SigV2 one (Signature). These are the three mechanisms S3 names in "Only one auth mechanism
 * allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header
 * should be specified" (catalyst/moodle-tool_objectfs#303). A request with none is anonymous, which S3 serves when
 * the bucket allows it; the caller decides.
 */
export function requestCarriesCredentials(req: Pick<SignedRequest, 'headers' | 'query'>): boolean {
  if (first(req.headers['authorization']) !== undefined) return true;
  const query = parseQuery(req.query);
  return query.has('X-Amz-Algorithm') || query.has('Signature');
}

/** S3's verification; `verifySigV4(req, now, lookup, { s3: true })` lands here. */
export function verifyS3(req: SignedRequest, now: Date, lookup: KeyLookup, options: VerifyOptions): SigV4Result {
  // An invalid clock would make every time comparison false and let any timestamp through.
  if (!Number.isFinite(now.getTime())) return unverifiable();
  const authorization = first(req.headers['authorization']);
  const query = parseQuery(req.query);
  const v4Query = query.has('X-Amz-Algorithm');
  const v2Query = query.has('Signature');
  if (authorization === undefined && !v4Query && !v2Query) {
    return s3fail('MissingAuthenticationToken', MSG_MISSING_AUTH_TOKEN, { kind: 'anonymous' });
  }
  if (authorization !== undefined && (v4Query || v2Query)) {
    return s3fail('SignatureDoesNotMatch', 'Only one authentication mechanism may be used.', {
      kind: 'multiple-mechanisms',
      authorization,
    });
  }
  const context: Context = { req, now, lookup, options, service: options.expectedService ?? 's3' };
  if (authorization !== undefined) return verifyHeader(context, authorization);
  if (!v4Query) return s3fail('IncompleteSignature', 'Signature Version 2 is not supported.', { kind: 'sigv2' });
  return verifyPresigned(context, query);
}

interface Context {
  req: SignedRequest;
  now: Date;
  lookup: KeyLookup;
  options: VerifyOptions;
  service: string;
}

/** What both forms have once their own parameters are parsed: everything the signature check needs. */
interface Parsed {
  credential: CredentialParts;
  timestamp: string;
  signedAt: Date;
  signedHeaders: string[];
  signature: string;
  payloadMode: PayloadMode;
  payloadHash: string;
  sessionToken: string | undefined;
  presigned: boolean;
  expiresAt?: Date;
}

function verifyHeader(ctx: Context, authorization: string): SigV4Result {
  const header = authorization.trim();
  const scheme = /^[^\s,]*/.exec(header)?.[0] ?? '';
  // "AWS AKID:signature" is Signature Version 2, which S3 refuses where only SigV4 is served with InvalidRequest
  // (aws/aws-cli#2432); any other scheme, "AWS4-HMAC-SHA25" included, is "Unsupported Authorization Type"
  // (versity/versitygw#1512, captured from S3).
  if (scheme === 'AWS')
    return s3fail('IncompleteSignature', 'Signature Version 2 is not supported.', { kind: 'sigv2' });
  if (scheme !== SIGV4_ALGORITHM) {
    return s3fail('IncompleteSignature', `Unsupported Authorization Type: ${scheme}`, {
      kind: 'unsupported-authorization',
      authorization,
    });
  }

  const params = new Map<string, string>();
  for (const part of header.slice(scheme.length).split(SEPARATORS)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) return malformed(false, { what: 'component', component: part });
    params.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const credentialValue = params.get('Credential');
  const signature = params.get('Signature');
  const signedHeaders = params.get('SignedHeaders');
  if (!credentialValue || !signature || !signedHeaders) return malformed(false, { what: 'components' });

  const credential = checkCredential(credentialValue, ctx.service);
  if (!Array.isArray(credential)) return malformed(false, credential);

  // SigV4 takes the time from X-Amz-Date, else from Date (which must then be in the same basic format). S3 answers
  // a missing or unreadable one with AccessDenied (hubrick/vertx-s3-client#5; 403 in indix/gocd-s3-artifacts#16).
  const timestamp = first(ctx.req.headers['x-amz-date']) ?? first(ctx.req.headers['date']);
  const signedAt = timestamp === undefined ? undefined : parseAmzDate(timestamp);
  if (timestamp === undefined || signedAt === undefined) {
    return s3fail('IncompleteSignature', 'A valid X-Amz-Date or Date header is required.', { kind: 'missing-date' });
  }
  const requestDate = timestamp.slice(0, 8);
  if (credential[1] !== requestDate) {
    return malformed(false, { what: 'date-mismatch', scopeDate: credential[1], requestDate });
  }

  const skew = signedAt.getTime() - ctx.now.getTime();
  if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) {
    const reason: S3FailureReason = {
      kind: 'time-skewed',
      requestTime: timestamp,
      serverTime: ctx.now,
      maxSkewMs: MAX_CLOCK_SKEW_MS,
    };
    return s3fail(
      'SignatureDoesNotMatch',
      'The difference between the request time and the current time is too large.',
      reason,
      true,
    );
  }

  // S3 requires the header on every header-signed request (aws/aws-cli#2138: InvalidRequest "Missing required
  // header for this request: x-amz-content-sha256").
  const declared = first(ctx.req.headers[CONTENT_SHA256]);
  if (declared === undefined) {
    return s3fail('SignatureDoesNotMatch', 'x-amz-content-sha256 is required.', { kind: 'content-sha256-missing' });
  }
  const payloadMode = classifyPayload(declared);
  if (payloadMode === undefined) return invalidContentSha256(declared);

  return verifySignature(ctx, {
    credential,
    timestamp,
    signedAt,
    signedHeaders: signedHeaders.split(';'),
    signature,
    payloadMode,
    payloadHash: declared,
    sessionToken: first(ctx.req.headers['x-amz-security-token']),
    presigned: false,
  });
}

function verifyPresigned(ctx: Context, query: Map<string, string>): SigV4Result {
  const values: Partial<Record<(typeof PRESIGN_PARAMS)[number], string>> = {};
  for (const name of PRESIGN_PARAMS) {
    const value = query.get(name);
    if (value === undefined || value === '') {
      return s3fail('IncompleteSignature', 'A presigned URL needs all six X-Amz-* parameters.', {
        kind: 'presign-missing-parameters',
      });
    }
    values[name] = value;
  }
  const algorithm = values['X-Amz-Algorithm'] ?? '';
  const credentialValue = values['X-Amz-Credential'] ?? '';
  const signature = values['X-Amz-Signature'] ?? '';
  const timestamp = values['X-Amz-Date'] ?? '';
  const signedHeaders = values['X-Amz-SignedHeaders'] ?? '';
  const expires = values['X-Amz-Expires'] ?? '';

  if (algorithm !== SIGV4_ALGORITHM) {
    return s3fail('IncompleteSignature', `Unsupported X-Amz-Algorithm '${algorithm}'.`, {
      kind: 'presign-algorithm',
      algorithm,
    });
  }
  const credential = checkCredential(credentialValue, ctx.service);
  if (!Array.isArray(credential)) return malformed(true, credential);

  const signedAt = parseAmzDate(timestamp);
  if (signedAt === undefined) {
    return s3fail('IncompleteSignature', 'X-Amz-Date is not in ISO 8601 basic format.', {
      kind: 'presign-date',
      value: timestamp,
    });
  }
  const requestDate = timestamp.slice(0, 8);
  if (credential[1] !== requestDate) {
    return malformed(true, { what: 'date-mismatch', scopeDate: credential[1], requestDate });
  }

  // S3's three X-Amz-Expires errors (versity/versitygw s3err/presigned-urls.go, written against S3): not a number,
  // negative, more than a week. Zero is a number S3 accepts; such a URL is expired as soon as its second passes.
  if (!/^-?\d+$/.test(expires)) return presignExpires('not-a-number', expires);
  const seconds = Number(expires);
  if (seconds < 0) return presignExpires('negative', expires);
  if (seconds > MAX_PRESIGN_EXPIRES_SECONDS) return presignExpires('too-large', expires);
  const expiresAt = new Date(signedAt.getTime() + seconds * 1000);

  // A URL signed in the future is refused against real time (clients sign with their clocks); expiry, like a
  // session's, follows rolecall's clock so that moving the clock expires presigned URLs too.
  if (signedAt.getTime() - ctx.now.getTime() > MAX_CLOCK_SKEW_MS) {
    return s3fail('RequestExpired', 'Request is not yet valid.', {
      kind: 'presign-not-yet-valid',
      signedAt,
      expiresAt,
      serverTime: ctx.now,
    });
  }
  const clock = ctx.options.sessionNow ?? ctx.now;
  if (clock.getTime() > expiresAt.getTime()) {
    return s3fail('RequestExpired', 'Request has expired.', {
      kind: 'presign-expired',
      expires,
      expiresAt,
      serverTime: clock,
    });
  }

  // A presigned URL's payload is UNSIGNED-PAYLOAD (sigv4-query-string-auth.html) unless the signer chose otherwise:
  // SDK v3's presigner hoists its `x-amz-content-sha256: UNSIGNED-PAYLOAD` into the query (aws-sdk-js-v3#5577
  // shows X-Amz-Content-Sha256=UNSIGNED-PAYLOAD), and a header the client sends takes precedence.
  const declared =
    first(ctx.req.headers[CONTENT_SHA256]) ?? queryValueIgnoringCase(query, CONTENT_SHA256) ?? UNSIGNED_PAYLOAD;
  const payloadMode = classifyPayload(declared);
  if (payloadMode === undefined) return invalidContentSha256(declared);

  return verifySignature(ctx, {
    credential,
    timestamp,
    signedAt,
    signedHeaders: signedHeaders.split(';'),
    signature,
    payloadMode,
    payloadHash: declared,
    sessionToken: query.get('X-Amz-Security-Token') ?? first(ctx.req.headers['x-amz-security-token']),
    presigned: true,
    expiresAt,
  });
}

function verifySignature(ctx: Context, p: Parsed): SigV4Result {
  const [accessKeyId, date, region, service] = p.credential;
  const key = ctx.lookup(accessKeyId, p.sessionToken);
  if (key === undefined) {
    // S3 tells a bad token (InvalidToken) from an unknown key (InvalidAccessKeyId); see protocol/s3/auth-errors.ts.
    const reason: S3FailureReason =
      p.sessionToken === undefined
        ? { kind: 'unknown-access-key', accessKeyId }
        : { kind: 'invalid-token', sessionToken: p.sessionToken };
    return s3fail('InvalidClientTokenId', MSG_INVALID_CLIENT_TOKEN, reason);
  }

  const canonical = canonicalRequest({
    method: ctx.req.method,
    path: ctx.req.path,
    query: ctx.req.query,
    headers: ctx.req.headers,
    signedHeaders: p.signedHeaders,
    payloadHash: p.payloadHash,
    uri: ctx.options.uri ?? S3_URI_OPTIONS,
  });
  const scope = credentialScope(date, region, service);
  const toSign = stringToSign(p.timestamp, scope, canonical);
  const signingKey = deriveSigningKey(key.secretAccessKey, date, region, service);
  const expected = computeSignature(signingKey, toSign);
  if (!constantTimeEqual(expected, p.signature)) {
    return s3fail('SignatureDoesNotMatch', MSG_SIGNATURE_MISMATCH, {
      kind: 'signature-mismatch',
      accessKeyId,
      stringToSign: toSign,
      canonicalRequest: canonical,
      signatureProvided: p.signature,
    });
  }

  // Expiry is reported only for a correctly signed request, so it reveals nothing to someone without the secret.
  if (key.expiresAt !== undefined && (ctx.options.sessionNow ?? ctx.now).getTime() >= key.expiresAt.getTime()) {
    return s3fail('ExpiredToken', MSG_EXPIRED_TOKEN, { kind: 'expired-token', sessionToken: p.sessionToken ?? '' });
  }

  const unsigned = unsignedHeaders(ctx.req.headers, p.signedHeaders);
  if (unsigned.length > 0) {
    return s3fail('SignatureDoesNotMatch', `Headers present but not signed: ${unsigned.join(', ')}`, {
      kind: 'headers-not-signed',
      headers: unsigned,
    });
  }

  const signing: ChunkSigning = { signingKey, seedSignature: p.signature, timestamp: p.timestamp, scope };
  return {
    ok: true,
    accessKeyId,
    sessionToken: p.sessionToken,
    region,
    service,
    signedAt: p.signedAt,
    payload: describePayload(p.payloadMode, p.payloadHash, signing),
    authType: p.presigned ? 'presigned' : 'header',
    ...(p.expiresAt === undefined ? {} : { expiresAt: p.expiresAt }),
  };
}

/**
 * The headers S3 requires in SignedHeaders: host (SigV4 itself requires it) and every x-amz-* header sent, except
 * x-amz-content-sha256, which S3 tolerates unsigned. S3 answers AccessDenied "There were headers present in the
 * request which were not signed" with HeadersNotSigned (bradleyg/django-s3direct#249, soto-project/soto#374 for a
 * presigned URL, agilord/aws_client#238 for x-amz-security-token; zengularity/benji#309 for content-sha256).
 */
function unsignedHeaders(headers: SignedRequest['headers'], signedHeaders: readonly string[]): string[] {
  const signed = new Set(signedHeaders.map((h) => h.toLowerCase()));
  const missing: string[] = [];
  if (!signed.has('host') && !signed.has(':authority')) missing.push('host');
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !name.startsWith('x-amz-') || name === CONTENT_SHA256) continue;
    if (!signed.has(name)) missing.push(name);
  }
  return missing;
}

/**
 * The five parts of a credential scope, checked in the order S3 reports them. Any region is accepted: rolecall
 * serves every region, and clients sign with their configured one.
 */
function checkCredential(credential: string, expectedService: string): CredentialParts | MalformedCredential {
  const parts = splitCredential(credential);
  if (parts === undefined) return { what: 'credential' };
  const [accessKeyId, date, region, service, terminator] = parts;
  if (accessKeyId === '') return { what: 'access-key-empty' };
  if (!isScopeDate(date)) return { what: 'date-format', date };
  if (region === '') return { what: 'region-empty' };
  if (service !== expectedService) return { what: 'service', service };
  if (terminator !== SCOPE_TERMINATOR) return { what: 'terminator', terminator };
  return parts;
}

/** The payload mode a declared x-amz-content-sha256 selects, or undefined when S3 would refuse the value. */
export function classifyPayload(value: string): PayloadMode | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return 'sha256';
  switch (value) {
    case UNSIGNED_PAYLOAD:
      return 'unsigned';
    case STREAMING_SIGNED:
      return 'streaming-signed';
    case STREAMING_SIGNED_TRAILER:
      return 'streaming-signed-trailer';
    case STREAMING_UNSIGNED_TRAILER:
      return 'streaming-unsigned-trailer';
    default:
      // SigV4a's STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD[-TRAILER] is not served: rolecall verifies only HMAC
      // signatures, so such a request could never verify anyway.
      return undefined;
  }
}

function describePayload(mode: PayloadMode, declared: string, signing: ChunkSigning): PayloadDescription {
  switch (mode) {
    case 'sha256':
      return { mode, hash: declared.toLowerCase() };
    case 'unsigned':
    case 'streaming-unsigned-trailer':
      return { mode };
    case 'streaming-signed':
    case 'streaming-signed-trailer':
      return { mode, signing };
  }
}

function malformed(presigned: boolean, problem: MalformedCredential): SigV4Failure {
  const code: SigV4FailureCode = problem.what === 'date-mismatch' ? 'SignatureDoesNotMatch' : 'IncompleteSignature';
  return s3fail(code, `Malformed ${presigned ? 'X-Amz-Credential' : 'Authorization header'}: ${problem.what}`, {
    kind: 'malformed',
    presigned,
    problem,
  });
}

function presignExpires(problem: 'not-a-number' | 'negative' | 'too-large', value: string): SigV4Failure {
  return s3fail('IncompleteSignature', `Invalid X-Amz-Expires '${value}'.`, {
    kind: 'presign-expires',
    problem,
    value,
  });
}

function invalidContentSha256(value: string): SigV4Failure {
  return s3fail('SignatureDoesNotMatch', `Invalid x-amz-content-sha256 '${value}'.`, {
    kind: 'content-sha256-invalid',
    value,
  });
}

function unverifiable(): SigV4Failure {
  return s3fail('SignatureDoesNotMatch', MSG_SIGNATURE_MISMATCH, { kind: 'unverifiable' });
}

/** Decoded query parameters by exact (case-sensitive) name; the first occurrence wins. */
function parseQuery(query: string): Map<string, string> {
  const params = new Map<string, string>();
  if (query === '') return params;
  for (const piece of query.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = percentDecode(eq < 0 ? piece : piece.slice(0, eq));
    if (!params.has(name)) params.set(name, eq < 0 ? '' : percentDecode(piece.slice(eq + 1)));
  }
  return params;
}

function queryValueIgnoringCase(query: Map<string, string>, lowerName: string): string | undefined {
  for (const [name, value] of query) if (name.toLowerCase() === lowerName) return value;
  return undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}
