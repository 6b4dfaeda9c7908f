/**
 * Who holds an access key. `test` is the root of the default account and any 12-digit key id is the root of
 * that account, both with the secret `test` (DEVELOPERS.md: multi-account out of the box). Keys issued by IAM
 * (CreateAccessKey) authenticate with their own secrets while Active. Every key, known or not, is verified by
 * SigV4 with its secret: there is no key that skips verification.
 */
import { DEFAULT_ACCOUNT } from '../model/arn.ts';
import type { IamState } from '../state/iam-state.ts';
import { rootPrincipal, type Principal } from './principal.ts';

export const ROOT_SECRET = 'test';

export interface ResolvedKey {
  readonly secretAccessKey: string;
  readonly principal: Principal;
}

/** The account whose root an access key id names, if it names one. */
export function rootAccountOf(accessKeyId: string): string | undefined {
  if (accessKeyId === 'test') return DEFAULT_ACCOUNT;
  return /^\d{12}$/.test(accessKeyId) ? accessKeyId : undefined;
}

export type KeyResolver = (accessKeyId: string, sessionToken: string | undefined) => ResolvedKey | undefined;

/**
 * Resolves an access key id (and session token) to its secret and principal; undefined means the key is not
 * valid, which the gateway reports as InvalidClientTokenId (or AuthFailure on EC2).
 */
export function keyResolver(state: IamState): KeyResolver {
  return (accessKeyId, sessionToken) => {
    // Long-term keys only so far: a session token with one is not a token rolecall issued, so it is refused.
    if (sessionToken !== undefined) return undefined;
    const account = rootAccountOf(accessKeyId);
    if (account !== undefined) return { secretAccessKey: ROOT_SECRET, principal: rootPrincipal(account, accessKeyId) };
    const found = state.findAccessKey(accessKeyId);
    if (!found || found.key.status !== 'Active') return undefined;
    const { key } = found;
    if (key.userKey === undefined) {
      return { secretAccessKey: key.secretAccessKey, principal: rootPrincipal(found.account, accessKeyId) };
    }
    const user = state.get('iam.user', found.account, key.userKey);
    if (!user) return undefined;
    return {
      secretAccessKey: key.secretAccessKey,
      principal: {
        type: 'user',
        account: found.account,
        arn: user.arn,
        userId: user.id,
        userName: user.name,
        accessKeyId,
      },
    };
  };
}
