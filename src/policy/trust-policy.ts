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

function principalProblem(principal: Json): string | undefined {
  if (principal === '*') return undefined;
  if (!isObject(principal)) return 'Syntax errors in policy.';
  for (const [type, value] of Object.entries(principal)) {
    if (!PRINCIPAL_KEYS.has(type)) return 'Syntax errors in policy.';
    for (const item of asList(value)) {
      if (typeof item !== 'string') return 'Syntax errors in policy.';
      if (!validPrincipalValue(type, item)) return `Invalid principal in policy: "${type}":"${item}"`;
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

function statementProblem(statement: Json): string | undefined {
  if (!isObject(statement)) return 'Syntax errors in policy.';
  for (const key of Object.keys(statement)) if (!STATEMENT_KEYS.has(key)) return 'Syntax errors in policy.';
  if (statement['Resource'] !== undefined) return 'Has prohibited field Resource';
  if (statement['NotResource'] !== undefined) return 'Has prohibited field NotResource';
  const effect = statement['Effect'];
  if (effect === undefined) return 'Missing required field Effect';
  if (effect !== 'Allow' && effect !== 'Deny') return `Invalid effect: ${String(effect)}`;
  const principal = statement['Principal'] ?? statement['NotPrincipal'];
  if (principal === undefined) return 'Missing required field Principal';
  const principalIssue = principalProblem(principal);
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

/** The MalformedPolicyDocument message for a trust policy, or undefined when it is valid. */
export function validateTrustPolicy(text: string): string | undefined {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    return 'This policy contains invalid Json';
  }
  if (!isObject(doc)) return 'This policy contains invalid Json';
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
    const problem = statementProblem(statement);
    if (problem !== undefined) return problem;
    const sid = isObject(statement) ? statement['Sid'] : undefined;
    if (typeof sid === 'string' && sid !== '') {
      if (sids.has(sid)) return 'Statement IDs (SID) in a single policy must be unique.';
      sids.add(sid);
    }
  }
  return undefined;
}
