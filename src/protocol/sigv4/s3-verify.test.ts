// verifySigV4 with { s3: true } against URLs presigned and requests signed by SDK v3's own signer with S3's settings,
// and against AWS's published aws-chunked example, so the S3 rules are checked against what clients send.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifySigV4, requestCarriesCredentials } from './verify.ts';
import type { KeyLookup, S3FailureReason, SignedRequest, SigV4Failure, SigV4Success } from './verify.ts';
import {
  AKID,
  authorizationOf,
  HOST,
  lookup,
  NOW,
  presignS3,
  SECRET,
  signatureOf,
  signS3,
  TOKEN,
  withHeader,
} from './s3-helpers.test.ts';

const S3 = { s3: true } as const;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function ok(result: SigV4Success | SigV4Failure): SigV4Success {
  if (!result.ok)
    assert.fail(`expected success, got ${result.code}: ${result.message} ${JSON.stringify(result.reason)}`);
  return result;
}

function refused<K extends S3FailureReason['kind']>(
  result: SigV4Success | SigV4Failure,
  kind: K,
): Extract<S3FailureReason, { kind: K }> {
  if (result.ok) assert.fail(`expected ${kind}, got success`);
  assert.equal(result.reason?.kind, kind, `${result.code}: ${result.message}`);
  return result.reason as Extract<S3FailureReason, { kind: K }>;
}

const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

describe('S3 presigned URLs', () => {
  it('accepts a URL presigned by SDK v3 (UNSIGNED-PAYLOAD hoisted into the query)', async () => {
    const req = await presignS3({ path: '/bucket/photos/a%20b.jpg' });
    assert.match(req.query, /x-amz-content-sha256=UNSIGNED-PAYLOAD/);
    const result = ok(verifySigV4(req, NOW, lookup, S3));
    assert.equal(result.authType, 'presigned');
    assert.equal(result.accessKeyId, AKID);
    assert.equal(result.service, 's3');
    assert.deepEqual(result.payload, { mode: 'unsigned' });
    assert.equal(result.expiresAt?.toISOString(), minutes(15).toISOString());
  });

  it('accepts a URL presigned by botocore, whose UNSIGNED-PAYLOAD stays implicit', () => {
    // botocore 1.43.11 S3SigV4QueryAuth(expires=3600) with the example keys and the clock fixed at 2026-01-01T12:00:00Z.
    const req: SignedRequest = {
      method: 'GET',
      path: '/bucket/a%20b/key.txt',
      query:
        'versionId=3&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T120000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=f0a9c35156af37c5c18131d76b0963900e4c3fe78eaf0629eb7694d8f103ceff',
      headers: { host: HOST },
    };
    assert.deepEqual(ok(verifySigV4(req, NOW, lookup, S3)).payload, { mode: 'unsigned' });
  });

  it('accepts a URL used until its last second, from any earlier time, whatever real time says', async () => {
    const req = await presignS3({ signingDate: minutes(-60), expiresIn: 3600 });
    ok(verifySigV4(req, NOW, lookup, S3));
  });

  it('accepts a URL carrying a session token, and passes the token to the lookup', async () => {
    const seen: (string | undefined)[] = [];
    const tokenLookup: KeyLookup = (id, token) => {
      seen.push(token);
      return lookup(id, token);
    };
    const req = await presignS3({ sessionToken: TOKEN });
    assert.match(req.query, /X-Amz-Security-Token=/);
    const result = ok(verifySigV4(req, NOW, tokenLookup, S3));
    assert.equal(result.sessionToken, TOKEN);
    assert.deepEqual(seen, [TOKEN]);
  });

  it('refuses an expired URL with the time it expired and the server time', async () => {
    const req = await presignS3({ signingDate: minutes(-61), expiresIn: 3600 });
    const reason = refused(verifySigV4(req, NOW, lookup, S3), 'presign-expired');
    assert.equal(reason.expires, '3600');
    assert.equal(reason.expiresAt.toISOString(), minutes(-1).toISOString());
    assert.equal(reason.serverTime.toISOString(), NOW.toISOString());
  });

  it("expires against rolecall's clock (sessionNow), like session credentials", async () => {
    const req = await presignS3({ expiresIn: 60 });
    ok(verifySigV4(req, NOW, lookup, S3));
    const reason = refused(verifySigV4(req, NOW, lookup, { s3: true, sessionNow: minutes(2) }), 'presign-expired');
    assert.equal(reason.serverTime.toISOString(), minutes(2).toISOString());
  });

  it('refuses a URL signed more than 15 minutes ahead as not yet valid', async () => {
    const req = await presignS3({ signingDate: minutes(20), expiresIn: 3600 });
    refused(verifySigV4(req, NOW, lookup, S3), 'presign-not-yet-valid');
    ok(verifySigV4(await presignS3({ signingDate: minutes(10) }), NOW, lookup, S3));
  });

  it('refuses a tampered URL: path, query, signature, method, expiry', async () => {
    const req = await presignS3({ query: { 'x-id': 'GetObject' } });
    const signature = /X-Amz-Signature=([0-9a-f]{64})/.exec(req.query)?.[1] ?? assert.fail('no signature');
    const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
    const tampered: SignedRequest[] = [
      { ...req, path: '/bucket/other.txt' },
      { ...req, query: req.query.replace('x-id=GetObject', 'x-id=DeleteObject') },
      { ...req, query: req.query.replace(signature, flipped) },
      { ...req, method: 'PUT' },
      { ...req, query: req.query.replace('X-Amz-Expires=900', 'X-Amz-Expires=901') },
      withHeader(req, 'host', 'evil.example'),
    ];
    for (const r of tampered) {
      const reason = refused(verifySigV4(r, NOW, lookup, S3), 'signature-mismatch');
      assert.equal(reason.accessKeyId, AKID);
    }
    const reason = refused(
      verifySigV4({ ...req, query: req.query.replace(signature, flipped) }, NOW, lookup, S3),
      'signature-mismatch',
    );
    assert.equal(reason.signatureProvided, flipped);
    assert.match(reason.canonicalRequest, /^GET\n\/bucket\/key\.txt\n/);
    assert.match(reason.stringToSign, /^AWS4-HMAC-SHA256\n20260101T120000Z\n20260101\/us-east-1\/s3\/aws4_request\n/);
  });

  it('refuses X-Amz-Expires above 604800, negative or not a number, and accepts exactly 604800', async () => {
    ok(verifySigV4(await presignS3({ expiresIn: 604800 }), NOW, lookup, S3));
    const req = await presignS3({ expiresIn: 3600 });
    const cases: [string, string][] = [
      ['604801', 'too-large'],
      ['6307000000', 'too-large'],
      ['-1', 'negative'],
      ['abc', 'not-a-number'],
      ['1.5', 'not-a-number'],
    ];
    for (const [value, problem] of cases) {
      const reason = refused(
        verifySigV4(
          { ...req, query: req.query.replace('X-Amz-Expires=3600', `X-Amz-Expires=${value}`) },
          NOW,
          lookup,
          S3,
        ),
        'presign-expires',
      );
      assert.equal(reason.problem, problem, value);
    }
  });

  it('refuses a URL missing any of the six parameters, or with another algorithm or a bad date', async () => {
    const req = await presignS3();
    for (const name of ['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires']) {
      const query = req.query.replace(new RegExp(`${name}=[^&]*&?`), '');
      refused(verifySigV4({ ...req, query }, NOW, lookup, S3), 'presign-missing-parameters');
    }
    const other = req.query.replace('X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=AWS4-HMAC-SHA1');
    assert.equal(
      refused(verifySigV4({ ...req, query: other }, NOW, lookup, S3), 'presign-algorithm').algorithm,
      'AWS4-HMAC-SHA1',
    );
    const date = req.query.replace('X-Amz-Date=20260101T120000Z', 'X-Amz-Date=2026-01-01T12%3A00%3A00Z');
    refused(verifySigV4({ ...req, query: date }, NOW, lookup, S3), 'presign-date');
  });

  it('reports credential scope problems in the query form', async () => {
    const req = await presignS3();
    const scope = (from: string, to: string) => ({ ...req, query: req.query.replace(from, to) });
    const cases: [SignedRequest, string][] = [
      [scope('%2Fs3%2F', '%2Fiam%2F'), 'service'],
      [scope('aws4_request', 'aws5_request'), 'terminator'],
      [scope('%2F20260101%2F', '%2F20251231%2F'), 'date-mismatch'],
      [scope('%2F20260101%2F', '%2F2026011%2F'), 'date-format'],
      [scope('%2Fus-east-1%2F', '%2F%2F'), 'region-empty'],
      [scope(`${AKID}%2F`, '%2F'), 'access-key-empty'],
      [scope('%2Fus-east-1%2Fs3%2F', '%2Fs3%2F'), 'credential'],
    ];
    for (const [r, what] of cases) {
      const reason = refused(verifySigV4(r, NOW, lookup, S3), 'malformed');
      assert.equal(reason.presigned, true);
      assert.equal(reason.problem.what, what);
    }
  });

  it('refuses an unknown key, a bad token and an expired session', async () => {
    const req = await presignS3();
    assert.equal(
      refused(
        verifySigV4(req, NOW, () => undefined, S3),
        'unknown-access-key',
      ).accessKeyId,
      AKID,
    );
    const withToken = await presignS3({ sessionToken: 'not-a-token' });
    assert.equal(refused(verifySigV4(withToken, NOW, lookup, S3), 'invalid-token').sessionToken, 'not-a-token');
    const expired: KeyLookup = () => ({ secretAccessKey: SECRET, expiresAt: minutes(-1) });
    const session = await presignS3({ sessionToken: TOKEN });
    assert.equal(refused(verifySigV4(session, NOW, expired, S3), 'expired-token').sessionToken, TOKEN);
  });

  it('refuses x-amz-* headers sent but not signed with the URL', async () => {
    const req = withHeader(await presignS3({ method: 'PUT' }), 'x-amz-acl', 'public-read');
    assert.deepEqual(refused(verifySigV4(req, NOW, lookup, S3), 'headers-not-signed').headers, ['x-amz-acl']);
  });
});

describe('S3 header-signed requests', () => {
  it('accepts a signed payload and reports its hash for the body check', async () => {
    const req = await signS3({ body: 'hello' });
    const result = ok(verifySigV4(req, NOW, lookup, S3));
    assert.equal(result.authType, 'header');
    assert.deepEqual(result.payload, {
      mode: 'sha256',
      hash: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    });
    assert.equal(result.expiresAt, undefined);
  });

  it('never reads the body: the signed hash stands for bytes that arrive later', async () => {
    const req = await signS3({ method: 'GET', body: '' });
    assert.deepEqual(ok(verifySigV4({ ...req, body: Buffer.from('other') }, NOW, lookup, S3)).payload, {
      mode: 'sha256',
      hash: EMPTY_SHA256,
    });
  });

  it('accepts each payload mode declared in x-amz-content-sha256', async () => {
    const modes: [string, string][] = [
      ['UNSIGNED-PAYLOAD', 'unsigned'],
      ['STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'streaming-unsigned-trailer'],
      ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'streaming-signed'],
      ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'streaming-signed-trailer'],
    ];
    for (const [value, mode] of modes) {
      const req = await signS3({ headers: { 'x-amz-content-sha256': value, 'x-amz-decoded-content-length': '5' } });
      const payload = ok(verifySigV4(req, NOW, lookup, S3)).payload;
      assert.equal(payload?.mode, mode);
      if (payload?.mode === 'streaming-signed' || payload?.mode === 'streaming-signed-trailer') {
        assert.equal(payload.signing.seedSignature, signatureOf(req));
        assert.equal(payload.signing.timestamp, '20260101T120000Z');
        assert.equal(payload.signing.scope, '20260101/us-east-1/s3/aws4_request');
        assert.equal(payload.signing.signingKey.length, 32);
      }
    }
  });

  it('uses S3 path rules: encoded once, never normalised', async () => {
    const paths = [
      '/bucket/a%20b/%C3%BC%2B%21%27%28%29%2A~.txt',
      '/bucket//double//slashes/',
      '/bucket/./dot/../segments',
      '/bucket/%25percent%3Acolon%40at',
    ];
    for (const path of paths) ok(verifySigV4(await signS3({ method: 'GET', path, body: '' }), NOW, lookup, S3));
    // The same request fails under the IAM rules, which double-encode and normalise.
    const req = await signS3({ method: 'GET', path: '/bucket/a%20b/%C3%BC%2B%21%27%28%29%2A~.txt', body: '' });
    refused(
      verifySigV4(req, NOW, lookup, { s3: true, uri: { doubleEncodePath: true, normalizePath: true } }),
      'signature-mismatch',
    );
  });

  it('refuses a request without x-amz-content-sha256, or with a value S3 does not know', async () => {
    const req = await signS3({ body: 'hello' });
    refused(verifySigV4(withHeader(req, 'x-amz-content-sha256', undefined), NOW, lookup, S3), 'content-sha256-missing');
    for (const value of ['tjnVEQ5UTP/DL91eAGOmew==', 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD', 'unsigned-payload']) {
      const bad = await signS3({ headers: { 'x-amz-content-sha256': value } });
      assert.equal(refused(verifySigV4(bad, NOW, lookup, S3), 'content-sha256-invalid').value, value);
    }
  });

  it('refuses a changed signed header, a changed declared hash and another secret', async () => {
    const req = await signS3({ body: 'hello', headers: { 'x-amz-meta-note': 'x' } });
    refused(verifySigV4(withHeader(req, 'x-amz-meta-note', 'y'), NOW, lookup, S3), 'signature-mismatch');
    refused(verifySigV4(withHeader(req, 'x-amz-content-sha256', EMPTY_SHA256), NOW, lookup, S3), 'signature-mismatch');
    refused(verifySigV4(await signS3({ secretAccessKey: 'wrong' }), NOW, lookup, S3), 'signature-mismatch');
  });

  it('reports a clock skew over 15 minutes with the request time as sent', async () => {
    const req = await signS3({ signingDate: minutes(-16) });
    const result = verifySigV4(req, NOW, lookup, S3);
    const reason = refused(result, 'time-skewed');
    assert.equal(reason.requestTime, '20260101T114400Z');
    assert.equal(reason.maxSkewMs, 900000);
    assert.equal(!result.ok && result.skewed, true);
    refused(verifySigV4(await signS3({ signingDate: minutes(16) }), NOW, lookup, S3), 'time-skewed');
    ok(verifySigV4(await signS3({ signingDate: minutes(14) }), NOW, lookup, S3));
  });

  it('refuses a missing or unreadable date, and a scope date other than the request day', async () => {
    const req = await signS3();
    refused(verifySigV4(withHeader(req, 'x-amz-date', undefined), NOW, lookup, S3), 'missing-date');
    refused(
      verifySigV4(withHeader(req, 'x-amz-date', 'Thu, 01 Jan 2026 12:00:00 GMT'), NOW, lookup, S3),
      'missing-date',
    );
    const late = await signS3({ signingDate: new Date('2026-01-01T23:59:00Z') });
    const moved = withHeader(late, 'x-amz-date', '20260102T000100Z');
    const reason = refused(verifySigV4(moved, new Date('2026-01-02T00:00:00Z'), lookup, S3), 'malformed');
    assert.deepEqual(reason.problem, { what: 'date-mismatch', scopeDate: '20260101', requestDate: '20260102' });
  });

  it('reports Authorization header problems as S3 does', async () => {
    const req = await signS3();
    const auth = authorizationOf(req);
    const cases: [string, S3FailureReason['kind'], string?][] = [
      ['AWS AKIAIOSFODNN7EXAMPLE:c2lnbmF0dXJl', 'sigv2'],
      ['Bearer abc', 'unsupported-authorization'],
      [auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA25'), 'unsupported-authorization'],
      [auth.replace(/, Signature=[0-9a-f]+/, ''), 'malformed', 'components'],
      [auth.replace('Credential=', 'Credential'), 'malformed', 'component'],
      [auth.replace('/us-east-1/s3/', '/us-east-1/'), 'malformed', 'credential'],
      [auth.replace('/s3/', '/iam/'), 'malformed', 'service'],
      [auth.replace('aws4_request', 'aws5_request'), 'malformed', 'terminator'],
    ];
    for (const [value, kind, what] of cases) {
      const result = verifySigV4(withHeader(req, 'authorization', value), NOW, lookup, S3);
      const reason = refused(result, kind);
      if (what !== undefined) assert.equal(reason.kind === 'malformed' && reason.problem.what, what, value);
      if (reason.kind === 'unsupported-authorization') assert.equal(reason.authorization, value);
    }
  });

  it('refuses both an Authorization header and query credentials', async () => {
    const req = await signS3();
    for (const query of ['X-Amz-Algorithm=AWS4-HMAC-SHA256', 'Signature=abc&AWSAccessKeyId=AKID&Expires=1']) {
      const reason = refused(verifySigV4({ ...req, query }, NOW, lookup, S3), 'multiple-mechanisms');
      assert.equal(reason.authorization, authorizationOf(req));
    }
  });

  it('tells an unknown key from a bad session token, and reports expiry only for a correct signature', async () => {
    const req = await signS3();
    refused(
      verifySigV4(req, NOW, () => undefined, S3),
      'unknown-access-key',
    );
    refused(verifySigV4(await signS3({ sessionToken: 'forged' }), NOW, lookup, S3), 'invalid-token');
    const expired: KeyLookup = () => ({ secretAccessKey: SECRET, expiresAt: minutes(-1) });
    const session = await signS3({ sessionToken: TOKEN });
    refused(verifySigV4(session, NOW, expired, S3), 'expired-token');
    const wrong: KeyLookup = () => ({ secretAccessKey: 'other', expiresAt: minutes(-1) });
    refused(verifySigV4(session, NOW, wrong, S3), 'signature-mismatch');
  });

  it('refuses x-amz-* headers added after signing, but tolerates an unsigned x-amz-content-sha256', async () => {
    const req = await signS3();
    const added = withHeader(withHeader(req, 'x-amz-acl', 'public-read'), 'x-amz-tagging', 'a=b');
    assert.deepEqual(refused(verifySigV4(added, NOW, lookup, S3), 'headers-not-signed').headers, [
      'x-amz-acl',
      'x-amz-tagging',
    ]);
    // Unsigned headers other than x-amz-* are S3's business only if signed: user-agent, content-type pass.
    ok(verifySigV4(withHeader(withHeader(req, 'user-agent', 'x'), 'x-amzn-trace-id', 'Root=1'), NOW, lookup, S3));
  });

  it('verifies the scope service against expectedService, default s3', async () => {
    const req = await signS3();
    refused(verifySigV4(req, NOW, lookup, { s3: true, expectedService: 's3express' }), 'malformed');
  });

  it('never throws: a throwing lookup or an invalid clock is unverifiable', async () => {
    const req = await signS3();
    const throwing: KeyLookup = () => {
      throw new Error('store is down');
    };
    refused(verifySigV4(req, NOW, throwing, S3), 'unverifiable');
    refused(verifySigV4(req, new Date(Number.NaN), lookup, S3), 'unverifiable');
  });
});

describe('anonymous S3 requests', () => {
  it('are recognised: no Authorization header, no X-Amz-Algorithm, no Signature', async () => {
    const anonymous: SignedRequest = {
      method: 'GET',
      path: '/bucket/key',
      query: 'x-id=GetObject',
      headers: { host: HOST },
    };
    assert.equal(requestCarriesCredentials(anonymous), false);
    refused(verifySigV4(anonymous, NOW, lookup, S3), 'anonymous');
    assert.equal(requestCarriesCredentials(await signS3()), true);
    assert.equal(requestCarriesCredentials(await presignS3()), true);
    assert.equal(requestCarriesCredentials({ ...anonymous, query: 'AWSAccessKeyId=A&Signature=B&Expires=1' }), true);
    refused(verifySigV4({ ...anonymous, query: 'AWSAccessKeyId=A&Signature=B&Expires=1' }, NOW, lookup, S3), 'sigv2');
  });
});

describe("AWS's published aws-chunked examples (sigv4-streaming.html, sigv4-streaming-trailers.html)", () => {
  const base = {
    method: 'PUT',
    path: '/examplebucket/chunkObject.txt',
    query: '',
  };
  const at = new Date('2013-05-24T00:00:00Z');

  it('verifies the seed signature of the signed-chunks example', () => {
    const req: SignedRequest = {
      ...base,
      headers: {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'content-length': '66824',
      },
    };
    const payload = ok(verifySigV4(req, at, lookup, S3)).payload;
    assert.equal(payload?.mode, 'streaming-signed');
    assert.equal(payload?.mode === 'streaming-signed' && payload.signing.seedSignature.slice(0, 8), '4f232c43');
  });

  it('verifies the seed signature of the signed-trailer example', () => {
    const req: SignedRequest = {
      ...base,
      headers: {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'x-amz-trailer': 'x-amz-checksum-crc32c',
      },
    };
    assert.equal(ok(verifySigV4(req, at, lookup, S3)).payload?.mode, 'streaming-signed-trailer');
  });
});
