/**
 * fast-check generators of `rolecall simulate` inputs for the differential tests: policies over a small alphabet
 * of actions, ARNs (with wildcards and policy variables) and condition keys (every operator family, set
 * qualifiers, IfExists, Null), requests from every principal type with context keys present or missing, and
 * combinations of identity, boundary, session, resource, trust and organization policies, same- and cross-account.
 * The alphabets are small on purpose, so that random choices collide and the interesting cases come up often.
 */
import fc from 'fast-check';

export const A = '111122223333';
export const B = '444455556666';
const USER = `arn:aws:iam::${A}:user/alice`;
const OTHER_USER = `arn:aws:iam::${A}:user/bob`;
const ROLE = `arn:aws:iam::${A}:role/app`;
const SESSION = `arn:aws:sts::${A}:assumed-role/app/worker`;
const FEDERATED = `arn:aws:sts::${A}:federated-user/carol`;
const ROOT = `arn:aws:iam::${A}:root`;
const X_USER = `arn:aws:iam::${B}:user/dave`;
const X_ROLE = `arn:aws:iam::${B}:role/partner`;
const X_SESSION = `arn:aws:sts::${B}:assumed-role/partner/s1`;

type Json = unknown;
type Doc = Record<string, Json>;

const ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:ListBucket',
  'ec2:RunInstances',
  'ec2:DescribeInstances',
  'iam:GetUser',
];
const ACTION_PATTERNS = [
  '*',
  's3:*',
  's3:Get*',
  's3:?etObject',
  'S3:GETOBJECT',
  's3:PutObject',
  's3:*Bucket',
  'ec2:*Instances',
  'ec2:Describe*',
  'iam:Get???',
  'iam:*',
  'sts:AssumeRole',
];
const RESOURCES = [
  'arn:aws:s3:::bucket-a',
  'arn:aws:s3:::bucket-a/alice/doc.txt',
  'arn:aws:s3:::bucket-a/bob/doc.txt',
  'arn:aws:s3:::bucket-b/x:y/z',
  'arn:aws:s3:::bucket-a/file*',
  `arn:aws:ec2:us-east-1:${A}:instance/i-1`,
  `arn:aws:ec2:us-east-1:${A}:volume:instance/x`,
  `arn:aws:ec2:eu-west-1:${B}:instance/i-2`,
  `arn:aws:iam::${A}:user/alice`,
  '*',
];
const RESOURCE_PATTERNS = [
  '*',
  'arn:aws:s3:::bucket-a',
  'arn:aws:s3:::bucket-?',
  'arn:aws:s3:::bucket-a/*',
  'arn:aws:s3:::bucket-*',
  'arn:aws:s3:::*',
  'arn:aws:s3:::bucket-a/${aws:username}/*',
  'arn:aws:s3:::*/${aws:username}/*',
  "arn:aws:s3:::bucket-${aws:PrincipalTag/team, 'a'}/*",
  'arn:aws:s3:::bucket-a/file${*}',
  'arn:aws:s3:::bucket-?/x:*',
  'arn:aws:ec2:*:*:instance/*',
  `arn:aws:ec2:us-*:${A}:*`,
  'arn:aws:ec2:*:*:*',
  'arn:aws:iam::*:user/${aws:username}',
  `arn:aws:iam::${A}:user/*`,
  'arn:*:s3:::bucket-*',
];

const STRING_OPS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
];
const NUMERIC_OPS = [
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
];
const DATE_OPS = ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateGreaterThanEquals', 'DateGreaterThan'];
const ARN_OPS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'StringLike'];

interface KeySpec {
  readonly key: string;
  readonly operators: readonly string[];
  readonly policyValues: readonly string[];
  readonly requestValues: readonly (string | number | boolean)[];
  /** A multivalued key: always tested with a set qualifier, given as a list in requests. */
  readonly multi?: boolean;
}

const KEYS: readonly KeySpec[] = [
  {
    key: 'aws:username',
    operators: STRING_OPS,
    policyValues: ['alice', 'Alice', 'bob', 'al*', '?ob', '*', '${aws:PrincipalTag/team}'],
    requestValues: ['alice', 'bob', 'Alice', 'blue'],
  },
  {
    key: 'aws:PrincipalTag/team',
    operators: STRING_OPS,
    policyValues: ['blue', 'BLUE', 'b*', 'a', '${aws:username}', "${aws:username, 'blue'}"],
    requestValues: ['blue', 'red', 'Blue', 'alice', 'a'],
  },
  {
    key: 'aws:SourceIp',
    operators: ['IpAddress', 'NotIpAddress'],
    policyValues: ['203.0.113.0/24', '10.0.0.0/8', '2001:db8::/32', '198.51.100.7', '0.0.0.0/0'],
    requestValues: ['203.0.113.5', '10.1.2.3', '2001:db8::1', '2001:DB8:0:0::9', '198.51.100.7', '192.0.2.1'],
  },
  {
    key: 'aws:CurrentTime',
    operators: DATE_OPS,
    policyValues: ['2020-01-01T00:00:00Z', '1577836800', '2021-06-01', '2019-12-31T23:59:59Z'],
    requestValues: ['2020-01-01T00:00:00Z', '1577836800', 1600000000, '2019-06-01T12:00:00Z'],
  },
  {
    key: 's3:max-keys',
    operators: NUMERIC_OPS,
    policyValues: ['10', '5', '100', '10.0'],
    requestValues: ['10', 5, '50', '0', 'ten'],
  },
  {
    key: 'aws:SecureTransport',
    operators: ['Bool'],
    policyValues: ['true', 'false'],
    requestValues: ['true', 'false', true, false],
  },
  {
    key: 'aws:SourceArn',
    operators: ARN_OPS,
    policyValues: [
      'arn:aws:sns:*:*:topic-*',
      `arn:aws:sns:us-east-1:${A}:topic-a`,
      `arn:aws:*:*:${A}:*`,
      `arn:aws:sns:*:${A}:topic-a`,
      `arn:aws:iam::${A}:user/\${aws:username}`,
    ],
    requestValues: [
      `arn:aws:sns:us-east-1:${A}:topic-a`,
      `arn:aws:sns:us-east-1:${B}:topic-b`,
      `arn:aws:sqs:us-east-1:${A}:q:x`,
      `arn:aws:sns:us-east-1:${B}:x:${A}:topic-a`,
      `arn:aws:iam::${A}:user/alice`,
    ],
  },
  {
    key: 'aws:TagKeys',
    operators: ['StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike'],
    policyValues: ['env', 'team', 'cost*'],
    requestValues: ['env', 'team', 'owner', 'cost-center'],
    multi: true,
  },
];

const pick = <T>(items: readonly T[]) => fc.constantFrom(...items);
const some = <T>(items: readonly T[], max: number) => fc.uniqueArray(pick(items), { minLength: 1, maxLength: max });
const one = <T>(list: T[]): T | T[] => (list.length === 1 ? (list[0] as T) : list);

/** One condition: [operator, key, values]. */
const condition: fc.Arbitrary<[string, string, string | string[]]> = pick(KEYS).chain((spec) =>
  fc
    .record({
      operator: pick(spec.operators),
      values: some(spec.policyValues, 3),
      set: spec.multi ? pick(['ForAnyValue:', 'ForAllValues:']) : pick(['', '', '', 'ForAnyValue:', 'ForAllValues:']),
      ifExists: fc.nat(3).map((n) => n === 0),
      isNull: fc.nat(9),
      nullValue: pick(['true', 'false']),
    })
    .map(({ operator, values, set, ifExists, isNull, nullValue }): [string, string, string | string[]] =>
      isNull === 0
        ? ['Null', spec.key, nullValue]
        : [`${set}${operator}${ifExists ? 'IfExists' : ''}`, spec.key, one(values)],
    ),
);

function conditionBlock(conditions: readonly [string, string, string | string[]][]): Doc {
  const block: Record<string, Record<string, string | string[]>> = {};
  for (const [operator, key, values] of conditions) (block[operator] ??= {})[key] = values;
  return block;
}

/** Principal elements a resource-based policy statement may carry. */
const PRINCIPALS: readonly Json[] = [
  '*',
  { AWS: '*' },
  { AWS: USER },
  { AWS: A },
  { AWS: ROOT },
  { AWS: ROLE },
  { AWS: SESSION },
  { AWS: FEDERATED },
  { AWS: B },
  { AWS: X_USER },
  { AWS: X_ROLE },
  { AWS: [USER, X_ROLE] },
  { Service: 'ec2.amazonaws.com' },
];

interface StatementOptions {
  readonly principal?: boolean;
  readonly resource?: boolean;
  readonly actions?: readonly string[];
  readonly conditions?: number;
}

export function statement(options: StatementOptions = {}): fc.Arbitrary<Doc> {
  return fc
    .record({
      effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
      notAction: fc.nat(4).map((n) => n === 0),
      actions: some(options.actions ?? ACTION_PATTERNS, 3),
      notResource: fc.nat(4).map((n) => n === 0),
      resources: some(RESOURCE_PATTERNS, 2),
      conditions: fc.array(condition, { maxLength: options.conditions ?? 2 }),
      principal: pick(PRINCIPALS),
    })
    .map((s) => ({
      Effect: s.effect,
      ...(options.principal && { Principal: s.principal }),
      [s.notAction ? 'NotAction' : 'Action']: one(s.actions),
      ...(options.resource !== false && { [s.notResource ? 'NotResource' : 'Resource']: one(s.resources) }),
      ...(s.conditions.length > 0 && { Condition: conditionBlock(s.conditions) }),
    }));
}

export function policy(options: StatementOptions = {}, maxStatements = 3): fc.Arbitrary<Doc> {
  return fc
    .record({
      version: fc.constantFrom('2012-10-17', '2012-10-17', '2012-10-17', '2008-10-17', undefined),
      statements: fc.array(statement(options), { minLength: 1, maxLength: maxStatements }),
    })
    .map(({ version, statements }) => ({ ...(version && { Version: version }), Statement: statements }));
}

/** Request context: each key present or missing; multivalued keys as lists (possibly empty). */
export const context: fc.Arbitrary<Record<string, Json>> = fc
  .tuple(
    ...KEYS.map((spec) =>
      fc.option(
        spec.multi ? fc.uniqueArray(pick(spec.requestValues), { maxLength: 3 }) : pick<Json>(spec.requestValues),
        { freq: 3 },
      ),
    ),
    fc.boolean(),
  )
  .map(([...parts]) => {
    // Key names are case-insensitive: sometimes spell some of the request's keys in upper case.
    const upper = parts.pop() === true;
    const out: Record<string, Json> = {};
    KEYS.forEach((spec, i) => {
      const v = parts[i];
      if (v !== null && v !== undefined) out[upper && i % 2 === 0 ? spec.key.toUpperCase() : spec.key] = v;
    });
    return out;
  });

interface Caller {
  readonly arn: string;
  readonly session: boolean;
  readonly person: boolean;
  readonly root: boolean;
}
const CALLERS: readonly Caller[] = [
  { arn: USER, session: false, person: true, root: false },
  { arn: OTHER_USER, session: false, person: true, root: false },
  { arn: SESSION, session: true, person: true, root: false },
  { arn: FEDERATED, session: true, person: true, root: false },
  { arn: ROOT, session: false, person: true, root: true },
  { arn: X_USER, session: false, person: true, root: false },
  { arn: X_SESSION, session: true, person: true, root: false },
  { arn: 'ec2.amazonaws.com', session: false, person: false, root: false },
  { arn: '*', session: false, person: false, root: false },
];

/** Identity policies only, one IAM user: action, resource, condition and variable matching. */
export const matchingInput: fc.Arbitrary<Doc> = fc
  .record({
    caller: pick([USER, SESSION]),
    action: pick(ACTIONS).chain((a) => fc.constantFrom(a, a.toLowerCase(), a.toUpperCase())),
    resource: pick(RESOURCES),
    context,
    identity: fc.array(policy({ conditions: 3 }), { minLength: 1, maxLength: 2 }),
  })
  .map((r) => ({
    request: { principal: r.caller, action: r.action, resource: r.resource, context: r.context },
    identityPolicies: r.identity,
  }));

/** Every kind of principal against identity, boundary, session, resource and trust policies. */
export const combinationInput: fc.Arbitrary<Doc> = fc
  .record({
    caller: pick(CALLERS),
    trust: fc.nat(3).map((n) => n === 0),
    action: pick(ACTIONS),
    resource: pick(RESOURCES),
    roleAccount: pick([A, B]),
    resourceAccount: fc.option(pick([A, B]), { freq: 2 }),
    context,
    identity: fc.array(policy({ actions: [...ACTION_PATTERNS, 'sts:AssumeRole'], conditions: 1 }, 2), {
      maxLength: 2,
    }),
    boundary: fc.option(policy({ actions: [...ACTION_PATTERNS, 'sts:*'], conditions: 1 }, 2), { freq: 2 }),
    session: fc.option(policy({ conditions: 1 }, 2), { freq: 2 }),
    resourcePolicy: fc.option(policy({ principal: true, conditions: 1 }, 3), { freq: 4 }),
    trustPolicy: policy({ principal: true, resource: false, actions: ['sts:AssumeRole', 'sts:*'], conditions: 1 }, 2),
  })
  .map((r) => {
    const doc: Doc = {
      request: r.trust
        ? { principal: r.caller.arn, action: 'sts:AssumeRole', resource: `arn:aws:iam::${r.roleAccount}:role/target` }
        : {
            principal: r.caller.arn,
            action: r.action,
            resource: r.resource,
            ...(r.resourceAccount !== null && { resourceAccount: r.resourceAccount }),
          },
    };
    (doc['request'] as Doc)['context'] = r.context;
    if (r.caller.person && !r.caller.root) {
      doc['identityPolicies'] = r.identity;
      if (r.boundary) doc['permissionsBoundaries'] = [r.boundary];
    }
    if (r.caller.session && r.session) doc['sessionPolicies'] = [r.session];
    if (r.trust) doc['trustPolicy'] = r.trustPolicy;
    else if (r.resourcePolicy) doc['resourcePolicy'] = r.resourcePolicy;
    return doc;
  });

const ORG_ACTIONS = ['*', 's3:*', 'ec2:*', 's3:Get*', 'iam:*'];
/** FullAWSAccess (or RCPFullAWSAccess) half of the time, so that requests often get past the organization. */
const full = (principal: boolean): Doc => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', ...(principal && { Principal: '*' }), Action: '*', Resource: '*' }],
});
const orgPolicy = (principal: boolean) =>
  fc.oneof(fc.constant(full(principal)), policy({ principal, actions: ORG_ACTIONS, conditions: 1 }, 2));
const levels = (principal: boolean) =>
  fc.array(fc.array(orgPolicy(principal), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 });
const ADMIN: Doc = full(false);

/** SCPs and RCPs at several levels on top of identity and resource policies. */
export const organizationInput: fc.Arbitrary<Doc> = fc
  .record({
    caller: pick(CALLERS),
    action: pick(ACTIONS),
    resource: pick(RESOURCES),
    resourceAccount: fc.option(pick([A, B]), { freq: 2 }),
    context,
    identity: fc.oneof(fc.constant([ADMIN]), fc.array(policy({ conditions: 1 }, 2), { maxLength: 1 })),
    resourcePolicy: fc.option(policy({ principal: true, conditions: 1 }, 2), { freq: 2 }),
    scps: fc.option(levels(false), { freq: 4 }),
    rcps: fc.option(levels(true), { freq: 4 }),
  })
  .map((r) => ({
    request: {
      principal: r.caller.arn,
      action: r.action,
      resource: r.resource,
      ...(r.resourceAccount !== null && { resourceAccount: r.resourceAccount }),
      context: r.context,
    },
    ...(r.caller.person && !r.caller.root && { identityPolicies: r.identity }),
    ...(r.caller.session && { sessionPolicies: [ADMIN] }),
    ...(r.resourcePolicy && { resourcePolicy: r.resourcePolicy }),
    ...(r.scps && { scps: r.scps }),
    ...(r.rcps && { rcps: r.rcps }),
  }));
