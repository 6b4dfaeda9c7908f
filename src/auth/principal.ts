/**
 * The authenticated caller of a request. Only account roots exist until IAM users and STS sessions arrive; the
 * union grows with them, and authorization switches on `type`.
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

export type Principal = RootPrincipal;

export const rootPrincipal = (account: string, accessKeyId: string): RootPrincipal => ({
  type: 'root',
  account,
  arn: rootArn(account),
  userId: account,
  accessKeyId,
});
