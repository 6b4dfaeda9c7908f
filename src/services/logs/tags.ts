/**
 * Log group tags, through both APIs: TagResource/UntagResource/ListTagsForResource (by ARN, without `:*`) and the
 * older TagLogGroup/UntagLogGroup/ListTagsLogGroup (by name). Key and value lengths and characters are checked
 * by the gateway from the model; the rules here are the ones it cannot express.
 */
import type { LogsOperations } from '../../protocol/generated/logs.ts';
import { parseArn } from '../../model/arn.ts';
import type { Handlers, OperationContext } from '../service.ts';
import { findGroup } from './common.ts';
import { groupNotFound, invalidResourceArn, reservedTagKey, tooManyTags, tooManyTagsOnGroup } from './errors.ts';
import type { LogsState } from './state.ts';

type TagOps = Pick<
  LogsOperations,
  'TagResource' | 'UntagResource' | 'ListTagsForResource' | 'TagLogGroup' | 'UntagLogGroup' | 'ListTagsLogGroup'
>;

/** "You can associate as many as 50 tags with a CloudWatch Logs resource" (TagResource API reference). */
export const MAX_TAGS = 50;

/**
 * Refuses tags AWS refuses: keys in the reserved `aws:` prefix, and more than 50 on the group once merged.
 * TagResource models TooManyTagsException; the others answer InvalidParameterException.
 */
export function checkNewTags(
  current: Readonly<Record<string, string>>,
  added: Readonly<Record<string, string>>,
  operation: 'CreateLogGroup' | 'TagLogGroup' | 'TagResource',
  resource: string,
): void {
  for (const key of Object.keys(added)) {
    if (key.toLowerCase().startsWith('aws:')) throw reservedTagKey(key);
  }
  const count = new Set([...Object.keys(current), ...Object.keys(added)]).size;
  if (count > MAX_TAGS) throw operation === 'TagResource' ? tooManyTags(resource) : tooManyTagsOnGroup();
}

/**
 * The log group a tagging API's resourceArn names. The ARN with `:*` (DescribeLogGroups' `arn`) is refused as
 * "Invalid resourceArn" (boto3#4104); destinations and other taggable types are not served here.
 */
export function taggedGroupName(resourceArn: string, ctx: OperationContext): string {
  const arn = parseArn(resourceArn);
  if (!arn || arn.service !== 'logs' || !arn.resource.startsWith('log-group:')) throw invalidResourceArn();
  const name = arn.resource.slice('log-group:'.length);
  if (name === '' || name.includes(':')) throw invalidResourceArn();
  if (arn.account !== ctx.account || arn.region !== ctx.region) throw groupNotFound();
  return name;
}

export function tagHandlers(state: LogsState): Handlers<TagOps> {
  const tag = (
    ctx: OperationContext,
    name: string,
    added: Record<string, string>,
    operation: 'TagLogGroup' | 'TagResource',
    arn: string,
  ) =>
    state.write(async (w) => {
      const group = findGroup(state, name, ctx);
      checkNewTags(group.record.tags, added, operation, arn);
      await w.updateGroup(ctx.account, { ...group.record, tags: { ...group.record.tags, ...added } });
    });

  const untag = (ctx: OperationContext, name: string, keys: readonly string[]) =>
    state.write(async (w) => {
      const group = findGroup(state, name, ctx);
      const tags = Object.fromEntries(Object.entries(group.record.tags).filter(([k]) => !keys.includes(k)));
      await w.updateGroup(ctx.account, { ...group.record, tags });
    });

  return {
    TagResource: async (input, ctx) => {
      await tag(ctx, taggedGroupName(input.resourceArn, ctx), input.tags, 'TagResource', input.resourceArn);
    },
    UntagResource: async (input, ctx) => {
      await untag(ctx, taggedGroupName(input.resourceArn, ctx), input.tagKeys);
    },
    ListTagsForResource: (input, ctx) => ({
      tags: { ...findGroup(state, taggedGroupName(input.resourceArn, ctx), ctx).record.tags },
    }),
    TagLogGroup: async (input, ctx) => {
      await tag(ctx, input.logGroupName, input.tags, 'TagLogGroup', input.logGroupName);
    },
    UntagLogGroup: async (input, ctx) => {
      await untag(ctx, input.logGroupName, input.tags);
    },
    ListTagsLogGroup: (input, ctx) => ({ tags: { ...findGroup(state, input.logGroupName, ctx).record.tags } }),
  };
}
