/**
 * The opaque strings CloudWatch Logs hands out: GetLogEvents' `f/…` and `b/…` tokens, FilterLogEvents'
 * nextToken, event ids and sequence tokens. Every one names a position in a stream's order, the event key
 * (timestamp, sequence number), so a token stays valid while events arrive and a poll resumes where it stopped.
 */
import { InvalidParameterException } from '../../protocol/generated/logs.ts';

/** An event's place in (timestamp, sequence) order. Sequence numbers start at 1, so (0, 0) precedes every event. */
export interface EventKey {
  readonly timestamp: number;
  readonly seq: number;
}

export const BEFORE_ALL: EventKey = { timestamp: 0, seq: 0 };

export const compareKeys = (a: EventKey, b: EventKey): number => a.timestamp - b.timestamp || a.seq - b.seq;

/**
 * 56 digits, the length of AWS's own tokens and event ids (`f/31961209122447488583055879464742346735121166569214640130`
 * in awscli/examples/logs/get-log-events.rst): 20 for the timestamp, 36 for the sequence number.
 */
export const keyDigits = (key: EventKey): string =>
  String(key.timestamp).padStart(20, '0') + String(key.seq).padStart(36, '0');

/** Reads keyDigits back; undefined when the text is not 56 digits of a key we could have written. */
function readDigits(digits: string): EventKey | undefined {
  if (!/^\d{56}$/.test(digits)) return undefined;
  const timestamp = Number(digits.slice(0, 20));
  const seq = Number(digits.slice(20));
  if (!Number.isSafeInteger(timestamp) || !Number.isSafeInteger(seq)) return undefined;
  return { timestamp, seq };
}

/** AWS's answer to a token it did not issue (boto3#1467: FilterLogEvents, "The specified nextToken is invalid."). */
export const invalidToken = (): InvalidParameterException =>
  new InvalidParameterException('The specified nextToken is invalid.');

export interface StreamCursor {
  readonly direction: 'forward' | 'backward';
  readonly key: EventKey;
}

export const forwardToken = (key: EventKey): string => `f/${keyDigits(key)}`;
export const backwardToken = (key: EventKey): string => `b/${keyDigits(key)}`;

/** Parses a GetLogEvents token: `f/<56 digits>` reads after the key, `b/<56 digits>` before it. */
export function parseStreamToken(token: string): StreamCursor {
  const direction = token.startsWith('f/') ? 'forward' : token.startsWith('b/') ? 'backward' : undefined;
  const key = direction && readDigits(token.slice(2));
  if (!direction || !key) throw invalidToken();
  return { direction, key };
}

/** FilterLogEvents' nextToken: the key of the last event returned, so the next page starts after it. */
export const filterToken = (key: EventKey): string => Buffer.from(`v1/${keyDigits(key)}`).toString('base64url');

export function parseFilterToken(token: string): EventKey {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const key = text.startsWith('v1/') ? readDigits(text.slice(3)) : undefined;
  if (!key || filterToken(key) !== token) throw invalidToken();
  return key;
}

/** An event id: unique in its log group because the sequence number is. */
export const eventId = (key: EventKey): string => keyDigits(key);

/** PutLogEvents' nextSequenceToken and DescribeLogStreams' uploadSequenceToken (ignored by AWS since 2023). */
export const sequenceToken = (seq: number): string => String(seq).padStart(56, '0');
