/**
 * RoleLastUsed (GetRole): every request signed with a session of a role — AssumeRole's, the metadata service's,
 * Lambda's — marks the role used, with the date and the request's region ("RoleLastUsed: … the date and time and
 * the Region in which the role was last used", IAM API reference, RoleLastUsed). AWS updates it with a lag; rolecall
 * writes at most once a minute per role unless the region changes, off the request's path.
 */
import type { Logger } from 'pino';
import { nameKey } from '../model/iam.ts';
import { isoSeconds } from '../model/time.ts';
import type { IamState } from '../state/iam-state.ts';
import type { Principal } from './principal.ts';

const REFRESH_MS = 60_000;

export function roleUsageRecorder(state: IamState, log: Logger) {
  return (principal: Principal, region: string, now: Date): Promise<void> | undefined => {
    if (principal.type !== 'assumed-role') return undefined;
    const claims = principal.session;
    const key = nameKey(claims.roleName ?? '');
    const role = state.get('iam.role', principal.account, key);
    // A session of a deleted (or deleted and recreated) role uses nothing.
    if (!role || role.id !== claims.roleId) return undefined;
    const last = role.lastUsed;
    if (last !== undefined && last.region === region && now.getTime() - Date.parse(last.date) < REFRESH_MS) {
      return undefined;
    }
    return state
      .write(async (w) => {
        const current = state.get('iam.role', principal.account, key);
        if (!current || current.id !== claims.roleId) return;
        if (current.lastUsed !== undefined && Date.parse(current.lastUsed.date) > now.getTime()) return;
        await w.update('iam.role', principal.account, key, {
          ...current,
          lastUsed: { date: isoSeconds(now), region },
        });
      })
      .catch((err: unknown) => log.warn({ err }, 'could not record role use'));
  };
}
