/**
 * What each Lambda request must be allowed to do (Service Authorization Reference, AWS Lambda): `lambda:<Op>` on
 * the function's ARN — Invoke is lambda:InvokeFunction; ListFunctions has no resource and is asked on `*` —
 * under the function's resource policy (AddPermission), with its tags as aws:ResourceTag. Two operations hand
 * over more:
 * - a role (CreateFunction; UpdateFunctionConfiguration with Role) needs iam:PassRole on it with
 *   iam:PassedToService = lambda.amazonaws.com (IAM User Guide, "Granting a user permissions to pass a role");
 * - a package in S3 (S3Bucket/S3Key) is read with the caller's permission: s3:GetObject on the object, under its
 *   bucket's policy (Lambda Developer Guide: the caller needs s3:GetObject for the deployment package).
 * Tags on CreateFunction and TagResource are aws:RequestTag/… and aws:TagKeys; AddPermission carries
 * lambda:Principal and lambda:FunctionUrlAuthType.
 */
import type { AuthorizationCheck, AuthorizationPlan } from '../../auth/authorize.ts';
import type { Principal } from '../../auth/principal.ts';
import { parseArn } from '../../model/arn.ts';
import { nameKey } from '../../model/iam.ts';
import type { ContextValue } from '../../policy/index.ts';
import type { IamState } from '../../state/iam-state.ts';
import type { S3State } from '../../state/s3-state.ts';
import { s3ObjectReadCheck } from '../s3/index.ts';
import { addressArn, addressOf, type FunctionAddress } from './names.ts';
import { policyDocument } from './permissions.ts';
import { LAMBDA_SERVICE } from './roles.ts';
import type { LambdaState } from './state.ts';

type Input = Readonly<Record<string, unknown>>;

const ACTIONS: Readonly<Record<string, string>> = { Invoke: 'lambda:InvokeFunction' };

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The function a request acts on, as named by its input. */
function targetOf(input: Input, principal: Principal, region: string): FunctionAddress | undefined {
  const named = text(input['Resource']) ?? text(input['FunctionName']);
  if (named === undefined) return undefined;
  const address = addressOf(named, principal.account, region);
  const qualifier = text(input['Qualifier']);
  return address && qualifier !== undefined && address.qualifier === undefined ? { ...address, qualifier } : address;
}

function tagContext(tags: unknown): Record<string, ContextValue> {
  if (tags === null || typeof tags !== 'object') return {};
  const entries = Object.entries(tags as Record<string, string>);
  const ctx: Record<string, ContextValue> = { 'aws:TagKeys': entries.map(([k]) => k) };
  for (const [k, v] of entries) ctx[`aws:RequestTag/${k}`] = v;
  return ctx;
}

/** The condition keys the Service Authorization Reference lists for each action, from the request. */
function contextOf(operation: string, input: Input): Record<string, ContextValue> {
  switch (operation) {
    case 'CreateFunction':
    case 'TagResource':
      return tagContext(input['Tags']);
    case 'UntagResource':
      return Array.isArray(input['TagKeys']) ? { 'aws:TagKeys': input['TagKeys'] as string[] } : {};
    case 'AddPermission': {
      const ctx: Record<string, ContextValue> = {};
      const principal = text(input['Principal']);
      const urlAuth = text(input['FunctionUrlAuthType']);
      if (principal !== undefined) ctx['lambda:Principal'] = principal;
      if (urlAuth !== undefined) ctx['lambda:FunctionUrlAuthType'] = urlAuth;
      return ctx;
    }
    default:
      return {};
  }
}

export interface PlanDeps {
  readonly state: LambdaState;
  readonly iam: IamState;
  readonly s3: S3State;
}

export function lambdaPlan(
  deps: PlanDeps,
  operation: string,
  input: Input,
  principal: Principal,
  region: string,
): AuthorizationPlan {
  const action = ACTIONS[operation] ?? `lambda:${operation}`;
  if (operation === 'ListFunctions') return { checks: [{ action, resource: '*', resourceAccount: principal.account }] };
  const target = targetOf(input, principal, region);
  const record = target && deps.state.get(target.account, target.region, target.name);
  const policy = record && policyDocument(record);
  const context = contextOf(operation, input);
  const checks: AuthorizationCheck[] = [
    {
      action,
      resource: target ? addressArn(target) : '*',
      resourceAccount: target?.account ?? principal.account,
      ...(Object.keys(context).length > 0 && { context }),
      ...(record && { resourceTags: Object.entries(record.tags).map(([Key, Value]) => ({ Key, Value })) }),
      ...(record &&
        policy !== undefined && {
          resourcePolicy: { id: `${record.arn}#policy#${record.revisionId}`, document: policy },
        }),
    },
  ];
  const role = text(input['Role']);
  if (role !== undefined && (operation === 'CreateFunction' || operation === 'UpdateFunctionConfiguration')) {
    const parsed = parseArn(role);
    const roleRecord =
      parsed && deps.iam.get('iam.role', parsed.account, nameKey(parsed.resource.split('/').pop() ?? ''));
    checks.push({
      action: 'iam:PassRole',
      resource: role,
      resourceAccount: parsed?.account ?? principal.account,
      context: { 'iam:PassedToService': LAMBDA_SERVICE },
      ...(roleRecord && roleRecord.arn === role && { resourceTags: roleRecord.tags }),
    });
  }
  const code =
    operation === 'CreateFunction'
      ? (input['Code'] as Input | undefined)
      : operation === 'UpdateFunctionCode'
        ? input
        : undefined;
  const bucket = text(code?.['S3Bucket']);
  const key = text(code?.['S3Key']);
  if (bucket !== undefined && key !== undefined) checks.push(s3ObjectReadCheck(deps.s3, principal, bucket, key));
  return { checks };
}
