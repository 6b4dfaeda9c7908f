/**
 * Validation of role trust policies (assume-role policy documents) with IAM's MalformedPolicyDocument messages
 * (shared/AWS-FACTS.md; docs/research/wire-facts.md). Pure: no I/O. The general policy validator of the policies
 * issue grows from this; trust policies add their own rules: a Principal is required, Resource is prohibited,
 * and only STS role-assumption actions may appear.
 */

/** Actions a trust policy may name (IAM User Guide, "Role trust policies"). */
const TRUST_ACTIONS = new Set([
  'sts:assumerole',
  'sts:assumerolewithsaml',
  'sts:assumerolewithwebidentity',
  'sts:tagsession',
  'sts:setsourceidentity',
  'sts:setcontext',
]);

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
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

import { wildcardMatch } from './wildcard.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: Json | undefined): v is { [key: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const asList = (v: Json): Json[] => (Array.isArray(v) ? v : [v]);

/** A trust-policy action matches an allowed one, wildcards included (`sts:Assume*`, `sts:*`). */
function trustAction(action: string): boolean {
  const lower = action.toLowerCase();
  if (TRUST_ACTIONS.has(lower)) return true;
  if (!lower.includes('*') && !lower.includes('?')) return false;
  const [service = '', name = ''] = lower.split(':', 2);
  if (service !== 'sts' && service !== '*') return false;
  return [...TRUST_ACTIONS].some((a) => wildcardMatch(name, a.slice(4)));
}

/** Whether an IAM principal ARN names an entity that exists; undefined when the caller cannot tell. */
export type PrincipalExists = (arn: string) => boolean | undefined;

function principalProblem(principal: Json, exists: PrincipalExists): string | undefined {
  if (principal === '*') return undefined;
  if (!isObject(principal)) return 'Syntax errors in policy.';
  for (const [type, value] of Object.entries(principal)) {
    if (!PRINCIPAL_KEYS.has(type)) return 'Syntax errors in policy.';
    for (const item of asList(value)) {
      if (typeof item !== 'string') return 'Syntax errors in policy.';
      // IAM resolves principal ARNs to unique ids when it stores the policy, so a role that does not exist is
      // refused (docs/research/wire-facts.md §6); service principals appear upper-cased in the message.
      const shownType = type === 'Service' ? 'SERVICE' : type;
      if (!validPrincipalValue(type, item) || (type === 'AWS' && exists(item) === false)) {
        return `Invalid principal in policy: "${shownType}":"${item}"`;
      }
    }
  }
  return undefined;
}

function validPrincipalValue(type: string, value: string): boolean {
  switch (type) {
    case 'AWS':
      return (
        value === '*' ||
        /^\d{12}$/.test(value) ||
        /^arn:aws[a-z-]*:(iam|sts)::\d{12}:(root|role\/.+|user\/.+|assumed-role\/.+|federated-user\/.+)$/.test(value)
      );
    case 'Service':
      return value === '*' || /^[a-z0-9.-]+\.(amazonaws\.com|amazon\.com|aws\.internal)$/.test(value);
    case 'Federated':
      return value.length > 0;
    default:
      return value.length > 0;
  }
}

function statementProblem(statement: Json, exists: PrincipalExists): string | undefined {
  if (!isObject(statement)) return 'Syntax errors in policy.';
  for (const key of Object.keys(statement)) if (!STATEMENT_KEYS.has(key)) return 'Syntax errors in policy.';
  if (statement['Resource'] !== undefined) return 'Has prohibited field Resource';
  if (statement['NotResource'] !== undefined) return 'Has prohibited field NotResource';
  const effect = statement['Effect'];
  if (effect === undefined) return 'Missing required field Effect';
  if (effect !== 'Allow' && effect !== 'Deny') return `Invalid effect: ${String(effect)}`;
  const principal = statement['Principal'] ?? statement['NotPrincipal'];
  if (principal === undefined) {
    // IAM's own text, Java exception name included (docs/research/wire-facts.md §6).
    return 'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!';
  }
  const principalIssue = principalProblem(principal, exists);
  if (principalIssue !== undefined) return principalIssue;
  const action = statement['Action'] ?? statement['NotAction'];
  if (action === undefined) return 'Missing required field Action';
  for (const item of asList(action)) {
    if (typeof item !== 'string') return 'Syntax errors in policy.';
    if (item !== '*' && !item.includes(':')) {
      return 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.';
    }
    if (statement['Action'] !== undefined && item !== '*' && !trustAction(item)) {
      return 'AssumeRole policy may only specify STS AssumeRole actions.';
    }
  }
  const condition = statement['Condition'];
  if (condition !== undefined && !isObject(condition)) return 'Syntax errors in policy.';
  return undefined;
}

/** Trust policies may hold 2,048 characters, whitespace not counted (IAM quotas: "Role trust policy length"). */
export const TRUST_POLICY_QUOTA = 2048;

export interface TrustPolicyProblem {
  /** MalformedPolicyDocument for a bad document, LimitExceeded (409) for one over the quota. */
  readonly code: 'MalformedPolicyDocument' | 'LimitExceeded';
  readonly message: string;
}

/** What is wrong with a trust policy, or undefined when it is valid. */
export function validateTrustPolicy(
  text: string,
  exists: PrincipalExists = () => undefined,
): TrustPolicyProblem | undefined {
  const malformed = (message: string): TrustPolicyProblem => ({ code: 'MalformedPolicyDocument', message });
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    return malformed('This policy contains invalid Json');
  }
  if (!isObject(doc)) return malformed('This policy contains invalid Json');
  if (text.replace(/\s/g, '').length > TRUST_POLICY_QUOTA) {
    return { code: 'LimitExceeded', message: `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}` };
  }
  const problem = documentProblem(doc, exists);
  return problem === undefined ? undefined : malformed(problem);
}

function documentProblem(doc: { [key: string]: Json }, exists: PrincipalExists): string | undefined {
  for (const key of Object.keys(doc))
    if (!['Version', 'Id', 'Statement'].includes(key)) return 'Syntax errors in policy.';
  const version = doc['Version'];
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) {
    return 'The policy failed legacy parsing';
  }
  const statements = doc['Statement'];
  if (statements === undefined) return 'Missing required field Statement';
  const sids = new Set<string>();
  for (const statement of asList(statements)) {
    const problem = statementProblem(statement, exists);
    if (problem !== undefined) return problem;
    const sid = isObject(statement) ? statement['Sid'] : undefined;
    if (typeof sid === 'string' && sid !== '') {
      if (sids.has(sid)) return 'Statement IDs (SID) in a single policy must be unique.';
      sids.add(sid);
    }
  }
  return undefined;
}
