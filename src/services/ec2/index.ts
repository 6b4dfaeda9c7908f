/** The EC2 service: regions and zones, instances, instance profile associations and metadata options. */
import { ec2Model, type Ec2Operations, type AvailabilityZone, type Region } from '../../protocol/generated/ec2.ts';
import { AwsError } from '../../protocol/errors.ts';
import { defineService, type ServiceDefinition } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import { associationHandlers } from './associations.ts';
import { instanceHandlers } from './instances.ts';
import { applyFilters } from './filters.ts';
import { REGIONS, zonesOf, type RegionInfo, type ZoneInfo } from './regions.ts';

const regionView = (r: RegionInfo): Region => ({
  RegionName: r.name,
  Endpoint: `ec2.${r.name}.amazonaws.com`,
  OptInStatus: r.optIn ? 'not-opted-in' : 'opt-in-not-required',
});

const zoneView = (z: ZoneInfo): AvailabilityZone => ({
  ZoneName: z.name,
  ZoneId: z.id,
  State: 'available',
  OptInStatus: 'opt-in-not-required',
  Messages: [],
  RegionName: z.region,
  GroupName: z.region,
  NetworkBorderGroup: z.region,
  ZoneType: 'availability-zone',
});

export function ec2Service(state: IamState): ServiceDefinition {
  return defineService<Ec2Operations>(ec2Model, {
    ...instanceHandlers(state),
    ...associationHandlers(state),
    DescribeRegions: (input) => {
      const named = input.RegionNames ?? [];
      for (const name of named) {
        if (!REGIONS.some((r) => r.name === name)) {
          throw new AwsError('InvalidParameterValue', 400, `Invalid region: ${name}`);
        }
      }
      const chosen = REGIONS.filter((r) => (named.length > 0 ? named.includes(r.name) : input.AllRegions || !r.optIn));
      const views = applyFilters(chosen.map(regionView), input.Filters, {
        'region-name': (r) => [r.RegionName ?? ''],
        endpoint: (r) => [r.Endpoint ?? ''],
        'opt-in-status': (r) => [r.OptInStatus ?? ''],
      });
      return { Regions: views };
    },

    DescribeAvailabilityZones: (input, ctx) => {
      const zones = zonesOf(ctx.region).map(zoneView);
      const named = applyFilters(zones, input.Filters, {
        'zone-name': (z) => [z.ZoneName ?? ''],
        'zone-id': (z) => [z.ZoneId ?? ''],
        'region-name': (z) => [z.RegionName ?? ''],
        state: (z) => [z.State ?? ''],
        'zone-type': (z) => [z.ZoneType ?? ''],
        'group-name': (z) => [z.GroupName ?? ''],
        'opt-in-status': (z) => [z.OptInStatus ?? ''],
      });
      const byName = input.ZoneNames ?? [];
      const byId = input.ZoneIds ?? [];
      for (const name of byName) {
        if (!zones.some((z) => z.ZoneName === name)) {
          throw new AwsError('InvalidParameterValue', 400, `The zone '${name}' does not exist.`);
        }
      }
      for (const id of byId) {
        if (!zones.some((z) => z.ZoneId === id)) {
          throw new AwsError('InvalidParameterValue', 400, `The zone id '${id}' does not exist.`);
        }
      }
      return {
        AvailabilityZones: named.filter(
          (z) =>
            (byName.length === 0 || byName.includes(z.ZoneName ?? '')) &&
            (byId.length === 0 || byId.includes(z.ZoneId ?? '')),
        ),
      };
    },
  });
}
