/**
 * CloudWatch Logs errors with AWS's wording. Each message's source is beside it; those marked "not confirmed" are
 * our best reading where no recorded AWS response was found.
 */
import {
  InvalidParameterException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TooManyTagsException,
  ValidationException,
} from '../../protocol/generated/logs.ts';

/** Seen in SDK traces, e.g. localstack#1642, aws-robotics/cloudwatchlogs-ros1#1 (both lines). */
export const groupExists = (): ResourceAlreadyExistsException =>
  new ResourceAlreadyExistsException('The specified log group already exists');
export const streamExists = (): ResourceAlreadyExistsException =>
  new ResourceAlreadyExistsException('The specified log stream already exists');

/** lumigo-io/SAR-Propagate-CFN-Tags#1, aws/aws-logging-dotnet#134 (with the trailing period). */
export const groupNotFound = (): ResourceNotFoundException =>
  new ResourceNotFoundException('The specified log group does not exist.');
export const streamNotFound = (): ResourceNotFoundException =>
  new ResourceNotFoundException('The specified log stream does not exist.');

/** CreateLogGroup: "Log group names can't start with the string aws/" (API reference); the text from aws-otel-collector#353. */
export const reservedGroupName = (): InvalidParameterException =>
  new InvalidParameterException('Log groups starting with AWS/ are reserved for AWS.');

/** Strings seen from PutLogEvents (dibog/cloudwatch-logback-appender#17, aws-greengrass-log-manager#59, firecamp#82). */
export const notChronological = (): InvalidParameterException =>
  new InvalidParameterException('Log events in a single PutLogEvents request must be in chronological order.');
export const spansMoreThanADay = (): InvalidParameterException =>
  new InvalidParameterException(
    'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
  );
export const uploadTooLarge = (bytes: number, limit: number): InvalidParameterException =>
  new InvalidParameterException(`Upload too large: ${bytes} bytes exceeds limit of ${limit}`);
/** aws/aws-sdk-js-v3#6164 ("Log event too large: 315563 bytes exceeds limit of 262144", before the 1 MB limit). */
export const eventTooLarge = (bytes: number, limit: number): InvalidParameterException =>
  new InvalidParameterException(`Log event too large: ${bytes} bytes exceeds limit of ${limit}`);

/** turbot/steampipe-plugin-aws#1949 (a DescribeLogStreams trace). */
export const orderByWithPrefix = (): InvalidParameterException =>
  new InvalidParameterException('Cannot order by LastEventTime with a logStreamNamePrefix.');

/** Both or neither of logGroupName and logGroupIdentifier (the API reference says "but not both"); not confirmed. */
export const nameAndIdentifier = (): InvalidParameterException =>
  new InvalidParameterException('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
export const nameOrIdentifierMissing = (): InvalidParameterException =>
  new InvalidParameterException('Should provide either name or ARN of the log group.');

/** DescribeLogGroups: "logGroupNamePrefix and logGroupNamePattern are mutually exclusive" (API reference); not confirmed. */
export const prefixAndPattern = (): InvalidParameterException =>
  new InvalidParameterException('LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.');

/** FilterLogEvents: both names and a prefix is an InvalidParameterException (API reference); wording not confirmed. */
export const namesAndPrefix = (): InvalidParameterException =>
  new InvalidParameterException('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');

/** DescribeLogGroups: logGroupIdentifiers allows no other filter but includeLinkedAccounts (API reference). */
export const identifiersWithFilters = (): InvalidParameterException =>
  new InvalidParameterException(
    'logGroupIdentifiers cannot be combined with logGroupNamePrefix, logGroupNamePattern or logGroupClass.',
  );

/** The allowed retention values (the Days shape's documentation in the botocore model). */
export const RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Logs words an out-of-set retention as a validation failure inside InvalidParameterException; not confirmed. */
export const invalidRetention = (days: number): InvalidParameterException =>
  new InvalidParameterException(
    `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: ` +
      `Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
  );

/** ListTagsForResource with the `:*` ARN: ValidationException "Invalid resourceArn" (boto3#4104, cloud-nuke#1150). */
export const invalidResourceArn = (): ValidationException => new ValidationException('Invalid resourceArn');

/** "A resource can have no more than 50 tags" (TooManyTagsException's documentation); wording not confirmed. */
export const tooManyTags = (arn: string): TooManyTagsException =>
  new TooManyTagsException(`A resource can have no more than 50 tags. Resource: ${arn}`);

/** Same limit through TagLogGroup, which models no TooManyTagsException; not confirmed. */
export const tooManyTagsOnGroup = (): InvalidParameterException =>
  new InvalidParameterException('A resource can have no more than 50 tags.');

/** `aws:` is reserved in tag keys (AWS tagging rules); wording not confirmed. */
export const reservedTagKey = (key: string): InvalidParameterException =>
  new InvalidParameterException(`Tag keys cannot start with 'aws:': ${key}`);

/** DeleteLogGroup on a protected group answers ValidationException (the model lists it); wording not confirmed. */
export const deletionProtected = (): ValidationException =>
  new ValidationException('The log group has deletion protection enabled. Disable it before deleting the log group.');
