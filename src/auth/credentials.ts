/**
 * Who holds an access key. `test` is the root of the default account and any 12-digit key id is the root of
 * that account, both with the secret `test` (DEVELOPERS.md: multi-account out of the box). Keys issued by IAM
 * (CreateAccessKey) authenticate with their own secrets while Active; temporary keys (ASIA…) come with a session
 * token that carries their secret and session (session-token.ts). Every key, known or not, is verified by SigV4
 * with its secret: there is no key that skips verification.
 */
import { DEFAULT_ACCOUNT } from '../model/arn.ts';
import type { IamState } from '../state/iam-state.ts';
import { rootPrincipal, type Principal } from './principal.ts';
import { openToken, type SessionClaims } from './session-token.ts';

export const ROOT_SECRET = 'test';

const OPENED_TOKENS_KEPT = 10_000;

export interface ResolvedKey {
  readonly secretAccessKey: string;
  readonly principal: Principal;
  /** Temporary credentials stop working here (ExpiredToken). */
  readonly expiresAt?: Date;
}

/** The account whose root an access key id names, if it names one. */
export function rootAccountOf(accessKeyId: string): string | undefined {
  if (accessKeyId === 'test') return DEFAULT_ACCOUNT;
  return /^\d{12}$/.test(accessKeyId) ? accessKeyId : undefined;
}

export type KeyResolver = (accessKeyId: string, sessionToken: string | undefined) => ResolvedKey | undefined;

/** The principal a session's claims describe; undefined when the user behind a user session is gone. */
export function sessionPrincipal(state: IamState, claims: SessionClaims): Principal | undefined {
  switch (claims.kind) {
    case 'root':
      return { ...rootPrincipal(claims.account, claims.accessKeyId), session: claims };
    case 'user': {
      const user = claims.userKey === undefined ? undefined : state.get('iam.user', claims.account, claims.userKey);
      if (!user) return undefined;
      return {
        type: 'user',
        account: claims.account,
        arn: user.arn,
        userId: user.id,
        userName: user.name,
        accessKeyId: claims.accessKeyId,
        session: claims,
      };
    }
    case 'role': {
      const roleName = claims.roleName ?? '';
      return {
        type: 'assumed-role',
        account: claims.account,
        arn: `arn:aws:sts::${claims.account}:assumed-role/${roleName}/${claims.sessionName ?? ''}`,
        userId: `${claims.roleId ?? ''}:${claims.sessionName ?? ''}`,
        accessKeyId: claims.accessKeyId,
        session: claims,
      };
    }
  }
}

/**
 * Resolves an access key id (and session token) to its secret and principal; undefined means the key is not
 * valid, which the gateway reports as InvalidClientTokenId (or AuthFailure on EC2).
 */
export function keyResolver(state: IamState, tokenKey: Buffer): KeyResolver {
  // Opening a token (AES-GCM and JSON) costs microseconds on every request of a session; a token always opens to
  // the same claims, so recent ones are kept.
  const opened = new Map<string, SessionClaims | undefined>();
  const open = (token: string) => {
    if (opened.has(token)) return opened.get(token);
    const claims = openToken(tokenKey, token);
    if (opened.size >= OPENED_TOKENS_KEPT) opened.clear();
    opened.set(token, claims);
    return claims;
  };
  return (accessKeyId, sessionToken) => {
    if (sessionToken !== undefined) {
      const claims = open(sessionToken);
      if (!claims || claims.accessKeyId !== accessKeyId) return undefined;
      const principal = sessionPrincipal(state, claims);
      if (!principal) return undefined;
      return { secretAccessKey: claims.secretAccessKey, principal, expiresAt: new Date(claims.expiresAt) };
    }
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
