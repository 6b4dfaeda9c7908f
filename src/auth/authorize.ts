/**
 * Step 5 of the pipeline: may this principal perform this action? An account root may do anything in its own
 * account (no SCPs in play; IAM User Guide, "Policy evaluation logic"), and sts:GetCallerIdentity is allowed
 * to everyone (STS API reference). IAM users are denied until the policy engine evaluates their policies: a
 * request rolecall cannot evaluate is never allowed by default, and the message says so.
 */
import { AwsError } from '../protocol/errors.ts';
import type { Principal } from './principal.ts';

export interface AuthorizationRequest {
  readonly principal: Principal;
  readonly service: string;
  readonly operation: string;
}

export type AuthorizationResult = { readonly allowed: true } | { readonly allowed: false; readonly error: AwsError };

export function authorize(request: AuthorizationRequest): AuthorizationResult {
  const action = `${request.service}:${request.operation}`;
  if (request.principal.type === 'root' || action === 'sts:GetCallerIdentity') return { allowed: true };
  return {
    allowed: false,
    error: new AwsError(
      'AccessDenied',
      403,
      `User: ${request.principal.arn} is not authorized to perform: ${action} because rolecall does not evaluate IAM policies for this principal yet`,
    ),
  };
}
