/**
 * The errors S3 returns while it reads a request body: payload hash, aws-chunked framing and signatures, trailers
 * and checksums. Each text is S3's, with where it was seen. Most come from responses captured from S3 itself in
 * issues of S3-compatible servers whose test suites run against AWS (versity/versitygw, openstack/swift s3api,
 * scality/cloudserver), cited by number.
 */
import { AwsError } from '../errors.ts';
import type { ChecksumAlgorithm } from './checksums.ts';

/**
 * S3's SignatureDoesNotMatch message (S3 words it differently from IAM/STS: aws/aws-sdk-go#4217,
 * s3tools/s3cmd#1053). Also used by protocol/s3/auth-errors.ts.
 */
export const S3_SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

export const payloadErrors = {
  /**
   * A body that ends early or breaks the aws-chunked framing (chunk header, CRLFs, final chunk). S3 answers every
   * such encoding error with this (versity/versitygw#1660 unsigned trailer, #1685 signed chunks; the text in
   * aws/aws-sdk-java-v2#2908).
   */
  incompleteBody: () => new AwsError('IncompleteBody', 400, 'The request body terminated unexpectedly'),

  /** x-amz-decoded-content-length differs from the decoded bytes (versity/versitygw#1684, captured from S3). */
  lengthMismatch: (expected: number, provided: number) =>
    new AwsError(
      'IncompleteBody',
      400,
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
      'Sender',
      { NumberBytesExpected: String(expected), NumberBytesProvided: String(provided) },
    ),

  /**
   * An aws-chunked body without a readable x-amz-decoded-content-length: S3 answers MissingContentLength
   * (versity/versitygw#1656, captured from S3; 411 Length Required in the S3 error table, ErrorResponses.html).
   */
  missingContentLength: () =>
    new AwsError('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.'),

  /** A chunk (or trailer) signature that does not verify (openstack/swift s3api S3InputChunkSignatureMismatch). */
  chunkSignatureMismatch: () => new AwsError('SignatureDoesNotMatch', 403, S3_SIGNATURE_MISMATCH),

  /**
   * Every chunk but the last must carry at least 8 KiB (sigv4-streaming.html: "Chunk size must be at least 8 KB").
   * S3 notices at the next chunk header, so the number it reports is that of the chunk after the small one
   * (jamhall/s3rver's note on AWS's off-by-one), with BadChunkSize the small chunk's size. SDK v3 recognises the
   * message (aws/aws-sdk-js-v3, middleware-sdk-s3 check-content-length-header).
   */
  invalidChunkSize: (chunk: number, size: number) =>
    new AwsError(
      'InvalidChunkSizeError',
      400,
      'Only the last chunk is allowed to have a size less than 8192 bytes',
      'Sender',
      { Chunk: String(chunk), BadChunkSize: String(size) },
    ),

  /**
   * Trailing headers that are malformed, missing although x-amz-trailer announced them, not the announced one, or
   * present without x-amz-trailer (scality/Arsenal#2596 quoting AWS; versity/versitygw#1600, #1690, #1691).
   */
  malformedTrailer: () =>
    new AwsError(
      'MalformedTrailerError',
      400,
      'The request contained trailing data that was not well-formed or did not conform to our published schema.',
    ),

  /** An x-amz-trailer that names no checksum (versity/versitygw#1161, captured from S3). */
  trailerNotSupported: () =>
    new AwsError('InvalidRequest', 400, 'The value specified in the x-amz-trailer header is not supported'),

  /** A checksum header that is not canonical base64 of the right size (openstack/swift test_object_checksums.py). */
  invalidChecksumHeader: (header: string) =>
    new AwsError('InvalidRequest', 400, `Value for ${header} header is invalid.`),

  /** The same for a trailing checksum (scality/cloudserver functional tests run against AWS). */
  invalidTrailingChecksum: (header: string) =>
    new AwsError('InvalidRequest', 400, `Value for ${header} trailing header is invalid.`),

  /** Two checksum headers (openstack/swift test_object_checksums.py test_multi_checksum). */
  multipleChecksums: () =>
    new AwsError(
      'InvalidRequest',
      400,
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    ),

  /**
   * x-amz-sdk-checksum-algorithm naming another algorithm than the checksum sent (openstack/swift
   * test_object_checksums.py test_different_checksum_requested, botocore >= 1.36).
   */
  sdkChecksumAlgorithmInvalid: () =>
    new AwsError('InvalidRequest', 400, 'Value for x-amz-sdk-checksum-algorithm header is invalid.'),

  /**
   * A checksum that does not match the body: "The CRC32 you specified did not match the calculated checksum."
   * (aws/aws-sdk-ruby#3322; the algorithm upper-case as in openstack/swift test_object_checksums.py).
   */
  badDigest: (algorithm: ChecksumAlgorithm) =>
    new AwsError('BadDigest', 400, `The ${algorithm} you specified did not match the calculated checksum.`),

  /** The body's SHA-256 differs from the signed x-amz-content-sha256 (grosskur/lua-resty-aws#2, from S3). */
  contentSha256Mismatch: (clientComputed: string, s3Computed: string) =>
    new AwsError(
      'XAmzContentSHA256Mismatch',
      400,
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      'Sender',
      { ClientComputedContentSHA256: clientComputed, S3ComputedContentSHA256: s3Computed },
    ),
};
