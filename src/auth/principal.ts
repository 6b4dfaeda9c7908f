/**
 * The authenticated caller of a request: an account root or an IAM user for now; role sessions join with STS.
 * Authorization switches on `type`.
 */
import { rootArn } from '../model/arn.ts';

export interface RootPrincipal {
  readonly type: 'root';
  readonly account: string;
  readonly arn: string;
  /** aws:userid of a root is the account id. */
  readonly userId: string;
  readonly accessKeyId: string;
}

export interface UserPrincipal {
  readonly type: 'user';
  readonly account: string;
  readonly arn: string;
  /** The user's unique id (AIDA…), which is also its aws:userid. */
  readonly userId: string;
  readonly userName: string;
  readonly accessKeyId: string;
}

export type Principal = RootPrincipal | UserPrincipal;

export const rootPrincipal = (account: string, accessKeyId: string): RootPrincipal => ({
  type: 'root',
  account,
  arn: rootArn(account),
  userId: account,
  accessKeyId,
});
