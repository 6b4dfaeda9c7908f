/**
 * SigV4 canonical request, string to sign and signing key, computed from the request exactly as received.
 * Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html. Where the spec leaves room,
 * this follows what the signers actually do (@smithy/signature-v4 SignatureV4Base/getCanonical*, botocore
 * SigV4Auth), because those produce the signatures we verify.
 */
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { SCOPE_TERMINATOR, SIGV4_ALGORITHM } from './authorization-header.ts';

export interface CanonicalUriOptions {
  /**
   * Encode the received (already percent-encoded) path once more. Every service except S3 signs the path encoded
   * twice: the SDKs escape the serialized path again (smithy getCanonicalPath, botocore quote(path, safe='/~')).
   * False (S3): the path is decoded and encoded once, canonically.
   */
  doubleEncodePath: boolean;
  /** Drop empty, '.' and '..' segments as the SDKs do before signing (S3 signs the path untouched). */
  normalizePath: boolean;
}

export const DEFAULT_URI_OPTIONS: Readonly<CanonicalUriOptions> = { doubleEncodePath: true, normalizePath: true };

/**
 * S3 signs the path encoded once and untouched: smithy's S3 signer runs with uriEscapePath false (getCanonicalPath
 * returns the path as given); botocore's S3SigV4Auth skips _normalize_url_path and double-quoting.
 */
export const S3_URI_OPTIONS: Readonly<CanonicalUriOptions> = { doubleEncodePath: false, normalizePath: false };

export type HeaderValue = string | readonly string[] | undefined;
export type HeaderMap = Readonly<Record<string, HeaderValue>>;

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ becomes %XX (upper-case hex). */
export function uriEncode(value: string): string {
  // encodeURIComponent leaves !'()* alone; SigV4 encodes them (smithy escapeUri does the same).
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Percent-decodes without throwing. Malformed escapes (`%zz`, truncated UTF-8) can only come from hand-made
 * clients; they are kept literally so the result is still deterministic.
 */
export function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c === 0x25 /* % */ && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
        bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        const cp = value.codePointAt(i) ?? c;
        if (cp > 0xffff) i++;
        bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}

/** The canonical URI for a raw request path (as in Node's request.url, without the query). */
export function canonicalUri(rawPath: string, options: Readonly<CanonicalUriOptions> = DEFAULT_URI_OPTIONS): string {
  const path = rawPath === '' ? '/' : rawPath;
  let segments = path.split('/');
  let leading = path.startsWith('/');
  let trailing = path.endsWith('/') && path.length > 1;
  if (options.normalizePath) {
    // smithy SignatureV4Base.getCanonicalPath: empty and '.' segments vanish, '..' pops. A trailing slash is kept
    // only when something remains. botocore's remove_dot_segments gives the same result for the paths SDKs send.
    const kept: string[] = [];
    for (const segment of segments) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..') kept.pop();
      else kept.push(segment);
    }
    trailing = trailing && kept.length > 0;
    segments = kept;
  } else {
    // Keep the segments exactly; the split above yields '' at both ends for a leading/trailing slash.
    leading = false;
    trailing = false;
  }
  const encode = options.doubleEncodePath ? uriEncode : (s: string) => uriEncode(percentDecode(s));
  const body = segments.map(encode).join('/');
  const result = `${leading ? '/' : ''}${body}${trailing ? '/' : ''}`;
  return result === '' ? '/' : result;
}

/**
 * The canonical query string for a raw query (no '?'): each name and value decoded then RFC 3986-encoded, sorted
 * by name then value (byte order, which for the ASCII encoded forms is string order), X-Amz-Signature left out.
 * A parameter without '=' signs as `name=` (the spec: empty values keep their '=').
 */
export function canonicalQueryString(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs: [string, string][] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = uriEncode(percentDecode(eq < 0 ? piece : piece.slice(0, eq)));
    // smithy getCanonicalQuery skips X-Amz-Signature case-insensitively; it only appears in presigned URLs.
    if (name.toLowerCase() === 'x-amz-signature') continue;
    pairs.push([name, eq < 0 ? '' : uriEncode(percentDecode(piece.slice(eq + 1)))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  let out = '';
  for (const [name, value] of pairs) out += `${out === '' ? '' : '&'}${name}=${value}`;
  return out;
}

/** Trims a header value and collapses inner runs of whitespace to one space (smithy getCanonicalHeaders). */
export function canonicalHeaderValue(value: string | readonly string[]): string {
  // Repeated headers sign as their values joined by ','. Node's `headers` already joined them with ', ';
  // pass `request.headersDistinct` to get each value separately, which is what the signer saw.
  if (typeof value !== 'string') return value.map((v) => canonicalHeaderValue(v)).join(',');
  return value.replace(/[ \t\r\n]+/g, ' ').replace(/^ | $/g, '');
}

/**
 * CanonicalHeaders: one `name:value\n` line per signed header, in SignedHeaders order. A signed header the
 * request no longer carries contributes no line (the signature then fails, as it should).
 */
export function canonicalHeaders(headers: HeaderMap, signedHeaders: readonly string[]): string {
  let out = '';
  for (const name of signedHeaders) {
    const value = headers[name.toLowerCase()];
    if (value === undefined) continue;
    out += `${name}:${canonicalHeaderValue(value)}\n`;
  }
  return out;
}

export interface CanonicalRequestInput {
  method: string;
  /** Raw path as received, without the query. */
  path: string;
  /** Raw query string, without '?'. */
  query: string;
  /** Lower-case header names, as Node provides them. */
  headers: HeaderMap;
  signedHeaders: readonly string[];
  /** Hex SHA-256 of the payload, or for S3 the declared x-amz-content-sha256 (UNSIGNED-PAYLOAD, STREAMING-*). */
  payloadHash: string;
  uri?: Readonly<CanonicalUriOptions>;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  return (
    `${input.method}\n` +
    `${canonicalUri(input.path, input.uri)}\n` +
    `${canonicalQueryString(input.query)}\n` +
    `${canonicalHeaders(input.headers, input.signedHeaders)}\n` +
    `${input.signedHeaders.join(';')}\n` +
    input.payloadHash
  );
}

export function sha256Hex(data: string | Uint8Array): string {
  // crypto.hash (Node 20.12+) skips the Hash object: a third of createHash's cost on small inputs.
  return hash('sha256', data, 'hex');
}

export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/${SCOPE_TERMINATOR}`;
}

/** StringToSign = algorithm \n timestamp (yyyymmddThhmmssZ) \n scope \n hex(sha256(canonical request)). */
export function stringToSign(timestamp: string, scope: string, canonical: string): string {
  return `${SIGV4_ALGORITHM}\n${timestamp}\n${scope}\n${sha256Hex(canonical)}`;
}

export const SIGNING_KEY_CACHE_LIMIT = 1000;

// Deriving a key costs four HMACs and the gateway verifies every request, while a client reuses one
// (secret, date, region, service) for a whole day: a small LRU (a Map keeps insertion order) removes that cost.
const signingKeys = new Map<string, Buffer>();

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"), cached. */
export function deriveSigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  // Length-prefixed so no secret can make two different tuples collide.
  const cacheKey = `${secretAccessKey.length}:${secretAccessKey}/${date}/${region}/${service}`;
  const cached = signingKeys.get(cacheKey);
  if (cached !== undefined) {
    signingKeys.delete(cacheKey);
    signingKeys.set(cacheKey, cached);
    return cached;
  }
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const kSigning = hmac(kService, SCOPE_TERMINATOR);
  signingKeys.set(cacheKey, kSigning);
  if (signingKeys.size > SIGNING_KEY_CACHE_LIMIT) {
    const oldest = signingKeys.keys().next();
    if (oldest.done !== true) signingKeys.delete(oldest.value);
  }
  return kSigning;
}

/** Number of cached signing keys (for tests of the bound). */
export function signingKeyCacheSize(): number {
  return signingKeys.size;
}

/** Hex signature of a string to sign. */
export function computeSignature(signingKey: Buffer, toSign: string): string {
  return createHmac('sha256', signingKey).update(toSign, 'utf8').digest('hex');
}

/** timingSafeEqual needs equal lengths; a length difference is no secret (signatures are always 64 hex digits). */
export function constantTimeEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
