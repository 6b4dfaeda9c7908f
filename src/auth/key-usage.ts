/**
 * Access key last use, for GetAccessKeyLastUsed: when an IAM access key (not a temporary one) signs a request,
 * its LastUsedDate, service and region are recorded. AWS updates it within minutes, not per request; rolecall
 * writes at most once a minute per key unless the service or region changes, off the request's path.
 */
import type { Logger } from 'pino';
import type { IamState } from '../state/iam-state.ts';
import { isoSeconds } from '../model/time.ts';
import type { Principal } from './principal.ts';

const REFRESH_MS = 60_000;

export function keyUsageRecorder(state: IamState, log: Logger) {
  return (principal: Principal, service: string, region: string, now: Date): void => {
    if (principal.type === 'assumed-role' || principal.session !== undefined) return;
    const found = state.findAccessKey(principal.accessKeyId);
    if (!found) return;
    const last = found.key.lastUsed;
    const fresh =
      last !== undefined &&
      last.service === service &&
      last.region === region &&
      now.getTime() - Date.parse(last.date) < REFRESH_MS;
    if (fresh) return;
    state
      .write(async (w) => {
        const current = state.findAccessKey(principal.accessKeyId);
        if (!current) return;
        await w.update('iam.access-key', current.account, current.key.accessKeyId, {
          ...current.key,
          lastUsed: { date: isoSeconds(now), service, region },
        });
      })
      .catch((err: unknown) => log.warn({ err }, 'could not record access key use'));
  };
}
