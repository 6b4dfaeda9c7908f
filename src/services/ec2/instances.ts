/**
 * EC2 instances: launch, describe, the state machine (pending → running, stopping → stopped, shutting-down →
 * terminated; each action answers with the transitional state and the instance settles on rolecall's clock a
 * moment later, so `aws ec2 wait instance-running` works), tags, userData, and instance metadata options.
 */
import { randomBytes } from 'node:crypto';
import type { Ec2Operations, Filter, InstanceStateChange } from '../../protocol/generated/ec2.ts';
import type { Handlers, OperationContext } from '../service.ts';
import { AwsError } from '../../protocol/errors.ts';
import type { IamState } from '../../state/iam-state.ts';
import { stateAt, type InstanceRecord, type InstanceStateName } from '../../model/ec2.ts';
import { applyFilters, type FilterFields } from './filters.ts';
import { instanceIdMalformed, instanceNotFound, invalidParameter, missingParameter } from './errors.ts';
import { findProfile } from './profiles.ts';
import { instanceView, reservationView, stateView } from './views.ts';
import { zonesOf } from './regions.ts';

type InstanceOps = Pick<
  Ec2Operations,
  | 'RunInstances'
  | 'DescribeInstances'
  | 'DescribeInstanceStatus'
  | 'StartInstances'
  | 'StopInstances'
  | 'RebootInstances'
  | 'TerminateInstances'
  | 'CreateTags'
  | 'DeleteTags'
  | 'DescribeTags'
  | 'DescribeInstanceAttribute'
  | 'ModifyInstanceMetadataOptions'
>;

/** How long a transitional state lasts on rolecall's clock. */
export const SETTLE_MS = 500;
/** Terminated instances stay visible for an hour, as on AWS. */
const TERMINATED_VISIBLE_MS = 3_600_000;

export const hexId = (prefix: string): string => `${prefix}${randomBytes(9).toString('hex').slice(0, 17)}`;

export function instanceFilters(now: Date): FilterFields<InstanceRecord> {
  return {
    'instance-id': (i) => [i.instanceId],
    'instance-state-name': (i) => [stateAt(i, now)],
    'instance-type': (i) => [i.instanceType],
    'image-id': (i) => [i.imageId],
    'availability-zone': (i) => [i.availabilityZone],
    'iam-instance-profile.arn': (i) => (i.association ? [i.association.profileArn] : []),
    'tag-key': (i) => i.tags.map((t) => t.Key),
  };
}

/** Filters, with `tag:KEY` matching the value of that tag. */
function filterInstances(
  items: readonly InstanceRecord[],
  filters: readonly Filter[] | undefined,
  now: Date,
): InstanceRecord[] {
  const fields: Record<string, (i: InstanceRecord) => readonly string[]> = { ...instanceFilters(now) };
  for (const f of filters ?? []) {
    if (f.Name?.startsWith('tag:')) {
      const key = f.Name.slice(4);
      fields[f.Name] = (i) => i.tags.filter((t) => t.Key === key).map((t) => t.Value);
    }
  }
  return applyFilters(items, filters, fields);
}

/** EC2's NextToken pagination over an ordered list: the token is the index to resume at. */
export function pageOf<T>(
  items: readonly T[],
  token: string | undefined,
  max: number | undefined,
): { items: T[]; next?: string } {
  const start = token === undefined ? 0 : Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10);
  if (!Number.isInteger(start) || start < 0) throw invalidParameter(`The token '${token ?? ''}' is invalid.`);
  if (max === undefined) return { items: items.slice(start) };
  // AWS's wording (aws/aws-sdk-ruby#2575 quotes it).
  if (max < 5)
    throw invalidParameter(`Value ( ${max} ) for parameter maxResults is invalid. Expecting a value greater than 5.`);
  if (max > 1000)
    throw invalidParameter(`Value ( ${max} ) for parameter maxResults is invalid. Expecting a value less than 1000.`);
  const page = items.slice(start, start + max);
  return start + max < items.length
    ? { items: page, next: Buffer.from(String(start + max)).toString('base64url') }
    : { items: page };
}

export function instanceHandlers(state: IamState): Handlers<InstanceOps> {
  const visible = (ctx: OperationContext) =>
    state
      .list('ec2.instance', ctx.account)
      .filter((i) => i.region === ctx.region)
      .filter(
        (i) =>
          !(
            stateAt(i, ctx.now) === 'terminated' &&
            ctx.now.getTime() - Date.parse(i.settlesAt ?? i.launchTime) > TERMINATED_VISIBLE_MS
          ),
      )
      .sort((a, b) =>
        a.launchTime === b.launchTime ? (a.instanceId < b.instanceId ? -1 : 1) : a.launchTime < b.launchTime ? -1 : 1,
      );

  const findAll = (ctx: OperationContext, ids: readonly string[]): InstanceRecord[] => {
    for (const id of ids) if (!/^i-[0-9a-f]{8}([0-9a-f]{9})?$/.test(id)) throw instanceIdMalformed(id);
    const found = ids
      .map((id) => state.get('ec2.instance', ctx.account, id))
      .filter((i) => i && i.region === ctx.region);
    const missing = ids.filter((id) => !found.some((i) => i?.instanceId === id));
    if (missing.length > 0) throw instanceNotFound(missing);
    return found as InstanceRecord[];
  };

  /** Moves instances to a transitional state that settles into `to`; answers with the state changes. */
  const transition = (
    ctx: OperationContext,
    ids: readonly string[],
    plan: (
      i: InstanceRecord,
      current: InstanceStateName,
    ) => { via: InstanceStateName; to: InstanceStateName } | 'unchanged',
  ) =>
    state.write(async (w) => {
      const changes: InstanceStateChange[] = [];
      const settlesAt = new Date(ctx.now.getTime() + SETTLE_MS).toISOString();
      for (const instance of findAll(ctx, ids)) {
        const current = stateAt(instance, ctx.now);
        const step = plan(instance, current);
        if (step === 'unchanged') {
          changes.push({
            InstanceId: instance.instanceId,
            CurrentState: stateView(current),
            PreviousState: stateView(current),
          });
          continue;
        }
        await w.update('ec2.instance', ctx.account, instance.instanceId, {
          ...instance,
          state: step.via,
          settlesTo: step.to,
          settlesAt,
          stateTransitionReason:
            step.to === 'running'
              ? ''
              : `User initiated (${ctx.now
                  .toISOString()
                  .replace(/\.\d{3}Z$/, ' GMT')
                  .replace('T', ' ')})`,
        });
        changes.push({
          InstanceId: instance.instanceId,
          CurrentState: stateView(step.via),
          PreviousState: stateView(current),
        });
      }
      return changes;
    });

  return {
    RunInstances: (input, ctx) => {
      if (input.MinCount === undefined) throw missingParameter('MinCount');
      if (input.MaxCount === undefined) throw missingParameter('MaxCount');
      if (input.MinCount < 1 || input.MaxCount < input.MinCount) {
        throw invalidParameter(
          `Value (${input.MinCount}) for parameter minCount is invalid. Expected a positive number no larger than maxCount.`,
        );
      }
      if (!input.ImageId) throw missingParameter('ImageId');
      const hop = input.MetadataOptions?.HttpPutResponseHopLimit;
      if (hop !== undefined && (hop < 1 || hop > 64)) {
        throw invalidParameter(
          `The HttpPutResponseHopLimit value ${hop} is not valid. Specify a value between 1 and 64.`,
        );
      }
      const profile = input.IamInstanceProfile ? findProfile(state, ctx.account, input.IamInstanceProfile) : undefined;
      const zones = zonesOf(ctx.region);
      const zone = input.Placement?.AvailabilityZone ?? zones[0]?.name ?? `${ctx.region}a`;
      const reservationId = hexId('r-');
      const launchTime = ctx.now.toISOString();
      const records: InstanceRecord[] = [];
      for (let n = 0; n < input.MaxCount; n++) {
        const instanceId = hexId('i-');
        const tags = (input.TagSpecifications ?? [])
          .filter((t) => t.ResourceType === 'instance')
          .flatMap((t) => t.Tags ?? [])
          .map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
        records.push({
          instanceId,
          reservationId,
          region: ctx.region,
          availabilityZone: zone,
          imageId: input.ImageId,
          instanceType: input.InstanceType ?? 'm1.small',
          state: 'pending',
          settlesTo: 'running',
          settlesAt: new Date(ctx.now.getTime() + SETTLE_MS).toISOString(),
          stateTransitionReason: '',
          launchTime,
          amiLaunchIndex: n,
          privateIpAddress: `172.31.${randomBytes(1)[0] ?? 0}.${1 + ((randomBytes(1)[0] ?? 0) % 254)}`,
          ...(input.SubnetId !== undefined && { subnetId: input.SubnetId }),
          securityGroupIds: input.SecurityGroupIds ?? [],
          ...(input.UserData !== undefined && { userData: input.UserData }),
          tags,
          metadataOptions: {
            // Instances launched without options allow IMDSv1 (EC2 User Guide, "Configure instance metadata
            // options": the default for new instances is optional unless the AMI or account default says required).
            httpTokens: input.MetadataOptions?.HttpTokens ?? 'optional',
            httpPutResponseHopLimit: input.MetadataOptions?.HttpPutResponseHopLimit ?? 1,
            httpEndpoint: input.MetadataOptions?.HttpEndpoint ?? 'enabled',
            instanceMetadataTags: input.MetadataOptions?.InstanceMetadataTags ?? 'disabled',
          },
          ...(profile && {
            association: {
              associationId: hexId('iip-assoc-'),
              profileArn: profile.arn,
              profileId: profile.id,
              timestamp: launchTime,
            },
          }),
          pastAssociationIds: [],
        });
      }
      return state.write(async (w) => {
        for (const r of records) await w.insert('ec2.instance', ctx.account, r.instanceId, r);
        return {
          ...reservationView(
            ctx.account,
            reservationId,
            records.map((r) => instanceView(r, ctx.now)),
          ),
        };
      });
    },

    DescribeInstances: (input, ctx) => {
      if (input.InstanceIds && input.InstanceIds.length > 0 && input.MaxResults !== undefined) {
        throw new AwsError(
          'InvalidParameterCombination',
          400,
          'The parameter instancesSet cannot be used with the parameter maxResults',
        );
      }
      const chosen = input.InstanceIds && input.InstanceIds.length > 0 ? findAll(ctx, input.InstanceIds) : visible(ctx);
      const matched = filterInstances(chosen, input.Filters, ctx.now);
      const page = pageOf(matched, input.NextToken, input.MaxResults);
      const byReservation = new Map<string, InstanceRecord[]>();
      for (const i of page.items)
        byReservation.set(i.reservationId, [...(byReservation.get(i.reservationId) ?? []), i]);
      return {
        Reservations: [...byReservation.entries()].map(([id, list]) =>
          reservationView(
            ctx.account,
            id,
            list.map((i) => instanceView(i, ctx.now)),
          ),
        ),
        ...(page.next !== undefined && { NextToken: page.next }),
      };
    },

    DescribeInstanceStatus: (input, ctx) => {
      const chosen = input.InstanceIds && input.InstanceIds.length > 0 ? findAll(ctx, input.InstanceIds) : visible(ctx);
      const shown = chosen.filter((i) => input.IncludeAllInstances || stateAt(i, ctx.now) === 'running');
      const matched = filterInstances(shown, input.Filters, ctx.now);
      const page = pageOf(matched, input.NextToken, input.MaxResults);
      return {
        InstanceStatuses: page.items.map((i) => {
          const running = stateAt(i, ctx.now) === 'running';
          const ok = {
            Status: running ? ('ok' as const) : ('not-applicable' as const),
            Details: running ? [{ Name: 'reachability' as const, Status: 'passed' as const }] : [],
          };
          return {
            InstanceId: i.instanceId,
            AvailabilityZone: i.availabilityZone,
            InstanceState: stateView(stateAt(i, ctx.now)),
            InstanceStatus: ok,
            SystemStatus: ok,
            Events: [],
          };
        }),
        ...(page.next !== undefined && { NextToken: page.next }),
      };
    },

    StartInstances: async (input, ctx) => ({
      StartingInstances: await transition(ctx, input.InstanceIds, (i, current) => {
        if (current === 'running' || current === 'pending') return 'unchanged';
        if (current !== 'stopped') {
          throw new AwsError(
            'IncorrectInstanceState',
            400,
            `The instance '${i.instanceId}' is not in a state from which it can be started.`,
          );
        }
        return { via: 'pending', to: 'running' };
      }),
    }),

    StopInstances: async (input, ctx) => ({
      StoppingInstances: await transition(ctx, input.InstanceIds, (i, current) => {
        // AWS's answers (quoted in ansible-collections/amazon.aws#146 and cloud-custodian#6014).
        if (current === 'terminated' || current === 'shutting-down') {
          throw new AwsError(
            'IncorrectInstanceState',
            400,
            `This instance '${i.instanceId}' is not in a state from which it can be stopped.`,
          );
        }
        if (current === 'pending') {
          throw new AwsError(
            'IncorrectInstanceState',
            400,
            `Instance '${i.instanceId}' cannot be stopped as it has never reached the 'running' state.`,
          );
        }
        return current === 'stopped' || current === 'stopping' ? 'unchanged' : { via: 'stopping', to: 'stopped' };
      }),
    }),

    RebootInstances: (input, ctx) => {
      findAll(ctx, input.InstanceIds);
    },

    TerminateInstances: async (input, ctx) => ({
      TerminatingInstances: await transition(ctx, input.InstanceIds, (_i, current) =>
        current === 'terminated' || current === 'shutting-down'
          ? 'unchanged'
          : { via: 'shutting-down', to: 'terminated' },
      ),
    }),

    CreateTags: (input, ctx) =>
      state.write(async (w) => {
        const instances = findAll(ctx, input.Resources);
        for (const i of instances) {
          const tags = [...i.tags];
          for (const t of input.Tags) {
            const at = tags.findIndex((x) => x.Key === t.Key);
            const tag = { Key: t.Key ?? '', Value: t.Value ?? '' };
            if (at >= 0) tags[at] = tag;
            else tags.push(tag);
          }
          if (tags.length > 50) {
            throw new AwsError('TagLimitExceeded', 400, 'The maximum number of Tags for a resource has been reached.');
          }
          await w.update('ec2.instance', ctx.account, i.instanceId, { ...i, tags });
        }
      }),

    DeleteTags: (input, ctx) =>
      state.write(async (w) => {
        for (const i of findAll(ctx, input.Resources)) {
          const doomed = input.Tags ?? [];
          const tags =
            doomed.length === 0
              ? []
              : i.tags.filter(
                  (t) => !doomed.some((d) => d.Key === t.Key && (d.Value === undefined || d.Value === t.Value)),
                );
          await w.update('ec2.instance', ctx.account, i.instanceId, { ...i, tags });
        }
      }),

    DescribeTags: (input, ctx) => {
      const rows = visible(ctx).flatMap((i) =>
        i.tags.map((t) => ({
          Key: t.Key,
          Value: t.Value,
          ResourceId: i.instanceId,
          ResourceType: 'instance' as const,
        })),
      );
      const filtered = applyFilters(rows, input.Filters, {
        key: (r) => [r.Key],
        value: (r) => [r.Value],
        'resource-id': (r) => [r.ResourceId],
        'resource-type': (r) => [r.ResourceType],
      });
      const page = pageOf(filtered, input.NextToken, input.MaxResults);
      return { Tags: page.items, ...(page.next !== undefined && { NextToken: page.next }) };
    },

    DescribeInstanceAttribute: (input, ctx) => {
      const [instance] = findAll(ctx, [input.InstanceId]);
      if (!instance) throw instanceNotFound([input.InstanceId]);
      switch (input.Attribute) {
        case 'userData':
          return {
            InstanceId: instance.instanceId,
            UserData: instance.userData === undefined ? {} : { Value: instance.userData },
          };
        case 'instanceType':
          return { InstanceId: instance.instanceId, InstanceType: { Value: instance.instanceType } };
        default:
          throw invalidParameter(`Value (${input.Attribute}) for parameter attribute is invalid. Unknown attribute.`);
      }
    },

    ModifyInstanceMetadataOptions: (input, ctx) =>
      state.write(async (w) => {
        const [instance] = findAll(ctx, [input.InstanceId]);
        if (!instance) throw instanceNotFound([input.InstanceId]);
        const hop = input.HttpPutResponseHopLimit;
        if (hop !== undefined && (hop < 1 || hop > 64)) {
          throw invalidParameter(
            `The HttpPutResponseHopLimit value ${hop} is not valid. Specify a value between 1 and 64.`,
          );
        }
        const options = {
          httpTokens: input.HttpTokens ?? instance.metadataOptions.httpTokens,
          httpPutResponseHopLimit: hop ?? instance.metadataOptions.httpPutResponseHopLimit,
          httpEndpoint: input.HttpEndpoint ?? instance.metadataOptions.httpEndpoint,
          instanceMetadataTags: input.InstanceMetadataTags ?? instance.metadataOptions.instanceMetadataTags,
        };
        await w.update('ec2.instance', ctx.account, instance.instanceId, { ...instance, metadataOptions: options });
        return {
          InstanceId: instance.instanceId,
          // AWS answers "pending" and applies the options moments later (EC2 API reference).
          InstanceMetadataOptions: {
            State: 'pending',
            HttpTokens: options.httpTokens,
            HttpPutResponseHopLimit: options.httpPutResponseHopLimit,
            HttpEndpoint: options.httpEndpoint,
            HttpProtocolIpv6: 'disabled',
            InstanceMetadataTags: options.instanceMetadataTags,
          },
        };
      }),
  };
}
