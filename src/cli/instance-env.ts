/**
 * The environment a workload on an instance sees: its SDK finds the instance's metadata service and nothing
 * else (shared/DESIGN.md, "Practical pointers"). Shared by `rolecall env` and `rolecall run`.
 */

export interface InstanceInfo {
  readonly instanceId: string;
  readonly region: string;
  readonly state: string;
  readonly metadataEndpoint?: string;
}

/** The rolecall endpoint: --endpoint, else ROLECALL_ENDPOINT, else the default. */
export function endpointFrom(args: readonly string[], env: Readonly<Record<string, string | undefined>>): string {
  const i = args.indexOf('--endpoint');
  const given = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--endpoint='))?.slice('--endpoint='.length);
  return (given ?? env['ROLECALL_ENDPOINT'] ?? 'http://127.0.0.1:4566').replace(/\/+$/, '');
}

export async function fetchInstance(endpoint: string, instanceId: string): Promise<InstanceInfo> {
  let res: Response;
  try {
    res = await fetch(`${endpoint}/_rolecall/instances/${encodeURIComponent(instanceId)}`);
  } catch {
    throw new Error(`cannot reach rolecall at ${endpoint} (start it with \`rolecall serve\`, or pass --endpoint)`);
  }
  if (res.status === 404) throw new Error(`rolecall at ${endpoint} has no instance ${instanceId}`);
  if (!res.ok) throw new Error(`rolecall at ${endpoint} answered ${res.status}`);
  const info = (await res.json()) as InstanceInfo;
  if (info.metadataEndpoint === undefined) {
    throw new Error(`instance ${instanceId} is ${info.state}: its metadata service runs only while it is running`);
  }
  return info;
}

/** Variables to set, and those to remove so no other credential source is found first. */
export function workloadEnvironment(
  endpoint: string,
  info: InstanceInfo,
): { set: Record<string, string>; unset: string[] } {
  return {
    set: {
      AWS_EC2_METADATA_SERVICE_ENDPOINT: info.metadataEndpoint ?? '',
      AWS_EC2_METADATA_DISABLED: 'false',
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: info.region,
      AWS_DEFAULT_REGION: info.region,
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_CONFIG_FILE: '/dev/null',
    },
    unset: [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_SECURITY_TOKEN',
      'AWS_PROFILE',
      'AWS_DEFAULT_PROFILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_ROLE_ARN',
    ],
  };
}

/** The value of `--instance ID` (or `--instance=ID`). */
export function instanceArg(args: readonly string[]): string | undefined {
  const i = args.indexOf('--instance');
  const value = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--instance='))?.slice('--instance='.length);
  // A flag in its place means the id was forgotten.
  return value === undefined || value.startsWith('--') ? undefined : value;
}
