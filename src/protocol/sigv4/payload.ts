/**
 * Decodes and checks an S3 request body after verifySigV4 (with `s3`) accepted its headers: the body arrives as a
 * stream and may be gigabytes, so it is checked as it flows — SHA-256 against the signed x-amz-content-sha256,
 * aws-chunked framing and chunk signatures (aws-chunked.ts), x-amz-decoded-content-length, and the
 * x-amz-checksum-* value sent as a header or as a trailer.
 *
 * Every problem is thrown as S3's AwsError (payload-errors.ts) from the body's iterator. The last piece of the body
 * is held back until every check has passed, so a consumer never receives a complete body that is wrong: it gets
 * the error instead of the final bytes, and discards what it wrote.
 */
import { createHash } from 'node:crypto';
import { decodeAwsChunked } from './aws-chunked.ts';
import type { Trailers } from './aws-chunked.ts';
import {
  algorithmOfHeader,
  CHECKSUM_ALGORITHMS,
  checksumHeader,
  createChecksum,
  isValidChecksumValue,
} from './checksums.ts';
import type { ChecksumAlgorithm } from './checksums.ts';
import { payloadErrors } from './payload-errors.ts';
import type { PayloadDescription } from './types.ts';

export type { ChecksumAlgorithm } from './checksums.ts';

export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface DecodedPayload {
  /**
   * The object's bytes, in order, as views of the source's pieces (do not keep them past the next iteration if
   * the source reuses its buffers). Iterate once. Throws S3's AwsError when the body is wrong, before its end.
   */
  body: AsyncIterable<Uint8Array>;
  /**
   * After `body` has been read to its end: the checksum values, header name → base64, e.g.
   * `{ 'x-amz-checksum-crc32': 'y/Q5Jg==' }`. Holds the checksum the client sent (header or trailer), verified,
   * or the one it asked S3 to compute with x-amz-sdk-checksum-algorithm; empty when neither.
   */
  checksums(): Readonly<Record<string, string>>;
  /** After `body` has been read to its end: the number of object bytes. */
  length(): number;
}

/**
 * Starts decoding `source` (the raw request body) as `payload` (from the SigV4Success) and `headers` (the
 * request's, lower-case names) describe it. Header problems (several checksums, an invalid checksum value, an
 * unsupported x-amz-trailer, a missing x-amz-decoded-content-length) are thrown here, before any byte is read.
 */
export function decodePayload(
  source: AsyncIterable<Uint8Array>,
  payload: PayloadDescription,
  headers: HeaderMap,
): DecodedPayload {
  const plan = planChecks(payload, headers);
  const checksum = plan.algorithm === undefined ? undefined : createChecksum(plan.algorithm);
  let length = 0;
  let finished = false;
  const results: Record<string, string> = {};

  async function* run(): AsyncGenerator<Uint8Array> {
    const decoder: AsyncGenerator<Uint8Array, Trailers | undefined> =
      plan.chunked === undefined
        ? verifySha256(source, payload.mode === 'sha256' ? payload.hash : undefined)
        : decodeAwsChunked(source, plan.chunked);
    // Read by hand rather than with for-await, which would drop the decoder's return value (the trailers).
    let next = await decoder.next();
    try {
      while (next.done !== true) {
        length += next.value.length;
        checksum?.update(next.value);
        yield next.value;
        next = await decoder.next();
      }
    } finally {
      // The consumer stopped early: let the decoder release the source.
      if (next.done !== true) await decoder.return(undefined);
    }
    // At most one of the two is set: a header and an announced trailer together were refused up front.
    const declared =
      (next.value === undefined ? undefined : trailerChecksum(next.value, plan.trailer)) ?? plan.headerValue;
    if (checksum !== undefined) {
      const computed = checksum.digest();
      if (declared !== undefined && declared !== computed) throw payloadErrors.badDigest(checksum.algorithm);
      results[checksumHeader(checksum.algorithm)] = computed;
    }
    finished = true;
  }

  return {
    body: holdLast(run()),
    checksums: () => {
      if (!finished) throw new Error('decodePayload: checksums() read before the body was fully consumed');
      return { ...results };
    },
    length: () => {
      if (!finished) throw new Error('decodePayload: length() read before the body was fully consumed');
      return length;
    },
  };
}

interface Plan {
  /** aws-chunked decoding, for STREAMING-* modes. */
  chunked?: Parameters<typeof decodeAwsChunked>[1];
  /** The checksum to compute: the one sent (header or trailer), else the one requested. */
  algorithm?: ChecksumAlgorithm;
  /** A checksum sent as a header. */
  headerValue?: string;
  /** The announced trailing checksum header (x-amz-trailer), for trailer modes. */
  trailer?: string;
}

function planChecks(payload: PayloadDescription, headers: HeaderMap): Plan {
  const plan: Plan = {};
  const streaming = payload.mode.startsWith('streaming-');
  const trailerMode = payload.mode === 'streaming-signed-trailer' || payload.mode === 'streaming-unsigned-trailer';

  // One checksum per request: two headers, or a header and a trailer, are refused.
  const sent = CHECKSUM_ALGORITHMS.filter((a) => first(headers[checksumHeader(a)]) !== undefined);
  let announced: ChecksumAlgorithm | undefined;
  if (trailerMode) {
    const trailer = first(headers['x-amz-trailer'])?.trim().toLowerCase();
    if (trailer !== undefined && trailer !== '') {
      announced = algorithmOfHeader(trailer);
      if (announced === undefined) throw payloadErrors.trailerNotSupported();
      plan.trailer = trailer;
    }
  }
  if (sent.length + (announced === undefined ? 0 : 1) > 1) throw payloadErrors.multipleChecksums();
  const headerAlgorithm = sent[0];
  if (headerAlgorithm !== undefined) {
    const name = checksumHeader(headerAlgorithm);
    const value = first(headers[name]) ?? '';
    if (!isValidChecksumValue(headerAlgorithm, value)) throw payloadErrors.invalidChecksumHeader(name);
    plan.headerValue = value;
  }

  const requestedHeader = first(headers['x-amz-sdk-checksum-algorithm']);
  let requested: ChecksumAlgorithm | undefined;
  if (requestedHeader !== undefined) {
    requested = CHECKSUM_ALGORITHMS.find((a) => a === requestedHeader.trim().toUpperCase());
    const sentAlgorithm = headerAlgorithm ?? announced;
    if (requested === undefined || (sentAlgorithm !== undefined && sentAlgorithm !== requested)) {
      throw payloadErrors.sdkChecksumAlgorithmInvalid();
    }
  }
  const algorithm = headerAlgorithm ?? announced ?? requested;
  if (algorithm !== undefined) plan.algorithm = algorithm;

  if (streaming) {
    // S3 reads aws-chunked bodies against x-amz-decoded-content-length and requires it (sigv4-streaming.html: "For
    // all requests, you must include the x-amz-decoded-content-length header").
    const declared = first(headers['x-amz-decoded-content-length']);
    if (declared === undefined || !/^\d{1,15}$/.test(declared.trim())) throw payloadErrors.missingContentLength();
    plan.chunked = {
      trailer: trailerMode,
      declaredLength: Number(declared.trim()),
      ...(payload.mode === 'streaming-signed' || payload.mode === 'streaming-signed-trailer'
        ? { signing: payload.signing }
        : {}),
    };
  }
  return plan;
}

/** The trailing checksum value, after checking the trailers are exactly the announced one. */
function trailerChecksum(trailers: Trailers, announced: string | undefined): string | undefined {
  if (announced === undefined) {
    // Trailers without x-amz-trailer are malformed; no trailer at all is accepted (versity/versitygw#1632: S3
    // stores such an unsigned-trailer upload).
    if (trailers.size > 0) throw payloadErrors.malformedTrailer();
    return undefined;
  }
  const value = trailers.get(announced);
  if (value === undefined || trailers.size !== 1) throw payloadErrors.malformedTrailer();
  const algorithm = algorithmOfHeader(announced);
  if (algorithm === undefined || !isValidChecksumValue(algorithm, value)) {
    throw payloadErrors.invalidTrailingChecksum(announced);
  }
  return value;
}

/** Passes the body through, comparing its SHA-256 with the signed one at the end. */
async function* verifySha256(
  source: AsyncIterable<Uint8Array>,
  expected: string | undefined,
): AsyncGenerator<Uint8Array, undefined> {
  const hash = expected === undefined ? undefined : createHash('sha256');
  for await (const piece of source) {
    hash?.update(piece);
    yield piece;
  }
  if (hash !== undefined && expected !== undefined) {
    const computed = hash.digest('hex');
    if (computed !== expected) throw payloadErrors.contentSha256Mismatch(expected, computed);
  }
  return undefined;
}

/**
 * Yields each piece only once the next one has arrived, and the last only after `pieces` has ended without
 * throwing: the checks at the end of the body then always come before its final bytes.
 */
async function* holdLast(pieces: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let held: Uint8Array | undefined;
  for await (const piece of pieces) {
    if (piece.length === 0) continue;
    if (held !== undefined) yield held;
    held = piece;
  }
  if (held !== undefined) yield held;
}

function first(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}
