/**
 * IAM Access Analyzer's ValidatePolicy against rolecall with the AWS CLI (rest-json, POST /policy/validation):
 * rolecall's lint checks in Access Analyzer's finding shape (awscli examples/accessanalyzer/validate-policy.rst),
 * the model's enum check as ValidationException, and authorization of access-analyzer:ValidatePolicy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noAwsCli } from '../support/clients.ts';
import { cliOk, cliRun, useServer } from './helpers.ts';

interface Finding {
  findingType: string;
  issueCode: string;
  learnMoreLink: string;
  locations: { path: ({ value: string } | { index: number })[]; span: { start: { line: number; column: number } } }[];
}

describe('aws accessanalyzer validate-policy', { skip: noAwsCli }, () => {
  const server = useServer();
  const validate = (document: string, type = 'IDENTITY_POLICY', creds?: { id: string; secret: string }) =>
    cliRun(
      server().endpoint,
      ['accessanalyzer', 'validate-policy', '--policy-type', type, '--policy-document', document],
      creds,
    );

  it('iam:PassRole on * is a SECURITY_WARNING located at the statement’s Action', () => {
    const doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}';
    const out = validate(doc);
    assert.equal(out.status, 0, out.stderr);
    const { findings } = JSON.parse(out.stdout) as { findings: Finding[] };
    const passRole = findings.find((f) => f.issueCode === 'PASS_ROLE_WITH_STAR_IN_RESOURCE');
    assert.ok(passRole, JSON.stringify(findings));
    assert.equal(passRole.findingType, 'SECURITY_WARNING');
    assert.match(
      passRole.learnMoreLink,
      /^https:\/\/docs\.aws\.amazon\.com\/IAM\/latest\/UserGuide\/access-analyzer-reference-policy-checks\.html#/,
    );
    assert.deepEqual(passRole.locations[0]?.path, [{ value: 'Statement' }, { index: 0 }, { value: 'Action' }]);
    assert.equal(passRole.locations[0]?.span.start.line, 1);
  });

  it('a clean policy has no findings; a missing Version is one', () => {
    const clean =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}';
    assert.deepEqual(
      cliOk(server().endpoint, [
        'accessanalyzer',
        'validate-policy',
        '--policy-type',
        'IDENTITY_POLICY',
        '--policy-document',
        clean,
      ]),
      { findings: [] },
    );
    const out = validate('{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}');
    const { findings } = JSON.parse(out.stdout) as { findings: Finding[] };
    assert.deepEqual(
      findings.map((f) => f.issueCode),
      ['MISSING_VERSION'],
    );
  });

  it('an unknown policy type is ValidationException with the model’s enum', () => {
    const out = validate('{}', 'BAD');
    assert.notEqual(out.status, 0);
    assert.match(
      out.stderr,
      /\(ValidationException\) when calling the ValidatePolicy operation: 1 validation error detected: Value 'BAD' at 'policyType' failed to satisfy constraint: Member must satisfy enum value set/,
    );
  });

  it('a user without access-analyzer:ValidatePolicy is AccessDeniedException', () => {
    const endpoint = server().endpoint;
    cliOk(endpoint, ['iam', 'create-user', '--user-name', 'aa-nobody']);
    const key = cliOk<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string } }>(endpoint, [
      'iam',
      'create-access-key',
      '--user-name',
      'aa-nobody',
    ]).AccessKey;
    const out = validate('{"Version":"2012-10-17","Statement":[]}', 'IDENTITY_POLICY', {
      id: key.AccessKeyId,
      secret: key.SecretAccessKey,
    });
    assert.notEqual(out.status, 0);
    assert.match(
      out.stderr,
      /\(AccessDeniedException\) when calling the ValidatePolicy operation: User: arn:aws:iam::000000000000:user\/aa-nobody is not authorized to perform: access-analyzer:ValidatePolicy because no identity-based policy allows the access-analyzer:ValidatePolicy action/,
    );
  });
});
