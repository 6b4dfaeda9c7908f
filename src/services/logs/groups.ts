/** Log group operations: create, delete, describe, and the retention policy. */
import type { LogGroup as LogGroupView, LogsOperations } from '../../protocol/generated/logs.ts';
import type { Handlers, OperationContext } from '../service.ts';
import { findGroup, groupArn, groupNameOf, storedBytes } from './common.ts';
import {
  deletionProtected,
  groupExists,
  identifiersWithFilters,
  invalidRetention,
  prefixAndPattern,
  RETENTION_DAYS,
  reservedGroupName,
} from './errors.ts';
import { checkNewTags } from './tags.ts';
import { compareNames, type GroupRecord, type LogGroup, type LogsState } from './state.ts';

type GroupOps = Pick<
  LogsOperations,
  'CreateLogGroup' | 'DeleteLogGroup' | 'DescribeLogGroups' | 'PutRetentionPolicy' | 'DeleteRetentionPolicy'
>;

/** DescribeLogGroups: "If you don't specify a value, the default is up to 50 items" (API reference). */
const DEFAULT_LIMIT = 50;

/** The full view DescribeLogGroups gives (the LogGroup shape; creationTime etc. in epoch milliseconds). */
function groupView(group: LogGroup, account: string, now: number): LogGroupView {
  const r = group.record;
  const arn = groupArn(account, r.region, r.name);
  return {
    logGroupName: r.name,
    creationTime: r.creationTime,
    ...(r.retentionInDays !== undefined && { retentionInDays: r.retentionInDays }),
    metricFilterCount: 0,
    // `arn` carries the trailing `:*` for IAM policies; `logGroupArn` does not (the LogGroup shape's documentation).
    arn: `${arn}:*`,
    storedBytes: storedBytes(group, now),
    ...(r.kmsKeyId !== undefined && { kmsKeyId: r.kmsKeyId }),
    logGroupClass: r.logGroupClass,
    logGroupArn: arn,
    deletionProtectionEnabled: r.deletionProtection === true,
  };
}

/** "If you specify logGroupNamePattern in your request, then only arn, creationTime, and logGroupName are included." */
function patternView(group: LogGroup, account: string): LogGroupView {
  const r = group.record;
  return {
    logGroupName: r.name,
    creationTime: r.creationTime,
    arn: `${groupArn(account, r.region, r.name)}:*`,
  };
}

export function groupHandlers(state: LogsState): Handlers<GroupOps> {
  const update = (ctx: OperationContext, name: string, change: (r: GroupRecord) => GroupRecord) =>
    state.write(async (w) => {
      const group = findGroup(state, name, ctx);
      await w.updateGroup(ctx.account, change(group.record));
    });

  return {
    CreateLogGroup: async (input, ctx) => {
      // "Log group names can't start with the string aws/" (CreateLogGroup API reference); AWS's answer says
      // "AWS/" for a lower-case name (application-monitoring-with-amazon-cloudwatch#11), so case is ignored.
      if (input.logGroupName.toLowerCase().startsWith('aws/')) throw reservedGroupName();
      const tags = input.tags ?? {};
      checkNewTags({}, tags, 'CreateLogGroup', input.logGroupName);
      const record: GroupRecord = {
        region: ctx.region,
        name: input.logGroupName,
        creationTime: ctx.now.getTime(),
        // "If you omit this parameter, the default of STANDARD is used" (CreateLogGroup API reference).
        logGroupClass: input.logGroupClass ?? 'STANDARD',
        tags,
        ...(input.kmsKeyId !== undefined && { kmsKeyId: input.kmsKeyId }),
        ...(input.deletionProtectionEnabled === true && { deletionProtection: true }),
      };
      await state.write(async (w) => {
        if (state.group(ctx.account, ctx.region, record.name)) throw groupExists();
        await w.createGroup(ctx.account, record);
      });
    },

    DeleteLogGroup: (input, ctx) =>
      state.write(async (w) => {
        const group = findGroup(state, input.logGroupName, ctx);
        // "When enabled, deletion protection blocks all deletion operations" (CreateLogGroup API reference).
        if (group.record.deletionProtection) throw deletionProtected();
        await w.deleteGroup(ctx.account, ctx.region, group.record.name);
      }),

    DescribeLogGroups: (input, ctx) => {
      if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) throw prefixAndPattern();
      const identifiers = input.logGroupIdentifiers;
      if (
        identifiers !== undefined &&
        (input.logGroupNamePrefix !== undefined ||
          input.logGroupNamePattern !== undefined ||
          input.logGroupClass !== undefined)
      ) {
        throw identifiersWithFilters();
      }
      const named = identifiers && new Set(identifiers.map((id) => groupNameOf(id, ctx.account, ctx.region)));
      const prefix = input.logGroupNamePrefix;
      const pattern = input.logGroupNamePattern;
      // Results are "ASCII-sorted by log group name" and AWS's nextToken is a group name (localstack#1527), so
      // the next page starts after it whatever was created or deleted meanwhile.
      const after = input.nextToken;
      const matching = state.groups(ctx.account, ctx.region).filter((g) => {
        const name = g.record.name;
        if (after !== undefined && compareNames(name, after) <= 0) return false;
        if (named && !named.has(name)) return false;
        if (prefix !== undefined && !name.startsWith(prefix)) return false;
        // "a case-sensitive substring search" (logGroupNamePattern, API reference); an empty pattern matches all.
        if (pattern !== undefined && !name.includes(pattern)) return false;
        return input.logGroupClass === undefined || g.record.logGroupClass === input.logGroupClass;
      });
      const limit = input.limit ?? DEFAULT_LIMIT;
      const page = matching.slice(0, limit);
      const now = ctx.now.getTime();
      const last = page[page.length - 1];
      return {
        logGroups: page.map((g) =>
          pattern !== undefined ? patternView(g, ctx.account) : groupView(g, ctx.account, now),
        ),
        ...(matching.length > limit && last && { nextToken: last.record.name }),
      };
    },

    PutRetentionPolicy: async (input, ctx) => {
      if (!RETENTION_DAYS.includes(input.retentionInDays)) throw invalidRetention(input.retentionInDays);
      await update(ctx, input.logGroupName, (r) => ({ ...r, retentionInDays: input.retentionInDays }));
    },

    DeleteRetentionPolicy: async (input, ctx) => {
      await update(ctx, input.logGroupName, (r) => {
        const { retentionInDays: _dropped, ...rest } = r;
        return rest;
      });
    },
  };
}
