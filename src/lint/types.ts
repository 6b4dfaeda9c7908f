/**
 * The vocabulary of `rolecall lint`: findings shaped as IAM Access Analyzer's ValidatePolicy returns them
 * (findingType, issueCode, findingDetails, learnMoreLink, locations with a path and a span), so the Access
 * Analyzer API can hand them out unchanged. Source of the shape: the AWS CLI's `validate-policy` example output
 * (awscli/examples/accessanalyzer/validate-policy.rst) and botocore's accessanalyzer service-2.json
 * (ValidatePolicyFinding, Location, PathElement, Span, Position).
 */

/** Access Analyzer's findingType values, most severe first. */
export type Severity = 'ERROR' | 'SECURITY_WARNING' | 'WARNING' | 'SUGGESTION';

export const SEVERITIES: readonly Severity[] = ['ERROR', 'SECURITY_WARNING', 'WARNING', 'SUGGESTION'];

/** 0 for ERROR … 3 for SUGGESTION: lower is more severe. */
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** The kinds of document rolecall lints. Session policies are identity policies passed to AssumeRole. */
export type LintPolicyType = 'identity' | 'resource' | 'trust' | 'session' | 'scp' | 'rcp';

export const LINT_POLICY_TYPES: readonly LintPolicyType[] = ['identity', 'resource', 'trust', 'session', 'scp', 'rcp'];

/**
 * One step of a location's path: an array index, an object key's value (`{"value": "Statement"}`), as Access
 * Analyzer writes them. Access Analyzer also has `key` and `substring` steps; rolecall does not emit them.
 */
export type PathElement = { readonly index: number } | { readonly value: string };

/** Line 1-based, column and offset 0-based (Access Analyzer's Position; checked against its CLI example). */
export interface Position {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** From the first character of a JSON value to just after its last. */
export interface Span {
  readonly start: Position;
  readonly end: Position;
}

export interface Location {
  readonly path: readonly PathElement[];
  readonly span: Span;
}

/** Where a check's rule comes from: one of Access Analyzer's policy checks, or one of rolecall's own. */
export type CheckOrigin = 'access-analyzer' | 'rolecall';

/** A finding in Access Analyzer's shape, plus the statement it is about (when it is about one). */
export interface LintFinding {
  readonly findingType: Severity;
  readonly issueCode: string;
  readonly findingDetails: string;
  readonly learnMoreLink: string;
  readonly locations: readonly Location[];
  /** Zero-based index of the statement the finding is about; absent for document-level findings. */
  readonly statementIndex?: number;
  readonly origin: CheckOrigin;
}
