/**
 * Shared by the S3 end-to-end tests with real clients (s3-cli, s3-sdk, s3-boto3): S3's error texts word for word
 * (docs/research/s3-facts.md §B.2), S3 error bodies read from raw responses, hashes and random files, and the
 * AWS CLI run with an S3 configuration. The CLI costs a process start per call, so it runs asynchronously: the
 * tests of a suite run concurrently, each with its own bucket.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { clientEnv } from '../support/clients.ts';
import { unescapeXml } from '../support/xml.ts';
import { cliErrorLine } from './helpers.ts';

export { cliErrorLine };

/** S3's messages as S3 sends them (s3-facts §B.2, each with its source there). */
export const s3Messages = {
  noSuchBucket: 'The specified bucket does not exist',
  noSuchKey: 'The specified key does not exist.',
  bucketNotEmpty: 'The bucket you tried to delete is not empty',
  bucketAlreadyOwnedByYou: 'Your previous request to create the named bucket succeeded and you already own it.',
  invalidBucketName: 'The specified bucket is not valid.',
  noSuchUpload:
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  // Two spaces after the first sentence, as S3 sends it (gh:versity/versitygw#2036).
  invalidPart:
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
  invalidPartOrder:
    'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
  entityTooSmall: 'Your proposed upload is smaller than the minimum allowed size',
  invalidRange: 'The requested range is not satisfiable',
  preconditionFailed: 'At least one of the pre-conditions you specified did not hold',
  noSuchBucketPolicy: 'The bucket policy does not exist',
  noSuchPublicAccessBlock: 'The public access block configuration was not found',
  noSuchTagSet: 'The TagSet does not exist',
  invalidResource: 'Policy has invalid resource',
  selfCopy:
    "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
  badContinuationToken: 'The continuation token provided is incorrect',
  invalidLocation: 'The specified location-constraint is not valid',
  unspecifiedLocation:
    'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.',
  // S3's wording, not STS's (aws/aws-sdk-go#4217; src/protocol/sigv4/payload-errors.ts).
  signatureMismatch:
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  requestExpired: 'Request has expired',
  sigV2: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
  blockedPublicPolicy: (account: string, bucket: string) =>
    `User: arn:aws:iam::${account}:root is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${bucket}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
} as const;

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
export const md5Hex = (data: Buffer): string => createHash('md5').update(data).digest('hex');

/** A CRC32 as S3 shows it in x-amz-checksum-crc32: the big-endian 32-bit value in base64. */
export function crc32Base64(data: Buffer | string): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data));
  return out.toString('base64');
}

/** The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, `-N`, quoted (s3-facts §D.1). */
export function multipartEtag(data: Buffer, partSize: number): string {
  const hash = createHash('md5');
  let parts = 0;
  for (let at = 0; at < data.length; at += partSize, parts++) {
    hash.update(
      createHash('md5')
        .update(data.subarray(at, at + partSize))
        .digest(),
    );
  }
  return `"${hash.digest('hex')}-${parts}"`;
}

/** sha256 of a file, streamed (the large test files are not read whole). */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A random file of `size` bytes; returns its bytes too when they are wanted (small files). */
export function randomFile(path: string, size: number): Buffer {
  const data = randomBytes(size);
  writeFileSync(path, data);
  return data;
}

export interface S3ErrorBody {
  readonly status: number;
  /** Every child element of <Error> by name (Code, Message, and the error's own elements). */
  readonly fields: Record<string, string>;
}

/**
 * Reads S3's `<Error>` body from a raw response (fetch). Element names such as `X-Amz-Expires` carry hyphens,
 * which the shared test XML reader does not take, so the flat list of children is read here.
 */
export async function s3ErrorOf(res: Response): Promise<S3ErrorBody> {
  const body = await res.text();
  assert.match(body, /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error>[\s\S]*<\/Error>\s*$/, body);
  const fields: Record<string, string> = {};
  for (const [, name, text] of body.matchAll(/<([A-Za-z][\w-]*)>([^<]*)<\/\1>/g)) {
    if (name !== undefined) fields[name] = unescapeXml(text ?? '');
  }
  return { status: res.status, fields };
}

// ---------------------------------------------------------------------------------------------------------------
// AWS CLI

/**
 * The CLI's configuration for rolecall over http: SigV4 for presigned URLs (CLI v1 presigns with SigV2 in
 * us-east-1 otherwise, which S3 and rolecall refuse) and path-style addressing (bucket.127.0.0.1 does not resolve).
 */
export const CLI_S3_CONFIG = '[default]\ns3 =\n    signature_version = s3v4\n    addressing_style = path\n';

export interface CliCall {
  readonly status: number | null;
  readonly stdout: string;
  /** stderr, trimmed. */
  readonly stderr: string;
}

/** A scratch directory holding the CLI configuration and the files a suite uploads and downloads. */
export class CliWorkspace {
  readonly dir: string;
  readonly configFile: string;
  readonly defaultConfigFile: string;

  constructor(prefix = 'rolecall-s3-cli-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    this.configFile = join(this.dir, 'aws-config');
    this.defaultConfigFile = join(this.dir, 'aws-config-default');
    writeFileSync(this.configFile, CLI_S3_CONFIG);
    writeFileSync(this.defaultConfigFile, '[default]\n');
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Runs `aws ARGS…` against the endpoint with the working directory in the workspace (so the CLI prints
   * relative paths), the S3 configuration (or, with `plainConfig`, none: the CLI's defaults).
   */
  run(endpoint: string, args: readonly string[], options: { plainConfig?: boolean } = {}): Promise<CliCall> {
    const env = {
      ...clientEnv(endpoint),
      AWS_CONFIG_FILE: options.plainConfig ? this.defaultConfigFile : this.configFile,
    };
    return new Promise((done) => {
      execFile(
        'aws',
        ['--output', 'json', ...args],
        { env, cwd: this.dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
          done({ status, stdout, stderr: stderr.trim() });
        },
      );
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SDK v3

/**
 * An S3 client of SDK v3 for the endpoint, path-style, as the account root. It keeps the SDK's retries: S3
 * errors (4xx) are never retried, and a kept-alive connection the server closed while this process was busy
 * hashing a large file is (ECONNRESET), as it would be against AWS.
 */
export function s3Client(endpoint: string, region = 'us-east-1'): S3Client {
  return new S3Client({
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    forcePathStyle: true,
  });
}
