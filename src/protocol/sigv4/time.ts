/** SigV4 timestamps: parsing and printing `yyyymmddThhmmssZ`, and the allowed clock skew. */

/**
 * Allowed clock skew either way. 15 minutes is what AWS's own messages state for IAM/STS-style services, e.g.
 * "(20130609T100015Z - 15 min.)" (architect/dynalite) and ALLOWED_MISMATCH_MINUTES = 15
 * (dacut/scratchstack-aws-signature); S3 reports MaxAllowedSkewMilliseconds 900000 in RequestTimeTooSkewed
 * (aws/aws-sdk-php#612). Some endpoints use 5 minutes (a CloudFormation message quoted in public tests reads
 * "- 5 min."); rolecall uses 15 everywhere.
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses ISO 8601 basic format `yyyymmddThhmmssZ`; undefined for anything else, including impossible dates. */
export function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls over impossible dates (Feb 30 → Mar 2): a real date keeps its fields.
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return valid ? date : undefined;
}

/** Whether a credential-scope date is a real `yyyyMMdd` day. */
export function isScopeDate(value: string): boolean {
  return /^\d{8}$/.test(value) && parseAmzDate(`${value}T000000Z`) !== undefined;
}

/** `yyyymmddThhmmssZ`, dropping milliseconds, as AWS prints times in its messages. */
export function formatAmzDate(date: Date): string {
  const iso = date.toISOString(); // 2026-01-01T00:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** `2026-01-01T00:00:00Z`: ISO 8601 without milliseconds, as S3 prints ServerTime and Expires in its errors. */
export function formatIsoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
