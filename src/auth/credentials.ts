/**
 * Who holds an access key. `test` is the root of the default account and any 12-digit key id is the root of
 * that account, both with the secret `test` (DEVELOPERS.md: multi-account out of the box). Keys issued by
 * rolecall (IAM access keys, STS sessions) are resolved here too as they arrive. Every key, known or not, is
 * verified by SigV4 with its secret: there is no key that skips verification.
 */
import { DEFAULT_ACCOUNT } from '../model/arn.ts';
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

/**
 * Resolves an access key id (and session token) to its secret and principal; undefined means the key is not
 * valid, which the gateway reports as InvalidClientTokenId (or AuthFailure on EC2).
 */
export function resolveAccessKey(accessKeyId: string, sessionToken: string | undefined): ResolvedKey | undefined {
  const account = rootAccountOf(accessKeyId);
  // Root keys are long-term: a session token with one is not a token rolecall issued, so it is refused.
  if (account !== undefined && sessionToken === undefined) {
    return { secretAccessKey: ROOT_SECRET, principal: rootPrincipal(account, accessKeyId) };
  }
  return undefined;
}
