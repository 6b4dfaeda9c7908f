/**
 * AddPermission, RemovePermission and GetPolicy: the function's resource policy, which Invoke (and any other
 * lambda: action) is authorized against when another principal calls (authorization.ts). Statements are written
 * as AWS writes them (API reference, AddPermission; GetPolicy's output):
 * - Principal: `*` stays `*`; an account id becomes `{"AWS": "arn:aws:iam::<id>:root"}`; an IAM ARN
 *   `{"AWS": <arn>}`; a service (`s3.amazonaws.com`) `{"Service": <service>}`;
 * - SourceArn → `ArnLike AWS:SourceArn`, SourceAccount → `StringEquals AWS:SourceAccount`, PrincipalOrgID →
 *   `StringEquals aws:PrincipalOrgID`, FunctionUrlAuthType → `StringEquals lambda:FunctionUrlAuthType`;
 * - the policy is `{"Version":"2012-10-17","Id":"default","Statement":[…]}`.
 * A second statement with a used Sid is ResourceConflictException `The statement id (<sid>) provided already
 * exists. Please provide a new statement id, or remove the existing statement.` (409;
 * terraform-aws-modules/terraform-aws-lambda#547, hashicorp/terraform-provider-aws#3312).
 */
import { AwsError } from '../../protocol/errors.ts';
import type { AddPermissionRequest, LambdaOperations } from '../../protocol/generated/lambda.ts';
import type { Handlers } from '../service.ts';
import { findFunction, newRevisionId } from './common.ts';
import type { LambdaDeps } from './deps.ts';
import { addressArn, invalidParameter, resourceNotFound, revisionMismatch } from './names.ts';
import { update } from './functions.ts';
import type { FunctionRecord, PolicyStatement } from './state.ts';

type PermissionOps = Pick<LambdaOperations, 'AddPermission' | 'RemovePermission' | 'GetPolicy'>;

/** The policy document of a function, or undefined when it has no statements. */
export function policyDocument(f: FunctionRecord): string | undefined {
  if (f.policy.length === 0) return undefined;
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: f.policy });
}

function principalOf(principal: string): PolicyStatement['Principal'] {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (/^arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:/.test(principal)) return { AWS: principal };
  if (/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(principal)) return { Service: principal };
  throw invalidParameter('The provided principal was invalid. Please check the principal and try again.');
}

function statementOf(input: AddPermissionRequest, resource: string): PolicyStatement {
  const condition: Record<string, Record<string, string>> = {};
  const add = (operator: string, key: string, value: string | undefined) => {
    if (value === undefined) return;
    condition[operator] = { ...condition[operator], [key]: value };
  };
  add('StringEquals', 'AWS:SourceAccount', input.SourceAccount);
  add('StringEquals', 'aws:PrincipalOrgID', input.PrincipalOrgID);
  add('StringEquals', 'lambda:FunctionUrlAuthType', input.FunctionUrlAuthType);
  add('ArnLike', 'AWS:SourceArn', input.SourceArn);
  return {
    Sid: input.StatementId,
    Effect: 'Allow',
    Principal: principalOf(input.Principal),
    Action: input.Action,
    Resource: resource,
    ...(Object.keys(condition).length > 0 && { Condition: condition }),
  };
}

export function permissionHandlers(deps: LambdaDeps): Handlers<PermissionOps> {
  return {
    AddPermission: async (input, ctx) => {
      const { address } = findFunction(deps, input.FunctionName, ctx, input.Qualifier);
      const statement = statementOf(input, addressArn(address));
      await update(deps, ctx, input.FunctionName, input.RevisionId, (f) => {
        if (f.policy.some((s) => s.Sid === input.StatementId)) {
          throw new AwsError(
            'ResourceConflictException',
            409,
            `The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
          );
        }
        return { ...f, policy: [...f.policy, statement], revisionId: newRevisionId() };
      });
      return { Statement: JSON.stringify(statement) };
    },

    RemovePermission: async (input, ctx) => {
      findFunction(deps, input.FunctionName, ctx, input.Qualifier);
      await update(deps, ctx, input.FunctionName, undefined, (f) => {
        if (input.RevisionId !== undefined && input.RevisionId !== f.revisionId) throw revisionMismatch();
        if (!f.policy.some((s) => s.Sid === input.StatementId)) throw resourceNotFound();
        return { ...f, policy: f.policy.filter((s) => s.Sid !== input.StatementId), revisionId: newRevisionId() };
      });
    },

    GetPolicy: (input, ctx) => {
      const { record } = findFunction(deps, input.FunctionName, ctx, input.Qualifier);
      const policy = policyDocument(record);
      if (policy === undefined) throw resourceNotFound();
      return { Policy: policy, RevisionId: record.revisionId };
    },
  };
}
