// validatePolicyFindings against the output Access Analyzer gives in the AWS CLI's own example
// (awscli/examples/accessanalyzer/validate-policy.rst): the same codes, finding types, links and spans.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ServiceReference } from '../state/service-reference.ts';
import { lintTypeFor, validatePolicyFindings } from './access-analyzer.ts';
import { policyServices } from './lint.ts';

// The example's myfile.json, with its four-space indentation.
const COGNITO = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {
                "Federated": "cognito-identity.amazonaws.com"
            },
            "Action": [
                "sts:AssumeRole",
                "sts:TagSession"
            ],
            "Condition": {
                "StringEquals": {
                    "cognito-identity.amazonaws.com:aud": "us-west-2_EXAMPLE"
                }
            }
        }
    ]
}`;

const AA = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html';
const span = (l1: number, c1: number, o1: number, l2: number, c2: number, o2: number) => ({
  start: { line: l1, column: c1, offset: o1 },
  end: { line: l2, column: c2, offset: o2 },
});

let catalogue: ServiceReference;
before(async () => {
  catalogue = await ServiceReference.open();
  await catalogue.ensure(policyServices(COGNITO));
});

describe('validatePolicyFindings', () => {
  it("gives the CLI example's findings with Access Analyzer's codes, types, links and spans", () => {
    const findings = validatePolicyFindings(COGNITO, 'RESOURCE_POLICY', { catalogue });
    assert.deepEqual(
      findings.map((f) => [f.issueCode, f.findingType]),
      [
        ['EMPTY_SID_VALUE', 'SUGGESTION'],
        ['MISMATCHED_ACTION_FOR_PRINCIPAL', 'ERROR'],
        ['UNSUPPORTED_ACTION_FOR_CONDITION_KEY', 'ERROR'],
      ],
    );
    const [sid, mismatch, unsupported] = findings;
    assert.deepEqual(sid, {
      findingDetails: 'Add a value to the empty string in the Sid element.',
      findingType: 'SUGGESTION',
      issueCode: 'EMPTY_SID_VALUE',
      learnMoreLink: `${AA}#access-analyzer-reference-policy-checks-suggestion-empty-sid-value`,
      locations: [{ path: [{ value: 'Statement' }, { index: 0 }, { value: 'Sid' }], span: span(5, 19, 79, 5, 21, 81) }],
    });
    assert.equal(
      mismatch?.findingDetails,
      'The sts:AssumeRole action is invalid with the following principal(s): cognito-identity.amazonaws.com. Use a SAML provider principal with the sts:AssumeRoleWithSAML action or use an OIDC provider principal with the sts:AssumeRoleWithWebIdentity action. Ensure the provider is Federated if you use either of the two options.',
    );
    assert.equal(
      mismatch?.learnMoreLink,
      `${AA}#access-analyzer-reference-policy-checks-error-mismatched-action-for-principal`,
    );
    assert.deepEqual(mismatch?.locations, [
      {
        path: [{ value: 'Statement' }, { index: 0 }, { value: 'Action' }, { index: 0 }],
        span: span(11, 16, 258, 11, 32, 274),
      },
      {
        path: [{ value: 'Statement' }, { index: 0 }, { value: 'Principal' }, { value: 'Federated' }],
        span: span(8, 29, 170, 8, 61, 202),
      },
    ]);
    assert.equal(
      unsupported?.findingDetails,
      'The following actions: sts:TagSession are not supported by the condition key cognito-identity.amazonaws.com:aud. The condition will not be evaluated for these actions. We recommend that you move these actions to a different statement without this condition key.',
    );
    assert.deepEqual(unsupported?.locations[0], {
      path: [{ value: 'Statement' }, { index: 0 }, { value: 'Action' }, { index: 1 }],
      span: span(12, 16, 292, 12, 32, 308),
    });
    // The second location is the condition key's; rolecall spans its value, where the CLI example's numbers
    // (line 16, columns 58 to 79) fit neither the key nor the value of the example as printed.
    assert.deepEqual(unsupported?.locations[1]?.path, [
      { value: 'Statement' },
      { index: 0 },
      { value: 'Condition' },
      { value: 'StringEquals' },
      { value: 'cognito-identity.amazonaws.com:aud' },
    ]);
  });

  it("returns only Access Analyzer's checks unless rolecall's are asked for", () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
    });
    assert.deepEqual(
      validatePolicyFindings(policy, 'IDENTITY_POLICY', { catalogue }).map((f) => f.issueCode),
      [],
    );
    assert.deepEqual(
      validatePolicyFindings(policy, 'IDENTITY_POLICY', { catalogue, includeRolecallChecks: true }).map(
        (f) => f.issueCode,
      ),
      ['DATA_EXFILTRATION', 'SERVICE_WILDCARD_ACTION'],
    );
  });

  it('maps the policy types, and a trust policy by its shape or its resource type', () => {
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    assert.equal(lintTypeFor('IDENTITY_POLICY', trust), 'identity');
    assert.equal(lintTypeFor('SERVICE_CONTROL_POLICY', trust), 'scp');
    assert.equal(lintTypeFor('RESOURCE_CONTROL_POLICY', trust), 'rcp');
    assert.equal(lintTypeFor('RESOURCE_POLICY', trust), 'trust');
    assert.equal(lintTypeFor('RESOURCE_POLICY', trust, 'AWS::S3::Bucket'), 'resource');
    assert.equal(lintTypeFor('RESOURCE_POLICY', '{}', 'AWS::IAM::AssumeRolePolicyDocument'), 'trust');
  });
});
