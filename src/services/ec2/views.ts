/** How EC2 shows stored instances and associations on the wire. */
import type {
  IamInstanceProfileAssociation,
  Instance,
  InstanceState,
  Reservation,
} from '../../protocol/generated/ec2.ts';
import { STATE_CODES, stateAt, type InstanceRecord, type InstanceStateName } from '../../model/ec2.ts';

export const stateView = (name: InstanceStateName): InstanceState => ({ Code: STATE_CODES[name], Name: name });

export function instanceView(i: InstanceRecord, now: Date): Instance {
  const state = stateAt(i, now);
  const dns = `ip-${i.privateIpAddress.replace(/\./g, '-')}.${i.region === 'us-east-1' ? 'ec2.internal' : `${i.region}.compute.internal`}`;
  return {
    InstanceId: i.instanceId,
    ImageId: i.imageId,
    State: stateView(state),
    PrivateDnsName: dns,
    PublicDnsName: '',
    StateTransitionReason: i.stateTransitionReason,
    AmiLaunchIndex: i.amiLaunchIndex,
    ProductCodes: [],
    InstanceType: i.instanceType as Instance['InstanceType'],
    LaunchTime: new Date(i.launchTime),
    Placement: { AvailabilityZone: i.availabilityZone, GroupName: '', Tenancy: 'default' },
    Monitoring: { State: 'disabled' },
    ...(i.subnetId !== undefined && { SubnetId: i.subnetId }),
    PrivateIpAddress: i.privateIpAddress,
    Architecture: 'x86_64',
    RootDeviceType: 'ebs',
    RootDeviceName: '/dev/xvda',
    BlockDeviceMappings: [],
    Hypervisor: 'xen',
    VirtualizationType: 'hvm',
    SecurityGroups: i.securityGroupIds.map((id) => ({ GroupId: id, GroupName: id })),
    SourceDestCheck: true,
    NetworkInterfaces: [],
    EbsOptimized: false,
    EnaSupport: true,
    ...(i.association && { IamInstanceProfile: { Arn: i.association.profileArn, Id: i.association.profileId } }),
    ...(i.tags.length > 0 && { Tags: [...i.tags] }),
    MetadataOptions: {
      State: 'applied',
      HttpTokens: i.metadataOptions.httpTokens,
      HttpPutResponseHopLimit: i.metadataOptions.httpPutResponseHopLimit,
      HttpEndpoint: i.metadataOptions.httpEndpoint,
      HttpProtocolIpv6: 'disabled',
      InstanceMetadataTags: i.metadataOptions.instanceMetadataTags,
    },
  };
}

export function reservationView(account: string, reservationId: string, instances: Instance[]): Reservation {
  return { ReservationId: reservationId, OwnerId: account, Groups: [], Instances: instances };
}

export function associationView(
  i: InstanceRecord,
  state: IamInstanceProfileAssociation['State'],
): IamInstanceProfileAssociation | undefined {
  const a = i.association;
  if (!a) return undefined;
  return {
    AssociationId: a.associationId,
    InstanceId: i.instanceId,
    IamInstanceProfile: { Arn: a.profileArn, Id: a.profileId },
    State: state,
    Timestamp: new Date(a.timestamp),
  };
}
