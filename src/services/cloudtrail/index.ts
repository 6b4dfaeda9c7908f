/** CloudTrail's LookupEvents (JSON 1.1) over rolecall's audit trail. */
import { cloudtrailModel, type CloudTrailOperations } from '../../protocol/generated/cloudtrail.ts';
import { defineService, type ServiceDefinition } from '../service.ts';
import { notYet } from '../not-yet.ts';

export function createCloudTrailService(): ServiceDefinition {
  return defineService<CloudTrailOperations>(cloudtrailModel, notYet('cloudtrail', ['LookupEvents']));
}
