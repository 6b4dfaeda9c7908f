/** What every check gets: the document, its type, the catalogue, and a way to report a finding by its code. */
import type { IamCatalogue } from './catalogue.ts';
import type { PolicyDocument, PolicyStatement } from './document.ts';
import { check } from './registry.ts';
import type { LintFinding, LintPolicyType, Location } from './types.ts';

export interface LintContext {
  readonly doc: PolicyDocument;
  readonly type: LintPolicyType;
  readonly catalogue: IamCatalogue;
  /** The account the policy belongs to, when known: principals of other accounts are "cross-account". */
  readonly account?: string;
  report(code: string, details: string, locations: readonly Location[], statement?: PolicyStatement): void;
}

export function createContext(
  doc: PolicyDocument,
  type: LintPolicyType,
  catalogue: IamCatalogue,
  account: string | undefined,
  findings: LintFinding[],
): LintContext {
  return {
    doc,
    type,
    catalogue,
    ...(account !== undefined && { account }),
    report(code, details, locations, statement) {
      const info = check(code);
      findings.push({
        findingType: info.severity,
        issueCode: info.code,
        findingDetails: details,
        learnMoreLink: info.learnMoreLink,
        locations,
        ...(statement !== undefined && { statementIndex: statement.index }),
        origin: info.origin,
      });
    },
  };
}

/** Identity-shaped policies: attached to principals, no Principal element. */
export const isIdentityLike = (type: LintPolicyType): boolean => type === 'identity' || type === 'session';
/** Policies that must name principals. */
export const needsPrincipal = (type: LintPolicyType): boolean =>
  type === 'trust' || type === 'resource' || type === 'rcp';
