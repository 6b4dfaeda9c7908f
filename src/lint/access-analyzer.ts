/**
 * The lint checks in the form of IAM Access Analyzer's ValidatePolicy (botocore accessanalyzer service-2.json:
 * ValidatePolicyRequest policyType IDENTITY_POLICY | RESOURCE_POLICY | SERVICE_CONTROL_POLICY |
 * RESOURCE_CONTROL_POLICY, validatePolicyResourceType; ValidatePolicyFinding). Only the checks Access Analyzer
 * also has are returned unless rolecall's own are asked for, so `aws accessanalyzer validate-policy` against
 * rolecall answers with codes a script written for AWS knows.
 */
import type { IamCatalogue } from './catalogue.ts';
import { guessPolicyType, lintPolicy } from './lint.ts';
import type { LintPolicyType, Location, Severity } from './types.ts';

export type AccessAnalyzerPolicyType =
  'IDENTITY_POLICY' | 'RESOURCE_POLICY' | 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

export interface ValidatePolicyOptions {
  readonly catalogue: IamCatalogue;
  /** ValidatePolicy's validatePolicyResourceType: `AWS::IAM::AssumeRolePolicyDocument` makes it a trust policy. */
  readonly validatePolicyResourceType?: string;
  /** Also return rolecall's own checks (origin 'rolecall'); off by default. */
  readonly includeRolecallChecks?: boolean;
}

/** ValidatePolicyFinding, member for member. */
export interface ValidatePolicyFinding {
  readonly findingDetails: string;
  readonly findingType: Severity;
  readonly issueCode: string;
  readonly learnMoreLink: string;
  readonly locations: readonly Location[];
}

/** The lint type for an Access Analyzer policy type (and resource type, for resource policies). */
export function lintTypeFor(
  policyType: AccessAnalyzerPolicyType,
  document: string,
  resourceType?: string,
): LintPolicyType {
  switch (policyType) {
    case 'IDENTITY_POLICY':
      return 'identity';
    case 'SERVICE_CONTROL_POLICY':
      return 'scp';
    case 'RESOURCE_CONTROL_POLICY':
      return 'rcp';
    case 'RESOURCE_POLICY':
      if (resourceType === 'AWS::IAM::AssumeRolePolicyDocument') return 'trust';
      if (resourceType !== undefined) return 'resource';
      return guessPolicyType(document) === 'trust' ? 'trust' : 'resource';
  }
}

export function validatePolicyFindings(
  document: string,
  policyType: AccessAnalyzerPolicyType,
  options: ValidatePolicyOptions,
): ValidatePolicyFinding[] {
  const type = lintTypeFor(policyType, document, options.validatePolicyResourceType);
  const { findings } = lintPolicy(document, { type, catalogue: options.catalogue });
  return findings
    .filter((f) => options.includeRolecallChecks === true || f.origin === 'access-analyzer')
    .map((f) => ({
      findingDetails: f.findingDetails,
      findingType: f.findingType,
      issueCode: f.issueCode,
      learnMoreLink: f.learnMoreLink,
      locations: f.locations,
    }));
}
