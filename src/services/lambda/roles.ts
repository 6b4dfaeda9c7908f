/**
 * Execution roles. A function's role must exist and trust the service principal lambda.amazonaws.com, else
 * CreateFunction and UpdateFunctionConfiguration fail with InvalidParameterValueException `The role defined for
 * the function cannot be assumed by Lambda.` (danilop/LambdAuth#49, pdomala/LambdaCDDemo#1: "Make sure you have
 * lambda.amazonaws.com under Trust Relationships"). AWS gives the same answer for a role that does not exist.
 *
 * Credentials for the function's processes come from the same function as AssumeRole and the metadata service
 * (auth/sessions.ts) after the same trust evaluation (as imds/credentials.ts does for ec2.amazonaws.com), with the
 * function name as the session name, as AWS does (the assumed-role ARN of a function ends in `/<function name>`).
 * They are kept per function and role, and replaced when less than REFRESH_BEFORE_MS is left.
 */
import { issueRoleSession } from '../../auth/sessions.ts';
import type { SessionClaims } from '../../auth/session-token.ts';
import { parseArn } from '../../model/arn.ts';
import type { Clock } from '../../model/clock.ts';
import { nameKey, type RoleRecord } from '../../model/iam.ts';
import { compilePolicy, evaluate } from '../../policy/index.ts';
import type { IamState } from '../../state/iam-state.ts';
import type { RoleCredentials } from '../../lambda/types.ts';
import { invalidParameter } from './names.ts';

export const LAMBDA_SERVICE = 'lambda.amazonaws.com';

/** Lambda's sessions last 12 hours at most; six, replaced an hour before they end, as rolecall's EC2 does. */
const LIFETIME_SECONDS = 6 * 3600;
const REFRESH_BEFORE_MS = 3600_000;

export const roleCannotBeAssumed = () =>
  invalidParameter('The role defined for the function cannot be assumed by Lambda.');

/** The role a role ARN names, path included; undefined when there is none. */
export function findRole(iam: IamState, roleArn: string): RoleRecord | undefined {
  const parsed = parseArn(roleArn);
  if (!parsed || parsed.service !== 'iam' || !parsed.resource.startsWith('role/')) return undefined;
  const role = iam.get('iam.role', parsed.account, nameKey(parsed.resource.split('/').pop() ?? ''));
  return role && role.arn === roleArn ? role : undefined;
}

/** Whether the role's trust policy lets lambda.amazonaws.com assume it. */
export function lambdaMayAssume(role: RoleRecord): boolean {
  const trust = compilePolicy({ id: `${role.arn}#trust`, document: role.trustPolicy });
  const decision = evaluate(
    {
      principal: { type: 'service', arn: LAMBDA_SERVICE, account: '', service: LAMBDA_SERVICE },
      action: 'sts:AssumeRole',
      resource: role.arn,
    },
    { resource: trust, resourceIsTrustPolicy: true },
  );
  return decision.decision === 'Allowed';
}

/** The role a function may run as; throws AWS's error when it is missing or does not trust Lambda. */
export function assumableRole(iam: IamState, roleArn: string): RoleRecord {
  const role = findRole(iam, roleArn);
  if (!role || !lambdaMayAssume(role)) throw roleCannotBeAssumed();
  return role;
}

export interface IssuedRoleSession {
  readonly claims: SessionClaims;
  readonly token: string;
}

export class ExecutionCredentials {
  private readonly cache = new Map<string, IssuedRoleSession>();

  constructor(
    private readonly iam: IamState,
    private readonly tokenKey: Buffer,
    private readonly clock: Clock,
  ) {}

  /**
   * The function's current session, issued again when near its end or when the role changed. Throws AWS's
   * error when the role is gone or no longer trusts Lambda.
   */
  session(account: string, functionArn: string, functionName: string, roleArn: string): IssuedRoleSession {
    const role = assumableRole(this.iam, roleArn);
    const now = this.clock.now();
    const key = `${functionArn}|${role.id}`;
    const cached = this.cache.get(key);
    if (cached && cached.claims.expiresAt - now.getTime() > REFRESH_BEFORE_MS) return cached;
    const issued = issueRoleSession(this.tokenKey, {
      role,
      account,
      sessionName: functionName,
      durationSeconds: LIFETIME_SECONDS,
      now,
    });
    const entry = { claims: issued.claims, token: issued.token };
    this.cache.set(key, entry);
    return entry;
  }

  /** The session as the credentials a function's process is given. */
  credentials(account: string, functionArn: string, functionName: string, roleArn: string): RoleCredentials {
    const { claims, token } = this.session(account, functionArn, functionName, roleArn);
    return {
      accessKeyId: claims.accessKeyId,
      secretAccessKey: claims.secretAccessKey,
      sessionToken: token,
      expiration: new Date(claims.expiresAt),
    };
  }

  /** Forgets a deleted function's sessions. */
  forget(functionArn: string): void {
    for (const key of [...this.cache.keys()]) if (key.startsWith(`${functionArn}|`)) this.cache.delete(key);
  }
}
