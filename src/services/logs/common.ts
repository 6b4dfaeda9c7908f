/** ARNs, log group lookup by name or identifier, and retention arithmetic shared by the Logs handlers. */
import { parseArn } from '../../model/arn.ts';
import type { OperationContext } from '../service.ts';
import { groupNotFound, nameAndIdentifier, nameOrIdentifierMissing, streamNotFound } from './errors.ts';
import type { LogGroup, LogsState, LogStream } from './state.ts';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** `arn:aws:logs:<region>:<account>:log-group:<name>`: the logGroupArn, and the tagging APIs' resourceArn. */
export const groupArn = (account: string, region: string, name: string): string =>
  `arn:aws:logs:${region}:${account}:log-group:${name}`;

export const streamArn = (account: string, region: string, group: string, stream: string): string =>
  `${groupArn(account, region, group)}:log-stream:${stream}`;

/** The log group a name or ARN names, in the caller's account and region; undefined when it names another. */
export function groupNameOf(identifier: string, account: string, region: string): string | undefined {
  if (!identifier.startsWith('arn:')) return identifier;
  const arn = parseArn(identifier);
  if (!arn || arn.service !== 'logs' || !arn.resource.startsWith('log-group:')) return undefined;
  // Cross-account observability (monitoring accounts) is not served: another account's group is not found.
  if (arn.account !== account || arn.region !== region) return undefined;
  const name = arn.resource.slice('log-group:'.length);
  return name === '' || name.includes(':') ? undefined : name;
}

interface GroupChoice {
  readonly logGroupName?: string | undefined;
  readonly logGroupIdentifier?: string | undefined;
}

/** The group named by logGroupName or logGroupIdentifier, exactly one of which must be given (API reference). */
export function chooseGroup(state: LogsState, input: GroupChoice, ctx: OperationContext): LogGroup {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) throw nameAndIdentifier();
  const identifier = input.logGroupName ?? input.logGroupIdentifier;
  if (identifier === undefined) throw nameOrIdentifierMissing();
  const name = groupNameOf(identifier, ctx.account, ctx.region);
  const group = name === undefined ? undefined : state.group(ctx.account, ctx.region, name);
  if (!group) throw groupNotFound();
  return group;
}

export function findGroup(state: LogsState, name: string, ctx: OperationContext): LogGroup {
  const group = state.group(ctx.account, ctx.region, name);
  if (!group) throw groupNotFound();
  return group;
}

export function findStream(group: LogGroup, name: string): LogStream {
  const stream = group.streams.get(name);
  if (!stream) throw streamNotFound();
  return stream;
}

/**
 * The earliest timestamp still retained: events older than the group's retention are expired. They are hidden
 * from reads and storedBytes at once; AWS deletes them "typically up to 72 hours" later (PutRetentionPolicy API
 * reference), and until a group or stream is deleted rolecall keeps them, so lengthening or removing the
 * retention shows them again, as AWS may within that window.
 */
export const retainedFrom = (group: LogGroup, now: number): number =>
  group.record.retentionInDays === undefined ? 0 : now - group.record.retentionInDays * DAY_MS;

/** Bytes a log group stores: UTF-8 message bytes of its events that have not expired. */
export function storedBytes(group: LogGroup, now: number): number {
  const from = retainedFrom(group, now);
  let total = 0;
  for (const stream of group.streams.values()) {
    const log = stream.events;
    total += log.bytesBetween(log.firstAtOrAfter(from), log.length);
  }
  return total;
}
