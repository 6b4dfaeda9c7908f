/** ARNs of the IAM and STS entities rolecall serves (shared/AWS-FACTS.md: the path is kept in IAM ARNs). */

export const DEFAULT_ACCOUNT = '000000000000';

export const rootArn = (account: string): string => `arn:aws:iam::${account}:root`;

/** `path` is `/` or `/a/b/`; the ARN keeps it without its leading slash. */
export const iamArn = (
  account: string,
  type: 'role' | 'instance-profile' | 'user' | 'group' | 'policy',
  path: string,
  name: string,
): string => `arn:aws:iam::${account}:${type}${path}${name}`;

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** Splits an ARN into its six parts; undefined when it is not one. */
export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  if (partition === '' || service === '') return undefined;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}
