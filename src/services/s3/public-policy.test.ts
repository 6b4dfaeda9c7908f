// The meaning of "public" for bucket policies (S3 User Guide, Blocking public access; docs/research/s3-facts.md §F).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPublicPolicy, isPublicStatement } from './public-policy.ts';

const allow = (extra: Record<string, unknown>) => ({
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::bkt/*',
  ...extra,
});
const policy = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const anyone = (Condition?: unknown) => allow({ Principal: '*', ...(Condition !== undefined && { Condition }) });

describe('isPublicPolicy', () => {
  it('AWS examples: Principal "*", a Federated principal, and a wildcard SourceVpc are public', () => {
    assert.equal(isPublicPolicy(policy(allow({ Principal: '*', Resource: '*', Action: 's3:PutObject' }))), true);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { Federated: 'graph.facebook.com' } }))), true);
    assert.equal(isPublicPolicy(policy(anyone({ StringLike: { 'aws:SourceVpc': 'vpc-*' } }))), true);
  });

  it('AWS example: fixing aws:SourceVpc makes it non-public', () => {
    assert.equal(isPublicPolicy(policy(anyone({ StringEquals: { 'aws:SourceVpc': 'vpc-91237329' } }))), false);
  });

  it('{"AWS": "*"} alone or in a list is public; fixed principals are not', () => {
    assert.equal(isPublicPolicy(policy(allow({ Principal: { AWS: '*' } }))), true);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { AWS: ['arn:aws:iam::111122223333:root', '*'] } }))), true);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { AWS: 'arn:aws:iam::111122223333:role/r' } }))), false);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { AWS: '111122223333' } }))), false);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { Service: 'cloudtrail.amazonaws.com' } }))), false);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { CanonicalUser: 'abc123' } }))), false);
  });

  it('Deny statements are never public, and one public Allow makes the whole policy public', () => {
    assert.equal(isPublicPolicy(policy({ ...anyone(), Effect: 'Deny' })), false);
    const owner = allow({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } });
    assert.equal(isPublicPolicy(policy(owner, anyone())), true);
    assert.equal(isPublicPolicy(policy(owner)), false);
  });

  it('Allow with NotPrincipal grants everyone else: public', () => {
    assert.equal(isPublicPolicy(policy(allow({ NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } }))), true);
  });

  it('each fixing key with a fixed value makes Principal "*" non-public', () => {
    const fixed: Record<string, string> = {
      'aws:SourceArn': 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t',
      'aws:SourceVpce': 'vpce-1a2b3c4d',
      'aws:SourceOwner': '111122223333',
      'aws:SourceAccount': '111122223333',
      's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:111122223333:key/k',
      'aws:userid': 'AIDAEXAMPLE',
      's3:DataAccessPointAccount': '111122223333',
      'aws:PrincipalAccount': '111122223333',
      'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/r',
      'aws:PrincipalOrgID': 'o-abc123',
    };
    for (const [key, value] of Object.entries(fixed)) {
      assert.equal(isPublicPolicy(policy(anyone({ StringEquals: { [key]: value } }))), false, key);
      assert.equal(isPublicPolicy(policy(anyone({ StringEquals: { [key]: [value, value] } }))), false, key);
    }
  });

  it('keys compare in any case, operators too, and ForAnyValue: keeps its operator', () => {
    assert.equal(isPublicPolicy(policy(anyone({ stringequals: { 'AWS:SOURCEACCOUNT': '111122223333' } }))), false);
    assert.equal(
      isPublicPolicy(policy(anyone({ 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgID': 'o-abc123' } }))),
      false,
    );
    assert.equal(isPublicPolicy(policy(anyone({ ArnLike: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:1:t' } }))), false);
  });

  it('a wildcard, a policy variable or an empty value in the fixing key leaves it public', () => {
    for (const value of ['*', '1111*', '11112222333?', '${aws:username}', '']) {
      assert.equal(isPublicPolicy(policy(anyone({ StringLike: { 'aws:SourceAccount': value } }))), true, value);
    }
    assert.equal(
      isPublicPolicy(policy(anyone({ StringEquals: { 'aws:SourceAccount': ['111122223333', '*'] } }))),
      true,
    );
    assert.equal(isPublicPolicy(policy(anyone({ StringEquals: { 'aws:SourceAccount': [] } }))), true);
    assert.equal(
      isPublicPolicy(policy(anyone({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/*' } }))),
      true,
    );
  });

  it('negated, IfExists, Null and ForAllValues conditions do not restrict', () => {
    const account = { 'aws:SourceAccount': '111122223333' };
    for (const operator of ['StringNotEquals', 'StringEqualsIfExists', 'ForAllValues:StringEquals']) {
      assert.equal(isPublicPolicy(policy(anyone({ [operator]: account }))), true, operator);
    }
    assert.equal(isPublicPolicy(policy(anyone({ Null: { 'aws:SourceVpc': 'false' } }))), true);
  });

  it('conditions on other keys do not restrict', () => {
    assert.equal(isPublicPolicy(policy(anyone({ Bool: { 'aws:SecureTransport': 'true' } }))), true);
    assert.equal(isPublicPolicy(policy(anyone({ StringEquals: { 's3:prefix': 'home/' } }))), true);
    assert.equal(isPublicPolicy(policy(anyone({ StringLike: { 'aws:Referer': 'https://example.com/*' } }))), true);
  });

  it('aws:SourceIp restricts only with IpAddress and CIDRs no broader than /8 (IPv4) or /32 (IPv6)', () => {
    const ip = (operator: string, value: unknown) =>
      isPublicPolicy(policy(anyone({ [operator]: { 'aws:SourceIp': value } })));
    assert.equal(ip('IpAddress', '0.0.0.0/1'), true);
    assert.equal(ip('IpAddress', '0.0.0.0/0'), true);
    assert.equal(ip('IpAddress', '64.0.0.0/7'), true);
    assert.equal(ip('IpAddress', '10.0.0.0/8'), false);
    assert.equal(ip('IpAddress', '192.0.2.0/24'), false);
    assert.equal(ip('IpAddress', '203.0.113.7'), false);
    assert.equal(ip('IpAddress', ['192.0.2.0/24', '0.0.0.0/1']), true);
    assert.equal(ip('IpAddress', '2001:db8::/32'), false);
    assert.equal(ip('IpAddress', '2001:db8::/31'), true);
    assert.equal(ip('IpAddress', '::/0'), true);
    assert.equal(ip('NotIpAddress', '192.0.2.0/24'), true);
    assert.equal(ip('IpAddress', 'not-an-ip'), true);
  });

  it('aws:userid may name every session of one role, "AROLEID:*"', () => {
    assert.equal(isPublicPolicy(policy(anyone({ StringLike: { 'aws:userid': 'AROAEXAMPLEID:*' } }))), false);
    assert.equal(isPublicPolicy(policy(anyone({ StringLike: { 'aws:userid': '*:session' } }))), true);
    assert.equal(isPublicPolicy(policy(anyone({ StringLike: { 'aws:userid': 'AROA*' } }))), true);
  });

  it('s3:DataAccessPointArn may have a wildcard access point name when the account is fixed', () => {
    const ap = (value: string) => isPublicPolicy(policy(anyone({ StringLike: { 's3:DataAccessPointArn': value } })));
    assert.equal(ap('arn:aws:s3:us-west-2:123456789012:accesspoint/*'), false);
    assert.equal(ap('arn:aws:s3:us-west-2:123456789012:accesspoint/reports'), false);
    assert.equal(ap('arn:aws:s3:us-west-2:*:accesspoint/*'), true);
  });

  it('one restricting condition among others is enough', () => {
    assert.equal(
      isPublicPolicy(
        policy(anyone({ Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 'aws:SourceVpce': 'vpce-1' } })),
      ),
      false,
    );
  });

  it('takes a parsed document, a single statement object, and treats non-JSON as not public', () => {
    assert.equal(isPublicPolicy({ Version: '2012-10-17', Statement: anyone() }), true);
    assert.equal(isPublicPolicy('not json'), false);
    assert.equal(isPublicPolicy('{}'), false);
  });
});

describe('isPublicStatement', () => {
  it('judges one statement', () => {
    assert.equal(isPublicStatement(anyone()), true);
    assert.equal(isPublicStatement(anyone({ StringEquals: { 'aws:SourceVpc': 'vpc-1' } })), false);
    assert.equal(isPublicStatement(null), false);
  });
});
