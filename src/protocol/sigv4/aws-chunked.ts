/**
 * The aws-chunked body encoding S3 uses for STREAMING-* payloads, decoded as the bytes arrive:
 *
 *   hex-size[;chunk-signature=sig] CRLF data CRLF   … repeated, every chunk but the last at least 8 KiB
 *   0[;chunk-signature=sig] CRLF                     final chunk
 *   CRLF                                              without trailers, or
 *   name:value CRLF … [x-amz-trailer-signature:sig CRLF] CRLF   trailing headers
 *
 * Signed chunks chain their signatures from the request's (the seed): string to sign
 * "AWS4-HMAC-SHA256-PAYLOAD\n<timestamp>\n<scope>\n<previous signature>\n<sha256('')>\n<sha256(chunk)>"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html); the trailer's is
 * "AWS4-HMAC-SHA256-TRAILER\n<timestamp>\n<scope>\n<final chunk's signature>\n<sha256(name:value\n …)>"
 * (.../sigv4-streaming-trailers.html). The unsigned form is what SDK v3 sends (@smithy/core
 * getAwsChunkedEncodingStream: `${size.toString(16)}\r\n`, data, `\r\n`, then `0\r\n`, `name:value\r\n`, `\r\n`).
 *
 * Memory stays bounded by the pieces the source yields: data is passed on as views of them, never gathered.
 */
import { createHash } from 'node:crypto';
import { computeSignature, constantTimeEqual, sha256Hex } from './canonical.ts';
import { payloadErrors } from './payload-errors.ts';
import type { ChunkSigning } from './types.ts';

/** Minimum size of every chunk but the last (sigv4-streaming.html: "Chunk size must be at least 8 KB"). */
export const MIN_CHUNK_SIZE = 8192;

/** Longest chunk header or trailer line accepted; real ones are under 200 bytes. */
const MAX_LINE = 4096;

const EMPTY_SHA256 = sha256Hex('');
const EMPTY = new Uint8Array(0);

export interface ChunkedOptions {
  /** Present for signed modes: each chunk's signature is verified. */
  signing?: ChunkSigning;
  /** Whether trailing headers follow the final chunk. */
  trailer: boolean;
  /** x-amz-decoded-content-length. */
  declaredLength: number;
}

/** Trailing headers (lower-case names, trimmed values), without x-amz-trailer-signature. */
export type Trailers = Map<string, string>;

/**
 * Yields the decoded object bytes and returns the trailing headers. Throws S3's AwsError at the first problem;
 * a chunk's signature is checked when the chunk ends, so bytes of a bad chunk may already have been yielded —
 * the caller (payload.ts) holds back the last piece so that no body is ever seen complete unless it verified.
 */
export async function* decodeAwsChunked(
  source: AsyncIterable<Uint8Array>,
  options: ChunkedOptions,
): AsyncGenerator<Uint8Array, Trailers> {
  const reader = new ByteReader(source);
  const signing = options.signing;
  let previousSignature = signing?.seedSignature ?? '';
  let decoded = 0;
  let chunkNumber = 0;
  let previousSize: number | undefined;
  try {
    for (;;) {
      const header = parseChunkHeader(await reader.readLine(), signing !== undefined);
      chunkNumber++;
      if (header.size > 0 && previousSize !== undefined && previousSize < MIN_CHUNK_SIZE) {
        throw payloadErrors.invalidChunkSize(chunkNumber, previousSize);
      }
      if (decoded + header.size > options.declaredLength) {
        throw payloadErrors.lengthMismatch(options.declaredLength, decoded + header.size);
      }

      const hash = signing === undefined || header.size === 0 ? undefined : createHash('sha256');
      for await (const piece of reader.take(header.size)) {
        hash?.update(piece);
        yield piece;
      }
      decoded += header.size;
      if (signing !== undefined) {
        const expected = chunkSignature(signing, previousSignature, hash ? hash.digest('hex') : EMPTY_SHA256);
        if (!constantTimeEqual(expected, header.signature)) throw payloadErrors.chunkSignatureMismatch();
        previousSignature = expected;
      }
      if (header.size === 0) break;
      if ((await reader.readLine()) !== '') throw payloadErrors.incompleteBody();
      previousSize = header.size;
    }

    const trailers = options.trailer ? await readTrailers(reader, signing, previousSignature) : new Map();
    if (!options.trailer) {
      const line = await reader.readLine();
      // Trailing headers where none were announced are S3's MalformedTrailerError (versity/versitygw#1690).
      if (line !== '') throw line === undefined ? payloadErrors.incompleteBody() : payloadErrors.malformedTrailer();
    }
    if (!(await reader.atEnd())) throw payloadErrors.incompleteBody();
    if (decoded !== options.declaredLength) throw payloadErrors.lengthMismatch(options.declaredLength, decoded);
    return trailers;
  } finally {
    await reader.close();
  }
}

interface ChunkHeader {
  size: number;
  signature: string;
}

function parseChunkHeader(line: string | undefined, signed: boolean): ChunkHeader {
  if (line === undefined) throw payloadErrors.incompleteBody();
  const m = /^([0-9a-fA-F]{1,13})(;.*)?$/.exec(line);
  if (m === null) throw payloadErrors.incompleteBody();
  const size = parseInt(m[1] ?? '', 16);
  if (!signed) return { size, signature: '' };
  // A missing or malformed chunk-signature is an encoding error for S3 (versity/versitygw#1685).
  const sig = /^;chunk-signature=([0-9a-f]{64})$/.exec(m[2] ?? '');
  if (sig === null) throw payloadErrors.incompleteBody();
  return { size, signature: sig[1] ?? '' };
}

function chunkSignature(signing: ChunkSigning, previous: string, chunkHash: string): string {
  return computeSignature(
    signing.signingKey,
    `AWS4-HMAC-SHA256-PAYLOAD\n${signing.timestamp}\n${signing.scope}\n${previous}\n${EMPTY_SHA256}\n${chunkHash}`,
  );
}

/**
 * Reads `name:value` lines up to the empty line that ends the body. Some encoders put an empty line between the
 * final chunk and the trailers; it is skipped when more follows.
 */
async function readTrailers(
  reader: ByteReader,
  signing: ChunkSigning | undefined,
  previousSignature: string,
): Promise<Trailers> {
  const trailers: Trailers = new Map();
  let canonical = '';
  let signature: string | undefined;
  let skippedBlank = false;
  for (;;) {
    const line = await reader.readLine();
    if (line === undefined) throw payloadErrors.incompleteBody();
    if (line === '') {
      if (trailers.size === 0 && signature === undefined && !skippedBlank && !(await reader.atEnd())) {
        skippedBlank = true;
        continue;
      }
      break;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw payloadErrors.malformedTrailer();
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      if (signing === undefined || signature !== undefined) throw payloadErrors.malformedTrailer();
      signature = value;
      continue;
    }
    if (signature !== undefined || trailers.has(name)) throw payloadErrors.malformedTrailer();
    trailers.set(name, value);
    canonical += `${name}:${value}\n`;
  }
  if (signing !== undefined) {
    if (signature === undefined) throw payloadErrors.malformedTrailer();
    const expected = computeSignature(
      signing.signingKey,
      `AWS4-HMAC-SHA256-TRAILER\n${signing.timestamp}\n${signing.scope}\n${previousSignature}\n${sha256Hex(canonical)}`,
    );
    if (!constantTimeEqual(expected, signature)) throw payloadErrors.chunkSignatureMismatch();
  }
  return trailers;
}

/** Pull-style reading of an async byte stream: CRLF lines and exact byte counts, without copying data. */
class ByteReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private buffer: Uint8Array = EMPTY;
  private position = 0;
  private ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Makes unread bytes available; false at the end of the source. */
  private async fill(): Promise<boolean> {
    while (this.position >= this.buffer.length) {
      if (this.ended) return false;
      const next = await this.iterator.next();
      if (next.done === true) {
        this.ended = true;
        return false;
      }
      this.buffer = next.value;
      this.position = 0;
    }
    return true;
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill());
  }

  /** The next CRLF-terminated line without its CRLF; undefined at the end of the source. */
  async readLine(): Promise<string | undefined> {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      if (!(await this.fill())) {
        if (length === 0) return undefined;
        throw payloadErrors.incompleteBody();
      }
      const newline = this.buffer.indexOf(0x0a, this.position);
      const end = newline < 0 ? this.buffer.length : newline;
      length += end - this.position;
      if (length > MAX_LINE) throw payloadErrors.incompleteBody();
      // Buffer.concat below copies: lines are tiny, and keeping a view would keep the whole source piece alive.
      parts.push(this.buffer.slice(this.position, end));
      this.position = newline < 0 ? end : end + 1;
      if (newline >= 0) break;
    }
    const line = Buffer.concat(parts);
    // A bare LF is not a line break in aws-chunked.
    if (line.length === 0 || line[line.length - 1] !== 0x0d) throw payloadErrors.incompleteBody();
    return line.toString('latin1', 0, line.length - 1);
  }

  /** Yields exactly `count` bytes as views of the source's pieces; IncompleteBody if the source ends first. */
  async *take(count: number): AsyncGenerator<Uint8Array> {
    let remaining = count;
    while (remaining > 0) {
      if (!(await this.fill())) throw payloadErrors.incompleteBody();
      const n = Math.min(remaining, this.buffer.length - this.position);
      const piece = this.buffer.subarray(this.position, this.position + n);
      this.position += n;
      remaining -= n;
      yield piece;
    }
  }

  async close(): Promise<void> {
    if (!this.ended) await this.iterator.return?.();
  }
}
