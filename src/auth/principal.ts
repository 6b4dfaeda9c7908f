/**
 * The authenticated caller of a request: an account root, an IAM user (with long-term keys or a GetSessionToken
 * session), or an assumed-role session. Authorization switches on `type`.
 */
import { rootArn } from '../model/arn.ts';
import type { SessionClaims } from './session-token.ts';

export interface RootPrincipal {
  readonly type: 'root';
  readonly account: string;
  readonly arn: string;
  /** aws:userid of a root is the account id. */
  readonly userId: string;
  readonly accessKeyId: string;
  /** Present when the credentials are temporary (GetSessionToken). */
  readonly session?: SessionClaims;
}

export interface UserPrincipal {
  readonly type: 'user';
  readonly account: string;
  readonly arn: string;
  /** The user's unique id (AIDA…), which is also its aws:userid. */
  readonly userId: string;
  readonly userName: string;
  readonly accessKeyId: string;
  /** Present when the credentials are temporary (GetSessionToken). */
  readonly session?: SessionClaims;
}

export interface RoleSessionPrincipal {
  readonly type: 'assumed-role';
  readonly account: string;
  /** `arn:aws:sts::<account>:assumed-role/<role name>/<session name>` (no path). */
  readonly arn: string;
  /** `<RoleId>:<session name>`. */
  readonly userId: string;
  readonly accessKeyId: string;
  readonly session: SessionClaims;
}

/**
 * A request without credentials. Only S3 accepts them, and only a bucket policy that grants the public (`"*"`)
 * lets one through (Amazon S3 User Guide, "Blocking public access").
 */
export interface AnonymousPrincipal {
  readonly type: 'anonymous';
  readonly account: '';
  readonly arn: '*';
  readonly userId: 'anonymous';
  readonly accessKeyId: '';
  readonly session?: undefined;
}

export const anonymousPrincipal: AnonymousPrincipal = {
  type: 'anonymous',
  account: '',
  arn: '*',
  userId: 'anonymous',
  accessKeyId: '',
};

/** A caller that signed its request. */
export type SignedPrincipal = RootPrincipal | UserPrincipal | RoleSessionPrincipal;

export type Principal = SignedPrincipal | AnonymousPrincipal;

export const rootPrincipal = (account: string, accessKeyId: string): RootPrincipal => ({
  type: 'root',
  account,
  arn: rootArn(account),
  userId: account,
  accessKeyId,
});
