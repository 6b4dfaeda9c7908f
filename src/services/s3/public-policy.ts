/**
 * Is a bucket policy "public"? Block Public Access needs the answer: BlockPublicPolicy refuses PutBucketPolicy of
 * a public policy, and RestrictPublicBuckets limits a bucket with a public policy to AWS service principals and
 * the owner's account.
 *
 * AWS's rule (S3 User Guide, "Blocking public access to your Amazon S3 storage", The meaning of "public"): S3
 * starts by assuming a policy is public, and a policy is non-public only when every Allow grants access to fixed
 * values (no wildcard, no policy variable) of a principal, or of one of these condition keys: aws:SourceIp (CIDRs
 * no broader than /8 for IPv4 and /32 for IPv6), aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
 * aws:SourceAccount, s3:x-amz-server-side-encryption-aws-kms-key-id, aws:userid outside the pattern "AROLEID:*",
 * s3:DataAccessPointArn (the access point name may be a wildcard when the account is fixed), and
 * s3:DataAccessPointAccount. Principal keys count as fixing a principal ("e.g. aws:PrincipalOrgID"), so
 * aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths and aws:PrincipalServiceName
 * do too. A Federated principal is public: AWS's first example of a public policy is
 * `"Principal": { "Federated": "graph.facebook.com" }`.
 *
 * Only the statement structure is read; the document is assumed to have passed validation already.
 */
import { parseCidr } from '../../policy/ip.ts';

/** Condition keys that, fixed, restrict a statement to known callers (lower case). */
const FIXING_KEYS = new Set([
  'aws:sourceip',
  'aws:sourcearn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceowner',
  'aws:sourceaccount',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
  'aws:userid',
  's3:dataaccesspointarn',
  's3:dataaccesspointaccount',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalservicename',
]);

/**
 * Operators that require the key to be present and equal to (or match) one of the values. Negated operators,
 * `…IfExists` (true when the key is absent, as it is for anonymous callers), `Null` and `ForAllValues:` (true for
 * an empty set) do not restrict who can call.
 */
const RESTRICTING_OPERATORS = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'arnequals',
  'arnlike',
  'ipaddress',
]);

const hasWildcard = (value: string): boolean => /[*?]/.test(value) || value.includes('${');

/** "values broader than /8 for IPv4 and /32 for IPv6 (excluding RFC1918 private ranges)" are public. */
function isNarrowCidr(value: string): boolean {
  const block = parseCidr(value.trim());
  if (!block) return false;
  return block.bytes.length === 4 ? block.prefix >= 8 : block.prefix >= 32;
}

/** `AROAEXAMPLEID:*` names every session of one role: a fixed value despite its wildcard. */
const isRoleSessions = (value: string): boolean => /^[A-Z0-9]+:\*$/.test(value);

/** An access point ARN whose account field is a fixed 12-digit id (the name may be a wildcard). */
function isFixedAccountAccessPoint(value: string): boolean {
  const parts = value.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[2] === 's3' && /^\d{12}$/.test(parts[4] ?? '');
}

function isFixedValue(key: string, operator: string, value: string): boolean {
  if (key === 'aws:sourceip') return operator === 'ipaddress' && isNarrowCidr(value);
  if (operator === 'ipaddress') return false;
  if (key === 'aws:userid' && isRoleSessions(value)) return true;
  if (key === 's3:dataaccesspointarn' && isFixedAccountAccessPoint(value)) return true;
  return value !== '' && !hasWildcard(value);
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** True when one condition fixes one of the restricting keys with fixed values only. */
function conditionRestricts(condition: unknown): boolean {
  if (condition === null || typeof condition !== 'object') return false;
  for (const [rawOperator, block] of Object.entries(condition)) {
    let operator = rawOperator.toLowerCase();
    if (operator.startsWith('forallvalues:')) continue;
    if (operator.startsWith('foranyvalue:')) operator = operator.slice('foranyvalue:'.length);
    if (!RESTRICTING_OPERATORS.has(operator) || block === null || typeof block !== 'object') continue;
    for (const [rawKey, rawValues] of Object.entries(block)) {
      const key = rawKey.toLowerCase();
      if (!FIXING_KEYS.has(key)) continue;
      const values = asList(rawValues);
      if (values.length > 0 && values.every((v) => typeof v === 'string' && isFixedValue(key, operator, v))) {
        return true;
      }
    }
  }
  return false;
}

/** A principal that lets in callers not named by fixed values: `*`, `{"AWS": "*"}`, a wildcard, Federated. */
function principalIsOpen(principal: unknown): boolean {
  if (typeof principal === 'string') return hasWildcard(principal);
  if (principal === null || typeof principal !== 'object') return false;
  for (const [type, value] of Object.entries(principal)) {
    if (type === 'Federated') return true;
    if (asList(value).some((v) => typeof v !== 'string' || hasWildcard(v))) return true;
  }
  return false;
}

/** Whether one statement grants public access. */
export function isPublicStatement(statement: unknown): boolean {
  if (statement === null || typeof statement !== 'object') return false;
  const s = statement as Record<string, unknown>;
  if (s['Effect'] !== 'Allow') return false;
  // Allow with NotPrincipal grants everyone except the named principals.
  const open = 'NotPrincipal' in s || principalIsOpen(s['Principal']);
  return open && !conditionRestricts(s['Condition']);
}

/**
 * Whether a bucket policy (JSON text or the parsed document) is public: one public statement makes the whole
 * policy public. Text that is not JSON is not a policy and is not public; validation refuses it first.
 */
export function isPublicPolicy(policy: string | object): boolean {
  let doc: unknown = policy;
  if (typeof policy === 'string') {
    try {
      doc = JSON.parse(policy);
    } catch {
      return false;
    }
  }
  if (doc === null || typeof doc !== 'object') return false;
  const statements = (doc as Record<string, unknown>)['Statement'];
  return asList(statements).some(isPublicStatement);
}
