/** `rolecall lint` as a library: policy checks with Access Analyzer's finding shape. Pure: no I/O below. */
export {
  lintPolicy,
  guessPolicyType,
  policyServices,
  policyStatements,
  type LintOptions,
  type LintResult,
} from './lint.ts';
export type { PolicyStatement } from './document.ts';
export {
  validatePolicyFindings,
  lintTypeFor,
  type AccessAnalyzerPolicyType,
  type ValidatePolicyFinding,
  type ValidatePolicyOptions,
} from './access-analyzer.ts';
export { CHECKS, check, type CheckInfo } from './registry.ts';
export type { IamCatalogue, CatalogueService, CatalogueAction, CatalogueConditionKey } from './catalogue.ts';
export { findCombinations, isAdminEquivalent } from './checks/permissions.ts';
export * from './types.ts';
