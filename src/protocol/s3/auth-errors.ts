/**
 * How S3 reports an authentication failure. S3 has its own codes, texts and statuses (InvalidAccessKeyId, not
 * InvalidClientTokenId; 400 for a malformed header; extra XML elements such as AWSAccessKeyId, StringToSign or
 * ServerTime), so the verifier's S3 failures carry a structured `reason` (sigv4/failure.ts) that is worded here.
 *
 * Each text is S3's own, from responses captured from S3 and quoted in public issues (cited by repository and
 * number), or from the S3 error table (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
import { AwsError } from '../errors.ts';
import { S3_SIGNATURE_MISMATCH } from '../sigv4/payload-errors.ts';
import { formatIsoSeconds } from '../sigv4/time.ts';
import type { MalformedCredential, S3FailureReason, SigV4Failure } from '../sigv4/failure.ts';

export { S3_SIGNATURE_MISMATCH };

/** S3's error for a failed S3 verification (`verifySigV4(…, { s3: true })`). */
export function s3AuthenticationError(failure: SigV4Failure): AwsError {
  return failure.reason === undefined ? fromCode(failure) : fromReason(failure.reason);
}

function fromReason(reason: S3FailureReason): AwsError {
  switch (reason.kind) {
    case 'anonymous':
      // What S3 answers an anonymous request the bucket does not allow; the gateway decides whether to serve it.
      return new AwsError('AccessDenied', 403, 'Access Denied');

    case 'multiple-mechanisms':
      // catalyst/moodle-tool_objectfs#303 (S3 behind CloudFront, 400 with ArgumentName/ArgumentValue).
      return new AwsError(
        'InvalidArgument',
        400,
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
        'Sender',
        { ArgumentName: 'Authorization', ArgumentValue: reason.authorization },
      );

    case 'unsupported-authorization':
      // Einstore/Einstore#152 (Bearer), danialfarid/ng-file-upload#615 (Basic), versity/versitygw#1512.
      return new AwsError('InvalidArgument', 400, 'Unsupported Authorization Type', 'Sender', {
        ArgumentName: 'Authorization',
        ArgumentValue: reason.authorization,
      });

    case 'sigv2':
      // What S3 answers SigV2 where only SigV4 is accepted (aws/aws-cli#2432, nukulb/s3-angular-file-upload#23).
      return new AwsError(
        'InvalidRequest',
        400,
        'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      );

    case 'malformed':
      return malformed(reason.presigned, reason.problem);

    case 'presign-missing-parameters':
      // kaliber-scala/play-s3#73.
      return queryParametersError(
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      );

    case 'presign-algorithm':
      // versity/versitygw s3err/presigned-urls.go (UnsupportedAlgorithm, matched against S3).
      return queryParametersError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"');

    case 'presign-date':
      // versity/versitygw s3err/presigned-urls.go (InvalidXAmzDateFormat).
      return queryParametersError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);

    case 'presign-expires':
      return queryParametersError(EXPIRES_MESSAGES[reason.problem]);

    case 'presign-expired':
      // aws/aws-sdk-php#1333 and lukejacksonn/react-slack-clone#27: 403, then X-Amz-Expires as sent, Expires and
      // ServerTime in ISO 8601 without milliseconds.
      return new AwsError('AccessDenied', 403, 'Request has expired', 'Sender', {
        'X-Amz-Expires': reason.expires,
        Expires: formatIsoSeconds(reason.expiresAt),
        ServerTime: formatIsoSeconds(reason.serverTime),
      });

    case 'presign-not-yet-valid':
      // minio/minio#2638 quotes S3's answer to a URL signed a day ahead, X-Amz-Date printed in epoch milliseconds.
      return new AwsError('AccessDenied', 403, 'Request is not yet valid', 'Sender', {
        'X-Amz-Date': String(reason.signedAt.getTime()),
        Expires: formatIsoSeconds(reason.expiresAt),
        ServerTime: formatIsoSeconds(reason.serverTime),
      });

    case 'missing-date':
      // hubrick/vertx-s3-client#5 (the XML), indix/gocd-s3-artifacts#16 (status 403).
      return new AwsError('AccessDenied', 403, 'AWS authentication requires a valid Date or x-amz-date header');

    case 'time-skewed':
      // aws/aws-sdk-php#612, versity/versitygw#1514: RequestTime as the client sent it, ServerTime in ISO 8601.
      return new AwsError(
        'RequestTimeTooSkewed',
        403,
        'The difference between the request time and the current time is too large.',
        'Sender',
        {
          RequestTime: reason.requestTime,
          ServerTime: formatIsoSeconds(reason.serverTime),
          MaxAllowedSkewMilliseconds: String(reason.maxSkewMs),
        },
      );

    case 'content-sha256-missing':
      // avi-wish/aws4-signature-php#1 (the XML), request/request#2708 (HTTP 400).
      return new AwsError('InvalidRequest', 400, 'Missing required header for this request: x-amz-content-sha256');

    case 'content-sha256-invalid':
      // irods/irods_resource_plugin_s3#1833: the message with ArgumentName and ArgumentValue.
      return new AwsError(
        'InvalidArgument',
        400,
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.',
        'Sender',
        { ArgumentName: 'x-amz-content-sha256', ArgumentValue: reason.value },
      );

    case 'unknown-access-key':
      // versity/versitygw#2042 and raster-foundry/raster-foundry#289: 403 with AWSAccessKeyId.
      return new AwsError(
        'InvalidAccessKeyId',
        403,
        'The AWS Access Key Id you provided does not exist in our records.',
        'Sender',
        { AWSAccessKeyId: reason.accessKeyId },
      );

    case 'invalid-token':
      // prachiFam/amazon_s3_cognito#3 (400), s3tools/s3cmd#297. S3 also echoes the token as Token-0 (recalled from
      // S3 responses, not confirmed in a public capture).
      return new AwsError('InvalidToken', 400, 'The provided token is malformed or otherwise invalid.', 'Sender', {
        'Token-0': reason.sessionToken,
      });

    case 'signature-mismatch':
      // aws/aws-sdk-go#4217 and s3tools/s3cmd#1053: S3 shows the string to sign and canonical request it computed,
      // each also as space-separated hex bytes, so a client can find where its signing differs.
      return new AwsError('SignatureDoesNotMatch', 403, S3_SIGNATURE_MISMATCH, 'Sender', {
        AWSAccessKeyId: reason.accessKeyId,
        StringToSign: reason.stringToSign,
        SignatureProvided: reason.signatureProvided,
        StringToSignBytes: hexBytes(reason.stringToSign),
        CanonicalRequest: reason.canonicalRequest,
        CanonicalRequestBytes: hexBytes(reason.canonicalRequest),
      });

    case 'expired-token':
      // ErrorResponses.html: ExpiredToken, 400, "The provided token has expired."; embulk/embulk-input-s3#43
      // relies on 400. Token-0 as for InvalidToken.
      return new AwsError('ExpiredToken', 400, 'The provided token has expired.', 'Sender', {
        'Token-0': reason.sessionToken,
      });

    case 'headers-not-signed':
      // bradleyg/django-s3direct#249, soto-project/soto#374, apache/arrow-rs-object-store#484 (names joined ", ").
      return new AwsError(
        'AccessDenied',
        403,
        'There were headers present in the request which were not signed',
        'Sender',
        {
          HeadersNotSigned: reason.headers.join(', '),
        },
      );

    case 'unverifiable':
      return new AwsError('SignatureDoesNotMatch', 403, S3_SIGNATURE_MISMATCH);
  }
}

const EXPIRES_MESSAGES = {
  // bryanjos/aws_auth#31 and aws/aws-cli#5464 quote S3's text.
  'too-large':
    'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
  // minio/minio#5162 (S3 checks negatives apart from the week limit); wording as in versity/versitygw
  // s3err/presigned-urls.go, written against S3.
  negative: 'X-Amz-Expires must be non-negative',
  'not-a-number': 'X-Amz-Expires should be a number',
} as const;

/**
 * The same scope problem is worded once: for the Authorization header after "The authorization header is
 * malformed; " (AuthorizationHeaderMalformed), for a presigned URL after "Error parsing the X-Amz-Credential
 * parameter; " (AuthorizationQueryParametersError). Texts: ex-aws/ex_aws#537 (three components),
 * krobertson/deb-s3#157 (mal-formed credential), ml-archive/storage#68 (header date), openstack/swift
 * test_s3request.py test_signed_urls_v4_bad_credential (presigned service, terminal and date, written against S3),
 * backblaze-b2-samples/b2-browser-upload#3 (a component that is not key=value, from B2's S3 API).
 */
function malformed(presigned: boolean, problem: MalformedCredential): AwsError {
  if (problem.what === 'date-mismatch') {
    return presigned
      ? queryParametersError(
          `Invalid credential date "${problem.scopeDate}". This date is not the same as X-Amz-Date: "${problem.requestDate}".`,
        )
      : headerMalformed('Invalid credential date. Date is not the same as X-Amz-Date.');
  }
  const detail = malformedDetail(problem);
  return presigned
    ? queryParametersError(`Error parsing the X-Amz-Credential parameter; ${detail}`)
    : headerMalformed(detail);
}

function malformedDetail(problem: Exclude<MalformedCredential, { what: 'date-mismatch' }>): string {
  switch (problem.what) {
    case 'components':
      return 'the authorization header requires three components: Credential, SignedHeaders, and Signature.';
    case 'component':
      return `the authorization component "${problem.component}" is malformed.`;
    case 'credential':
      return 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';
    case 'access-key-empty':
      return 'a non-empty Access Key (AKID) must be provided in the credential.';
    case 'region-empty':
      return 'a non-empty region must be provided in the credential.';
    case 'date-format':
      return `incorrect date format "${problem.date}". This date in the credential must be in the format "yyyyMMdd".`;
    case 'service':
      return `incorrect service "${problem.service}". This endpoint belongs to "s3".`;
    case 'terminator':
      return `incorrect terminal "${problem.terminator}". This endpoint uses "aws4_request".`;
  }
}

const headerMalformed = (detail: string) =>
  new AwsError('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${detail}`);

const queryParametersError = (message: string) => new AwsError('AuthorizationQueryParametersError', 400, message);

/** "41 57 53 34 …": how S3 prints StringToSignBytes and CanonicalRequestBytes (aws/aws-sdk-go#4217). */
function hexBytes(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** A failure without a reason (not produced by an S3 verification): the nearest S3 error for its code. */
function fromCode(failure: SigV4Failure): AwsError {
  switch (failure.code) {
    case 'MissingAuthenticationToken':
      return new AwsError('AccessDenied', 403, 'Access Denied');
    case 'InvalidClientTokenId':
      return new AwsError(
        'InvalidAccessKeyId',
        403,
        'The AWS Access Key Id you provided does not exist in our records.',
      );
    case 'ExpiredToken':
      return new AwsError('ExpiredToken', 400, 'The provided token has expired.');
    case 'IncompleteSignature':
      return new AwsError(
        'AuthorizationHeaderMalformed',
        400,
        `The authorization header is malformed; ${failure.message}`,
      );
    case 'RequestExpired':
      return new AwsError('AccessDenied', 403, 'Request has expired');
    case 'SignatureDoesNotMatch':
      return failure.skewed === true
        ? new AwsError(
            'RequestTimeTooSkewed',
            403,
            'The difference between the request time and the current time is too large.',
          )
        : new AwsError('SignatureDoesNotMatch', 403, S3_SIGNATURE_MISMATCH);
  }
}
