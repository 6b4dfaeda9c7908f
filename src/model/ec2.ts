/** EC2 instances as rolecall keeps them: the launch parameters, the state machine, tags, profile association. */

/** A tag (the same shape as IAM's; kept here so the two model files do not import each other). */
export interface Ec2Tag {
  readonly Key: string;
  readonly Value: string;
}

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

/** EC2's numeric state codes (EC2 API reference, InstanceState). */
export const STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface MetadataOptionsRecord {
  readonly httpTokens: 'optional' | 'required';
  readonly httpPutResponseHopLimit: number;
  readonly httpEndpoint: 'enabled' | 'disabled';
  readonly instanceMetadataTags: 'enabled' | 'disabled';
}

export interface ProfileAssociationRecord {
  readonly associationId: string;
  readonly profileArn: string;
  readonly profileId: string;
  readonly timestamp: string;
}

export interface InstanceRecord {
  readonly instanceId: string;
  readonly reservationId: string;
  readonly region: string;
  readonly availabilityZone: string;
  readonly imageId: string;
  readonly instanceType: string;
  /** The state the last action left; a transitional state becomes `settlesTo` once rolecall's clock passes `settlesAt`. */
  readonly state: InstanceStateName;
  readonly settlesTo?: InstanceStateName;
  readonly settlesAt?: string;
  readonly stateTransitionReason: string;
  readonly launchTime: string;
  readonly amiLaunchIndex: number;
  readonly privateIpAddress: string;
  readonly subnetId?: string;
  readonly securityGroupIds: readonly string[];
  readonly userData?: string;
  readonly tags: readonly Ec2Tag[];
  readonly metadataOptions: MetadataOptionsRecord;
  readonly association?: ProfileAssociationRecord;
  /** The port of the instance's metadata service on 127.0.0.1, kept with the instance across stops and restarts. */
  readonly metadataPort?: number;
  /** Associations this instance had before, so a stale id is told apart from an unknown one. */
  readonly pastAssociationIds: readonly string[];
}

/** An instance's state at a given time: transitional states settle once their moment has passed. */
export function stateAt(instance: InstanceRecord, now: Date): InstanceStateName {
  if (
    instance.settlesTo !== undefined &&
    instance.settlesAt !== undefined &&
    now.getTime() >= Date.parse(instance.settlesAt)
  ) {
    return instance.settlesTo;
  }
  return instance.state;
}
