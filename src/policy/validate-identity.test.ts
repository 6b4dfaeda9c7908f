// validatePolicy(…, 'identity'): a data-driven corpus of identity-policy documents and IAM's answer to each,
// built from docs/research/iam-policies-users-facts.md §1 (recorded AWS responses). The documents are our own;
// the expected texts are AWS's, written out here rather than imported, so the corpus checks the validator
// against the facts and not against itself. Each case is [note, document, options, expected message or
// undefined when IAM accepts the document]. `managed` = CreatePolicy/CreatePolicyVersion
// ({requireCurrentVersion: true}); `inline` = Put{Role,User,Group}Policy ({}).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policySize, validatePolicy, type PolicyType, type ValidateOptions } from './validate.ts';

type Case = readonly [note: string, document: string, options: ValidateOptions, expected: string | undefined];

const managed: ValidateOptions = { requireCurrentVersion: true };
const inline: ValidateOptions = {};

const SYNTAX = 'Syntax errors in policy.';
const VERSION = 'Policy document must be version 2012-10-17 or greater.';
const LEGACY = 'The policy failed legacy parsing';
const PRINCIPAL = 'Policy document should not specify a principal.';
const DUPLICATE_SID = 'Statement IDs (SID) in a single policy must be unique.';
const SID_CHARACTERS =
  'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*';
const NO_ACTIONS = 'Policy statement must contain actions.';
const NO_RESOURCES = 'Policy statement must contain resources.';
const VENDOR = 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.';
const ONE_COLON = 'Actions/Condition can contain only one colon.';
const RESOURCE_VENDOR = 'Resource vendor must be fully qualified and cannot contain regexes.';
const IAM_PATH =
  'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.';
const arnFormat = (resource: string) => `Resource ${resource} must be in ARN format or "*".`;
const partition = (name: string, shown: string) => `Partition "${name}" is not valid for resource "${shown}".`;

type Json = Record<string, unknown>;

/** An Allow statement that is valid on its own; `extra` overrides or adds elements (undefined removes one). */
const stmt = (extra: Json = {}): Json => {
  const out: Json = { Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
};
/** A document around `statement` (one object or a list); `top` replaces the top-level elements. */
const doc = (statement: unknown, top: Json = { Version: '2012-10-17' }): string =>
  JSON.stringify({ ...top, Statement: statement });
const noVersion: Json = {};
const withCondition = (condition: unknown): string => doc([stmt({ Condition: condition })]);
const withResource = (resource: unknown): string => doc([stmt({ Resource: resource })]);
const withAction = (action: unknown): string => doc([stmt({ Action: action })]);
const dateCondition = (value: unknown): string => withCondition({ DateGreaterThan: { 'aws:CurrentTime': value } });

function run(cases: readonly Case[], type: PolicyType = 'identity'): void {
  for (const [note, document, options, expected] of cases) {
    it(`${expected === undefined ? 'accepts' : 'refuses'}: ${note}`, () => {
      assert.equal(validatePolicy(document, type, options), expected);
    });
  }
}

describe('identity policies: syntax stage (facts §1b)', () => {
  run([
    ['text that is not JSON (invalid-0)', 'This is not a json document', managed, SYNTAX],
    ['JSON with a trailing comma', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"},]}', managed, SYNTAX],
    ['not JSON, inline', 'arn:aws:iam::aws:policy/ReadOnlyAccess', inline, SYNTAX],
    ['Version 2013-10-17 (invalid-3)', doc([stmt()], { Version: '2013-10-17' }), managed, SYNTAX],
    ['Version 2013-10-17, inline', doc([stmt()], { Version: '2013-10-17' }), inline, SYNTAX],
    ['a Version that is a number', doc([stmt()], { Version: 2012 }), managed, SYNTAX],
    ['no Statement (invalid-4)', JSON.stringify({ Version: '2012-10-17' }), managed, SYNTAX],
    ['"Statement": [] (invalid-26)', doc([]), managed, SYNTAX],
    ['a statement that is a string (invalid-5)', doc(['afd']), managed, SYNTAX],
    [
      'an unknown top-level key (invalid-6)',
      doc([stmt()], { Version: '2012-10-17', 'Extra field': 'x' }),
      managed,
      SYNTAX,
    ],
    ['an unknown statement key (invalid-7)', doc([stmt({ 'Extra field': 'x' })]), managed, SYNTAX],
    ['an Id that is an array (invalid-8)', doc([stmt()], { Version: '2012-10-17', Id: ['a'] }), managed, SYNTAX],
    ['an Id that is an object (invalid-9)', doc([stmt()], { Version: '2012-10-17', Id: {} }), managed, SYNTAX],
    ['a Sid that is an object (invalid-57)', doc([stmt({ Sid: {} })]), managed, SYNTAX],
    ['a Sid that is an array (invalid-58)', doc([stmt({ Sid: ['a'] })]), managed, SYNTAX],
    ['no Effect (invalid-31)', doc([stmt({ Effect: undefined })]), managed, SYNTAX],
    ['Effect "invalid" (invalid-10)', doc([stmt({ Effect: 'invalid' })]), managed, SYNTAX],
    ['Action and NotAction (invalid-61)', doc([stmt({ NotAction: 's3:GetObject' })]), managed, SYNTAX],
    ['Action [] and NotAction (invalid-43)', doc([stmt({ Action: [], NotAction: 's3:GetObject' })]), managed, SYNTAX],
    ['Resource and NotResource (invalid-62)', doc([stmt({ NotResource: '*' })]), managed, SYNTAX],
    ['Resource and NotResource [] (invalid-41)', doc([stmt({ NotResource: [] })]), managed, SYNTAX],
    ['Action {} (invalid-44)', withAction({}), managed, SYNTAX],
    ['Action [[]] (invalid-42)', withAction([[]]), managed, SYNTAX],
    ['Resource {"a": …} (invalid-39)', withResource({ a: 'arn:aws:s3:::b' }), managed, SYNTAX],
    ['Resource ["adfdf", {}] (invalid-40)', withResource(['adfdf', {}]), managed, SYNTAX],
    ['a non-string action in a list', withAction(['s3:ListBucket', 3]), managed, SYNTAX],
    ['Condition [] (invalid-45)', withCondition([]), managed, SYNTAX],
    ['Condition "a" (invalid-46)', withCondition('a'), managed, SYNTAX],
    ['Condition [{…}] (invalid-54)', withCondition([{ StringEquals: { 'aws:username': 'a' } }]), managed, SYNTAX],
    ['an operator block that is a string (invalid-48)', withCondition({ DateGreaterThan: 'b' }), managed, SYNTAX],
    ['an operator block that is a list (invalid-49)', withCondition({ DateGreaterThan: [] }), managed, SYNTAX],
    ['a condition value that is an object (invalid-50)', withCondition({ StringEquals: { a: {} } }), managed, SYNTAX],
    ['an unknown operator that tests a key (invalid-52)', withCondition({ x: { a: '1' } }), managed, SYNTAX],
    [
      'ForAnyValue::StringEqualsIfExists, a double colon (invalid-53)',
      withCondition({ 'ForAnyValue::StringEqualsIfExists': { 'aws:TagKeys': 'a' } }),
      managed,
      SYNTAX,
    ],
    ['an unknown operator with a string block (invalid-47)', withCondition({ a: 'b' }), managed, SYNTAX],
  ]);
});

describe('identity policies: oddities IAM accepts (facts §1b, valid-*)', () => {
  run([
    ['a single statement object, not a list (valid-4)', doc(stmt()), managed, undefined],
    ['an Id string', doc([stmt()], { Version: '2012-10-17', Id: 'my-policy' }), managed, undefined],
    ['an unknown operator with an empty block', withCondition({ a: {} }), managed, undefined],
    ['two unknown operators with empty blocks', withCondition({ x: {}, y: {} }), managed, undefined],
    ['"Condition": {}', withCondition({}), managed, undefined],
    ['{"DateGreaterThan": {}}', withCondition({ DateGreaterThan: {} }), managed, undefined],
    ['{"DateGreaterThan": {"a": []}}', withCondition({ DateGreaterThan: { a: [] } }), managed, undefined],
    ['a condition key with no vendor', withCondition({ StringEqualsIfExists: { a: 'asf' } }), managed, undefined],
    [
      'ForAllValues:, ForAnyValue: and IfExists',
      withCondition({
        'ForAllValues:StringLike': { 'aws:TagKeys': ['a*', 'b*'] },
        'ForAnyValue:StringEquals': { 'aws:TagKeys': 'c' },
        NumericLessThanIfExists: { 's3:max-keys': '10' },
      }),
      managed,
      undefined,
    ],
    [
      'every known operator family',
      withCondition({
        StringNotEqualsIgnoreCase: { 'aws:username': 'A' },
        NumericGreaterThanEquals: { 's3:max-keys': 1 },
        DateLessThanEquals: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' },
        Bool: { 'aws:SecureTransport': 'true' },
        BinaryEquals: { 'aws:x': 'QmluYXJ5' },
        NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
        ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:t' },
        Null: { 'aws:TokenIssueTime': 'true' },
      }),
      managed,
      undefined,
    ],
    ['several empty Sids (valid-49)', doc([stmt({ Sid: '' }), stmt({ Sid: '' })]), managed, undefined],
    ['distinct alphanumeric Sids', doc([stmt({ Sid: 'One1' }), stmt({ Sid: 'Two2' })]), managed, undefined],
    ['a Deny statement', doc([stmt({ Effect: 'Deny' })]), managed, undefined],
  ]);
});

describe('identity policies: Version, managed vs inline (facts §1f)', () => {
  run([
    ['managed, no Version (invalid-1)', doc([stmt()], noVersion), managed, VERSION],
    ['managed, Version 2008-10-17 (invalid-2)', doc([stmt()], { Version: '2008-10-17' }), managed, VERSION],
    ['managed, Version 2012-10-17', doc([stmt()]), managed, undefined],
    ['inline, no Version (defaults to 2008-10-17)', doc([stmt()], noVersion), inline, undefined],
    ['inline, Version 2008-10-17', doc([stmt()], { Version: '2008-10-17' }), inline, undefined],
    ['inline, Version 2012-10-17', doc([stmt()]), inline, undefined],
  ]);
});

describe('identity policies: legacy parsing (facts §1c)', () => {
  run([
    ['Effect "denY" (invalid-63)', doc([stmt({ Effect: 'denY' })]), managed, LEGACY],
    ['Effect "allow" (invalid-69)', doc([stmt({ Effect: 'allow' })]), managed, LEGACY],
    ['Effect "aLLow" (invalid-70)', doc([stmt({ Effect: 'aLLow' })]), managed, LEGACY],
    ['Effect "allow", inline', doc([stmt({ Effect: 'allow' })], noVersion), inline, LEGACY],
    ['date "sdfdsf" (invalid-64)', dateCondition('sdfdsf'), managed, LEGACY],
    ['date "234-13" (invalid-72…-75)', dateCondition('234-13'), managed, LEGACY],
    [
      'date with a one-digit offset "+1" (invalid-72…-75)',
      dateCondition('2016-12-13t2:00:00.593194+1'),
      managed,
      LEGACY,
    ],
    [
      'date with 10 fractional digits (invalid-72…-75)',
      dateCondition('2016-12-13T21:20:37.5931941234+00:00'),
      managed,
      LEGACY,
    ],
    ['epoch 9223372036854775808 (invalid-72…-75)', dateCondition('9223372036854775808'), managed, LEGACY],
    ['a bad date among good ones', dateCondition(['2019-07-01T13:20:15Z', 'sdfdsf']), managed, LEGACY],
    ['date "01T" (valid-30)', dateCondition('01T'), managed, undefined],
    ['date "2019-07-01T13:20:15Z" (valid-34…-37)', dateCondition('2019-07-01T13:20:15Z'), managed, undefined],
    ['date with +00:00 (valid-34…-37)', dateCondition('2016-12-13T21:20:37.593194+00:00'), managed, undefined],
    [
      'date with lower-case t and +23 (valid-34…-37)',
      dateCondition('2016-12-13t2:00:00.593194+23'),
      managed,
      undefined,
    ],
    ['epoch "-292275054" (valid-34…-37)', dateCondition('-292275054'), managed, undefined],
    ['Resource arn:aws:s3::example_bucket (invalid-36)', withResource('arn:aws:s3::example_bucket'), managed, LEGACY],
    [
      'NotResource arn:aws:s3::example_bucket (invalid-71)',
      doc([stmt({ Resource: undefined, NotResource: 'arn:aws:s3::example_bucket' })]),
      managed,
      LEGACY,
    ],
    [
      'Resource arn:aws::::example_bucket, empty service (invalid-68/-77)',
      withResource('arn:aws::::example_bucket'),
      managed,
      LEGACY,
    ],
    ['Resource arn:aws::fdsasf (invalid-68/-77)', withResource('arn:aws::fdsasf'), managed, LEGACY],
    ['Resource arn:aws:fdsasf (valid-9)', withResource('arn:aws:fdsasf'), managed, undefined],
  ]);
});

describe('identity policies: Principal, Sid (facts §1f)', () => {
  run([
    ['a Principal', doc([stmt({ Principal: { AWS: '123456789012' } })]), managed, PRINCIPAL],
    ['Principal "*"', doc([stmt({ Principal: '*' })]), inline, PRINCIPAL],
    ['a NotPrincipal', doc([stmt({ NotPrincipal: { AWS: '123456789012' } })]), managed, PRINCIPAL],
    ['duplicate Sids (invalid-59)', doc([stmt({ Sid: 'a' }), stmt({ Sid: 'a' })]), managed, DUPLICATE_SID],
    ['duplicate Sids, inline', doc([stmt({ Sid: 'Same' }), stmt({ Sid: 'Same' })], noVersion), inline, DUPLICATE_SID],
    ['a Sid with a hyphen', doc([stmt({ Sid: 'my-sid' })]), managed, SID_CHARACTERS],
    ['a Sid with a space', doc([stmt({ Sid: 'my sid' })]), managed, SID_CHARACTERS],
    ['a Sid with an underscore', doc([stmt({ Sid: 'my_sid' })]), inline, SID_CHARACTERS],
  ]);
});

describe('identity policies: actions (facts §1d)', () => {
  run([
    ['no Action or NotAction (invalid-30)', doc([stmt({ Action: undefined })]), managed, NO_ACTIONS],
    ['"Action": [] (invalid-32…-34)', withAction([]), managed, NO_ACTIONS],
    ['no actions in the second statement', doc([stmt(), stmt({ Action: undefined })]), managed, NO_ACTIONS],
    ['action "invalid" (invalid-11/-12)', withAction('invalid'), managed, VENDOR],
    ['action "" (invalid-11/-12)', withAction(''), managed, VENDOR],
    ['NotAction "invalid"', doc([stmt({ Action: undefined, NotAction: 'invalid' })]), managed, VENDOR],
    ['action s3:List:Bucket (invalid-14/-15)', withAction('s3:List:Bucket'), managed, ONE_COLON],
    [
      'NotAction s3:List:Bucket (invalid-14/-15)',
      doc([stmt({ Action: undefined, NotAction: 's3:List:Bucket' })]),
      managed,
      ONE_COLON,
    ],
    ['vendor "a a" (invalid-13)', withAction('a a:ListBucket'), managed, 'Vendor a a is not valid'],
    ['an unknown service, fsx:ListBucket', withAction('fsx:ListBucket'), managed, undefined],
    ['a long unknown vendor', withAction('aaaaaadsfdsafsadfsadfaaaaa:ListBucket'), managed, undefined],
    ['vendors with - and .', withAction(['s3-s:ListBucket', 's3.s:ListBucket']), managed, undefined],
    ['service-prefix:action-name', withAction('service-prefix:action-name'), managed, undefined],
    ['spaces in the action name', withAction('iam: asdf safdsf af '), managed, undefined],
    ['the action *', withAction('*'), managed, undefined],
    ['wildcards in action names', withAction(['s3:*Object', 'dynamodb:List*']), managed, undefined],
    ['NotAction alone', doc([stmt({ Action: undefined, NotAction: 'iam:*' })]), managed, undefined],
  ]);
});

describe('identity policies: resources (facts §1e)', () => {
  run([
    ['no Resource (invalid-27)', doc([stmt({ Resource: undefined })]), managed, NO_RESOURCES],
    ['"Resource": [] (invalid-28)', withResource([]), managed, NO_RESOURCES],
    ['"invalid resource" (invalid-16…-20)', withResource('invalid resource'), managed, arnFormat('invalid resource')],
    ['"adf" (invalid-16…-20)', withResource('adf'), managed, arnFormat('adf')],
    ['an empty resource, two spaces in the text (invalid-16…-20)', withResource(''), managed, arnFormat('')],
    ['"adf" as NotResource', doc([stmt({ Resource: undefined, NotResource: 'adf' })]), managed, arnFormat('adf')],
    [
      'a:bsdfdsafsad, the missing fields shown as * (invalid-21)',
      withResource('a:bsdfdsafsad'),
      managed,
      partition('bsdfdsafsad', 'arn:bsdfdsafsad:*:*:*:*'),
    ],
    ['a:b:cadfsdf (invalid-22)', withResource('a:b:cadfsdf'), managed, partition('b', 'arn:b:cadfsdf:*:*:*')],
    ['a:b:c:d:e:f:g:h (invalid-23)', withResource('a:b:c:d:e:f:g:h'), managed, partition('b', 'arn:b:c:d:e:f:g:h')],
    [
      'aws:s3:::example_bucket (invalid-24)',
      withResource('aws:s3:::example_bucket'),
      managed,
      partition('s3', 'arn:s3:::example_bucket:*'),
    ],
    [
      'arn:error:s3:::example_bucket (invalid-25)',
      withResource('arn:error:s3:::example_bucket'),
      managed,
      partition('error', 'arn:error:s3:::example_bucket'),
    ],
    // M: LS-validator checks a list in reverse lexical order, so the greatest bad entry is the one reported.
    [
      'a list with two bad entries: the greatest is named',
      withResource(['adf', 'invalid']),
      managed,
      arnFormat('invalid'),
    ],
    ['arn:aws, no service separator (invalid-38)', withResource('arn:aws'), managed, RESOURCE_VENDOR],
    [
      'an IAM path outside the allowed types (invalid-35)',
      withResource('arn:aws:iam:::example_bucket'),
      managed,
      IAM_PATH,
    ],
    [
      'a region in an IAM ARN (invalid-55)',
      withResource('arn:aws:iam:us-east-1::example_bucket'),
      managed,
      'IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information.',
    ],
    [
      'a region in an S3 ARN: "can not" (invalid-56)',
      withResource('arn:aws:s3:us-east-1::example_bucket'),
      managed,
      'Resource arn:aws:s3:us-east-1::example_bucket can not contain region information.',
    ],
    [
      'an S3 access point ARN with a region (valid-50)',
      withResource('arn:aws:s3:us-east-1:123456789012:accesspoint/my-ap'),
      managed,
      undefined,
    ],
    [
      'IAM role, user, policy and root ARNs',
      withResource([
        'arn:aws:iam::123456789012:role/app',
        'arn:aws:iam::123456789012:user/path/alice',
        'arn:aws:iam::123456789012:policy/p',
        'arn:aws:iam::123456789012:root',
        'arn:aws:iam::*:role/*',
      ]),
      managed,
      undefined,
    ],
    ['an S3 bucket and its objects', withResource(['arn:aws:s3:::b', 'arn:aws:s3:::b/*']), managed, undefined],
    ['an unknown service, arn:aws:s33 (valid-8)', withResource('arn:aws:s33:::example_bucket'), managed, undefined],
    [
      'an unknown service with a region (valid-12)',
      withResource('arn:aws:invalid-service:us-east-1::example_bucket'),
      managed,
      undefined,
    ],
    ['a region on another service', withResource('arn:aws:ec2:us-east-1:123456789012:instance/*'), managed, undefined],
    [
      'NotResource alone (valid-23)',
      doc([stmt({ Resource: undefined, NotResource: 'arn:aws:s3:::b' })]),
      managed,
      undefined,
    ],
    [
      'NotAction and NotResource (valid-28)',
      doc([{ Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::b' }]),
      managed,
      undefined,
    ],
  ]);
});

// Pairs of problems, each belonging to a different stage: the earlier stage must be the one reported (facts §1a:
// syntax → version → legacy → duplicate Sid → actions present → resource format → resources present → vendor).
describe('identity policies: stage order (facts §1a)', () => {
  run([
    ['syntax before version: no Version and an unknown key', doc([stmt({ Extra: 1 })], noVersion), managed, SYNTAX],
    [
      'syntax before legacy: "denY" and Effect missing elsewhere',
      doc([stmt({ Effect: 'denY' }), stmt({ Effect: undefined })]),
      managed,
      SYNTAX,
    ],
    [
      'version before duplicate Sid: no Version and duplicate Sids (invalid-60)',
      doc([stmt({ Sid: 'a' }), stmt({ Sid: 'a' })], noVersion),
      managed,
      VERSION,
    ],
    [
      'version before legacy: no Version and "denY" (invalid-66)',
      doc([stmt({ Effect: 'denY' })], noVersion),
      managed,
      VERSION,
    ],
    [
      'legacy before duplicate Sid: duplicate Sids and "aLLow" (invalid-70)',
      doc([stmt({ Sid: 'a', Effect: 'aLLow' }), stmt({ Sid: 'a' })]),
      managed,
      LEGACY,
    ],
    [
      'legacy before resource format: a bad partition and a bad date (invalid-76)',
      doc([stmt({ Resource: 'a:b:cadfsdf', Condition: { DateGreaterThan: { 'aws:CurrentTime': 'sdfdsf' } } })]),
      managed,
      LEGACY,
    ],
    [
      'duplicate Sid before actions: the second statement has no Action (invalid-59)',
      doc([stmt({ Sid: 'a' }), stmt({ Sid: 'a', Action: undefined })]),
      managed,
      DUPLICATE_SID,
    ],
    [
      'legacy before actions: "allow" and no Action',
      doc([stmt({ Effect: 'allow', Action: undefined })]),
      managed,
      LEGACY,
    ],
    [
      'actions before resource format: no Action and Resource "adf"',
      doc([stmt({ Action: undefined, Resource: 'adf' })]),
      managed,
      NO_ACTIONS,
    ],
    [
      'resource format before vendor: s:3:ListBucket and Resource "sdfsadf" (invalid-18)',
      doc([stmt({ Action: 's:3:ListBucket', Resource: 'sdfsadf' })]),
      managed,
      arnFormat('sdfsadf'),
    ],
    [
      'resources present before vendor: Action "invalid" and no Resource (invalid-29)',
      doc([stmt({ Action: 'invalid', Resource: undefined })]),
      managed,
      NO_RESOURCES,
    ],
    [
      'resource format before resources present (M): "adf" in one statement, no Resource in the next',
      doc([stmt({ Resource: 'adf' }), stmt({ Resource: undefined })]),
      managed,
      arnFormat('adf'),
    ],
  ]);
});

// Session policies (AssumeRole Policy) are identity-like: Action and Resource, no Principal; like inline policies
// they need not say Version 2012-10-17. Resource-based policies must name a Principal. Neither kind is in the
// recorded captures; these pin rolecall's choices.
describe('session and resource policies', () => {
  run(
    [
      ['a session policy', doc([stmt({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })]), {}, undefined],
      ['a session policy without Version', doc([stmt()], noVersion), {}, undefined],
      ['a session policy with a Principal', doc([stmt({ Principal: '*' })]), {}, PRINCIPAL],
      ['a session policy without resources', doc([stmt({ Resource: undefined })]), {}, NO_RESOURCES],
      ['a session policy with a vendorless action', withAction('GetObject'), {}, VENDOR],
    ],
    'session',
  );
  run(
    [
      [
        'a bucket policy with a Principal',
        doc([stmt({ Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Resource: 'arn:aws:s3:::b/*' })]),
        {},
        undefined,
      ],
      [
        'a resource policy with Principal "*"',
        doc([stmt({ Principal: '*', Resource: 'arn:aws:sqs:us-east-1:123456789012:q' })]),
        {},
        undefined,
      ],
      ['a resource policy with a bad Effect', doc([stmt({ Principal: '*', Effect: 'Perhaps' })]), {}, SYNTAX],
      ['a resource policy without actions', doc([stmt({ Principal: '*', Action: undefined })]), {}, NO_ACTIONS],
    ],
    'resource',
  );
});

describe('policySize: whitespace is not counted (facts §1g)', () => {
  it('counts the non-whitespace characters', () => {
    const compact = doc([stmt()]);
    assert.equal(policySize(compact), compact.length);
    assert.equal(policySize(JSON.stringify(JSON.parse(compact), null, 4)), compact.length);
    assert.equal(policySize(` \t\r\n${compact}\n`), compact.length);
  });
});
