/**
 * Hand-made audit events and a small in-memory AuditTrail for the unit tests of explain, suggest-policy and
 * last-accessed, which are written against the contract in src/audit/types.ts rather than the stored trail.
 */
import type { AuditCheck, AuditEvent, AuditFilter, AuditTrail, AuditUserIdentity } from '../../src/audit/types.ts';
import { IamState } from '../../src/state/iam-state.ts';
import { MemoryStore } from '../../src/store/memory/memory-store.ts';
import type { RoleRecord, UserRecord } from '../../src/model/iam.ts';

export const ACCOUNT = '111122223333';

/** The trail as the contract describes it: newest first, filtered as AuditFilter says. */
export class MemoryTrail implements AuditTrail {
  readonly events: AuditEvent[] = [];

  record(event: AuditEvent): void {
    this.events.unshift(event);
  }

  byRequestId(requestId: string): AuditEvent | undefined {
    return this.events.find((e) => e.requestID === requestId);
  }

  find(filter: AuditFilter, limit: number, after?: string): readonly AuditEvent[] {
    let start = 0;
    if (after !== undefined) start = this.events.findIndex((e) => e.eventID === after) + 1;
    const out: AuditEvent[] = [];
    for (const e of this.events.slice(start)) {
      const time = Date.parse(e.eventTime);
      if (filter.since && time < filter.since.getTime()) continue;
      if (filter.until && time > filter.until.getTime()) continue;
      if (filter.principalArn !== undefined) {
        const issuer = e.userIdentity.sessionContext?.sessionIssuer?.arn;
        if (e.userIdentity.arn !== filter.principalArn && issuer !== filter.principalArn) continue;
      }
      if (filter.deniedOnly && e.authorization?.decision === 'Allowed') continue;
      if (filter.eventName !== undefined && e.eventName !== filter.eventName) continue;
      out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}

export async function emptyState(): Promise<IamState> {
  const store = new MemoryStore();
  await store.open();
  return IamState.load(store);
}

export const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export function roleRecord(name: string, extra: Partial<RoleRecord> = {}): RoleRecord {
  return {
    name,
    id: `AROA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
    path: '/',
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    createDate: '2026-01-01T00:00:00.000Z',
    inlinePolicies: [],
    attachedPolicyArns: [],
    trustPolicy: EC2_TRUST,
    maxSessionDuration: 3600,
    tags: [],
    ...extra,
  };
}

export function userRecord(name: string, extra: Partial<UserRecord> = {}): UserRecord {
  return {
    name,
    id: `AIDA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
    path: '/',
    arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    createDate: '2026-01-01T00:00:00.000Z',
    inlinePolicies: [],
    attachedPolicyArns: [],
    tags: [],
    groupKeys: [],
    ...extra,
  };
}

export async function putRole(state: IamState, role: RoleRecord): Promise<void> {
  await state.write(async (w) => {
    const key = role.name.toLowerCase();
    if (state.get('iam.role', ACCOUNT, key)) await w.update('iam.role', ACCOUNT, key, role);
    else await w.insert('iam.role', ACCOUNT, key, role);
  });
}

export async function putUser(state: IamState, user: UserRecord): Promise<void> {
  await state.write(async (w) => {
    const key = user.name.toLowerCase();
    if (state.get('iam.user', ACCOUNT, key)) await w.update('iam.user', ACCOUNT, key, user);
    else await w.insert('iam.user', ACCOUNT, key, user);
  });
}

export function sessionIdentity(role: RoleRecord, session = 'i-0123456789abcdef0'): AuditUserIdentity {
  return {
    type: 'AssumedRole',
    principalId: `${role.id}:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/${session}`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: role.id, arn: role.arn, accountId: ACCOUNT, userName: role.name },
      attributes: { creationDate: '2026-12-05T00:00:00Z', mfaAuthenticated: 'false' },
      ec2RoleDelivery: '2.0',
    },
  };
}

export function userIdentity(user: UserRecord): AuditUserIdentity {
  return {
    type: 'IAMUser',
    principalId: user.id,
    arn: user.arn,
    accountId: ACCOUNT,
    accessKeyId: 'AKIAEXAMPLEEXAMPLE01',
    userName: user.name,
  };
}

let counter = 0;

export interface EventSpec {
  readonly identity: AuditUserIdentity;
  readonly checks: readonly AuditCheck[];
  readonly time?: string;
  readonly eventName?: string;
  readonly eventSource?: string;
  readonly region?: string;
  readonly requestId?: string;
  readonly mode?: 'on' | 'audit' | 'off';
}

/** An event with the checks given; its decision is the first non-Allowed check's, else Allowed. */
export function auditEvent(spec: EventSpec): AuditEvent {
  counter++;
  const denied = spec.checks.find((c) => c.decision !== 'Allowed');
  const first = spec.checks[0];
  const [service = 'sts', op = 'GetCallerIdentity'] = (first?.action ?? 'sts:GetCallerIdentity').split(':');
  return {
    eventVersion: '1.09',
    userIdentity: spec.identity,
    eventTime: spec.time ?? '2026-12-05T01:00:00Z',
    eventSource: spec.eventSource ?? `${service}.amazonaws.com`,
    eventName: spec.eventName ?? op,
    awsRegion: spec.region ?? 'us-east-1',
    sourceIPAddress: '127.0.0.1',
    requestParameters: null,
    responseElements: null,
    ...(denied && { errorCode: 'AccessDenied', errorMessage: 'Access Denied' }),
    requestID: spec.requestId ?? `REQ${String(counter).padStart(6, '0')}`,
    eventID: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: service !== 's3',
    recipientAccountId: ACCOUNT,
    eventCategory: service === 's3' ? 'Data' : 'Management',
    authorization: {
      mode: spec.mode ?? 'on',
      decision: denied?.decision ?? 'Allowed',
      checks: spec.checks,
    },
  };
}

export const check = (
  action: string,
  resource: string,
  decision: AuditCheck['decision'] = 'Allowed',
  extra: Partial<AuditCheck> = {},
): AuditCheck => ({
  action,
  resource,
  decision,
  statements: [],
  ...(decision === 'ImplicitlyDenied' && { blockedBy: 'identity' as const }),
  ...extra,
});
