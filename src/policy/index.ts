/** The policy engine's public face: validate, compile and evaluate IAM policies. Pure: no I/O anywhere below. */
export { compilePolicy, type CompiledPolicy } from './compile.ts';
export { evaluate } from './evaluate.ts';
export { principalFromArn } from './principal.ts';
export { validatePolicy, policySize, type PolicyType } from './validate.ts';
export type * from './types.ts';
export {
  tracePolicies,
  type PolicyTrace,
  type StatementTrace,
  type ConditionTrace,
  type ElementTrace,
} from './trace.ts';
export { POLICY_KIND_WORDS } from './explain.ts';
