/**
 * Step 5 of the pipeline: may this principal perform this action? Only account roots exist yet, and a root may
 * do anything in its own account (with no SCPs in play, IAM User Guide "Policy evaluation logic"). Requests of
 * any other principal are denied until the policy engine evaluates them: never allowed by default.
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
  if (request.principal.type === 'root') return { allowed: true };
  const action = `${request.service}:${request.operation}`;
  return {
    allowed: false,
    error: new AwsError(
      'AccessDenied',
      403,
      `User: ${(request.principal as Principal).arn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
    ),
  };
}
