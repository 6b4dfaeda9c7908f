/**
 * CloudTrail's LookupEvents (JSON 1.1) over rolecall's audit trail, so `aws cloudtrail lookup-events` works.
 * AWS's rules (CloudTrail API Reference, LookupEvents): at most one lookup attribute, of EventId, EventName,
 * ReadOnly, Username, ResourceType, ResourceName, EventSource or AccessKeyId; StartTime/EndTime bound the
 * events' time and a start after the end is InvalidTimeRangeException; MaxResults 1 to 50, default 50; a
 * NextToken works only with the parameters it was issued for (InvalidNextTokenException otherwise). Events are
 * the caller's account's, newest first, each with its record as the JSON string `CloudTrailEvent`.
 *
 * Unlike AWS, which returns only management events (and Insights events) here, rolecall returns data events too
 * (S3 object operations, Lambda Invoke): a local cloud has no other place to show them, and a denied GetObject
 * is exactly what one wants to look up. docs/AUDIT.md says so.
 */
import { createHash } from 'node:crypto';
import {
  cloudtrailModel,
  InvalidLookupAttributesException,
  InvalidMaxResultsException,
  InvalidNextTokenException,
  InvalidTimeRangeException,
  type CloudTrailOperations,
  type Event,
  type LookupEventsRequest,
} from '../../protocol/generated/cloudtrail.ts';
import type { AuditEvent, AuditFilter } from '../../audit/types.ts';
import type { ExtraFilter } from '../../audit/trail.ts';
import { userNameOf } from '../../audit/record.ts';
import { defineService, type ServiceDefinition } from '../service.ts';

/** What LookupEvents reads: the audit trail, or nothing when auditing is off. */
export interface LookupSource {
  find(filter: AuditFilter & ExtraFilter, limit: number, after?: string): readonly AuditEvent[];
  has(eventId: string): boolean;
}

const EMPTY_SOURCE: LookupSource = { find: () => [], has: () => false };

const DEFAULT_MAX_RESULTS = 50;

/** The filter a lookup attribute stands for. */
function attributeFilter(input: LookupEventsRequest): ExtraFilter & AuditFilter {
  const attributes = input.LookupAttributes ?? [];
  if (attributes.length > 1) {
    throw new InvalidLookupAttributesException('You cannot specify more than one lookup attribute.');
  }
  const attribute = attributes[0];
  if (!attribute) return {};
  const value = attribute.AttributeValue;
  switch (attribute.AttributeKey) {
    case 'EventId':
      return { eventId: value };
    case 'EventName':
      return { eventName: value };
    case 'EventSource':
      return { eventSource: value };
    case 'Username':
      return { userName: value };
    case 'AccessKeyId':
      return { accessKeyId: value };
    case 'ResourceName':
      return { resourceName: value };
    case 'ResourceType':
      return { resourceType: value };
    case 'ReadOnly':
      if (value !== 'true' && value !== 'false') {
        throw new InvalidLookupAttributesException(`ReadOnly must be 'true' or 'false', not '${value}'.`);
      }
      return { readOnly: value === 'true' };
    default:
      throw new InvalidLookupAttributesException(`'${String(attribute.AttributeKey)}' is not a lookup attribute.`);
  }
}

/** Ties a page token to the parameters it was issued for. */
function paramsHash(input: LookupEventsRequest, account: string): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        account,
        input.LookupAttributes ?? [],
        input.StartTime?.getTime() ?? null,
        input.EndTime?.getTime() ?? null,
        input.EventCategory ?? null,
      ]),
    )
    .digest('base64url')
    .slice(0, 16);
}

const encodeToken = (after: string, hash: string): string =>
  Buffer.from(JSON.stringify({ a: after, h: hash })).toString('base64url');

function decodeToken(token: string, hash: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a?: unknown; h?: unknown };
    if (typeof parsed.a === 'string' && parsed.h === hash) return parsed.a;
  } catch {
    // Falls through to the error: a token rolecall did not issue.
  }
  throw new InvalidNextTokenException('Invalid NextToken.');
}

export function lookupEvent(e: AuditEvent): Event {
  const userName = userNameOf(e.userIdentity);
  return {
    EventId: e.eventID,
    EventName: e.eventName,
    ReadOnly: String(e.readOnly),
    ...(e.userIdentity.accessKeyId !== undefined && { AccessKeyId: e.userIdentity.accessKeyId }),
    EventTime: new Date(e.eventTime),
    EventSource: e.eventSource,
    ...(userName !== undefined && { Username: userName }),
    Resources: (e.resources ?? []).map((r) => ({
      ...(r.type !== undefined && { ResourceType: r.type }),
      ResourceName: r.ARN,
    })),
    CloudTrailEvent: JSON.stringify(e),
  };
}

export function createCloudTrailService(source: LookupSource = EMPTY_SOURCE): ServiceDefinition {
  return defineService<CloudTrailOperations>(
    cloudtrailModel,
    {
      LookupEvents: (input, ctx) => {
        const max = input.MaxResults ?? DEFAULT_MAX_RESULTS;
        if (!Number.isInteger(max) || max < 1 || max > 50) {
          throw new InvalidMaxResultsException(
            'Value for parameter maxResults is invalid. It must be between 1 and 50.',
          );
        }
        if (input.StartTime && input.EndTime && input.StartTime.getTime() > input.EndTime.getTime()) {
          throw new InvalidTimeRangeException('Start time must be before end time.');
        }
        const filter = {
          ...attributeFilter(input),
          account: ctx.account,
          ...(input.StartTime && { since: input.StartTime }),
          ...(input.EndTime && { until: input.EndTime }),
        };
        const hash = paramsHash(input, ctx.account);
        const after = input.NextToken === undefined ? undefined : decodeToken(input.NextToken, hash);
        if (after !== undefined && !source.has(after)) throw new InvalidNextTokenException('Invalid NextToken.');
        // rolecall records no Insights events.
        if (input.EventCategory === 'insight') return { Events: [] };
        const page = source.find(filter, max + 1, after);
        const events = page.slice(0, max);
        const last = events[events.length - 1];
        return {
          Events: events.map(lookupEvent),
          ...(page.length > max && last && { NextToken: encodeToken(last.eventID, hash) }),
        };
      },
    },
    (problems) =>
      problems.some((p) => p.path.toLowerCase().startsWith('maxresults'))
        ? new InvalidMaxResultsException('Value for parameter maxResults is invalid. It must be between 1 and 50.')
        : problems.some((p) => p.path.toLowerCase().startsWith('lookupattributes'))
          ? new InvalidLookupAttributesException('A lookup attribute value must be 1 to 2000 characters.')
          : undefined,
  );
}
