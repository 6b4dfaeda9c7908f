/**
 * Step 5 of the pipeline: may this principal do this? It builds the engine's request — the action as AWS names
 * it, the resource ARNs from the Service Authorization Reference, the condition keys of the real request — and
 * the policies that apply, and asks the engine. A denial comes back in AWS's words
 * (docs/research/evaluation-logic.md §9): `User: <arn> is not authorized to perform: <action> on resource: <arn>
 * because no identity-based policy allows the <action> action`, or `with an explicit deny in a …`.
 * AssumeRole is decided against the role's trust policy, which must allow explicitly.
 */
import type { IamState } from '../state/iam-state.ts';
import type { AwsManagedPolicies } from '../state/aws-managed-policies.ts';
import { nameKey, type Tag } from '../model/iam.ts';
import { parseArn } from '../model/arn.ts';
import {
  compilePolicy,
  evaluate,
  POLICY_KIND_WORDS,
  type CompiledPolicy,
  type ContextValue,
  type Decision,
  type RequestPrincipal,
} from '../policy/index.ts';
import type { ActionCatalogue } from './actions.ts';
import { buildContext } from './context.ts';
import { principalPolicies } from './policies.ts';
import type { Principal } from './principal.ts';
import { resourcesFor } from './resources.ts';

export interface AuthorizeDeps {
  readonly state: IamState;
  readonly awsManaged: AwsManagedPolicies;
  readonly actions: ActionCatalogue;
}

/** One permission a request needs, as a service names it (S3: CopyObject needs read and write). */
export interface AuthorizationCheck {
  readonly action: string;
  readonly resource: string;
  /** Condition keys the service reads from the request (s3:prefix, s3:ExistingObjectTag/…). */
  readonly context?: Readonly<Record<string, ContextValue>>;
  readonly resourceTags?: readonly Tag[];
  /** The resource's own policy (a bucket policy); `id` must change whenever the document does. */
  readonly resourcePolicy?: { readonly id: string; readonly document: string } | undefined;
  /** The account that owns the resource (S3 ARNs do not name it). */
  readonly resourceAccount: string;
}

/**
 * What a request of a service with resource policies must be allowed to do: every check, each under its own
 * resource's policy (CopyObject reads one bucket and writes another).
 */
export interface AuthorizationPlan {
  readonly checks: readonly AuthorizationCheck[];
}

export interface AuthorizationRequest {
  readonly principal: Principal;
  readonly service: string;
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly now: Date;
  readonly sourceIp: string;
  readonly region: string;
  /** Given by services with resource policies; the catalogue decides for the others. */
  readonly plan?: AuthorizationPlan;
}

/**
 * One permission the engine decided, for the audit trail. It references the engine's own objects (decision,
 * context) rather than copying them: the trail turns them into records off the request's path.
 */
export interface DecidedCheck {
  readonly action: string;
  readonly resource: string;
  readonly decision: Decision;
  readonly context: Readonly<Record<string, ContextValue>>;
  readonly resourcePolicy?: { readonly id: string; readonly document: string } | undefined;
  readonly resourceAccount?: string;
}

export type AuthorizationResult =
  | {
      readonly allowed: true;
      /**
       * The checks that allowed it; empty when no policy was evaluated (an account root in its own account, an
       * operation no policy controls, enforcement off).
       */
      readonly checks?: readonly DecidedCheck[];
    }
  | {
      readonly allowed: false;
      readonly action: string;
      readonly resource: string;
      readonly decision: Decision;
      /** AWS's message for the denial. */
      readonly message: string;
      readonly context: Readonly<Record<string, ContextValue>>;
      /** Every check decided up to and including the denying one (the last). */
      readonly checks?: readonly DecidedCheck[];
    };

/** Shared by every result that evaluated nothing, so the common shortcut allocates nothing. */
const ALLOWED_UNCHECKED: AuthorizationResult = { allowed: true, checks: [] };

/** AWS's denial message for a decision. */
export function denialMessage(
  principalArn: string,
  action: string,
  resource: string,
  decision: Decision,
  trust: boolean,
): string {
  const on = resource === '*' ? '' : ` on resource: ${resource}`;
  const head = `User: ${principalArn} is not authorized to perform: ${action}${on}`;
  if (decision.decision === 'ExplicitlyDenied') {
    const kind = decision.statements[0]?.kind ?? 'identity';
    const words = POLICY_KIND_WORDS[kind];
    return `${head} with an explicit deny in ${trust && kind === 'resource' ? 'the role trust policy' : `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`}`;
  }
  const blocked = decision.blockedBy ?? 'identity';
  // A trust policy that does not name the caller: AWS answers without a reason (shared/AWS-FACTS.md, STS).
  if (trust && blocked === 'resource') return head;
  return `${head} because no ${POLICY_KIND_WORDS[blocked]} allows the ${action} action`;
}

function enginePrincipal(p: Principal): RequestPrincipal {
  if (p.type === 'anonymous') return { type: 'anonymous', arn: '*', account: '' };
  if (p.type === 'assumed-role') {
    return {
      type: 'assumed-role',
      arn: p.arn,
      account: p.account,
      ...(p.session.roleArn !== undefined && { roleArn: p.session.roleArn }),
    };
  }
  return { type: p.type, arn: p.arn, account: p.account };
}

/** The role an EC2 request hands to an instance through a profile, if it names one that holds a role. */
function passedRole(
  state: IamState,
  account: string,
  service: string,
  input: Readonly<Record<string, unknown>>,
): string | undefined {
  if (service !== 'ec2') return undefined;
  const spec = input['IamInstanceProfile'] as { Arn?: string; Name?: string } | undefined;
  if (!spec) return undefined;
  const name = spec.Name ?? spec.Arn?.split('/').pop();
  const profile = name === undefined ? undefined : state.get('iam.instance-profile', account, nameKey(name));
  if (!profile || (spec.Arn !== undefined && profile.arn !== spec.Arn)) return undefined;
  const roleKey = profile.roleKeys[0];
  return roleKey === undefined ? undefined : state.get('iam.role', account, roleKey)?.arn;
}

/** Tags of the IAM entity an ARN names, for aws:ResourceTag. */
function resourceTags(state: IamState, awsManaged: AwsManagedPolicies, arn: string): readonly Tag[] | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service === 'ec2' && parsed.resource.startsWith('instance/')) {
    return state.get('ec2.instance', parsed.account, parsed.resource.slice('instance/'.length))?.tags;
  }
  if (!parsed || parsed.service !== 'iam') return undefined;
  const [type = ''] = parsed.resource.split('/');
  const name = parsed.resource.slice(parsed.resource.lastIndexOf('/') + 1);
  if (type === 'role') return state.get('iam.role', parsed.account, nameKey(name))?.tags;
  if (type === 'user') return state.get('iam.user', parsed.account, nameKey(name))?.tags;
  if (type === 'instance-profile') return state.get('iam.instance-profile', parsed.account, nameKey(name))?.tags;
  if (type === 'policy')
    return parsed.account === 'aws'
      ? awsManaged.get(arn)?.tags
      : state.get('iam.policy', parsed.account, nameKey(name))?.tags;
  return undefined;
}

/**
 * Authentication operations no policy controls: "No permissions are required for users to perform this
 * operation … You cannot use policies to control authentication operations" (STS API reference,
 * GetSessionToken; GetCallerIdentity the same).
 */
const UNCONTROLLED = new Set(['sts:GetCallerIdentity', 'sts:GetSessionToken']);

/** Services without resource policies, where an account root's own-account requests need no evaluation. */
const ROOT_SHORTCUT_SERVICES = new Set(['iam', 'sts', 'ec2']);

/** The account of an ARN; for IAM ARNs the account of `arn:aws:iam::<account>:…`. */
const accountOf = (arn: string): string | undefined => parseArn(arn)?.account;

/** Decides a service's own plan: every check must be allowed by the principal's policies and the resource's. */
function authorizePlan(
  deps: AuthorizeDeps,
  request: AuthorizationRequest,
  plan: AuthorizationPlan,
): AuthorizationResult {
  const { principal } = request;
  const policies = principalPolicies(deps.state, deps.awsManaged, principal);
  const checks: DecidedCheck[] = [];
  for (const check of plan.checks) {
    const resource = check.resourcePolicy && compilePolicy(check.resourcePolicy);
    const context = buildContext({
      principal,
      principalTags: policies.tags,
      now: request.now,
      sourceIp: request.sourceIp,
      secure: false,
      region: request.region,
      input: {},
      resourceTags: check.resourceTags ?? [],
      extra: check.context ?? {},
    });
    const decision = evaluate(
      {
        principal: enginePrincipal(principal),
        action: check.action,
        resource: check.resource,
        resourceAccount: check.resourceAccount,
        context,
      },
      {
        identity: policies.identity,
        boundaries: policies.boundaries,
        session: policies.session,
        ...(resource && { resource }),
      },
    );
    checks.push({
      action: check.action,
      resource: check.resource,
      decision,
      context,
      resourcePolicy: check.resourcePolicy,
      resourceAccount: check.resourceAccount,
    });
    if (decision.decision !== 'Allowed') {
      return {
        allowed: false,
        action: check.action,
        resource: check.resource,
        decision,
        message: denialMessage(principal.arn, check.action, check.resource, decision, false),
        context,
        checks,
      };
    }
  }
  return { allowed: true, checks };
}

export function authorize(deps: AuthorizeDeps, request: AuthorizationRequest): AuthorizationResult {
  if (request.plan) return authorizePlan(deps, request, request.plan);
  const { principal, service, operation, input } = request;
  const action = `${service}:${operation}`;
  if (UNCONTROLLED.has(action)) return ALLOWED_UNCHECKED;
  const assumeRole = service === 'sts' && operation === 'AssumeRole';
  const resources = resourcesFor(deps.actions, deps.state, service, operation, input, principal, request.region);
  // An account root may do anything in its own account. Only a resource policy or an SCP could deny it, and the
  // services served now have neither apart from role trust policies (AssumeRole, evaluated in full below).
  // Services with resource policies (S3) must be left out of this shortcut.
  if (
    principal.type === 'root' &&
    !assumeRole &&
    ROOT_SHORTCUT_SERVICES.has(service) &&
    resources.every((r) => r === '*' || accountOf(r) === principal.account)
  ) {
    return ALLOWED_UNCHECKED;
  }
  const policies = principalPolicies(deps.state, deps.awsManaged, principal);

  // AssumeRole: the role's trust policy is the resource policy; tags and a source identity need their own
  // permissions from it (sts:TagSession, sts:SetSourceIdentity; IAM User Guide, session tags).
  let trust: CompiledPolicy | undefined;
  let trustSource: { id: string; document: string } | undefined;
  const actions = [action];
  const extra: Record<string, ContextValue> = {};
  if (assumeRole) {
    const roleArn = typeof input['RoleArn'] === 'string' ? input['RoleArn'] : '';
    const parsed = parseArn(roleArn);
    const role = parsed
      ? deps.state.get('iam.role', parsed.account, nameKey(parsed.resource.split('/').pop() ?? ''))
      : undefined;
    trustSource = role && role.arn === roleArn ? { id: `${role.arn}#trust`, document: role.trustPolicy } : undefined;
    trust = trustSource && compilePolicy(trustSource);
    const tags = input['Tags'];
    if ((Array.isArray(tags) && tags.length > 0) || Array.isArray(input['TransitiveTagKeys']))
      actions.push('sts:TagSession');
    if (typeof input['SourceIdentity'] === 'string') actions.push('sts:SetSourceIdentity');
    if (typeof input['ExternalId'] === 'string') extra['sts:ExternalId'] = input['ExternalId'];
    if (typeof input['RoleSessionName'] === 'string') extra['sts:RoleSessionName'] = input['RoleSessionName'];
    if (typeof input['SourceIdentity'] === 'string') extra['sts:SourceIdentity'] = input['SourceIdentity'];
    if (Array.isArray(input['TransitiveTagKeys']))
      extra['sts:TransitiveTagKeys'] = input['TransitiveTagKeys'] as string[];
  }

  const checks: DecidedCheck[] = [];
  for (const resource of resources) {
    const context = buildContext({
      principal,
      principalTags: policies.tags,
      now: request.now,
      sourceIp: request.sourceIp,
      secure: false,
      region: request.region,
      input,
      ...(resource !== '*' && { resourceTags: resourceTags(deps.state, deps.awsManaged, resource) ?? [] }),
      extra,
    });
    for (const act of actions) {
      const decision = evaluate(
        { principal: enginePrincipal(principal), action: act, resource, context },
        {
          identity: policies.identity,
          boundaries: policies.boundaries,
          session: policies.session,
          ...(assumeRole && { resourceIsTrustPolicy: true, ...(trust && { resource: trust }) }),
        },
      );
      checks.push({
        action: act,
        resource,
        decision,
        context,
        ...(trustSource && { resourcePolicy: trustSource }),
      });
      if (decision.decision !== 'Allowed') {
        return {
          allowed: false,
          action: act,
          resource,
          decision,
          message: denialMessage(principal.arn, act, resource, decision, assumeRole),
          context,
          checks,
        };
      }
    }
  }

  // Handing a role to EC2 (RunInstances, Associate/ReplaceIamInstanceProfileAssociation) needs iam:PassRole on
  // the profile's role with iam:PassedToService = ec2.amazonaws.com (shared/AWS-FACTS.md, "EC2 and instance
  // profiles"). An unknown profile is left for the handler to refuse with EC2's own error.
  const passed = passedRole(deps.state, principal.account, service, input);
  if (passed !== undefined) {
    const context = buildContext({
      principal,
      principalTags: policies.tags,
      now: request.now,
      sourceIp: request.sourceIp,
      secure: false,
      region: request.region,
      input: {},
      resourceTags: resourceTags(deps.state, deps.awsManaged, passed) ?? [],
      extra: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    });
    const decision = evaluate(
      { principal: enginePrincipal(principal), action: 'iam:PassRole', resource: passed, context },
      { identity: policies.identity, boundaries: policies.boundaries, session: policies.session },
    );
    checks.push({ action: 'iam:PassRole', resource: passed, decision, context });
    if (decision.decision !== 'Allowed') {
      return {
        allowed: false,
        action: 'iam:PassRole',
        resource: passed,
        decision,
        message: denialMessage(principal.arn, 'iam:PassRole', passed, decision, false),
        context,
        checks,
      };
    }
  }
  return { allowed: true, checks };
}
