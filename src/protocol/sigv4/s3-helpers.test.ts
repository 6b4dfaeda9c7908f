/**
 * Test helpers for S3 verification: requests signed and URLs presigned by the real SDK v3 signer
 * (@smithy/signature-v4 with S3's settings), and an aws-chunked encoder written from the AWS spec. Imported by the
 * tests beside it. The .test.ts name keeps it out of the build (tsconfig.build.json), since it needs dev
 * dependencies; it declares no tests of its own.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { sha256Hex } from './canonical.ts';
import type { KeyLookup, SignedRequest } from './types.ts';

export const AKID = 'AKIAIOSFODNN7EXAMPLE';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const TOKEN = 'FwoGZXIvYXdzEXAMPLE+token/with=chars';
export const NOW = new Date('2026-01-01T12:00:00Z');
export const HOST = '127.0.0.1:4566';

export const lookup: KeyLookup = (id, token) =>
  id === AKID && (token === undefined || token === TOKEN) ? { secretAccessKey: SECRET } : undefined;

export interface S3SignInput {
  method?: string;
  /** The path as the SDK serialises it (already percent-encoded). */
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signingDate?: Date;
  sessionToken?: string;
  secretAccessKey?: string;
  region?: string;
}

/** SDK v3's S3 signer: S3 signs the path as serialised (signingEscapePath false) and sends x-amz-content-sha256. */
export function s3Signer(input: Pick<S3SignInput, 'sessionToken' | 'secretAccessKey' | 'region'> = {}): SignatureV4 {
  return new SignatureV4({
    service: 's3',
    region: input.region ?? 'us-east-1',
    credentials: {
      accessKeyId: AKID,
      secretAccessKey: input.secretAccessKey ?? SECRET,
      ...(input.sessionToken === undefined ? {} : { sessionToken: input.sessionToken }),
    },
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: true,
  });
}

/** Signs a header-authenticated S3 request and returns it as rolecall's server would see it. */
export async function signS3(input: S3SignInput = {}): Promise<SignedRequest> {
  const signed = await s3Signer(input).sign(
    {
      method: input.method ?? 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: input.path ?? '/bucket/key.txt',
      query: input.query ?? {},
      headers: { host: HOST, ...input.headers },
      ...(input.body === undefined ? {} : { body: input.body }),
    },
    { signingDate: input.signingDate ?? NOW },
  );
  return asReceived(signed.method, signed.path, input.query ?? {}, signed.headers);
}

/**
 * Presigns as @aws-sdk/s3-request-presigner does: x-amz-content-sha256 UNSIGNED-PAYLOAD added before signing
 * (smithy hoists it into the query with every other x-amz-* header), content-type unsigned.
 */
export async function presignS3(input: S3SignInput & { expiresIn?: number } = {}): Promise<SignedRequest> {
  const signed = await s3Signer(input).presign(
    {
      method: input.method ?? 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: input.path ?? '/bucket/key.txt',
      query: input.query ?? {},
      headers: { host: HOST, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...input.headers },
    },
    {
      signingDate: input.signingDate ?? NOW,
      expiresIn: input.expiresIn ?? 900,
      unsignableHeaders: new Set(['content-type']),
    },
  );
  return asReceived(signed.method, signed.path, signed.query as Record<string, string | string[]>, signed.headers);
}

function asReceived(
  method: string,
  path: string,
  query: Record<string, string | string[] | null>,
  signedHeaders: Record<string, string>,
): SignedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signedHeaders)) headers[name.toLowerCase()] = value;
  return { method, path, query: rawQuery(query), headers };
}

/** The query string as the SDK's HTTP handler puts it on the wire (smithy buildQueryString). */
export function rawQuery(query: Record<string, string | string[] | null>): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key] ?? '';
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${escape(key)}=${escape(v)}`);
  }
  return parts.join('&');
}

function escape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function withHeader(req: SignedRequest, name: string, value: string | undefined): SignedRequest {
  return { ...req, headers: { ...req.headers, [name]: value } };
}

export function authorizationOf(req: SignedRequest): string {
  const value = req.headers['authorization'];
  if (typeof value !== 'string') throw new Error('no Authorization header');
  return value;
}

export function signatureOf(req: SignedRequest): string {
  const m = /Signature=([0-9a-f]{64})/.exec(authorizationOf(req));
  if (m === null || m[1] === undefined) throw new Error('no signature');
  return m[1];
}

/**
 * aws-chunked encoder following sigv4-streaming.html and sigv4-streaming-trailers.html. `sign` turns a string to
 * sign into a signature (the SDK's signString, so its HMAC and key derivation are the SDK's); without it the chunks
 * are unsigned, as STREAMING-UNSIGNED-PAYLOAD-TRAILER sends them.
 */
export async function encodeAwsChunked(
  chunks: readonly Uint8Array[],
  options: {
    sign?: (stringToSign: string) => Promise<string>;
    seedSignature?: string;
    timestamp?: string;
    scope?: string;
    trailers?: readonly [string, string][];
  } = {},
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let previous = options.seedSignature ?? '';
  const chunkLine = async (data: Uint8Array): Promise<string> => {
    const size = data.length.toString(16);
    if (options.sign === undefined) return `${size}\r\n`;
    const toSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      options.timestamp,
      options.scope,
      previous,
      sha256Hex(''),
      sha256Hex(data),
    ].join('\n');
    previous = await options.sign(toSign);
    return `${size};chunk-signature=${previous}\r\n`;
  };
  for (const chunk of [...chunks.filter((c) => c.length > 0), new Uint8Array(0)]) {
    parts.push(Buffer.from(await chunkLine(chunk)));
    if (chunk.length > 0) parts.push(Buffer.from(chunk), Buffer.from('\r\n'));
  }
  if (options.trailers === undefined) {
    parts.push(Buffer.from('\r\n'));
  } else {
    let canonical = '';
    for (const [name, value] of options.trailers) {
      parts.push(Buffer.from(`${name}:${value}\r\n`));
      canonical += `${name}:${value}\n`;
    }
    if (options.sign !== undefined) {
      const toSign = [
        'AWS4-HMAC-SHA256-TRAILER',
        options.timestamp,
        options.scope,
        previous,
        sha256Hex(canonical),
      ].join('\n');
      parts.push(Buffer.from(`x-amz-trailer-signature:${await options.sign(toSign)}\r\n`));
    }
    parts.push(Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Splits a buffer into pieces of `size` bytes, as a socket might deliver it. */
export async function* piecesOf(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, Math.min(data.length, i + size));
}

export async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const piece of body) parts.push(piece);
  return Buffer.concat(parts);
}
