/** Decisions in plain words, for people reading `rolecall simulate --explain` and denial reports. */
import type { Decision, EvaluationRequest, MatchedStatement, PolicyKind } from './types.ts';

/** Each kind of policy as AWS's messages name it ("because no identity-based policy allows …"). */
export const POLICY_KIND_WORDS: Readonly<Record<PolicyKind, string>> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  boundary: 'permissions boundary',
  session: 'session policy',
  scp: 'service control policy',
  rcp: 'resource control policy',
};

const describe = (s: MatchedStatement): string =>
  `statement ${s.index + 1}${s.sid ? ` (Sid "${s.sid}")` : ''} of the ${POLICY_KIND_WORDS[s.kind]} ${s.policyId}`;

export function explain(request: EvaluationRequest, decision: Omit<Decision, 'explanation'>): string {
  const who = request.principal.arn;
  const what = `${request.action} on ${request.resource}`;
  const lines: string[] = [];
  switch (decision.decision) {
    case 'Allowed':
      lines.push(
        decision.statements.length === 0
          ? `${who} may perform ${what}: ${request.action.toLowerCase() === 'sts:getcalleridentity' ? 'sts:GetCallerIdentity is always allowed' : 'the account root may do anything in its own account'}.`
          : `${who} may perform ${what}, allowed by ${decision.statements.map(describe).join('; ')}.`,
      );
      break;
    case 'ExplicitlyDenied':
      lines.push(
        `${who} may not perform ${what}: explicitly denied by ${decision.statements.map(describe).join('; ')}.`,
      );
      break;
    case 'ImplicitlyDenied':
      lines.push(
        `${who} may not perform ${what}: no ${POLICY_KIND_WORDS[decision.blockedBy ?? 'identity']} allows it${
          decision.blockedBy === 'boundary' || decision.blockedBy === 'session'
            ? ' (identity policies allow it, but every allow must also be within it)'
            : ''
        }.`,
      );
      break;
  }
  if (decision.missingContextKeys.length > 0) {
    lines.push(`The request lacked context keys that conditions asked for: ${decision.missingContextKeys.join(', ')}.`);
  }
  for (const u of decision.unevaluable) {
    lines.push(
      `Could not evaluate ${u.index === undefined ? 'the' : `statement ${u.index + 1} of the`} ${POLICY_KIND_WORDS[u.kind]} ${u.policyId}: ${u.reason}; it was not allowed to grant anything.`,
    );
  }
  return lines.join('\n');
}
