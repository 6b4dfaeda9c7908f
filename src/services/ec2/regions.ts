/**
 * The regions and availability zones EC2 describes. Regions launched before 2019 need no opt-in; later ones are
 * listed only with AllRegions (EC2 API reference, DescribeRegions). Zone ids follow AWS's form (`use1-az1`).
 */

export interface RegionInfo {
  readonly name: string;
  readonly optIn: boolean;
}

export const REGIONS: readonly RegionInfo[] = [
  ...[
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-southeast-1',
    'ap-southeast-2',
    'ca-central-1',
    'eu-central-1',
    'eu-north-1',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'sa-east-1',
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
  ].map((name) => ({ name, optIn: false })),
  ...[
    'af-south-1',
    'ap-east-1',
    'ap-south-2',
    'ap-southeast-3',
    'eu-central-2',
    'eu-south-1',
    'me-central-1',
    'me-south-1',
  ].map((name) => ({ name, optIn: true })),
];

const DIRECTIONS: Readonly<Record<string, string>> = {
  east: 'e',
  west: 'w',
  north: 'n',
  south: 's',
  central: 'c',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
};

/** `us-east-1` → `use1`, the prefix of its zone ids. */
export function zoneIdPrefix(region: string): string {
  const [area = '', direction = '', number = ''] = region.split('-');
  return `${area}${DIRECTIONS[direction] ?? direction}${number}`;
}

export interface ZoneInfo {
  readonly name: string;
  readonly id: string;
  readonly region: string;
}

/** Three zones, a to c, in any region. */
export const zonesOf = (region: string): ZoneInfo[] =>
  ['a', 'b', 'c'].map((letter, i) => ({
    name: `${region}${letter}`,
    id: `${zoneIdPrefix(region)}-az${i + 1}`,
    region,
  }));
