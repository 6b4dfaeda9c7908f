/**
 * Whom trust and resource policies let in: Allow with NotPrincipal, "*" without a condition that narrows the
 * caller down, and other accounts trusted to assume a role without sts:ExternalId or an organization or source
 * account condition (IAM User Guide, "Access to AWS accounts owned by third parties" and "The confused deputy
 * problem"; "IAM JSON policy elements: Principal").
 */
import { member, type JsonNode } from '../json.ts';
import { conditionKeys, location, type PolicyStatement } from '../document.ts';
import type { LintContext } from '../context.ts';
import type { PathElement } from '../types.ts';
import { wildcardMatch } from '../../policy/wildcard.ts';

/** Condition keys that tie an open Principal to known callers: their account, organization, ARN or network. */
const NARROWING_KEYS = [
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:userid',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceowner',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceip',
  'aws:vpcsourceip',
];

/** The conditions the confused-deputy guidance asks of a cross-account trust. */
const CROSS_ACCOUNT_KEYS = ['sts:externalid', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:sourceaccount'];

const ASSUME_ACTIONS = ['sts:assumerole', 'sts:assumerolewithsaml', 'sts:assumerolewithwebidentity'];

function awsPrincipals(node: JsonNode | undefined): { value: string; node: JsonNode; index?: number }[] {
  if (!node) return [];
  if (node.kind === 'string') return node.value === '*' ? [{ value: '*', node }] : [];
  if (node.kind !== 'object') return [];
  const aws = member(node, 'AWS')?.value;
  if (!aws) return [];
  if (aws.kind === 'string') return [{ value: aws.value, node: aws }];
  if (aws.kind !== 'array') return [];
  return aws.items.flatMap((item, index) => (item.kind === 'string' ? [{ value: item.value, node: item, index }] : []));
}

/** The account an AWS principal names: `123456789012`, or the account field of an IAM or STS ARN. */
function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  const m = /^arn:[^:]*:(iam|sts)::(\d{12}):/.exec(principal);
  return m?.[2];
}

const allowsAssume = (s: PolicyStatement): boolean => {
  if (s.notAction) return true;
  return (s.action?.items ?? []).some((a) => {
    const text = a.value.toLowerCase();
    return ASSUME_ACTIONS.some((action) => wildcardMatch(text, action));
  });
};

/** The principals of one kind (`Federated`, `Service`, `AWS`) a Principal element names, with their paths. */
function principalsOfKind(s: PolicyStatement, kind: string): { value: string; node: JsonNode; path: PathElement[] }[] {
  const node = s.principal;
  if (node?.kind !== 'object') return [];
  const entry = member(node, kind)?.value;
  const base = [...s.path, { value: 'Principal' }, { value: kind }];
  if (entry?.kind === 'string') return [{ value: entry.value, node: entry, path: base }];
  if (entry?.kind !== 'array') return [];
  return entry.items.flatMap((item, i) =>
    item.kind === 'string' ? [{ value: item.value, node: item, path: [...base, { index: i }] }] : [],
  );
}

/**
 * Role-assumption actions against the principals that can use them: AssumeRole for AWS and service principals,
 * AssumeRoleWithWebIdentity and AssumeRoleWithSAML for federated ones (AWS STS API Reference; Access Analyzer's
 * MISMATCHED_ACTION_FOR_PRINCIPAL, whose wording for AssumeRole the CLI's validate-policy example shows).
 */
function mismatchedActions(ctx: LintContext, s: PolicyStatement): void {
  const federated = principalsOfKind(s, 'Federated');
  const others = [...principalsOfKind(s, 'AWS'), ...principalsOfKind(s, 'Service')];
  for (const item of s.action?.items ?? []) {
    const action = item.value.toLowerCase();
    if (action === 'sts:assumerole' && federated.length > 0 && others.length === 0) {
      ctx.report(
        'MISMATCHED_ACTION_FOR_PRINCIPAL',
        `The ${item.value} action is invalid with the following principal(s): ${federated.map((p) => p.value).join(', ')}. Use a SAML provider principal with the sts:AssumeRoleWithSAML action or use an OIDC provider principal with the sts:AssumeRoleWithWebIdentity action. Ensure the provider is Federated if you use either of the two options.`,
        [location(item.path, item.node), ...federated.map((p) => location(p.path, p.node))],
        s,
      );
    }
    if (
      (action === 'sts:assumerolewithwebidentity' || action === 'sts:assumerolewithsaml') &&
      federated.length === 0 &&
      others.length > 0
    ) {
      ctx.report(
        'MISMATCHED_ACTION_FOR_PRINCIPAL',
        `The ${item.value} action is invalid with the following principal(s): ${others.map((p) => p.value).join(', ')}. Only Federated (OIDC or SAML provider) principals use it; use sts:AssumeRole for AWS and service principals.`,
        [location(item.path, item.node), ...others.map((p) => location(p.path, p.node))],
        s,
      );
    }
  }
}

export function principalChecks(ctx: LintContext): void {
  if (ctx.type === 'trust') for (const s of ctx.doc.statements) if (s.effect === 'Allow') mismatchedActions(ctx, s);
  if (ctx.type !== 'trust' && ctx.type !== 'resource') return;
  for (const s of ctx.doc.statements) {
    if (s.effect !== 'Allow') continue;
    if (s.notPrincipal) {
      ctx.report(
        'ALLOW_WITH_NOT_PRINCIPAL',
        'Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.',
        [location([...s.path, { value: 'NotPrincipal' }], s.notPrincipal)],
        s,
      );
    }
    const keys = conditionKeys(s);
    const principals = awsPrincipals(s.principal);
    const path = (index?: number) =>
      s.principal?.kind === 'string'
        ? [...s.path, { value: 'Principal' }]
        : [...s.path, { value: 'Principal' }, { value: 'AWS' }, ...(index !== undefined ? [{ index }] : [])];
    const open = principals.find((p) => p.value === '*');
    if (open && !NARROWING_KEYS.some((k) => keys.has(k))) {
      ctx.report(
        'OPEN_TO_ALL_PRINCIPALS',
        ctx.type === 'trust'
          ? 'Any principal of any AWS account can assume this role: the Principal is "*" and no condition narrows the caller down (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount).'
          : 'Any principal of any AWS account is allowed: the Principal is "*" and no condition narrows the caller down (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount).',
        [location(path(open.index), open.node)],
        s,
      );
      continue;
    }
    if (ctx.type !== 'trust' || !allowsAssume(s) || CROSS_ACCOUNT_KEYS.some((k) => keys.has(k))) continue;
    for (const p of principals) {
      const account = accountOf(p.value);
      if (account === undefined || account === ctx.account) continue;
      ctx.report(
        'CROSS_ACCOUNT_TRUST_WITHOUT_CONDITION',
        `Account ${account} can assume this role without an sts:ExternalId, aws:PrincipalOrgID or aws:SourceAccount condition; a third party acting for several customers can be tricked into using it for someone else (the confused deputy).`,
        [location(path(p.index), p.node)],
        s,
      );
    }
  }
}
