// verifySigV4 against requests signed by the real AWS SDK v3 signer (@smithy/signature-v4), plus AWS's published
// example, so the verifier is checked against what clients actually send rather than against itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { verifySigV4 } from './verify.ts';
import type { KeyLookup, SignedRequest, SigV4Failure, SigV4Success } from './verify.ts';

const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const NOW = new Date('2026-01-01T12:00:00Z');
const BODY = 'Action=GetRole&RoleName=x&Version=2010-05-08';

const lookup: KeyLookup = (id) => (id === AKID ? { secretAccessKey: SECRET } : undefined);

interface SignInput {
  service?: string;
  region?: string;
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  signingDate?: Date;
  sessionToken?: string;
  secretAccessKey?: string;
  /** false: no x-amz-content-sha256 header, like botocore for IAM/STS/EC2. */
  applyChecksum?: boolean;
  unsignableHeaders?: Set<string>;
}

/** Signs with the SDK and returns the request as rolecall's server would see it. */
async function sign(input: SignInput = {}): Promise<SignedRequest> {
  const body = input.body ?? BODY;
  const signer = new SignatureV4({
    service: input.service ?? 'iam',
    region: input.region ?? 'us-east-1',
    credentials: {
      accessKeyId: AKID,
      secretAccessKey: input.secretAccessKey ?? SECRET,
      ...(input.sessionToken === undefined ? {} : { sessionToken: input.sessionToken }),
    },
    sha256: Sha256,
    ...(input.applyChecksum === undefined ? {} : { applyChecksum: input.applyChecksum }),
  });
  const signed = await signer.sign(
    {
      method: input.method ?? 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: input.path ?? '/',
      query: input.query ?? {},
      headers: {
        host: '127.0.0.1:4566',
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        ...input.headers,
      },
      body,
    },
    {
      signingDate: input.signingDate ?? NOW,
      ...(input.unsignableHeaders === undefined ? {} : { unsignableHeaders: input.unsignableHeaders }),
    },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  return {
    method: signed.method,
    path: signed.path,
    query: rawQuery(input.query ?? {}),
    headers,
    body: Buffer.from(body),
  };
}

/** The query string as the SDK's HTTP handler puts it on the wire (smithy buildQueryString). */
function rawQuery(query: Record<string, string | string[]>): string {
  const enc = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key] ?? '';
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${enc(key)}=${enc(v)}`);
  }
  return parts.join('&');
}

function withHeader(req: SignedRequest, name: string, value: string | string[] | undefined): SignedRequest {
  return { ...req, headers: { ...req.headers, [name]: value } };
}

function authorization(req: SignedRequest): string {
  const value = req.headers['authorization'];
  assert.equal(typeof value, 'string');
  return value as string;
}

function assertOk(result: SigV4Success | SigV4Failure): SigV4Success {
  if (!result.ok) assert.fail(`expected success, got ${result.code}: ${result.message}`);
  return result;
}

function assertFailure(
  result: SigV4Success | SigV4Failure,
  code: SigV4Failure['code'],
  message?: string,
): SigV4Failure {
  if (result.ok) assert.fail(`expected ${code}, got success`);
  assert.equal(result.code, code, result.message);
  if (message !== undefined) assert.equal(result.message, message);
  return result;
}

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

describe('verifySigV4: accepted', () => {
  it('accepts an SDK-signed IAM POST and reports who signed it', async () => {
    const result = assertOk(verifySigV4(await sign(), NOW, lookup));
    assert.equal(result.accessKeyId, AKID);
    assert.equal(result.sessionToken, undefined);
    assert.equal(result.region, 'us-east-1');
    assert.equal(result.service, 'iam');
    assert.equal(result.signedAt.toISOString(), NOW.toISOString());
  });

  it('accepts every service and any region', async () => {
    for (const service of ['iam', 'sts', 'ec2']) {
      for (const region of ['us-east-1', 'eu-west-3', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1']) {
        const result = assertOk(verifySigV4(await sign({ service, region }), NOW, lookup));
        assert.equal(result.service, service);
        assert.equal(result.region, region);
      }
    }
  });

  it('accepts requests without x-amz-content-sha256 (botocore does not send it for IAM/STS/EC2)', async () => {
    const req = await sign({ applyChecksum: false });
    assert.equal(req.headers['x-amz-content-sha256'], undefined);
    assertOk(verifySigV4(req, NOW, lookup));
  });

  it('accepts query strings with encoded characters, repeated keys and empty values', async () => {
    const query = {
      Action: 'ListRoles',
      PathPrefix: "/a b/ü+€!*()'~",
      'Filter.1': ['zeta', 'alpha', 'alpha'],
      Empty: '',
      'x y': 'a=b&c',
    };
    assertOk(verifySigV4(await sign({ method: 'GET', query, body: '' }), NOW, lookup));
  });

  it('accepts a query whose encoding differs from the canonical one but means the same', async () => {
    const req = await sign({ method: 'GET', query: { Path: '/a/~b', Flag: '' }, body: '' });
    // lower-case hex, an encoded unreserved character, an unencoded '/', and a bare name for an empty value.
    assertOk(verifySigV4({ ...req, query: 'Path=%2fa/%7Eb&Flag' }, NOW, lookup));
  });

  it('ignores extra spaces in header values, as the canonical form collapses them', async () => {
    const req = await sign({ headers: { 'x-amz-meta-note': 'a   b\tc' } });
    assertOk(verifySigV4(withHeader(req, 'x-amz-meta-note', '   a b    c  '), NOW, lookup));
  });

  it('joins repeated header values with a comma', async () => {
    const req = await sign({ headers: { 'x-amz-meta-list': 'one,two' } });
    assertOk(verifySigV4(withHeader(req, 'x-amz-meta-list', ['one', ' two ']), NOW, lookup));
  });

  it('accepts a session token and passes it to the lookup', async () => {
    const seen: (string | undefined)[] = [];
    const tokenLookup: KeyLookup = (id, token) => {
      seen.push(token);
      return id === AKID && token === 'FwoGZXIvYXdzEXAMPLE' ? { secretAccessKey: SECRET } : undefined;
    };
    const req = await sign({ service: 'sts', sessionToken: 'FwoGZXIvYXdzEXAMPLE' });
    const result = assertOk(verifySigV4(req, NOW, tokenLookup));
    assert.equal(result.sessionToken, 'FwoGZXIvYXdzEXAMPLE');
    assert.deepEqual(seen, ['FwoGZXIvYXdzEXAMPLE']);
  });

  it('double-encodes and normalises the path like the SDK', async () => {
    for (const path of ['/foo%20bar/b%2Fz', '/a/./b/../c//d/', '/~user/x:y@z']) {
      assertOk(verifySigV4(await sign({ method: 'GET', path, body: '' }), NOW, lookup));
    }
  });

  it('accepts X-Amz-Date 14 minutes old and 14 minutes ahead', async () => {
    for (const minutes of [-14, 14]) {
      const req = await sign({ signingDate: new Date(NOW.getTime() + minutes * 60_000) });
      assertOk(verifySigV4(req, NOW, lookup));
    }
  });

  it("verifies AWS's published example (IAM ListUsers, 2015-08-30)", () => {
    // https://docs.aws.amazon.com/general/latest/gr/sigv4-calculate-signature.html (signature 5d672d79...).
    const req: SignedRequest = {
      method: 'GET',
      path: '/',
      query: 'Action=ListUsers&Version=2010-05-08',
      headers: {
        host: 'iam.amazonaws.com',
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
      },
      body: Buffer.alloc(0),
    };
    const example: KeyLookup = (id) =>
      id === 'AKIDEXAMPLE' ? { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } : undefined;
    assertOk(verifySigV4(req, new Date('2015-08-30T12:36:00Z'), example));
  });
});

describe('verifySigV4: rejected', () => {
  it('rejects a tampered body of the same length and of another length', async () => {
    for (const applyChecksum of [true, false]) {
      const req = await sign({ applyChecksum });
      for (const body of [BODY.replace('x', 'y'), `${BODY}&Extra=1`]) {
        // With x-amz-content-sha256 the declared hash no longer matches; without it the signature does not.
        const expected = applyChecksum
          ? "The provided 'x-amz-content-sha256' header does not match what was computed."
          : MISMATCH;
        assertFailure(verifySigV4({ ...req, body: Buffer.from(body) }, NOW, lookup), 'SignatureDoesNotMatch', expected);
      }
    }
  });

  it('rejects a changed signed header, method, path or query', async () => {
    const req = await sign();
    const changed: SignedRequest[] = [
      withHeader(req, 'content-type', 'application/json'),
      withHeader(req, 'host', 'evil.example:4566'),
      { ...req, method: 'PUT' },
      { ...req, path: '/other' },
      { ...req, query: 'Action=DeleteRole' },
    ];
    for (const r of changed) assertFailure(verifySigV4(r, NOW, lookup), 'SignatureDoesNotMatch', MISMATCH);
  });

  it('rejects an altered signature', async () => {
    const req = await sign();
    const auth = authorization(req);
    const signature = /Signature=([0-9a-f]{64})$/.exec(auth)?.[1] ?? assert.fail('no signature');
    const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
    for (const altered of [flipped, signature.slice(0, -1), `${signature}0`, signature.toUpperCase(), '']) {
      const result = verifySigV4(withHeader(req, 'authorization', auth.replace(signature, altered)), NOW, lookup);
      assert.equal(result.ok, false, altered);
    }
    assertFailure(
      verifySigV4(withHeader(req, 'authorization', auth.replace(signature, flipped)), NOW, lookup),
      'SignatureDoesNotMatch',
      MISMATCH,
    );
  });

  it('rejects a signature made with another secret', async () => {
    const req = await sign({ secretAccessKey: 'not-the-right-secret' });
    assertFailure(verifySigV4(req, NOW, lookup), 'SignatureDoesNotMatch', MISMATCH);
  });

  it('rejects an unknown access key with InvalidClientTokenId', async () => {
    const req = await sign();
    assertFailure(
      verifySigV4(req, NOW, () => undefined),
      'InvalidClientTokenId',
      'The security token included in the request is invalid.',
    );
  });

  it('rejects X-Amz-Date 16 minutes old or ahead, flagged as skew', async () => {
    const old = await sign({ signingDate: new Date(NOW.getTime() - 16 * 60_000) });
    const expired = assertFailure(
      verifySigV4(old, NOW, lookup),
      'SignatureDoesNotMatch',
      'Signature expired: 20260101T114400Z is now earlier than 20260101T114500Z (20260101T120000Z - 15 min.)',
    );
    assert.equal(expired.skewed, true);

    const ahead = await sign({ signingDate: new Date(NOW.getTime() + 16 * 60_000) });
    const future = assertFailure(
      verifySigV4(ahead, NOW, lookup),
      'SignatureDoesNotMatch',
      'Signature not yet current: 20260101T121600Z is still later than 20260101T121500Z (20260101T120000Z + 15 min.)',
    );
    assert.equal(future.skewed, true);
  });

  it('rejects a credential scope date other than the X-Amz-Date day', async () => {
    // Signed at 23:59 on Jan 1 (scope 20260101); X-Amz-Date moved past midnight but within the skew window.
    const req = await sign({ signingDate: new Date('2026-01-01T23:59:00Z') });
    const moved = withHeader(req, 'x-amz-date', '20260102T000100Z');
    const result = assertFailure(
      verifySigV4(moved, new Date('2026-01-02T00:00:00Z'), lookup),
      'SignatureDoesNotMatch',
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260101' != '20260102', from '20260102T000100Z'.",
    );
    assert.equal(result.skewed, undefined);
  });

  it('rejects a request without Authorization', async () => {
    const req = withHeader(await sign(), 'authorization', undefined);
    assertFailure(
      verifySigV4(req, NOW, lookup),
      'MissingAuthenticationToken',
      'Request is missing Authentication Token',
    );
  });

  it('rejects a non-SigV4 Authorization scheme as a missing token', async () => {
    for (const value of ['Bearer abc', 'AWS AKIAIOSFODNN7EXAMPLE:c2lnbmF0dXJl', '']) {
      const req = withHeader(await sign(), 'authorization', value);
      assertFailure(verifySigV4(req, NOW, lookup), 'MissingAuthenticationToken');
    }
  });

  it('rejects a missing Signature, Credential or SignedHeaders with AWS messages', async () => {
    const req = await sign();
    const auth = authorization(req);
    const without = (param: string) => auth.replace(new RegExp(`,? ?${param}=[^,]*`), '');
    const cases: [string, string][] = [
      ['Signature', "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256"],
      ['Credential', "Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256"],
      ['SignedHeaders', "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256"],
    ];
    for (const [param, message] of cases) {
      assertFailure(
        verifySigV4(withHeader(req, 'authorization', without(param)), NOW, lookup),
        'IncompleteSignature',
        message,
      );
    }
  });

  it('reports every missing part, including the date, in one message', async () => {
    const req = withHeader(withHeader(await sign(), 'authorization', 'AWS4-HMAC-SHA256'), 'x-amz-date', undefined);
    assertFailure(
      verifySigV4(req, NOW, lookup),
      'IncompleteSignature',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256",
    );
  });

  it('accepts Date in place of X-Amz-Date only in ISO 8601 basic format', async () => {
    const req = await sign();
    const dateOnly = withHeader(withHeader(req, 'x-amz-date', undefined), 'date', 'Thu, 01 Jan 2026 12:00:00 GMT');
    assertFailure(
      verifySigV4(dateOnly, NOW, lookup),
      'IncompleteSignature',
      "Date must be in ISO-8601 'basic format'. Got 'Thu, 01 Jan 2026 12:00:00 GMT'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
    assertFailure(verifySigV4(withHeader(req, 'x-amz-date', '20261341T250000Z'), NOW, lookup), 'IncompleteSignature');
  });

  it('rejects a signature that does not cover host', async () => {
    const req = await sign({ unsignableHeaders: new Set(['host']) });
    assert.doesNotMatch(authorization(req), /SignedHeaders=[^,]*host/);
    assertFailure(
      verifySigV4(req, NOW, lookup),
      'SignatureDoesNotMatch',
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  it('rejects a validly signed x-amz-content-sha256 that does not match the body received', async () => {
    const declared = createHash('sha256').update('Action=DeleteRole&RoleName=x&Version=2010-05-08').digest('hex');
    const req = await sign({ headers: { 'x-amz-content-sha256': declared } });
    assertFailure(
      verifySigV4(req, NOW, lookup),
      'SignatureDoesNotMatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  });

  it('refuses UNSIGNED-PAYLOAD and STREAMING-* payloads for now', async () => {
    for (const mode of ['UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD']) {
      const req = await sign({ headers: { 'x-amz-content-sha256': mode } });
      const result = assertFailure(verifySigV4(req, NOW, lookup), 'SignatureDoesNotMatch');
      assert.match(result.message, new RegExp(mode));
    }
  });

  it('rejects a wrong scope terminator, an empty region and an unexpected service together', async () => {
    const req = await sign({ service: 'sts' });
    const auth = authorization(req).replace('/us-east-1/sts/aws4_request', '//sts/aws5_request');
    assertFailure(
      verifySigV4(withHeader(req, 'authorization', auth), NOW, lookup, { expectedService: 'iam' }),
      'SignatureDoesNotMatch',
      "Credential should be scoped to a valid region, not ''. Credential should be scoped to correct service: 'iam'. Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
    );
  });

  it('rejects an unsupported algorithm and a malformed credential', async () => {
    const req = await sign();
    const auth = authorization(req);
    assertFailure(
      verifySigV4(withHeader(req, 'authorization', auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512')), NOW, lookup),
      'IncompleteSignature',
      "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
    );
    assertFailure(
      verifySigV4(withHeader(req, 'authorization', auth.replace('/us-east-1/iam/', '/us-east-1/')), NOW, lookup),
      'IncompleteSignature',
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${AKID}/20260101/us-east-1/aws4_request'`,
    );
  });

  it('refuses query-string (presigned) authentication for now, and both forms at once', async () => {
    const req = await sign();
    const presigned = { ...withHeader(req, 'authorization', undefined), query: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' };
    assertFailure(verifySigV4(presigned, NOW, lookup), 'IncompleteSignature');
    assertFailure(
      verifySigV4({ ...req, query: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' }, NOW, lookup),
      'SignatureDoesNotMatch',
      "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    );
  });

  it('reports expired session credentials only for a correct signature', async () => {
    const req = await sign({ sessionToken: 'token' });
    const expiredKey: KeyLookup = () => ({ secretAccessKey: SECRET, expiresAt: new Date(NOW.getTime() - 1) });
    assertFailure(
      verifySigV4(req, NOW, expiredKey),
      'ExpiredToken',
      'The security token included in the request is expired',
    );
    const wrongSecret: KeyLookup = () => ({ secretAccessKey: 'other', expiresAt: new Date(NOW.getTime() - 1) });
    assertFailure(verifySigV4(req, NOW, wrongSecret), 'SignatureDoesNotMatch', MISMATCH);
    const valid: KeyLookup = () => ({ secretAccessKey: SECRET, expiresAt: new Date(NOW.getTime() + 1) });
    assertOk(verifySigV4(req, NOW, valid));
  });

  it('uses the URI options: S3-style single encoding does not match what IAM clients sign', async () => {
    const req = await sign({ method: 'GET', path: '/foo%20bar', body: '' });
    assertOk(verifySigV4(req, NOW, lookup));
    const s3Style = { uri: { doubleEncodePath: false, normalizePath: false } };
    assertFailure(verifySigV4(req, NOW, lookup, s3Style), 'SignatureDoesNotMatch', MISMATCH);
  });

  it('never throws, even when the lookup does', async () => {
    const req = await sign();
    const throwing: KeyLookup = () => {
      throw new Error('store is down');
    };
    assertFailure(verifySigV4(req, NOW, throwing), 'SignatureDoesNotMatch');
    assertFailure(verifySigV4(req, new Date(Number.NaN), lookup), 'SignatureDoesNotMatch');
  });
});
