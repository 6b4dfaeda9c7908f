// decodePayload against bodies framed as the clients frame them: AWS's published signed-chunk and signed-trailer
// examples, SDK v3's own unsigned-trailer encoder (@smithy/core getAwsChunkedEncodingStream), and an aws-chunked
// encoder written from the spec whose signatures come from the SDK signer (signString) of a request the verifier
// accepted. Errors must be S3's (code, status, message, details) and arrive before the body's final bytes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getAwsChunkedEncodingStream } from '@smithy/core/serde';
import { AwsError } from '../errors.ts';
import { deriveSigningKey, sha256Hex } from './canonical.ts';
import { createChecksum } from './checksums.ts';
import type { ChecksumAlgorithm } from './checksums.ts';
import { decodePayload } from './payload.ts';
import type { HeaderMap } from './payload.ts';
import { collect, encodeAwsChunked, lookup, NOW, piecesOf, s3Signer, signS3 } from './s3-helpers.test.ts';
import type { ChunkSigning, PayloadDescription } from './types.ts';
import { verifySigV4 } from './verify.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const checksum = createChecksum(algorithm);
  checksum.update(data);
  return checksum.digest();
}

/** Consumes a body, counting what was yielded before an error; returns the error (or undefined) and the count. */
async function drain(body: AsyncIterable<Uint8Array>): Promise<{ error: unknown; yielded: number }> {
  let yielded = 0;
  try {
    for await (const piece of body) yielded += piece.length;
    return { error: undefined, yielded };
  } catch (error) {
    return { error, yielded };
  }
}

function assertAwsError(
  error: unknown,
  code: string,
  status: number,
  message?: string,
  details?: Record<string, string>,
): AwsError {
  if (!(error instanceof AwsError)) assert.fail(`expected AwsError ${code}, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  assert.equal(error.status, status);
  if (message !== undefined) assert.equal(error.message, message);
  if (details !== undefined) assert.deepEqual(error.details, details);
  return error;
}

/** Expects decoding to fail with `code` before the body's last byte reaches the consumer. */
async function expectFailure(
  encoded: Uint8Array,
  payload: PayloadDescription,
  headers: HeaderMap,
  code: string,
  status: number,
  message?: string,
  details?: Record<string, string>,
  decodedLength?: number,
): Promise<AwsError> {
  const decoded = decodePayload(piecesOf(encoded, 4 * KiB), payload, headers);
  const { error, yielded } = await drain(decoded.body);
  const err = assertAwsError(error, code, status, message, details);
  if (decodedLength !== undefined)
    assert.ok(yielded < decodedLength, `yielded ${yielded} of ${decodedLength} before the error`);
  return err;
}

/** A request signed by the SDK with a STREAMING-* payload, accepted by the verifier: its payload description. */
async function signedStreaming(mode: string, headers: Record<string, string> = {}): Promise<ChunkSigning> {
  const req = await signS3({
    headers: { 'x-amz-content-sha256': mode, 'content-encoding': 'aws-chunked', ...headers },
  });
  const result = verifySigV4(req, NOW, lookup, { s3: true });
  if (!result.ok) assert.fail(`${result.code}: ${result.message}`);
  const payload = result.payload;
  if (payload?.mode !== 'streaming-signed' && payload?.mode !== 'streaming-signed-trailer') assert.fail('not signed');
  return payload.signing;
}

/** Encodes `chunks` with signatures computed by the SDK signer for the request behind `signing`. */
function encodeSigned(
  signing: ChunkSigning,
  chunks: readonly Uint8Array[],
  trailers?: readonly [string, string][],
): Promise<Buffer> {
  const signer = s3Signer();
  return encodeAwsChunked(chunks, {
    sign: (toSign) => signer.sign(toSign, { signingDate: NOW }),
    seedSignature: signing.seedSignature,
    timestamp: signing.timestamp,
    scope: signing.scope,
    ...(trailers === undefined ? {} : { trailers }),
  });
}

/** What SDK v3 sends for a streaming PutObject with a checksum: its own aws-chunked encoder over the stream. */
async function sdkUnsignedTrailer(pieces: Uint8Array[], algorithm: ChecksumAlgorithm): Promise<Buffer> {
  const source = Readable.from(pieces.map((p) => Buffer.from(p)));
  const encoded = getAwsChunkedEncodingStream(source, {
    base64Encoder: (bytes) => Buffer.from(bytes).toString('base64'),
    bodyLengthChecker: (data: Uint8Array) => data.length,
    checksumAlgorithmFn: class {
      update(): void {}
      digest(): Promise<Uint8Array> {
        return Promise.resolve(new Uint8Array());
      }
    },
    checksumLocationName: `x-amz-checksum-${algorithm.toLowerCase()}`,
    // The SDK's hasher reads the same stream the encoder reads; this one computes rolecall's checksum instead.
    streamHasher: (_hash, stream) =>
      new Promise<Uint8Array>((resolve) => {
        const checksum = createChecksum(algorithm);
        (stream as Readable).on('data', (data: Buffer) => checksum.update(data));
        (stream as Readable).on('end', () => resolve(Buffer.from(checksum.digest(), 'base64')));
      }),
  });
  return collect(encoded as Readable);
}

// AWS's examples: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
// sigv4-streaming-trailers.html (66560 bytes of 'a', chunks of 64 KiB and 1 KiB, keys AKIAIOSFODNN7EXAMPLE).
const AWS_DATA = Buffer.alloc(66560, 'a');
const AWS_SIGNING = (seedSignature: string): ChunkSigning => ({
  signingKey: deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3'),
  seedSignature,
  timestamp: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
});
const AWS_CHUNKED = Buffer.concat([
  Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'),
  AWS_DATA.subarray(0, 65536),
  Buffer.from('\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'),
  AWS_DATA.subarray(0, 1024),
  Buffer.from('\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n'),
]);
const AWS_TRAILER = Buffer.concat([
  Buffer.from('10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n'),
  AWS_DATA.subarray(0, 65536),
  Buffer.from('\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n'),
  AWS_DATA.subarray(0, 1024),
  Buffer.from('\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n'),
  Buffer.from('x-amz-checksum-crc32c:sOO8/Q==\r\n'),
  Buffer.from('x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n'),
]);

describe('decodePayload: AWS examples', () => {
  it('decodes the signed-chunks example, whatever the piece size', async () => {
    for (const size of [1, 7, 100, 65536 + 90, AWS_CHUNKED.length]) {
      const decoded = decodePayload(
        piecesOf(AWS_CHUNKED, size),
        {
          mode: 'streaming-signed',
          signing: AWS_SIGNING('4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9'),
        },
        { 'x-amz-decoded-content-length': '66560' },
      );
      assert.deepEqual(await collect(decoded.body), AWS_DATA, `pieces of ${size}`);
      assert.equal(decoded.length(), 66560);
      assert.deepEqual(decoded.checksums(), {});
    }
  });

  it('decodes the signed-trailer example and verifies its CRC32C', async () => {
    const decoded = decodePayload(
      piecesOf(AWS_TRAILER, 1000),
      {
        mode: 'streaming-signed-trailer',
        signing: AWS_SIGNING('106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e'),
      },
      { 'x-amz-decoded-content-length': '66560', 'x-amz-trailer': 'x-amz-checksum-crc32c' },
    );
    assert.deepEqual(await collect(decoded.body), AWS_DATA);
    assert.deepEqual(decoded.checksums(), { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
  });

  it('refuses the example with one byte of the second chunk changed', async () => {
    const tampered = Buffer.from(AWS_CHUNKED);
    tampered[tampered.indexOf('400;chunk-signature') + 100] = 0x62; // 'b'
    await expectFailure(
      tampered,
      {
        mode: 'streaming-signed',
        signing: AWS_SIGNING('4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9'),
      },
      { 'x-amz-decoded-content-length': '66560' },
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      {},
      66560,
    );
  });

  it('refuses the trailer example with a changed checksum (the trailer signature covers it)', async () => {
    const tampered = Buffer.from(AWS_TRAILER.toString('latin1').replace('sOO8/Q==', 'sOO8/R=='), 'latin1');
    await expectFailure(
      tampered,
      {
        mode: 'streaming-signed-trailer',
        signing: AWS_SIGNING('106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e'),
      },
      { 'x-amz-decoded-content-length': '66560', 'x-amz-trailer': 'x-amz-checksum-crc32c' },
      'SignatureDoesNotMatch',
      403,
      undefined,
      undefined,
      66560,
    );
  });
});

describe('decodePayload: signed chunks from an SDK-signed request', () => {
  const data = Buffer.from(Array.from({ length: 200 * KiB + 123 }, (_, i) => (i * 7) % 251));
  const chunks = [data.subarray(0, 64 * KiB), data.subarray(64 * KiB, 192 * KiB), data.subarray(192 * KiB)];
  const headers = { 'x-amz-decoded-content-length': String(data.length) };

  it('decodes a body whose chunk signatures chain from the seed the verifier accepted', async () => {
    const signing = await signedStreaming('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const encoded = await encodeSigned(signing, chunks);
    const decoded = decodePayload(piecesOf(encoded, 16 * KiB), { mode: 'streaming-signed', signing }, headers);
    assert.deepEqual(await collect(decoded.body), data);
  });

  it('refuses a tampered chunk, chunks in another order, and a wrong final signature', async () => {
    const signing = await signedStreaming('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const payload: PayloadDescription = { mode: 'streaming-signed', signing };
    const encoded = await encodeSigned(signing, chunks);
    const flipped = Buffer.from(encoded);
    flipped[70 * KiB] = (flipped[70 * KiB] ?? 0) ^ 1;
    await expectFailure(flipped, payload, headers, 'SignatureDoesNotMatch', 403, undefined, undefined, data.length);

    // The first two chunks swapped, each with its own (valid) signature: the chain from the seed breaks.
    const first = encoded.indexOf('\r\n') + 2 + (chunks[0]?.length ?? 0) + 2;
    const second = encoded.indexOf('\r\n', first) + 2 + (chunks[1]?.length ?? 0) + 2;
    const swapped = Buffer.concat([
      encoded.subarray(first, second),
      encoded.subarray(0, first),
      encoded.subarray(second),
    ]);
    await expectFailure(swapped, payload, headers, 'SignatureDoesNotMatch', 403, undefined, undefined, data.length);

    const finalAt = encoded.lastIndexOf('0;chunk-signature=') + '0;chunk-signature='.length;
    const badFinal = Buffer.from(encoded);
    badFinal[finalAt] = badFinal[finalAt] === 0x30 ? 0x31 : 0x30;
    await expectFailure(badFinal, payload, headers, 'SignatureDoesNotMatch', 403, undefined, undefined, data.length);
  });

  it('refuses a truncated body and broken framing with IncompleteBody', async () => {
    const signing = await signedStreaming('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const payload: PayloadDescription = { mode: 'streaming-signed', signing };
    const encoded = await encodeSigned(signing, chunks);
    const incomplete = 'The request body terminated unexpectedly';
    for (const cut of [10, 64 * KiB, 150 * KiB, encoded.length - 3, encoded.length - 1]) {
      await expectFailure(
        encoded.subarray(0, cut),
        payload,
        headers,
        'IncompleteBody',
        400,
        incomplete,
        {},
        data.length,
      );
    }
    const noCrlf = Buffer.concat([
      encoded.subarray(0, encoded.indexOf('\r\n') + 2 + 64 * KiB),
      encoded.subarray(encoded.indexOf('\r\n') + 4 + 64 * KiB),
    ]);
    await expectFailure(noCrlf, payload, headers, 'IncompleteBody', 400, incomplete);
    const noSignature = Buffer.from(encoded.toString('latin1').replace(/;chunk-signature=[0-9a-f]{64}/, ''), 'latin1');
    await expectFailure(noSignature, payload, headers, 'IncompleteBody', 400, incomplete);
    await expectFailure(
      Buffer.concat([encoded, Buffer.from('extra')]),
      payload,
      headers,
      'IncompleteBody',
      400,
      incomplete,
    );
  });

  it('verifies a checksum header sent with signed chunks', async () => {
    const signing = await signedStreaming('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const payload: PayloadDescription = { mode: 'streaming-signed', signing };
    const encoded = await encodeSigned(signing, chunks);
    const good = { ...headers, 'x-amz-checksum-crc32': checksumOf('CRC32', data) };
    const decoded = decodePayload(piecesOf(encoded, 8 * KiB), payload, good);
    assert.deepEqual(await collect(decoded.body), data);
    assert.deepEqual(decoded.checksums(), { 'x-amz-checksum-crc32': checksumOf('CRC32', data) });
    const bad = { ...headers, 'x-amz-checksum-crc32': checksumOf('CRC32', Buffer.from('x')) };
    await expectFailure(
      encoded,
      payload,
      bad,
      'BadDigest',
      400,
      'The CRC32 you specified did not match the calculated checksum.',
      {},
      data.length,
    );
  });

  it('refuses trailing headers where none were announced', async () => {
    const signing = await signedStreaming('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const encoded = await encodeSigned(signing, chunks);
    const withTrailer = Buffer.concat([
      encoded.subarray(0, encoded.length - 2),
      Buffer.from('x-amz-checksum-crc32:AAAAAA==\r\n\r\n'),
    ]);
    await expectFailure(withTrailer, { mode: 'streaming-signed', signing }, headers, 'MalformedTrailerError', 400);
  });

  it('refuses a non-final chunk under 8 KiB, naming the chunk after it as S3 does', async () => {
    const signing = await signedStreaming('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const small = [data.subarray(0, 8191), data.subarray(8191)];
    const encoded = await encodeSigned(signing, small);
    await expectFailure(
      encoded,
      { mode: 'streaming-signed', signing },
      headers,
      'InvalidChunkSizeError',
      400,
      'Only the last chunk is allowed to have a size less than 8192 bytes',
      { Chunk: '2', BadChunkSize: '8191' },
    );
    // 8 KiB exactly, and a small last chunk, are fine.
    const fine = await encodeSigned(signing, [
      data.subarray(0, 8192),
      data.subarray(8192, data.length - 10),
      data.subarray(-10),
    ]);
    assert.deepEqual(
      await collect(decodePayload(piecesOf(fine, 5000), { mode: 'streaming-signed', signing }, headers).body),
      data,
    );
  });

  it('checks x-amz-decoded-content-length both ways, and requires it', async () => {
    const signing = await signedStreaming('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers);
    const payload: PayloadDescription = { mode: 'streaming-signed', signing };
    const encoded = await encodeSigned(signing, chunks);
    const message = 'You did not provide the number of bytes specified by the Content-Length HTTP header';
    await expectFailure(
      encoded,
      payload,
      { 'x-amz-decoded-content-length': String(data.length + 1) },
      'IncompleteBody',
      400,
      message,
      {
        NumberBytesExpected: String(data.length + 1),
        NumberBytesProvided: String(data.length),
      },
    );
    await expectFailure(encoded, payload, { 'x-amz-decoded-content-length': '1000' }, 'IncompleteBody', 400, message, {
      NumberBytesExpected: '1000',
      NumberBytesProvided: String(64 * KiB),
    });
    for (const value of [undefined, 'abc', '-1', '']) {
      const h = value === undefined ? {} : { 'x-amz-decoded-content-length': value };
      assert.throws(
        () => decodePayload(piecesOf(encoded, KiB), payload, h),
        (err) =>
          assertAwsError(err, 'MissingContentLength', 411, 'You must provide the Content-Length HTTP header.') !==
          undefined,
      );
    }
  });

  it('verifies a signed trailer and its checksum', async () => {
    const trailerHeaders = { ...headers, 'x-amz-trailer': 'x-amz-checksum-sha256' };
    const signing = await signedStreaming('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', trailerHeaders);
    const payload: PayloadDescription = { mode: 'streaming-signed-trailer', signing };
    const good = await encodeSigned(signing, chunks, [['x-amz-checksum-sha256', checksumOf('SHA256', data)]]);
    const decoded = decodePayload(piecesOf(good, 10 * KiB), payload, trailerHeaders);
    assert.deepEqual(await collect(decoded.body), data);
    assert.deepEqual(decoded.checksums(), { 'x-amz-checksum-sha256': checksumOf('SHA256', data) });

    // Correctly signed but wrong checksum: BadDigest. Correct checksum, no trailer signature: malformed.
    const wrong = await encodeSigned(signing, chunks, [
      ['x-amz-checksum-sha256', checksumOf('SHA256', Buffer.from('x'))],
    ]);
    await expectFailure(
      wrong,
      payload,
      trailerHeaders,
      'BadDigest',
      400,
      'The SHA256 you specified did not match the calculated checksum.',
      {},
      data.length,
    );
    const unsigned = Buffer.from(
      good.toString('latin1').replace(/x-amz-trailer-signature:[0-9a-f]{64}\r\n/, ''),
      'latin1',
    );
    await expectFailure(unsigned, payload, trailerHeaders, 'MalformedTrailerError', 400);
  });
});

describe('decodePayload: STREAMING-UNSIGNED-PAYLOAD-TRAILER as SDK v3 sends it', () => {
  const data = Buffer.from(Array.from({ length: 100 * KiB + 5 }, (_, i) => (i * 13) % 256));
  const pieces = [data.subarray(0, 64 * KiB), data.subarray(64 * KiB)];
  const payload: PayloadDescription = { mode: 'streaming-unsigned-trailer' };
  const headersFor = (algorithm: ChecksumAlgorithm) => ({
    'x-amz-decoded-content-length': String(data.length),
    'x-amz-trailer': `x-amz-checksum-${algorithm.toLowerCase()}`,
    'x-amz-sdk-checksum-algorithm': algorithm,
  });

  it('decodes the body and verifies the trailing checksum, for every algorithm', async () => {
    for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
      const encoded = await sdkUnsignedTrailer(pieces, algorithm);
      const decoded = decodePayload(piecesOf(encoded, 3000), payload, headersFor(algorithm));
      assert.deepEqual(await collect(decoded.body), data, algorithm);
      assert.deepEqual(decoded.checksums(), {
        [`x-amz-checksum-${algorithm.toLowerCase()}`]: checksumOf(algorithm, data),
      });
    }
  });

  it('refuses a wrong CRC32 with BadDigest, before the final bytes', async () => {
    const encoded = await sdkUnsignedTrailer(pieces, 'CRC32');
    const wrong = Buffer.from(
      encoded
        .toString('latin1')
        .replace(`x-amz-checksum-crc32:${checksumOf('CRC32', data)}`, 'x-amz-checksum-crc32:AAAAAA=='),
      'latin1',
    );
    await expectFailure(
      wrong,
      payload,
      headersFor('CRC32'),
      'BadDigest',
      400,
      'The CRC32 you specified did not match the calculated checksum.',
      {},
      data.length,
    );
  });

  it('refuses a changed byte of the body through the checksum', async () => {
    const encoded = Buffer.from(await sdkUnsignedTrailer(pieces, 'CRC32C'));
    encoded[50 * KiB] = (encoded[50 * KiB] ?? 0) ^ 0xff;
    await expectFailure(
      encoded,
      payload,
      headersFor('CRC32C'),
      'BadDigest',
      400,
      'The CRC32C you specified did not match the calculated checksum.',
    );
  });

  it('refuses trailers that do not match x-amz-trailer, and accepts an upload without either', async () => {
    const encoded = await sdkUnsignedTrailer(pieces, 'CRC32');
    const malformed =
      'The request contained trailing data that was not well-formed or did not conform to our published schema.';
    // Announced CRC32C, sent CRC32.
    await expectFailure(
      encoded,
      payload,
      { ...headersFor('CRC32'), 'x-amz-trailer': 'x-amz-checksum-crc32c', 'x-amz-sdk-checksum-algorithm': 'CRC32C' },
      'MalformedTrailerError',
      400,
      malformed,
    );
    // Sent without being announced.
    await expectFailure(
      encoded,
      payload,
      { 'x-amz-decoded-content-length': String(data.length) },
      'MalformedTrailerError',
      400,
      malformed,
    );
    // Announced, not sent.
    const none = await encodeAwsChunked(pieces);
    await expectFailure(none, payload, headersFor('CRC32'), 'MalformedTrailerError', 400, malformed);
    // Neither: S3 stores it.
    const plain = decodePayload(piecesOf(none, 5000), payload, { 'x-amz-decoded-content-length': String(data.length) });
    assert.deepEqual(await collect(plain.body), data);
    // A line that is not name:value.
    const garbled = Buffer.from(
      encoded.toString('latin1').replace('x-amz-checksum-crc32:', 'x-amz-checksum-crc32='),
      'latin1',
    );
    await expectFailure(garbled, payload, headersFor('CRC32'), 'MalformedTrailerError', 400, malformed);
  });

  it('refuses a trailing checksum that is not canonical base64, and an unsupported x-amz-trailer', async () => {
    const invalid = await encodeAwsChunked(pieces, { trailers: [['x-amz-checksum-crc32', 'y/Q5Jh==']] });
    await expectFailure(
      invalid,
      payload,
      headersFor('CRC32'),
      'InvalidRequest',
      400,
      'Value for x-amz-checksum-crc32 trailing header is invalid.',
    );
    for (const trailer of ['x-amz-checksum-md5', 'x-amz-meta-foo', 'x-amz-checksum-crc32,x-amz-checksum-sha1']) {
      assert.throws(
        () => decodePayload(piecesOf(invalid, KiB), payload, { ...headersFor('CRC32'), 'x-amz-trailer': trailer }),
        (err) =>
          assertAwsError(
            err,
            'InvalidRequest',
            400,
            'The value specified in the x-amz-trailer header is not supported',
          ) !== undefined,
      );
    }
  });

  it('tolerates an empty line between the final chunk and the trailers', async () => {
    const encoded = await sdkUnsignedTrailer(pieces, 'SHA1');
    const spaced = Buffer.from(encoded.toString('latin1').replace('\r\n0\r\nx-amz', '\r\n0\r\n\r\nx-amz'), 'latin1');
    assert.deepEqual(await collect(decodePayload(piecesOf(spaced, 999), payload, headersFor('SHA1')).body), data);
  });

  it('refuses a missing final CRLF and a trailer line ending in a bare LF', async () => {
    const encoded = await sdkUnsignedTrailer(pieces, 'CRC32');
    await expectFailure(encoded.subarray(0, encoded.length - 2), payload, headersFor('CRC32'), 'IncompleteBody', 400);
    const lastByte = Buffer.from(encoded);
    lastByte[lastByte.length - 1] = 0x58; // 'X', as in versity/versitygw#1660
    await expectFailure(lastByte, payload, headersFor('CRC32'), 'IncompleteBody', 400);
  });
});

describe('decodePayload: single-chunk bodies', () => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog'.repeat(1000));

  it('checks the body against the signed SHA-256, before the final bytes', async () => {
    const hash = sha256Hex(data);
    const decoded = decodePayload(piecesOf(data, 1000), { mode: 'sha256', hash }, {});
    assert.deepEqual(await collect(decoded.body), data);
    assert.equal(decoded.length(), data.length);

    const other = Buffer.from(data);
    other[5] = 0x51;
    await expectFailure(
      other,
      { mode: 'sha256', hash },
      {},
      'XAmzContentSHA256Mismatch',
      400,
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      { ClientComputedContentSHA256: hash, S3ComputedContentSHA256: sha256Hex(other) },
      data.length,
    );
  });

  it('verifies a checksum sent as a header, with or without a signed payload', async () => {
    for (const payload of [{ mode: 'unsigned' }, { mode: 'sha256', hash: sha256Hex(data) }] as const) {
      for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
        const header = `x-amz-checksum-${algorithm.toLowerCase()}`;
        const decoded = decodePayload(piecesOf(data, 4000), payload, { [header]: checksumOf(algorithm, data) });
        assert.deepEqual(await collect(decoded.body), data);
        assert.deepEqual(decoded.checksums(), { [header]: checksumOf(algorithm, data) });
        await expectFailure(
          data,
          payload,
          { [header]: checksumOf(algorithm, Buffer.from('other')) },
          'BadDigest',
          400,
          `The ${algorithm} you specified did not match the calculated checksum.`,
          {},
          data.length,
        );
      }
    }
  });

  it('refuses an invalid or doubled checksum header, and an x-amz-sdk-checksum-algorithm that disagrees', () => {
    const refuse = (headers: HeaderMap, message: string) =>
      assert.throws(
        () => decodePayload(piecesOf(data, 4000), { mode: 'unsigned' }, headers),
        (err) => assertAwsError(err, 'InvalidRequest', 400, message) !== undefined,
      );
    refuse({ 'x-amz-checksum-crc32': 'y/Q5Jh==' }, 'Value for x-amz-checksum-crc32 header is invalid.');
    refuse({ 'x-amz-checksum-sha1': 'shrt' }, 'Value for x-amz-checksum-sha1 header is invalid.');
    refuse(
      { 'x-amz-checksum-crc32': 'y/Q5Jg==', 'x-amz-checksum-sha1': '98O8HYCOBHMq32eZZczDTKeuNEE=' },
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
    refuse(
      { 'x-amz-checksum-crc32': 'y/Q5Jg==', 'x-amz-sdk-checksum-algorithm': 'SHA1' },
      'Value for x-amz-sdk-checksum-algorithm header is invalid.',
    );
    refuse({ 'x-amz-sdk-checksum-algorithm': 'MD5' }, 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
  });

  it('computes the checksum a client asks for with x-amz-sdk-checksum-algorithm alone', async () => {
    const decoded = decodePayload(
      piecesOf(data, 4000),
      { mode: 'unsigned' },
      { 'x-amz-sdk-checksum-algorithm': 'crc64nvme' },
    );
    await collect(decoded.body);
    assert.deepEqual(decoded.checksums(), { 'x-amz-checksum-crc64nvme': checksumOf('CRC64NVME', data) });
  });

  it('ignores x-amz-decoded-content-length and x-amz-trailer outside aws-chunked, as S3 does', async () => {
    const decoded = decodePayload(piecesOf(data, 4000), { mode: 'unsigned' }, { 'x-amz-decoded-content-length': '1' });
    assert.deepEqual(await collect(decoded.body), data);
  });

  it('passes an empty body and refuses reading results too early', async () => {
    const decoded = decodePayload(piecesOf(new Uint8Array(0), 1), { mode: 'sha256', hash: sha256Hex('') }, {});
    assert.throws(() => decoded.length(), /before the body was fully consumed/);
    assert.equal((await collect(decoded.body)).length, 0);
    assert.equal(decoded.length(), 0);
  });

  it('releases the source when the consumer stops early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; i < 100; i++) yield Buffer.alloc(KiB, i);
      } finally {
        closed = true;
      }
    }
    const decoded = decodePayload(source(), { mode: 'unsigned' }, {});
    for await (const piece of decoded.body) {
      assert.equal(piece.length, KiB);
      break;
    }
    assert.equal(closed, true);
  });
});

describe('decodePayload: memory', () => {
  // A 64 MiB signed aws-chunked body, produced lazily in 1 MiB chunks and delivered in 1 MiB pieces: after forced
  // garbage collections the buffers alive stay a few pieces' worth, so nothing accumulates the body.
  it('streams 64 MiB through the signed-chunk decoder without retaining it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const signing = AWS_SIGNING('4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9');
    const total = 64 * MiB;
    const crc = createChecksum('CRC32');
    const expectedCrc = createChecksum('CRC32');

    async function* source(): AsyncGenerator<Uint8Array> {
      let previous = signing.seedSignature;
      const sign = (hash: string) => {
        const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${signing.timestamp}\n${signing.scope}\n${previous}\n${sha256Hex('')}\n${hash}`;
        previous = createHmac('sha256', signing.signingKey).update(toSign).digest('hex');
        return previous;
      };
      for (let i = 0; i < total / MiB; i++) {
        const chunk = Buffer.alloc(MiB, i & 0xff);
        expectedCrc.update(chunk);
        yield Buffer.from(`100000;chunk-signature=${sign(sha256Hex(chunk))}\r\n`);
        yield chunk;
        yield Buffer.from('\r\n');
      }
      yield Buffer.from(`0;chunk-signature=${sign(sha256Hex(''))}\r\n\r\n`);
    }

    const decoded = decodePayload(
      source(),
      { mode: 'streaming-signed', signing },
      { 'x-amz-decoded-content-length': String(total) },
    );
    // Array buffers are released by a background sweeper after a collection: let it run before reading the figure.
    const liveBuffers = async () => {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      await new Promise((resolve) => setImmediate(resolve));
      return process.memoryUsage().arrayBuffers;
    };
    const baseline = await liveBuffers();
    let peak = 0;
    let seen = 0;
    for await (const piece of decoded.body) {
      crc.update(piece);
      seen += piece.length;
      if (seen % (8 * MiB) === 0) peak = Math.max(peak, (await liveBuffers()) - baseline);
    }
    assert.equal(seen, total);
    assert.equal(decoded.length(), total);
    assert.equal(crc.digest(), expectedCrc.digest());
    assert.ok(peak < 8 * MiB, `${(peak / MiB).toFixed(1)} MiB of buffers alive while streaming 64 MiB`);
  });
});
