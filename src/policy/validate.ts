/**
 * One validator for every kind of IAM policy document, with IAM's MalformedPolicyDocument messages and the
 * order in which IAM reports them (docs/research/iam-policies-users-facts.md §1, from recorded AWS responses;
 * docs/research/wire-facts.md §6 for trust policies). Pure: no I/O. Only the first problem is reported, in
 * IAM's stages: syntax → version → legacy parsing → principal → duplicate Sid → actions present → resource
 * format → resources present → action vendor.
 *
 * Identity and session policies need Action and Resource and may not name a Principal; trust policies need a
 * Principal, may not name a Resource, and allow only STS role-assumption actions; resource policies need a
 * Principal. Size quotas differ per entity, so callers check them with policySize (whitespace not counted).
 */
import { wildcardMatch } from './wildcard.ts';

export type PolicyType = 'identity' | 'trust' | 'resource' | 'session';

/** Whether an IAM principal ARN names an entity that exists; undefined when the caller cannot tell. */
export type PrincipalExists = (arn: string) => boolean | undefined;

export interface ValidateOptions {
  readonly principalExists?: PrincipalExists;
  /** Managed policies must say Version 2012-10-17; inline ones may omit it or say 2008-10-17. */
  readonly requireCurrentVersion?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: Json): Json[] => (Array.isArray(v) ? v : [v]);

export const MESSAGES = {
  invalidJson: 'This policy contains invalid Json',
  syntax: 'Syntax errors in policy.',
  version: 'Policy document must be version 2012-10-17 or greater.',
  legacy: 'The policy failed legacy parsing',
  noActions: 'Policy statement must contain actions.',
  noResources: 'Policy statement must contain resources.',
  vendor: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  oneColon: 'Actions/Condition can contain only one colon.',
  principalInIdentity: 'Policy document should not specify a principal.',
  duplicateSid: 'Statement IDs (SID) in a single policy must be unique.',
  sidCharacters:
    'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  trustActions: 'AssumeRole policy may only specify STS AssumeRole actions.',
  noPrincipal:
    'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!',
  resourceVendor: 'Resource vendor must be fully qualified and cannot contain regexes.',
  iamPath:
    'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.',
} as const;

/** Actions a trust policy may name (IAM User Guide, "Role trust policies"; session tags, source identity). */
const TRUST_ACTIONS = [
  'assumerole',
  'assumerolewithsaml',
  'assumerolewithwebidentity',
  'tagsession',
  'setsourceidentity',
  'setcontext',
];
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const TOP_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_KEYS = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const PARTITIONS = new Set([
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
]);
const IAM_RESOURCE_TYPES = [
  'user/',
  'federated-user/',
  'role/',
  'group/',
  'instance-profile/',
  'mfa/',
  'server-certificate/',
  'policy/',
  'sms-mfa/',
  'saml-provider/',
  'oidc-provider/',
  'report/',
  'access-report/',
];

/** The condition operators IAM knows, without set qualifiers and the IfExists suffix (IAM JSON reference). */
const OPERATORS = new Set(
  [
    'StringEquals',
    'StringNotEquals',
    'StringEqualsIgnoreCase',
    'StringNotEqualsIgnoreCase',
    'StringLike',
    'StringNotLike',
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
    'DateEquals',
    'DateNotEquals',
    'DateLessThan',
    'DateLessThanEquals',
    'DateGreaterThan',
    'DateGreaterThanEquals',
    'Bool',
    'BinaryEquals',
    'IpAddress',
    'NotIpAddress',
    'ArnEquals',
    'ArnLike',
    'ArnNotEquals',
    'ArnNotLike',
    'Null',
  ].map((op) => op.toLowerCase()),
);

/** Characters IAM counts toward a policy size quota: whitespace is not counted (IAM quotas). */
export const policySize = (text: string): number => text.replace(/\s/g, '').length;

/** An operator name without `ForAllValues:`/`ForAnyValue:` and `IfExists`, lower-cased; undefined if unknown. */
export function baseOperator(operator: string): string | undefined {
  const base = operator
    .replace(/^(ForAllValues|ForAnyValue):/, '')
    .replace(/IfExists$/, '')
    .toLowerCase();
  return OPERATORS.has(base) ? base : undefined;
}

class Invalid extends Error {}
const fail = (message: string): never => {
  throw new Invalid(message);
};

const strings = (v: Json | undefined): string[] => (v === undefined ? [] : (asList(v) as string[]));

// Stage 1: the grammar and the types of every element.
function checkSyntax(doc: JsonObject): JsonObject[] {
  for (const key of Object.keys(doc)) if (!TOP_KEYS.has(key)) fail(MESSAGES.syntax);
  const version = doc['Version'];
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) fail(MESSAGES.syntax);
  if (doc['Id'] !== undefined && (isObject(doc['Id']) || Array.isArray(doc['Id']))) fail(MESSAGES.syntax);
  const raw = doc['Statement'];
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) fail(MESSAGES.syntax);
  const statements = asList(raw as Json);
  for (const s of statements) {
    if (!isObject(s)) return fail(MESSAGES.syntax);
    for (const key of Object.keys(s)) if (!STATEMENT_KEYS.has(key)) fail(MESSAGES.syntax);
    const has = (key: string) => s[key] !== undefined;
    if ((has('Action') && has('NotAction')) || (has('Resource') && has('NotResource'))) fail(MESSAGES.syntax);
    if (has('Principal') && has('NotPrincipal')) fail(MESSAGES.syntax);
    if (has('Sid') && typeof s['Sid'] !== 'string') fail(MESSAGES.syntax);
    const effect = s['Effect'];
    if (typeof effect !== 'string' || !['allow', 'deny'].includes(effect.toLowerCase())) fail(MESSAGES.syntax);
    for (const key of ['Action', 'NotAction', 'Resource', 'NotResource']) {
      const value = s[key];
      if (value !== undefined && asList(value).some((v) => typeof v !== 'string')) fail(MESSAGES.syntax);
    }
    const condition = s['Condition'];
    if (condition !== undefined) {
      if (!isObject(condition)) fail(MESSAGES.syntax);
      for (const [operator, block] of Object.entries(condition as JsonObject)) {
        if (!isObject(block)) fail(MESSAGES.syntax);
        const entries = Object.entries(block as JsonObject);
        // An unknown operator is refused only when it tests something (recorded AWS behaviour).
        if (entries.length > 0 && baseOperator(operator) === undefined) fail(MESSAGES.syntax);
        for (const [, values] of entries) {
          if (isObject(values) || asList(values).some((v) => isObject(v) || Array.isArray(v))) fail(MESSAGES.syntax);
        }
      }
    }
  }
  return statements as JsonObject[];
}

/** ISO-8601 dates and epoch seconds, as the legacy parser accepts them for Date operators. */
function validDate(value: Json): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'string') return false;
  if (/^-?\d+$/.test(value)) {
    const magnitude = BigInt(value.replace('-', ''));
    return magnitude <= 9_223_372_036_854_775_807n;
  }
  return (
    /^\d{4}(-\d{2}(-\d{2})?)?([Tt]\d{1,2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?$/.test(value) ||
    /^\d{2}[Tt]$/.test(value)
  );
}

// Stage 3: what IAM's older parser refuses.
function checkLegacy(statements: readonly JsonObject[]): void {
  for (const s of statements) {
    if (s['Effect'] !== 'Allow' && s['Effect'] !== 'Deny') fail(MESSAGES.legacy);
    for (const resource of [...strings(s['Resource']), ...strings(s['NotResource'])]) {
      // The ARN-shape rule applies only to resources whose form is otherwise right (recorded AWS responses:
      // `aws:s3:::example_bucket` is a partition error, not a legacy-parsing one).
      if (resourceFormatProblem(resource) !== undefined) continue;
      const parts = resource.split(':');
      if (resource.includes('::') && parts.length < 6) fail(MESSAGES.legacy);
      if (parts[0] === 'arn' && parts.length >= 3 && parts[2] === '') fail(MESSAGES.legacy);
    }
    const condition = s['Condition'];
    if (!isObject(condition)) continue;
    for (const [operator, block] of Object.entries(condition)) {
      if (!baseOperator(operator)?.startsWith('date')) continue;
      for (const values of Object.values(block as JsonObject)) {
        if (!asList(values).every(validDate)) fail(MESSAGES.legacy);
      }
    }
  }
}

function checkPrincipal(principal: Json, exists: PrincipalExists): void {
  if (principal === '*') return;
  if (!isObject(principal)) return fail(MESSAGES.syntax);
  for (const [type, value] of Object.entries(principal)) {
    if (!PRINCIPAL_KEYS.has(type)) fail(MESSAGES.syntax);
    for (const item of asList(value)) {
      if (typeof item !== 'string') fail(MESSAGES.syntax);
      const text = item as string;
      // IAM resolves principal ARNs to unique ids when it stores the policy, so an entity that does not exist is
      // refused (docs/research/wire-facts.md §6); service principals appear upper-cased in the message.
      if (!validPrincipal(type, text) || (type === 'AWS' && exists(text) === false)) {
        fail(`Invalid principal in policy: "${type === 'Service' ? 'SERVICE' : type}":"${text}"`);
      }
    }
  }
}

function validPrincipal(type: string, value: string): boolean {
  switch (type) {
    case 'AWS':
      return (
        value === '*' ||
        /^\d{12}$/.test(value) ||
        /^arn:aws[a-z-]*:(iam|sts)::\d{12}:(root|role\/.+|user\/.+|assumed-role\/.+|federated-user\/.+)$/.test(value)
      );
    case 'Service':
      return value === '*' || /^[a-z0-9.-]+\.(amazonaws\.com|amazon\.com|aws\.internal)$/.test(value);
    default:
      return value.length > 0;
  }
}

/** Stage 6's message for one resource, or undefined when its form is right. */
function resourceFormatProblem(resource: string): string | undefined {
  try {
    checkResourceFormat(resource);
    return undefined;
  } catch (err) {
    if (err instanceof Invalid) return err.message;
    throw err;
  }
}

// Stage 6: the form of each resource ARN. The partition is checked before the vendor (`a:bsdfdsafsad` is a
// partition error; `arn:aws` a vendor one), as recorded AWS responses show.
function checkResourceFormat(resource: string): void {
  if (resource === '*') return;
  if (!resource.includes(':')) fail(`Resource ${resource} must be in ARN format or "*".`);
  const parts = resource.split(':');
  const partition = parts[1] ?? '';
  if (!PARTITIONS.has(partition) && partition !== '*') {
    const fields = ['arn', ...parts.slice(1)];
    while (fields.length < 6) fields.push('*');
    fail(`Partition "${partition}" is not valid for resource "${fields.join(':')}".`);
  }
  if (parts.length < 3) fail(MESSAGES.resourceVendor);
  const [, , service = '', region = ''] = parts;
  const rest = parts.slice(5).join(':');
  if (service === 'iam') {
    if (region !== '') fail(`IAM resource ${resource} cannot contain region information.`);
    if (rest !== '*' && rest !== 'root' && !IAM_RESOURCE_TYPES.some((t) => rest.startsWith(t))) fail(MESSAGES.iamPath);
  }
  if (service === 's3' && region !== '' && !rest.startsWith('accesspoint/') && !rest.includes(':accesspoint/')) {
    fail(`Resource ${resource} can not contain region information.`);
  }
}

function checkActionNames(statement: JsonObject, type: PolicyType): void {
  const negated = statement['Action'] === undefined;
  for (const action of strings(statement['Action'] ?? statement['NotAction'])) {
    if (action === '*') continue;
    const colon = action.indexOf(':');
    if (colon < 0) fail(MESSAGES.vendor);
    if (action.indexOf(':', colon + 1) >= 0) fail(MESSAGES.oneColon);
    const vendor = action.slice(0, colon);
    if (!/^[A-Za-z0-9.*?-]+$/.test(vendor)) fail(`Vendor ${vendor} is not valid`);
    if (type === 'trust' && !negated) {
      const name = action.slice(colon + 1).toLowerCase();
      const allowed =
        (vendor.toLowerCase() === 'sts' || vendor === '*') && TRUST_ACTIONS.some((a) => wildcardMatch(name, a));
      if (!allowed) fail(MESSAGES.trustActions);
    }
  }
}

function validate(text: string, type: PolicyType, options: ValidateOptions): void {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    return fail(type === 'trust' ? MESSAGES.invalidJson : MESSAGES.syntax);
  }
  if (!isObject(doc)) return fail(type === 'trust' ? MESSAGES.invalidJson : MESSAGES.syntax);
  const statements = checkSyntax(doc);
  if (options.requireCurrentVersion && doc['Version'] !== '2012-10-17') fail(MESSAGES.version);
  checkLegacy(statements);

  const exists = options.principalExists ?? (() => undefined);
  for (const s of statements) {
    const principal = s['Principal'] ?? s['NotPrincipal'];
    if (type === 'identity' || type === 'session') {
      if (principal !== undefined) fail(MESSAGES.principalInIdentity);
    } else {
      if (type === 'trust' && s['Resource'] !== undefined) fail('Has prohibited field Resource');
      if (type === 'trust' && s['NotResource'] !== undefined) fail('Has prohibited field NotResource');
      if (principal === undefined) fail(MESSAGES.noPrincipal);
      else checkPrincipal(principal, exists);
    }
  }

  const sids = new Set<string>();
  for (const s of statements) {
    const sid = s['Sid'];
    if (typeof sid !== 'string' || sid === '') continue;
    if (sids.has(sid)) fail(MESSAGES.duplicateSid);
    sids.add(sid);
  }
  for (const s of statements) {
    const sid = s['Sid'];
    if (type !== 'resource' && typeof sid === 'string' && !/^[0-9A-Za-z]*$/.test(sid)) fail(MESSAGES.sidCharacters);
  }
  for (const s of statements) {
    if (strings(s['Action'] ?? s['NotAction']).length === 0) fail(MESSAGES.noActions);
  }
  if (type !== 'trust') {
    // With several bad entries IAM names the greatest (docs/research/iam-policies-users-facts.md §1e).
    for (const s of statements) {
      const sorted = [...strings(s['Resource'] ?? s['NotResource'])].sort().reverse();
      for (const r of sorted) checkResourceFormat(r);
    }
    for (const s of statements) {
      if (strings(s['Resource'] ?? s['NotResource']).length === 0) fail(MESSAGES.noResources);
    }
  }
  for (const s of statements) checkActionNames(s, type);
}

/** IAM's MalformedPolicyDocument message for a document, or undefined when it is valid. */
export function validatePolicy(text: string, type: PolicyType, options: ValidateOptions = {}): string | undefined {
  try {
    validate(text, type, options);
    return undefined;
  } catch (err) {
    if (err instanceof Invalid) return err.message;
    throw err;
  }
}
