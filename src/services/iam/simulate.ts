/**
 * The IAM policy simulator APIs on rolecall's engine: SimulatePrincipalPolicy (a user's, group's or role's own
 * policies plus any given), SimulateCustomPolicy (only the given policies), and GetContextKeysFor*Policy.
 * Beyond AWS's simulator: with no ResourcePolicy, sts:AssumeRole* on a role of the account is checked against
 * that role's trust policy, which must allow explicitly as it does for real AssumeRole calls.
 */
import type { ContextEntry, EvaluationResult, IamOperations, Statement } from '../../protocol/generated/iam.ts';
import { InvalidInputException } from '../../protocol/generated/iam.ts';
import type { Handlers } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import type { AwsManagedPolicies } from '../../state/aws-managed-policies.ts';
import { findManagedPolicy } from '../../state/policies.ts';
import { nameKey } from '../../model/iam.ts';
import { parseArn } from '../../model/arn.ts';
import { compilePolicy, evaluate, type CompiledPolicy } from '../../policy/index.ts';
import type { ContextValue, Decision, RequestPrincipal } from '../../policy/types.ts';
import { statementSpans } from '../../policy/positions.ts';
import { validatePolicy } from '../../policy/validate.ts';
import { groupNotFound, invalidArn, roleNotFound, userNotFound } from './errors.ts';
import { paginate } from './pagination.ts';

type SimulateOps = Pick<
  IamOperations,
  | 'SimulatePrincipalPolicy'
  | 'SimulateCustomPolicy'
  | 'GetContextKeysForPrincipalPolicy'
  | 'GetContextKeysForCustomPolicy'
>;

type SourceType = 'user' | 'group' | 'role' | 'aws-managed' | 'user-managed' | 'resource' | 'none';

/** A policy taking part in a simulation: its text, how AWS names and types it, and its compiled form. */
interface SimPolicy {
  readonly id: string;
  readonly type: SourceType;
  readonly text: string;
  readonly compiled: CompiledPolicy;
}

const simPolicy = (id: string, type: SourceType, text: string): SimPolicy => ({
  id,
  type,
  text,
  compiled: compilePolicy({ id, document: text }),
});

/** Given policies must be valid identity policies, as AWS checks them. */
function inputPolicies(list: readonly string[] | undefined, name: string): SimPolicy[] {
  return (list ?? []).map((text, i) => {
    const problem = validatePolicy(text, 'identity');
    if (problem !== undefined) throw new InvalidInputException(`${name}.${i + 1}: ${problem}`);
    return simPolicy(`${name}.${i + 1}`, 'none', text);
  });
}

/** Context entries as the engine reads them: list types keep every value, others the first. */
function contextOf(entries: readonly ContextEntry[] | undefined): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const entry of entries ?? []) {
    if (entry.ContextKeyName === undefined) continue;
    const values = entry.ContextKeyValues ?? [];
    out[entry.ContextKeyName] = entry.ContextKeyType?.endsWith('List') ? values : (values[0] ?? '');
  }
  return out;
}

function statementsView(decision: Decision, byId: ReadonlyMap<string, SimPolicy>): Statement[] {
  return decision.statements.flatMap((s) => {
    const policy = byId.get(s.policyId);
    if (!policy) return [];
    const span = statementSpans(policy.text)[s.index];
    return [
      {
        SourcePolicyId: policy.id,
        SourcePolicyType: SOURCE_TYPE_NAMES[policy.type] as Statement['SourcePolicyType'],
        ...(span && {
          StartPosition: { Line: span.start.line, Column: span.start.column },
          EndPosition: { Line: span.end.line, Column: span.end.column },
        }),
      },
    ];
  });
}

const DECISIONS = { Allowed: 'allowed', ExplicitlyDenied: 'explicitDeny', ImplicitlyDenied: 'implicitDeny' } as const;
/** Stands in for the caller's side when only the resource policy's own decision is wanted. */
const ALLOW_ALL = compilePolicy({
  id: 'rolecall: everything',
  document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
});

const RESTRICTIVENESS = { Allowed: 0, ImplicitlyDenied: 1, ExplicitlyDenied: 2 } as const;

/**
 * AWS's own sample responses and recordings name the source types `IAM Policy` and `Resource Policy`, not the
 * model's enum (docs/research/evaluation-logic.md §10).
 */
const SOURCE_TYPE_NAMES: Readonly<Record<SourceType, string>> = {
  user: 'IAM Policy',
  group: 'IAM Policy',
  role: 'IAM Policy',
  'aws-managed': 'IAM Policy',
  'user-managed': 'IAM Policy',
  none: 'IAM Policy',
  resource: 'Resource Policy',
};

export function simulateHandlers(state: IamState, catalogue: AwsManagedPolicies): Handlers<SimulateOps> {
  const managed = (account: string, arns: readonly string[]): SimPolicy[] =>
    arns.flatMap((arn) => {
      const policy = findManagedPolicy(state, catalogue, account, arn);
      const version = policy?.versions.find((v) => v.versionId === policy.defaultVersionId);
      if (!policy || !version) return [];
      return [
        simPolicy(policy.name, parseArn(arn)?.account === 'aws' ? 'aws-managed' : 'user-managed', version.document),
      ];
    });

  /** The identity policies, boundary and principal of a user, group or role ARN. */
  const source = (arn: string) => {
    const parsed = parseArn(arn);
    if (!parsed) throw invalidArn(arn);
    if (parsed.service !== 'iam') {
      // Sessions and other principals are not entities the simulator can read policies from (AWS's wording).
      throw new InvalidInputException(`Invalid Entity Arn: ${arn} does not clearly define entity type and name.`);
    }
    const [type = '', ...rest] = parsed.resource.split('/');
    const name = rest[rest.length - 1] ?? '';
    const account = parsed.account;
    if (type === 'user') {
      const user = state.get('iam.user', account, nameKey(name));
      if (!user || user.arn !== arn) throw userNotFound(name);
      const groups = user.groupKeys.flatMap((k) => state.get('iam.group', account, k) ?? []);
      return {
        principal: { type: 'user', arn: user.arn, account } as RequestPrincipal,
        identity: [
          ...user.inlinePolicies.map((p) => simPolicy(p.name, 'user', p.document)),
          ...managed(account, user.attachedPolicyArns),
          ...groups.flatMap((g) => [
            ...g.inlinePolicies.map((p) => simPolicy(p.name, 'group', p.document)),
            ...managed(account, g.attachedPolicyArns),
          ]),
        ],
        boundary: user.permissionsBoundaryArn === undefined ? [] : managed(account, [user.permissionsBoundaryArn]),
      };
    }
    if (type === 'role') {
      const role = state.get('iam.role', account, nameKey(name));
      if (!role || role.arn !== arn) throw roleNotFound(name);
      return {
        principal: { type: 'role', arn: role.arn, account } as RequestPrincipal,
        identity: [
          ...role.inlinePolicies.map((p) => simPolicy(p.name, 'role', p.document)),
          ...managed(account, role.attachedPolicyArns),
        ],
        boundary: role.permissionsBoundaryArn === undefined ? [] : managed(account, [role.permissionsBoundaryArn]),
      };
    }
    if (type === 'group') {
      const group = state.get('iam.group', account, nameKey(name));
      if (!group || group.arn !== arn) throw groupNotFound(name);
      return {
        principal: { type: 'user', arn: group.arn, account } as RequestPrincipal,
        identity: [
          ...group.inlinePolicies.map((p) => simPolicy(p.name, 'group', p.document)),
          ...managed(account, group.attachedPolicyArns),
        ],
        boundary: [],
      };
    }
    throw new InvalidInputException(`PolicySourceArn ${arn} must name a user, group or role.`);
  };

  const run = (
    input: Omit<IamOperations['SimulateCustomPolicy']['input'], 'PolicyInputList'>,
    principal: RequestPrincipal,
    identity: readonly SimPolicy[],
    entityBoundary: readonly SimPolicy[],
  ) => {
    const givenBoundary = inputPolicies(input.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList');
    const boundary = givenBoundary.length > 0 ? givenBoundary : entityBoundary;
    let resourcePolicy: SimPolicy | undefined;
    if (input.ResourcePolicy !== undefined) {
      const problem = validatePolicy(input.ResourcePolicy, 'resource');
      if (problem !== undefined) throw new InvalidInputException(`ResourcePolicy: ${problem}`);
      resourcePolicy = simPolicy('ResourcePolicy', 'resource', input.ResourcePolicy);
    }
    const owner =
      input.ResourceOwner === undefined ? undefined : (/\d{12}/.exec(input.ResourceOwner)?.[0] ?? undefined);
    const context = contextOf(input.ContextEntries);
    const byId = new Map([...identity, ...boundary, ...(resourcePolicy ? [resourcePolicy] : [])].map((p) => [p.id, p]));
    const resources = input.ResourceArns && input.ResourceArns.length > 0 ? input.ResourceArns : ['*'];
    const results: EvaluationResult[] = [];
    const listed = input.ResourceArns !== undefined && input.ResourceArns.length > 0;
    for (const action of input.ActionNames) {
      const perResource = resources.map((resource) => {
        let resourceSide = resourcePolicy;
        let trust = false;
        const target = parseArn(resource);
        if (
          !resourceSide &&
          /^sts:assumerole/i.test(action) &&
          target?.service === 'iam' &&
          target.resource.startsWith('role/')
        ) {
          const role = state.get('iam.role', target.account, nameKey(target.resource.split('/').pop() ?? ''));
          if (role && role.arn === resource) {
            resourceSide = simPolicy(`${role.name} trust policy`, 'resource', role.trustPolicy);
            byId.set(resourceSide.id, resourceSide);
            trust = true;
          }
        }
        const decision = evaluate(
          { principal, action, resource, ...(owner !== undefined && { resourceAccount: owner }), context },
          {
            identity: identity.map((p) => p.compiled),
            boundaries: boundary.map((p) => p.compiled),
            ...(resourceSide && { resource: resourceSide.compiled }),
            resourceIsTrustPolicy: trust,
          },
        );
        // Whether the boundary itself allows the action, whatever the identity policies say (IAM API reference,
        // PermissionsBoundaryDecisionDetail): the boundary evaluated as if it were the only policy.
        const boundaryDetail =
          boundary.length > 0
            ? {
                AllowedByPermissionsBoundary:
                  evaluate(
                    { principal, action, resource, ...(owner !== undefined && { resourceAccount: owner }), context },
                    { identity: boundary.map((p) => p.compiled) },
                  ).decision === 'Allowed',
              }
            : undefined;
        // Cross-account only: how each side decided on its own (IAM API reference, EvalDecisionDetails; keys as
        // AWS's samples show them). Same-account results carry an empty map.
        const targetAccount = owner ?? parseArn(resource)?.account ?? principal.account;
        const details: Record<string, (typeof DECISIONS)[keyof typeof DECISIONS]> = {};
        if (targetAccount !== '' && targetAccount !== principal.account) {
          const own = { principal, action, resource, resourceAccount: principal.account, context };
          details['IAM Policy'] =
            DECISIONS[
              evaluate(own, {
                identity: identity.map((p) => p.compiled),
                boundaries: boundary.map((p) => p.compiled),
              }).decision
            ];
          if (resourceSide) {
            const theirs = evaluate(
              { principal, action, resource, resourceAccount: targetAccount, context },
              { identity: [ALLOW_ALL], resource: resourceSide.compiled, resourceIsTrustPolicy: trust },
            );
            details['Resource Policy'] = DECISIONS[theirs.decision];
          }
        }
        return { resource, decision, statements: statementsView(decision, byId), boundaryDetail, details };
      });
      // One result per action, with the most restrictive decision across the resources (IAM API reference,
      // 2026: docs/research/evaluation-logic.md §10); each resource's own result under ResourceSpecificResults.
      const worst = perResource.reduce((a, b) =>
        RESTRICTIVENESS[b.decision.decision] > RESTRICTIVENESS[a.decision.decision] ? b : a,
      );
      results.push({
        EvalActionName: action,
        EvalResourceName: listed ? worst.resource : '*',
        EvalDecision: DECISIONS[worst.decision.decision],
        MatchedStatements: worst.statements,
        // Missing context values are reported at the top only for "*"; with listed resources, per resource.
        MissingContextValues: listed ? [] : [...worst.decision.missingContextKeys],
        ...(worst.boundaryDetail && { PermissionsBoundaryDecisionDetail: worst.boundaryDetail }),
        ...(listed && {
          EvalDecisionDetails: worst.details,
          ResourceSpecificResults: perResource.map((r) => ({
            EvalResourceName: r.resource,
            EvalResourceDecision: DECISIONS[r.decision.decision],
            EvalDecisionDetails: r.details,
            MatchedStatements: r.statements,
            MissingContextValues: [...r.decision.missingContextKeys],
            ...(r.boundaryDetail && { PermissionsBoundaryDecisionDetail: r.boundaryDetail }),
          })),
        }),
      });
    }
    const page = paginate(
      results.map((r, i) => ({ r, key: String(i).padStart(8, '0') })),
      (e) => e.key,
      input.Marker,
      input.MaxItems,
    );
    return { EvaluationResults: page.items.map((e) => e.r), IsTruncated: page.isTruncated, Marker: page.marker };
  };

  /** Condition keys the policies test and the variables they use, each once, in order of appearance. */
  const contextKeys = (texts: readonly string[]): string[] => {
    const seen = new Map<string, string>();
    for (const text of texts) {
      const compiled = compilePolicy({ id: 'keys', document: text });
      for (const s of compiled.statements)
        for (const c of s.conditions) if (!seen.has(c.lowerKey)) seen.set(c.lowerKey, c.key);
      for (const m of text.matchAll(/\$\{([^}*?$,]+)(,[^}]*)?\}/g)) {
        const key = (m[1] ?? '').trim();
        if (!seen.has(key.toLowerCase())) seen.set(key.toLowerCase(), key);
      }
    }
    return [...seen.values()];
  };

  return {
    SimulatePrincipalPolicy: (input) => {
      const src = source(input.PolicySourceArn);
      const extra = inputPolicies(input.PolicyInputList, 'PolicyInputList');
      // CallerArn simulates another principal "as if it had the source's policies" (IAM API reference).
      const caller =
        input.CallerArn === undefined
          ? src.principal
          : ({
              type: 'user',
              arn: input.CallerArn,
              account: parseArn(input.CallerArn)?.account ?? src.principal.account,
            } as RequestPrincipal);
      return run(input, caller, [...src.identity, ...extra], src.boundary);
    },

    SimulateCustomPolicy: (input, ctx) => {
      const identity = inputPolicies(input.PolicyInputList, 'PolicyInputList');
      const caller =
        input.CallerArn === undefined
          ? ({
              type: 'user',
              arn: `arn:aws:iam::${ctx.account}:user/rolecall-simulated-caller`,
              account: ctx.account,
            } as RequestPrincipal)
          : ({
              type: 'user',
              arn: input.CallerArn,
              account: parseArn(input.CallerArn)?.account ?? ctx.account,
            } as RequestPrincipal);
      return run(input, caller, identity, []);
    },

    GetContextKeysForPrincipalPolicy: (input) => {
      const src = source(input.PolicySourceArn);
      const extra = inputPolicies(input.PolicyInputList, 'PolicyInputList');
      return { ContextKeyNames: contextKeys([...src.identity, ...extra].map((p) => p.text)) };
    },

    GetContextKeysForCustomPolicy: (input) => {
      const policies = inputPolicies(input.PolicyInputList, 'PolicyInputList');
      return { ContextKeyNames: contextKeys(policies.map((p) => p.text)) };
    },
  };
}
