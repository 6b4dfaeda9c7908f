// validatePolicy(…, 'trust'): documents IAM accepts as role trust policies, and IAM's answer for each one it
// refuses (docs/research/wire-facts.md §6, shared/AWS-FACTS.md "IAM errors"). The size quota is CreateRole's
// own check; validateTrustPolicy below does what CreateRole does, in the same order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policySize, validatePolicy, type PrincipalExists } from './validate.ts';

const TRUST_POLICY_QUOTA = 2048;

function validateTrustPolicy(text: string, principalExists?: PrincipalExists) {
  const message = validatePolicy(text, 'trust', principalExists ? { principalExists } : {});
  if (message !== undefined) return { code: 'MalformedPolicyDocument', message };
  if (policySize(text) > TRUST_POLICY_QUOTA) {
    return { code: 'LimitExceeded', message: `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}` };
  }
  return undefined;
}

type Statement = Record<string, unknown>;

const allow = (principal: unknown, action: unknown = 'sts:AssumeRole', extra: Statement = {}): Statement => ({
  Effect: 'Allow',
  Principal: principal,
  Action: action,
  ...extra,
});
const doc = (statement: unknown, top: Record<string, unknown> = { Version: '2012-10-17' }): string =>
  JSON.stringify({ ...top, Statement: statement });

const EXISTING_ROLE = 'arn:aws:iam::000000000000:role/exists';
const exists: PrincipalExists = (arn) => (arn.includes(':role/') ? arn === EXISTING_ROLE : undefined);

const malformed = (message: string) => ({ code: 'MalformedPolicyDocument', message });

describe('validateTrustPolicy: accepted', () => {
  const valid: [string, string][] = [
    ['a service principal', doc([allow({ Service: 'ec2.amazonaws.com' })])],
    ['Version 2008-10-17', doc([allow({ Service: 'ecs-tasks.amazonaws.com' })], { Version: '2008-10-17' })],
    ['no Version', doc([allow({ Service: 'lambda.amazonaws.com' })], {})],
    ['an Id', doc([allow({ Service: 'lambda.amazonaws.com' })], { Version: '2012-10-17', Id: 'trust' })],
    ['a single statement object', doc(allow({ Service: 'ec2.amazonaws.com' }))],
    ['sts:AssumeRole* wildcard', doc([allow({ Service: 'ec2.amazonaws.com' }, 'sts:AssumeRole*')])],
    ['sts:Assume?ole wildcard', doc([allow({ Service: 'ec2.amazonaws.com' }, 'sts:Assume?ole')])],
    ['sts:* wildcard', doc([allow({ Service: 'ec2.amazonaws.com' }, 'sts:*')])],
    ['the action *', doc([allow({ Service: 'ec2.amazonaws.com' }, '*')])],
    ['an action in other case', doc([allow({ Service: 'ec2.amazonaws.com' }, 'STS:assumerole')])],
    [
      'every allowed STS action, as an array',
      doc([
        allow({ Service: 'ec2.amazonaws.com' }, [
          'sts:AssumeRole',
          'sts:AssumeRoleWithSAML',
          'sts:AssumeRoleWithWebIdentity',
          'sts:TagSession',
          'sts:SetSourceIdentity',
          'sts:SetContext',
        ]),
      ]),
    ],
    ['several services as an array', doc([allow({ Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com'] })])],
    [
      'a SAML Federated principal',
      doc([allow({ Federated: 'arn:aws:iam::123456789012:saml-provider/corp' }, 'sts:AssumeRoleWithSAML')]),
    ],
    [
      'a web identity Federated principal with a condition',
      doc([
        allow({ Federated: 'cognito-identity.amazonaws.com' }, 'sts:AssumeRoleWithWebIdentity', {
          Condition: { StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:abc' } },
        }),
      ]),
    ],
    ['an AWS account id', doc([allow({ AWS: '123456789012' })])],
    ['an account root ARN', doc([allow({ AWS: 'arn:aws:iam::123456789012:root' })])],
    ['an AWS principal *', doc([allow({ AWS: '*' })])],
    ['the principal *', doc([allow('*')])],
    ['several AWS principals', doc([allow({ AWS: ['123456789012', 'arn:aws:iam::210987654321:root'] })])],
    ['a role that exists', doc([allow({ AWS: EXISTING_ROLE })])],
    ['a user ARN (not looked up)', doc([allow({ AWS: 'arn:aws:iam::123456789012:user/alice' })])],
    [
      'a Deny statement with NotPrincipal',
      doc([{ Effect: 'Deny', NotPrincipal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }]),
    ],
    ['NotAction', doc([{ Effect: 'Allow', Principal: { AWS: '123456789012' }, NotAction: 's3:GetObject' }])],
    [
      'distinct Sids and empty Sids',
      doc([
        allow({ Service: 'ec2.amazonaws.com' }, 'sts:AssumeRole', { Sid: 'One' }),
        allow({ Service: 'ec2.amazonaws.com' }, 'sts:TagSession', { Sid: 'Two' }),
        allow({ Service: 'ec2.amazonaws.com' }, 'sts:AssumeRole', { Sid: '' }),
        allow({ Service: 'ec2.amazonaws.com' }, 'sts:AssumeRole', { Sid: '' }),
      ]),
    ],
    [
      'pretty-printed JSON',
      JSON.stringify({ Version: '2012-10-17', Statement: [allow({ Service: 'ec2.amazonaws.com' })] }, null, 4),
    ],
  ];
  for (const [name, text] of valid) {
    it(name, () => assert.equal(validateTrustPolicy(text, exists), undefined));
  }

  it('treats every principal as unknown-but-possible when no lookup is given', () => {
    assert.equal(validateTrustPolicy(doc([allow({ AWS: 'arn:aws:iam::000000000000:role/anything' })])), undefined);
  });
});

describe('validateTrustPolicy: refused', () => {
  const invalid: [string, string, { code: string; message: string }][] = [
    ['invalid JSON', '{"Version": "2012-10-17",', malformed('This policy contains invalid Json')],
    ['empty text', '', malformed('This policy contains invalid Json')],
    ['a JSON array', '[]', malformed('This policy contains invalid Json')],
    ['a JSON string', '"policy"', malformed('This policy contains invalid Json')],
    ['JSON null', 'null', malformed('This policy contains invalid Json')],
    [
      'a Resource',
      doc([allow({ Service: 'ec2.amazonaws.com' }, 'sts:AssumeRole', { Resource: '*' })]),
      malformed('Has prohibited field Resource'),
    ],
    [
      'a NotResource',
      doc([allow({ Service: 'ec2.amazonaws.com' }, 'sts:AssumeRole', { NotResource: '*' })]),
      malformed('Has prohibited field NotResource'),
    ],
    [
      'an action of another service',
      doc([allow({ Service: 'ec2.amazonaws.com' }, 's3:GetObject')]),
      malformed('AssumeRole policy may only specify STS AssumeRole actions.'),
    ],
    [
      'an STS action that is not role assumption',
      doc([allow({ Service: 'ec2.amazonaws.com' }, 'sts:GetCallerIdentity')]),
      malformed('AssumeRole policy may only specify STS AssumeRole actions.'),
    ],
    [
      'sts:InvalidAction',
      doc([allow({ Service: 'ec2.amazonaws.com' }, ['sts:AssumeRole', 'sts:InvalidAction'])]),
      malformed('AssumeRole policy may only specify STS AssumeRole actions.'),
    ],
    [
      'a wildcard that matches no STS assumption action',
      doc([allow({ Service: 'ec2.amazonaws.com' }, 'sts:Get*')]),
      malformed('AssumeRole policy may only specify STS AssumeRole actions.'),
    ],
    [
      'an action without a vendor',
      doc([allow({ Service: 'ec2.amazonaws.com' }, 'AssumeRole')]),
      malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'),
    ],
    [
      'no Principal',
      doc([{ Effect: 'Allow', Action: 'sts:AssumeRole' }]),
      malformed(
        'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!',
      ),
    ],
    [
      'a role principal that does not exist',
      doc([allow({ AWS: 'arn:aws:iam::000000000000:role/nope' })]),
      malformed('Invalid principal in policy: "AWS":"arn:aws:iam::000000000000:role/nope"'),
    ],
    [
      'a missing role among several principals',
      doc([allow({ AWS: [EXISTING_ROLE, 'arn:aws:iam::000000000000:role/gone'] })]),
      malformed('Invalid principal in policy: "AWS":"arn:aws:iam::000000000000:role/gone"'),
    ],
    [
      'an AWS principal that is not an ARN or account id',
      doc([allow({ AWS: 'alice' })]),
      malformed('Invalid principal in policy: "AWS":"alice"'),
    ],
    [
      'an account id of the wrong length',
      doc([allow({ AWS: '12345' })]),
      malformed('Invalid principal in policy: "AWS":"12345"'),
    ],
    [
      'a bad service principal (shown as SERVICE)',
      doc([allow({ Service: 'amazonaws.com' })]),
      malformed('Invalid principal in policy: "SERVICE":"amazonaws.com"'),
    ],
    ['an unknown principal type', doc([allow({ Robot: 'r2d2' })]), malformed('Syntax errors in policy.')],
    ['a principal that is a number', doc([allow({ AWS: 123456789012 })]), malformed('Syntax errors in policy.')],
    ['a principal string other than *', doc([allow('ec2.amazonaws.com')]), malformed('Syntax errors in policy.')],
    [
      'an unknown statement key',
      doc([allow('*', 'sts:AssumeRole', { Effects: 'Allow' })]),
      malformed('Syntax errors in policy.'),
    ],
    [
      'an unknown top-level key',
      doc([allow('*')], { Version: '2012-10-17', Extra: 1 }),
      malformed('Syntax errors in policy.'),
    ],
    ['a statement that is not an object', doc(['sts:AssumeRole']), malformed('Syntax errors in policy.')],
    ['an action that is not a string', doc([allow('*', [1])]), malformed('Syntax errors in policy.')],
    [
      'a Condition that is not an object',
      doc([allow('*', 'sts:AssumeRole', { Condition: 'x' })]),
      malformed('Syntax errors in policy.'),
    ],
    ['no Effect', doc([{ Principal: '*', Action: 'sts:AssumeRole' }]), malformed('Syntax errors in policy.')],
    [
      'an unknown Effect',
      doc([allow('*', 'sts:AssumeRole', { Effect: 'Maybe' })]),
      malformed('Syntax errors in policy.'),
    ],
    ['no Action', doc([{ Effect: 'Allow', Principal: '*' }]), malformed('Policy statement must contain actions.')],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' }), malformed('Syntax errors in policy.')],
    ['an unknown Version', doc([allow('*')], { Version: '2020-01-01' }), malformed('Syntax errors in policy.')],
    ['an empty statement list', doc([]), malformed('Syntax errors in policy.')],
    [
      'Effect in the wrong case',
      doc([allow('*', 'sts:AssumeRole', { Effect: 'allow' })]),
      malformed('The policy failed legacy parsing'),
    ],
    ['a Version that is not a string', doc([allow('*')], { Version: 2012 }), malformed('Syntax errors in policy.')],
    [
      'duplicate Sids',
      doc([allow('*', 'sts:AssumeRole', { Sid: 'Same' }), allow('*', 'sts:TagSession', { Sid: 'Same' })]),
      malformed('Statement IDs (SID) in a single policy must be unique.'),
    ],
  ];
  for (const [name, text, expected] of invalid) {
    it(name, () => assert.deepEqual(validateTrustPolicy(text, exists), expected));
  }

  it("reports the first problem in IAM's stage order: a prohibited Resource before a non-STS action", () => {
    assert.deepEqual(
      validateTrustPolicy(doc([allow('*', 's3:GetObject'), allow('*', 'sts:AssumeRole', { Resource: '*' })]), exists),
      malformed('Has prohibited field Resource'),
    );
  });
});

describe('validateTrustPolicy: size quota', () => {
  /** A valid document of exactly `length` characters, none of them whitespace, then `padding` inserted. */
  const sized = (length: number, padding = ''): string => {
    const base = doc([allow({ Service: 'ec2.amazonaws.com' }, 'sts:AssumeRole', { Sid: '' })]);
    const text = base.replace('"Sid":""', `"Sid":"${'s'.repeat(length - base.length)}"`);
    assert.equal(text.length, length);
    assert.doesNotMatch(text, /\s/);
    return text.replace('{', `{${padding}`);
  };

  it('is 2,048', () => assert.equal(TRUST_POLICY_QUOTA, 2048));

  it('accepts exactly 2,048 non-whitespace characters', () => {
    assert.equal(validateTrustPolicy(sized(2048)), undefined);
  });

  it('refuses 2,049 with LimitExceeded', () => {
    assert.deepEqual(validateTrustPolicy(sized(2049)), {
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for ACLSizePerRole: 2048',
    });
  });

  it('does not count whitespace', () => {
    assert.equal(validateTrustPolicy(sized(2048, ' \n\t'.repeat(1000))), undefined);
  });

  it('applies to documents that are otherwise valid', () => {
    const big = doc([allow('*', 'sts:AssumeRole', { Sid: 'x'.repeat(3000) })]);
    assert.equal(validateTrustPolicy(big)?.code, 'LimitExceeded');
  });
});
