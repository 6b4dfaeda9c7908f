// Canonicalisation and key derivation against AWS's published vectors (IAM User Guide example and the
// aws-sig-v4-test-suite cases that do not depend on the suite's unencoded-path convention).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalHeaderValue,
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  computeSignature,
  credentialScope,
  deriveSigningKey,
  percentDecode,
  SIGNING_KEY_CACHE_LIMIT,
  signingKeyCacheSize,
  sha256Hex,
  stringToSign,
} from './canonical.ts';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('AWS example: IAM ListUsers, 20150830T123600Z', () => {
  // https://docs.aws.amazon.com/general/latest/gr/sigv4-create-canonical-request.html and the following pages.
  const canonical = canonicalRequest({
    method: 'GET',
    path: '/',
    query: 'Version=2010-05-08&Action=ListUsers',
    headers: {
      host: 'iam.amazonaws.com',
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-amz-date': '20150830T123600Z',
    },
    signedHeaders: ['content-type', 'host', 'x-amz-date'],
    payloadHash: EMPTY_SHA256,
  });

  it('builds the canonical request', () => {
    assert.equal(
      canonical,
      [
        'GET',
        '/',
        'Action=ListUsers&Version=2010-05-08',
        'content-type:application/x-www-form-urlencoded; charset=utf-8',
        'host:iam.amazonaws.com',
        'x-amz-date:20150830T123600Z',
        '',
        'content-type;host;x-amz-date',
        EMPTY_SHA256,
      ].join('\n'),
    );
    assert.equal(sha256Hex(canonical), 'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59');
  });

  it('derives the signing key and the signature', () => {
    const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam');
    assert.equal(key.toString('hex'), 'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
    const toSign = stringToSign('20150830T123600Z', credentialScope('20150830', 'us-east-1', 'iam'), canonical);
    assert.equal(
      toSign,
      'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59',
    );
    assert.equal(computeSignature(key, toSign), '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
    // Served from the cache the second time, same bytes.
    assert.deepEqual(deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam'), key);
  });
});

describe('canonicalQueryString', () => {
  it('sorts by name, then value, by byte order (get-vanilla-query-order-*)', () => {
    assert.equal(canonicalQueryString('Param2=value2&Param1=value1'), 'Param1=value1&Param2=value2');
    assert.equal(canonicalQueryString('Param1=value2&Param1=Value1'), 'Param1=Value1&Param1=value2');
    assert.equal(canonicalQueryString('b=1&B=2&a=3'), 'B=2&a=3&b=1');
  });

  it('keeps unreserved characters and encodes UTF-8 (get-vanilla-query-unreserved, get-vanilla-utf8-query)', () => {
    const unreserved = '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    assert.equal(canonicalQueryString(`${unreserved}=${unreserved}`), `${unreserved}=${unreserved}`);
    assert.equal(canonicalQueryString('%E1%88%B4=bar'), '%E1%88%B4=bar');
    assert.equal(canonicalQueryString('\u1234=bar'), '%E1%88%B4=bar');
  });

  it('re-encodes to the canonical form and signs empty values with "="', () => {
    assert.equal(canonicalQueryString("a=%2f%7e!'()*+"), 'a=%2F~%21%27%28%29%2A%2B');
    assert.equal(canonicalQueryString('flag&x='), 'flag=&x=');
    assert.equal(canonicalQueryString(''), '');
    assert.equal(canonicalQueryString('a=1&&b=2&'), 'a=1&b=2');
  });

  it('leaves out X-Amz-Signature', () => {
    assert.equal(canonicalQueryString('X-Amz-Signature=abc&X-Amz-Date=1'), 'X-Amz-Date=1');
  });

  it('tolerates malformed escapes', () => {
    assert.equal(percentDecode('%zz%41%'), '%zzA%');
    assert.equal(canonicalQueryString('a=%zz'), 'a=%25zz');
    assert.equal(percentDecode('%E1%88'), '\ufffd');
  });
});

describe('canonicalUri', () => {
  it('normalises like the SDKs (get-slash*, get-relative*)', () => {
    assert.equal(canonicalUri(''), '/');
    assert.equal(canonicalUri('/'), '/');
    assert.equal(canonicalUri('//'), '/');
    assert.equal(canonicalUri('/./'), '/');
    assert.equal(canonicalUri('/./example'), '/example');
    assert.equal(canonicalUri('/example1/example2/../..'), '/');
    assert.equal(canonicalUri('/example/..'), '/');
    assert.equal(canonicalUri('//example//'), '/example/');
  });

  it('encodes the received, already-encoded path once more', () => {
    assert.equal(canonicalUri('/example%20space/'), '/example%2520space/');
    assert.equal(canonicalUri('/a%2Fb/c:d'), '/a%252Fb/c%3Ad');
  });

  it('for S3 keeps the path as is, encoded once canonically', () => {
    const s3 = { doubleEncodePath: false, normalizePath: false };
    assert.equal(canonicalUri('/bucket//a/./b/../c%20d', s3), '/bucket//a/./b/../c%20d');
    assert.equal(canonicalUri('/key%7e(1)', s3), '/key~%281%29');
    assert.equal(canonicalUri('/', s3), '/');
  });
});

describe('canonical headers', () => {
  it('trims and collapses whitespace (get-header-value-trim)', () => {
    assert.equal(canonicalHeaderValue('  value1  '), 'value1');
    assert.equal(canonicalHeaderValue('"a   b   c"'), '"a b c"');
    assert.equal(canonicalHeaderValue('a\t \tb'), 'a b');
  });

  it('joins repeated values with a comma in received order (get-header-value-order)', () => {
    assert.equal(canonicalHeaderValue(['value4', ' value1 ', 'value3', 'value2']), 'value4,value1,value3,value2');
  });
});

describe('signing key cache', () => {
  it(`holds at most ${SIGNING_KEY_CACHE_LIMIT} keys`, () => {
    for (let i = 0; i <= SIGNING_KEY_CACHE_LIMIT + 10; i++)
      deriveSigningKey(`secret-${i}`, '20260101', 'us-east-1', 'iam');
    assert.equal(signingKeyCacheSize(), SIGNING_KEY_CACHE_LIMIT);
  });

  it('keys on every input', () => {
    const base = deriveSigningKey('s', '20260101', 'us-east-1', 'iam').toString('hex');
    for (const other of [
      deriveSigningKey('t', '20260101', 'us-east-1', 'iam'),
      deriveSigningKey('s', '20260102', 'us-east-1', 'iam'),
      deriveSigningKey('s', '20260101', 'us-east-2', 'iam'),
      deriveSigningKey('s', '20260101', 'us-east-1', 'sts'),
    ]) {
      assert.notEqual(other.toString('hex'), base);
    }
  });
});
