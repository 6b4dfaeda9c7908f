/**
 * The policy engine's vocabulary: requests, the principals that make them, the policies that apply, and the
 * decision with its reasons. Pure data; nothing here does I/O.
 */

/** Where a policy comes from, which decides how it takes part in evaluation. */
export type PolicyKind = 'identity' | 'resource' | 'boundary' | 'session' | 'scp' | 'rcp';

/** A policy as given to the engine: its document and a name for reports (an ARN, or `role/x inline y`). */
export interface PolicySource {
  readonly id: string;
  readonly document: string;
}

/**
 * Who makes the request. `roleArn` is the role (with its path) behind an assumed-role session, so that a
 * resource policy naming the role matches its sessions.
 */
export interface RequestPrincipal {
  readonly type: 'root' | 'user' | 'assumed-role' | 'role' | 'federated-user' | 'service' | 'anonymous' | 'federated';
  readonly arn: string;
  readonly account: string;
  readonly roleArn?: string;
  /** For service principals: `ec2.amazonaws.com`; for web identity and SAML: the provider. */
  readonly service?: string;
  readonly canonicalUser?: string;
}

/** A context key's values: a single value, or several for multivalued keys (aws:TagKeys). */
export type ContextValue = string | number | boolean | readonly (string | number | boolean)[];

export interface EvaluationRequest {
  readonly principal: RequestPrincipal;
  /** `service:Action`. */
  readonly action: string;
  /** The resource ARN, or `*` for actions without resource-level permissions. */
  readonly resource: string;
  /** The account that owns the resource; defaults to the account in the resource ARN, then the principal's. */
  readonly resourceAccount?: string;
  /** Context keys by name (any case). */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

/** The policies that apply to one request, compiled (compile.ts). */
export interface PolicySet<P> {
  readonly identity?: readonly P[];
  /** The resource's own policy: a bucket policy, a role's trust policy, … */
  readonly resource?: P;
  /** Role trust policies must allow explicitly: identity policies alone never let anyone assume a role. */
  readonly resourceIsTrustPolicy?: boolean;
  readonly boundaries?: readonly P[];
  readonly session?: readonly P[];
  /** Service control policies, one list per level of the organization (root, OUs, account); each must allow. */
  readonly scps?: readonly (readonly P[])[];
  /** Resource control policies, one list per level, for the resource's account. */
  readonly rcps?: readonly (readonly P[])[];
}

export type DecisionName = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface MatchedStatement {
  readonly kind: PolicyKind;
  readonly policyId: string;
  /** Zero-based position of the statement in its policy. */
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
}

export interface Unevaluable {
  readonly kind: PolicyKind;
  readonly policyId: string;
  readonly index?: number;
  readonly reason: string;
}

export interface Decision {
  readonly decision: DecisionName;
  /** The statements that decided: the denying ones for an explicit deny, the allowing ones for an allow. */
  readonly statements: readonly MatchedStatement[];
  /** For an implicit deny: the policy type that allowed nothing. */
  readonly blockedBy?: PolicyKind;
  /** Context keys that conditions of otherwise matching statements asked for and the request lacked. */
  readonly missingContextKeys: readonly string[];
  /** Statements or policies that could not be evaluated; an unevaluable Allow never allows, an unevaluable Deny denies. */
  readonly unevaluable: readonly Unevaluable[];
  /** The decision in plain words. */
  readonly explanation: string;
}
