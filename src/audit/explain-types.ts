/**
 * What `rolecall explain REQUEST_ID` and `GET /_rolecall/explain/REQUEST_ID` answer: the recorded request, each
 * permission it needed re-evaluated against the policies that apply now with a per-statement trace, and the change
 * that would allow it. Plain data (JSON on the wire); the CLI renders it as text (explain-text.ts).
 */
import type { ContextValue, DecisionName, MatchedStatement, PolicyKind, PolicyTrace } from '../policy/index.ts';
import type { DecidingStatement } from './types.ts';

/** One change that would let the request through, or that the user must make elsewhere. */
export interface ExplainFix {
  /** The policy type the change is in. */
  readonly kind: PolicyKind;
  /** What to do, in one sentence. */
  readonly summary: string;
  /** The policy, or the policy's id, to change (an inline policy `…role/NAME#POLICY`, a managed policy ARN). */
  readonly policy?: string;
  /** A statement to add (an Allow) or the statement to change (a Deny), as JSON. */
  readonly statement?: Readonly<Record<string, unknown>>;
  /** An AWS CLI command that makes the change. */
  readonly command?: string;
}

/** A statement that matched the action but missed on one element: the nearest thing to an allow. */
export interface NearMiss {
  readonly kind: PolicyKind;
  readonly policyId: string;
  readonly index: number;
  readonly sid?: string;
  /** What did not match, in words: `Resource arn:aws:s3:::other/* does not match arn:aws:s3:::data/x`. */
  readonly reasons: readonly string[];
}

export interface CheckExplanation {
  readonly action: string;
  readonly resource: string;
  readonly recorded: {
    readonly decision: DecisionName;
    readonly statements: readonly DecidingStatement[];
    readonly blockedBy?: PolicyKind;
    readonly missingContextKeys?: readonly string[];
  };
  /** The same request against the policies that apply now; absent when it cannot be re-evaluated. */
  readonly now?: {
    readonly decision: DecisionName;
    readonly statements: readonly MatchedStatement[];
    readonly blockedBy?: PolicyKind;
    readonly missingContextKeys: readonly string[];
    readonly unevaluable: readonly { readonly policyId: string; readonly index?: number; readonly reason: string }[];
    /** The engine's plain-words explanation. */
    readonly explanation: string;
  };
  /** The decision now differs from the recorded one: the policies changed since the request. */
  readonly changed: boolean;
  /** The condition keys the request carried. */
  readonly context: Readonly<Record<string, ContextValue>>;
  /** Every statement of every policy evaluated, and why it did or did not match. */
  readonly policies: readonly PolicyTrace[];
  readonly nearMisses: readonly NearMiss[];
  readonly fixes: readonly ExplainFix[];
}

export interface ExplainReport {
  readonly requestId: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly principal: {
    readonly type: string;
    readonly arn?: string;
    /** The role behind an assumed-role session. */
    readonly roleArn?: string;
  };
  readonly mode?: 'on' | 'audit' | 'off';
  readonly recordedDecision: DecisionName | 'NotEvaluated';
  readonly checks: readonly CheckExplanation[];
  /** Things the reader must know: a deleted role, session policies not recorded, a resource policy as recorded. */
  readonly notes: readonly string[];
}
