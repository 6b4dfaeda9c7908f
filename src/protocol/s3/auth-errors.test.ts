// S3's authentication errors: each verifier failure, produced by a real (SDK-signed or presigned) request, turned
// into the code, status, message and extra elements S3 returns. Expected texts are S3's as captured in the issues
// cited in auth-errors.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsError } from '../errors.ts';
import { verifySigV4 } from '../sigv4/verify.ts';
import type { KeyLookup, SignedRequest, SigV4Failure, SigV4Success } from '../sigv4/verify.ts';
import {
  AKID,
  authorizationOf,
  HOST,
  lookup,
  NOW,
  presignS3,
  SECRET,
  signS3,
  TOKEN,
  withHeader,
} from '../sigv4/s3-helpers.test.ts';
import { s3AuthenticationError } from './auth-errors.ts';

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

function s3Error(result: SigV4Success | SigV4Failure): AwsError {
  if (result.ok) assert.fail('expected a failure');
  return s3AuthenticationError(result);
}

function assertError(
  err: AwsError,
  code: string,
  status: number,
  message: string,
  details: Record<string, string> = {},
) {
  assert.equal(err.code, code);
  assert.equal(err.status, status);
  assert.equal(err.message, message);
  assert.deepEqual(err.details, details);
  assert.equal(err.fault, 'Sender');
}

const verify = (req: SignedRequest, keys: KeyLookup = lookup, now = NOW) => verifySigV4(req, now, keys, { s3: true });

describe('S3 authentication errors: credentials', () => {
  it('InvalidAccessKeyId (403) with AWSAccessKeyId', async () => {
    assertError(
      s3Error(verify(await signS3(), () => undefined)),
      'InvalidAccessKeyId',
      403,
      'The AWS Access Key Id you provided does not exist in our records.',
      { AWSAccessKeyId: AKID },
    );
  });

  it('InvalidToken (400) for a session token that does not open', async () => {
    assertError(
      s3Error(verify(await signS3({ sessionToken: 'forged' }))),
      'InvalidToken',
      400,
      'The provided token is malformed or otherwise invalid.',
      { 'Token-0': 'forged' },
    );
  });

  it('ExpiredToken (400) for an expired session, only when the signature is right', async () => {
    const expired: KeyLookup = () => ({ secretAccessKey: SECRET, expiresAt: new Date(NOW.getTime() - 1) });
    assertError(
      s3Error(verify(await signS3({ sessionToken: TOKEN }), expired)),
      'ExpiredToken',
      400,
      'The provided token has expired.',
      {
        'Token-0': TOKEN,
      },
    );
  });

  it('SignatureDoesNotMatch (403) with what S3 computed, as text and as bytes', async () => {
    const req = await signS3({ secretAccessKey: 'wrong', body: 'hi' });
    const err = s3Error(verify(req));
    assert.equal(err.code, 'SignatureDoesNotMatch');
    assert.equal(err.status, 403);
    assert.equal(err.message, MISMATCH);
    assert.deepEqual(Object.keys(err.details), [
      'AWSAccessKeyId',
      'StringToSign',
      'SignatureProvided',
      'StringToSignBytes',
      'CanonicalRequest',
      'CanonicalRequestBytes',
    ]);
    assert.equal(err.details['AWSAccessKeyId'], AKID);
    assert.match(
      err.details['StringToSign'] ?? '',
      /^AWS4-HMAC-SHA256\n20260101T120000Z\n20260101\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/,
    );
    assert.equal(err.details['StringToSignBytes']?.slice(0, 23), '41 57 53 34 2d 48 4d 41'); // "AWS4-HMA"
    assert.match(err.details['CanonicalRequest'] ?? '', /^PUT\n\/bucket\/key\.txt\n\nhost:127\.0\.0\.1:4566\n/);
    assert.equal(
      Buffer.from((err.details['CanonicalRequestBytes'] ?? '').split(' ').map((h) => parseInt(h, 16))).toString(),
      err.details['CanonicalRequest'],
    );
    assert.match(authorizationOf(req), new RegExp(`Signature=${err.details['SignatureProvided']}$`));
  });

  it('AccessDenied for headers present but not signed, names joined with ", "', async () => {
    const req = withHeader(withHeader(await signS3(), 'x-amz-acl', 'private'), 'x-amz-meta-a', 'b');
    assertError(
      s3Error(verify(req)),
      'AccessDenied',
      403,
      'There were headers present in the request which were not signed',
      {
        HeadersNotSigned: 'x-amz-acl, x-amz-meta-a',
      },
    );
  });

  it('AccessDenied "Access Denied" for an anonymous request the caller chose not to serve', () => {
    const req: SignedRequest = { method: 'GET', path: '/bucket/key', query: '', headers: { host: HOST } };
    assertError(s3Error(verify(req)), 'AccessDenied', 403, 'Access Denied');
  });
});

describe('S3 authentication errors: the Authorization header', () => {
  it('RequestTimeTooSkewed (403) with RequestTime, ServerTime and MaxAllowedSkewMilliseconds', async () => {
    const req = await signS3({ signingDate: new Date(NOW.getTime() - 20 * 60_000) });
    assertError(
      s3Error(verify(req)),
      'RequestTimeTooSkewed',
      403,
      'The difference between the request time and the current time is too large.',
      {
        RequestTime: '20260101T114000Z',
        ServerTime: '2026-01-01T12:00:00Z',
        MaxAllowedSkewMilliseconds: '900000',
      },
    );
  });

  it('InvalidRequest for a missing x-amz-content-sha256, InvalidArgument for an unknown value', async () => {
    const req = await signS3();
    assertError(
      s3Error(verify(withHeader(req, 'x-amz-content-sha256', undefined))),
      'InvalidRequest',
      400,
      'Missing required header for this request: x-amz-content-sha256',
    );
    assertError(
      s3Error(verify(await signS3({ headers: { 'x-amz-content-sha256': 'tjnVEQ5UTP/DL91eAGOmew==' } }))),
      'InvalidArgument',
      400,
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.',
      { ArgumentName: 'x-amz-content-sha256', ArgumentValue: 'tjnVEQ5UTP/DL91eAGOmew==' },
    );
  });

  it('AccessDenied for a missing date', async () => {
    assertError(
      s3Error(verify(withHeader(await signS3(), 'x-amz-date', undefined))),
      'AccessDenied',
      403,
      'AWS authentication requires a valid Date or x-amz-date header',
    );
  });

  it('InvalidArgument or InvalidRequest for other schemes and for both mechanisms', async () => {
    const req = await signS3();
    assertError(
      s3Error(verify(withHeader(req, 'authorization', 'Bearer abc'))),
      'InvalidArgument',
      400,
      'Unsupported Authorization Type',
      {
        ArgumentName: 'Authorization',
        ArgumentValue: 'Bearer abc',
      },
    );
    assertError(
      s3Error(verify(withHeader(req, 'authorization', 'AWS AKIAIOSFODNN7EXAMPLE:c2ln'))),
      'InvalidRequest',
      400,
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
    assertError(
      s3Error(verify({ ...req, query: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' })),
      'InvalidArgument',
      400,
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      { ArgumentName: 'Authorization', ArgumentValue: authorizationOf(req) },
    );
  });

  it('AuthorizationHeaderMalformed (400) for each scope and structure problem', async () => {
    const req = await signS3();
    const auth = authorizationOf(req);
    const prefix = 'The authorization header is malformed; ';
    const cases: [string, string][] = [
      [
        auth.replace(/, Signature=[0-9a-f]+/, ''),
        'the authorization header requires three components: Credential, SignedHeaders, and Signature.',
      ],
      [
        auth.replace('Credential=', 'Credential'),
        `the authorization component "Credential${AKID}/20260101/us-east-1/s3/aws4_request" is malformed.`,
      ],
      [
        auth.replace('/us-east-1/s3/', '/us-east-1/'),
        'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
      ],
      [
        auth.replace(`Credential=${AKID}`, 'Credential='),
        'a non-empty Access Key (AKID) must be provided in the credential.',
      ],
      [auth.replace('/us-east-1/', '//'), 'a non-empty region must be provided in the credential.'],
      [
        auth.replace('/20260101/', '/2026-1-1/'),
        'incorrect date format "2026-1-1". This date in the credential must be in the format "yyyyMMdd".',
      ],
      [auth.replace('/s3/', '/iam/'), 'incorrect service "iam". This endpoint belongs to "s3".'],
      [
        auth.replace('aws4_request', 'aws5_request'),
        'incorrect terminal "aws5_request". This endpoint uses "aws4_request".',
      ],
      [auth.replace('/20260101/', '/20251231/'), 'Invalid credential date. Date is not the same as X-Amz-Date.'],
    ];
    for (const [value, detail] of cases) {
      assertError(
        s3Error(verify(withHeader(req, 'authorization', value))),
        'AuthorizationHeaderMalformed',
        400,
        prefix + detail,
      );
    }
  });
});

describe('S3 authentication errors: presigned URLs', () => {
  it('AccessDenied "Request has expired" with X-Amz-Expires, Expires and ServerTime', async () => {
    const req = await presignS3({ signingDate: new Date(NOW.getTime() - 2 * 3600_000), expiresIn: 300 });
    assertError(s3Error(verify(req)), 'AccessDenied', 403, 'Request has expired', {
      'X-Amz-Expires': '300',
      Expires: '2026-01-01T10:05:00Z',
      ServerTime: '2026-01-01T12:00:00Z',
    });
  });

  it('AccessDenied "Request is not yet valid" for a URL signed a day ahead', async () => {
    const ahead = new Date(NOW.getTime() + 86400_000);
    const req = await presignS3({ signingDate: ahead, expiresIn: 60 });
    assertError(s3Error(verify(req)), 'AccessDenied', 403, 'Request is not yet valid', {
      'X-Amz-Date': String(ahead.getTime()),
      Expires: '2026-01-02T12:01:00Z',
      ServerTime: '2026-01-01T12:00:00Z',
    });
  });

  it('AuthorizationQueryParametersError (400) for the query parameters', async () => {
    const req = await presignS3({ expiresIn: 3600 });
    const replaced = (from: string | RegExp, to: string) =>
      s3Error(verify({ ...req, query: req.query.replace(from, to) }));
    const cases: [AwsError, string][] = [
      [
        replaced('X-Amz-Expires=3600', 'X-Amz-Expires=604801'),
        'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
      ],
      [replaced('X-Amz-Expires=3600', 'X-Amz-Expires=-5'), 'X-Amz-Expires must be non-negative'],
      [replaced('X-Amz-Expires=3600', 'X-Amz-Expires=soon'), 'X-Amz-Expires should be a number'],
      [
        replaced(/&X-Amz-SignedHeaders=[^&]*/, ''),
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      ],
      [
        replaced('X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=HMAC'),
        'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"',
      ],
      [
        replaced('X-Amz-Date=20260101T120000Z', 'X-Amz-Date=20260101'),
        `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`,
      ],
      [
        replaced('%2Fs3%2F', '%2Fnot-s3%2F'),
        'Error parsing the X-Amz-Credential parameter; incorrect service "not-s3". This endpoint belongs to "s3".',
      ],
      [
        replaced('aws4_request', 'not-aws4_request'),
        'Error parsing the X-Amz-Credential parameter; incorrect terminal "not-aws4_request". This endpoint uses "aws4_request".',
      ],
      [
        replaced('%2F20260101%2F', '%2F20251231%2F'),
        'Invalid credential date "20251231". This date is not the same as X-Amz-Date: "20260101".',
      ],
    ];
    for (const [err, message] of cases) assertError(err, 'AuthorizationQueryParametersError', 400, message);
  });

  it('SignatureDoesNotMatch for a tampered URL', async () => {
    const req = await presignS3();
    assert.equal(s3Error(verify({ ...req, path: '/bucket/other' })).message, MISMATCH);
  });
});

describe('S3 authentication errors: failures without a reason', () => {
  it('maps the IAM-style codes to the nearest S3 error', () => {
    const cases: [SigV4Failure, string, number][] = [
      [{ ok: false, code: 'InvalidClientTokenId', message: '' }, 'InvalidAccessKeyId', 403],
      [{ ok: false, code: 'SignatureDoesNotMatch', message: '' }, 'SignatureDoesNotMatch', 403],
      [{ ok: false, code: 'SignatureDoesNotMatch', message: '', skewed: true }, 'RequestTimeTooSkewed', 403],
      [{ ok: false, code: 'ExpiredToken', message: '' }, 'ExpiredToken', 400],
      [{ ok: false, code: 'MissingAuthenticationToken', message: '' }, 'AccessDenied', 403],
      [{ ok: false, code: 'IncompleteSignature', message: 'x' }, 'AuthorizationHeaderMalformed', 400],
      [{ ok: false, code: 'RequestExpired', message: '' }, 'AccessDenied', 403],
    ];
    for (const [failure, code, status] of cases) {
      const err = s3AuthenticationError(failure);
      assert.equal(err.code, code);
      assert.equal(err.status, status);
    }
  });
});
