/**
 * "What change would allow it": from a re-evaluated decision and its trace, the statement to add or to change,
 * in which policy, and the AWS CLI command that does it. Pure: works on the decision, the trace and the policy ids
 * authorization gives policies (`<holder ARN>#<inline name>`, `<managed ARN>#<version>`, `<role ARN>#trust`,
 * `arn:aws:s3:::<bucket>#policy#<n>`).
 */
import {
  POLICY_KIND_WORDS,
  type Decision,
  type PolicyKind,
  type PolicyTrace,
  type StatementTrace,
} from '../policy/index.ts';
import type { ExplainFix, NearMiss } from './explain-types.ts';
import type { EventPrincipal } from './event-principal.ts';

/** What a policy id names, for the command that changes it. */
export type PolicyRef =
  | {
      readonly type: 'inline';
      readonly holder: 'role' | 'user' | 'group';
      readonly name: string;
      readonly policyName: string;
    }
  | { readonly type: 'managed'; readonly arn: string }
  | { readonly type: 'trust'; readonly roleName: string }
  | { readonly type: 'bucket'; readonly bucket: string }
  | { readonly type: 'other'; readonly id: string };

export function policyRef(id: string): PolicyRef {
  const hash = id.indexOf('#');
  const base = hash < 0 ? id : id.slice(0, hash);
  const rest = hash < 0 ? '' : id.slice(hash + 1);
  const iam = /^arn:aws[a-z-]*:iam::[^:]*:(role|user|group|policy)\/(?:.*\/)?([^/]+)$/.exec(base);
  if (iam) {
    const [, type = '', name = ''] = iam;
    if (type === 'policy') return { type: 'managed', arn: base };
    if (type === 'role' && rest === 'trust') return { type: 'trust', roleName: name };
    if (rest !== '') return { type: 'inline', holder: type as 'role' | 'user' | 'group', name, policyName: rest };
  }
  const bucket = /^arn:aws[a-z-]*:s3:::([^/]+)$/.exec(base);
  if (bucket && rest.startsWith('policy')) return { type: 'bucket', bucket: bucket[1] ?? '' };
  return { type: 'other', id };
}

/** A shell word: single-quoted unless it needs no quoting. */
const shellWord = (text: string): string => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

const policyJson = (statements: readonly Readonly<Record<string, unknown>>[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** An inline policy name for one permission: `allow-s3-GetObject` (IAM's pattern [\w+=,.@-]+). */
const inlineName = (action: string): string => `allow-${action.replace(':', '-').replace(/[^\w+=,.@-]/g, '')}`;

function nameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The command that writes `statement` as a new inline policy of the caller's entity. */
function putInlineCommand(
  principal: EventPrincipal,
  action: string,
  statement: Record<string, unknown>,
): string | undefined {
  const entity = principal.entityArn;
  if (entity === undefined) return undefined;
  const doc = shellWord(policyJson([statement]));
  if (principal.entityType === 'role') {
    return `aws iam put-role-policy --role-name ${shellWord(nameOf(entity))} --policy-name ${inlineName(action)} --policy-document ${doc}`;
  }
  if (principal.entityType === 'user') {
    return `aws iam put-user-policy --user-name ${shellWord(nameOf(entity))} --policy-name ${inlineName(action)} --policy-document ${doc}`;
  }
  return undefined;
}

/** How to edit an existing policy: its read and write commands. */
function editCommand(ref: PolicyRef, file: string): string | undefined {
  switch (ref.type) {
    case 'inline':
      return `aws iam get-${ref.holder}-policy --${ref.holder}-name ${shellWord(ref.name)} --policy-name ${shellWord(ref.policyName)}, then aws iam put-${ref.holder}-policy --${ref.holder}-name ${shellWord(ref.name)} --policy-name ${shellWord(ref.policyName)} --policy-document file://${file}`;
    case 'managed':
      return `aws iam create-policy-version --policy-arn ${ref.arn} --set-as-default --policy-document file://${file}`;
    case 'trust':
      return `aws iam update-assume-role-policy --role-name ${shellWord(ref.roleName)} --policy-document file://${file}`;
    case 'bucket':
      return `aws s3api put-bucket-policy --bucket ${shellWord(ref.bucket)} --policy file://${file}`;
    case 'other':
      return undefined;
  }
}

const where = (s: { readonly index: number; readonly sid?: string }): string =>
  `statement ${s.index + 1}${s.sid !== undefined ? ` (Sid "${s.sid}")` : ''}`;

/** Why a statement whose action matched did not apply, in words. */
export function missReasons(s: StatementTrace, resource: string, principalArn: string): string[] {
  const reasons: string[] = [];
  if (s.error !== undefined) reasons.push(`it cannot be evaluated: ${s.error}`);
  if (s.resource && !s.resource.matched) {
    reasons.push(
      s.resource.negated
        ? `its NotResource lists ${s.resource.hits.join(', ')}`
        : `Resource ${s.resource.values.join(', ')} does not match ${resource}`,
    );
  }
  if (s.principal && !s.principal.matched) {
    reasons.push(
      s.principal.negated
        ? `its NotPrincipal lists ${principalArn}`
        : `Principal ${s.principal.values.join(', ') || '(none)'} does not name ${principalArn}`,
    );
  }
  for (const c of s.conditions) {
    if (c.result) continue;
    reasons.push(
      c.requestValues === undefined
        ? `condition ${c.operator} ${c.key} ${JSON.stringify(c.policyValues)}: the request did not carry ${c.key}`
        : `condition ${c.operator} ${c.key} ${JSON.stringify(c.policyValues)}: the request had ${JSON.stringify(c.requestValues)}`,
    );
  }
  return reasons;
}

/** Allow statements of the given kinds whose action matched but that did not apply: the nearest misses. */
export function nearMisses(
  traces: readonly PolicyTrace[],
  kinds: readonly PolicyKind[],
  resource: string,
  principalArn: string,
): NearMiss[] {
  const out: NearMiss[] = [];
  for (const t of traces) {
    if (!kinds.includes(t.kind)) continue;
    for (const s of t.statements) {
      if (s.effect !== 'Allow' || !s.action.matched || (s.applies && s.error === undefined)) continue;
      out.push({
        kind: t.kind,
        policyId: t.policyId,
        index: s.index,
        ...(s.sid !== undefined && { sid: s.sid }),
        reasons: missReasons(s, resource, principalArn),
      });
    }
  }
  return out;
}

export interface FixInput {
  readonly action: string;
  readonly resource: string;
  readonly principal: EventPrincipal;
  readonly decision: Decision;
  readonly traces: readonly PolicyTrace[];
  /** The request was AssumeRole, decided against the role's trust policy. */
  readonly trust: boolean;
}

/** The changes that would allow the request; empty when it is allowed now. */
export function fixesFor(input: FixInput): ExplainFix[] {
  const { action, resource, principal, decision, traces } = input;
  const allowStatement: Record<string, unknown> = { Effect: 'Allow', Action: action, Resource: resource };
  const principalArn = principal.engine.arn;
  const fixes: ExplainFix[] = [];
  if (decision.decision === 'Allowed') return fixes;

  if (decision.decision === 'ExplicitlyDenied') {
    for (const s of decision.statements) {
      const ref = policyRef(s.policyId);
      const command = editCommand(ref, 'policy.json');
      fixes.push({
        kind: s.kind,
        policy: s.policyId,
        summary:
          `${where(s)} of the ${POLICY_KIND_WORDS[s.kind]} ${s.policyId} denies ${action} on ${resource}: an explicit deny ` +
          `overrides every allow, so change that statement — take ${action} out of its Action, narrow its Resource, ` +
          `or add a condition this request does not meet — or remove it.`,
        ...(command !== undefined && { command }),
      });
    }
    return fixes;
  }

  const blocked = decision.blockedBy ?? 'identity';
  const policiesOf = (kind: PolicyKind) => traces.filter((t) => t.kind === kind).map((t) => t.policyId);
  switch (blocked) {
    case 'identity': {
      const command = putInlineCommand(principal, action, allowStatement);
      fixes.push({
        kind: 'identity',
        summary:
          principal.entityArn !== undefined
            ? `no identity-based policy of ${principal.entityArn} allows ${action} on ${resource}: add this statement to one of its policies (or as a new inline policy).`
            : `no identity-based policy allows ${action} on ${resource}: add this statement to the caller's policies.`,
        statement: allowStatement,
        ...(principal.entityArn !== undefined && { policy: principal.entityArn }),
        ...(command !== undefined && { command }),
      });
      break;
    }
    case 'boundary':
      for (const id of policiesOf('boundary')) {
        const ref = policyRef(id);
        const command = editCommand(ref, 'boundary.json');
        fixes.push({
          kind: 'boundary',
          policy: ref.type === 'managed' ? ref.arn : id,
          summary: `the identity policies allow ${action}, but the permissions boundary ${ref.type === 'managed' ? ref.arn : id} does not: add this statement to the boundary (a new default version), or remove the boundary from ${principal.entityArn ?? 'the caller'}.`,
          statement: allowStatement,
          ...(command !== undefined && { command }),
        });
      }
      break;
    case 'session':
      fixes.push({
        kind: 'session',
        summary: `the role's policies allow ${action}, but the session policy given when the session was created (AssumeRole's Policy or PolicyArns) does not: start a new session whose session policy allows it, or none.`,
        statement: allowStatement,
      });
      break;
    case 'resource': {
      const [id] = policiesOf('resource');
      const ref = id === undefined ? undefined : policyRef(id);
      const who =
        principal.engine.type === 'service'
          ? { Service: principal.engine.service ?? principalArn }
          : { AWS: principal.entityArn ?? principalArn };
      const statement: Record<string, unknown> = input.trust
        ? { Effect: 'Allow', Principal: who, Action: action }
        : { Effect: 'Allow', Principal: who, Action: action, Resource: resource };
      const command = ref ? editCommand(ref, input.trust ? 'trust.json' : 'policy.json') : undefined;
      fixes.push({
        kind: 'resource',
        ...(id !== undefined && { policy: id }),
        summary: input.trust
          ? `the trust policy of the role does not allow ${principalArn} to ${action}: add this statement to it.`
          : id === undefined
            ? `${resource} has no resource-based policy, and this request needs one (a cross-account or service caller): add one with this statement.`
            : `the resource-based policy ${id} does not allow ${principalArn} to ${action} on ${resource}: add this statement to it.`,
        statement,
        ...(command !== undefined && { command }),
      });
      break;
    }
    case 'scp':
    case 'rcp':
      fixes.push({
        kind: blocked,
        summary: `a ${POLICY_KIND_WORDS[blocked]} level allows nothing that covers ${action} (${policiesOf(blocked).join(', ')}): the organization's administrator must allow it at every level.`,
        statement: allowStatement,
      });
      break;
  }
  if (decision.missingContextKeys.length > 0) {
    fixes.push({
      kind: blocked,
      summary: `conditions asked for context keys the request did not carry: ${decision.missingContextKeys.join(', ')}; a statement that depends on them cannot allow this request.`,
    });
  }
  return fixes;
}
