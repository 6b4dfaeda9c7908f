// Authorization header parsing: the separators AWS tolerates, and the router's cheap service lookup.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { credentialScopeService, parseAuthorizationHeader } from './authorization-header.ts';
import type { ParsedAuthorization } from './authorization-header.ts';
import type { SigV4Failure } from './failure.ts';

const SIG = 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';
const CRED = 'AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request';

function parsed(result: ParsedAuthorization | SigV4Failure): ParsedAuthorization {
  if (!result.ok) assert.fail(`${result.code}: ${result.message}`);
  return result;
}

describe('parseAuthorizationHeader', () => {
  it('parses the form the SDKs send', () => {
    const auth = parsed(
      parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;x-amz-date, Signature=${SIG}`),
    );
    assert.deepEqual(auth, {
      ok: true,
      algorithm: 'AWS4-HMAC-SHA256',
      credential: CRED,
      accessKeyId: 'AKIDEXAMPLE',
      date: '20260101',
      region: 'us-east-1',
      service: 'iam',
      terminator: 'aws4_request',
      signedHeaders: ['host', 'x-amz-date'],
      signature: SIG,
    });
  });

  it('tolerates commas only, spaces only, extra whitespace, another order and a trailing slash', () => {
    for (const header of [
      `AWS4-HMAC-SHA256 Credential=${CRED},SignedHeaders=host;x-amz-date,Signature=${SIG}`,
      `AWS4-HMAC-SHA256 Credential=${CRED} SignedHeaders=host;x-amz-date Signature=${SIG}`,
      `  AWS4-HMAC-SHA256   Credential=${CRED} ,\tSignedHeaders=host;x-amz-date ,  Signature=${SIG}  `,
      `AWS4-HMAC-SHA256 Signature=${SIG}, SignedHeaders=host;x-amz-date, Credential=${CRED}/`,
    ]) {
      const auth = parsed(parseAuthorizationHeader(header));
      assert.equal(auth.accessKeyId, 'AKIDEXAMPLE', header);
      assert.deepEqual(auth.signedHeaders, ['host', 'x-amz-date'], header);
      assert.equal(auth.signature, SIG, header);
      assert.equal(auth.terminator, 'aws4_request', header);
    }
  });

  it('lets a repeated parameter override the earlier one', () => {
    const auth = parsed(
      parseAuthorizationHeader(
        `AWS4-HMAC-SHA256 Signature=aa, Credential=${CRED}, SignedHeaders=host, Signature=${SIG}`,
      ),
    );
    assert.equal(auth.signature, SIG);
  });

  it('names a parameter without "=" and quotes the header', () => {
    const header = 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders';
    assert.deepEqual(parseAuthorizationHeader(header), {
      ok: false,
      code: 'IncompleteSignature',
      message:
        "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'.",
    });
  });

  it('treats other schemes as no token at all', () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer x', 'AWS AKID:sig', '']) {
      const result = parseAuthorizationHeader(header);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.code, 'MissingAuthenticationToken');
    }
  });
});

describe('credentialScopeService', () => {
  it('reads the service from the scope', () => {
    const authorization = `AWS4-HMAC-SHA256 Credential=${CRED.replace('/iam/', '/sts/')}, SignedHeaders=host, Signature=${SIG}`;
    assert.equal(credentialScopeService({ authorization }), 'sts');
    assert.equal(credentialScopeService({ authorization: [authorization] }), 'sts');
    assert.equal(credentialScopeService({ authorization: `AWS4-HMAC-SHA256 Credential=${CRED}` }), 'iam');
    assert.equal(credentialScopeService({ authorization: `AWS4-HMAC-SHA256 Credential=${CRED}/,Signature=x` }), 'iam');
  });

  it('returns undefined when absent or unparseable', () => {
    assert.equal(credentialScopeService({}), undefined);
    assert.equal(credentialScopeService({ authorization: undefined }), undefined);
    assert.equal(credentialScopeService({ authorization: 'Bearer Credential=a/b/c/iam/aws4_request' }), undefined);
    assert.equal(credentialScopeService({ authorization: 'AWS4-HMAC-SHA256 Signature=x' }), undefined);
    assert.equal(
      credentialScopeService({ authorization: 'AWS4-HMAC-SHA256 Credential=a/b/iam/aws4_request' }),
      undefined,
    );
    assert.equal(
      credentialScopeService({ authorization: 'AWS4-HMAC-SHA256 Credential=a/b/c//aws4_request' }),
      undefined,
    );
  });
});
