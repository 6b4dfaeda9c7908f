/** Customer managed policies and their versions, and the read-only view of AWS managed ones. */
import type { IamOperations, Policy, PolicyVersion } from '../../protocol/generated/iam.ts';
import { MalformedPolicyDocumentException } from '../../protocol/generated/iam.ts';
import type { Handlers } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import type { AwsManagedPolicies } from '../../state/aws-managed-policies.ts';
import { findManagedPolicy, policyUsage, type PolicyUsage } from '../../state/policies.ts';
import { nameKey, type ManagedPolicyRecord } from '../../model/iam.ts';
import { iamArn, parseArn } from '../../model/arn.ts';
import { uniqueId } from '../../model/ids.ts';
import { isoSeconds } from '../../model/time.ts';
import { policySize, validatePolicy } from '../../policy/validate.ts';
import { encodePolicyDocument } from './encoding.ts';
import {
  accessDenied,
  deleteConflict,
  invalidArn,
  invalidInput,
  policyExists,
  policyNotAttachable,
  policyNotFound,
  quotaExceeded,
} from './errors.ts';
import { LimitExceededException, NoSuchEntityException } from '../../protocol/generated/iam.ts';
import { paginate } from './pagination.ts';
import { MAX_TAGS } from './tags.ts';
import { isAwsManagedArn } from '../../state/aws-managed-policies.ts';
import type { Tag } from '../../model/iam.ts';

const tagsNotSupported = () => invalidInput('Tags not supported for policies in this domain');

/**
 * Policy tags differ from other IAM tags: keys are case-sensitive (`a` and `A` coexist) and a repeated key is
 * refused as `Duplicate tag keys found.` (recorded AWS responses, docs/research/iam-policies-users-facts.md §2).
 */
function mergePolicyTags(current: readonly Tag[], added: readonly Tag[]): Tag[] {
  if (new Set(added.map((t) => t.Key)).size !== added.length) throw invalidInput('Duplicate tag keys found.');
  const merged = current.map((t) => ({ ...t }));
  for (const tag of added) {
    const i = merged.findIndex((t) => t.Key === tag.Key);
    if (i >= 0) merged[i] = { Key: tag.Key, Value: tag.Value };
    else merged.push({ Key: tag.Key, Value: tag.Value });
  }
  if (merged.length > MAX_TAGS) throw new LimitExceededException('The number of tags has reached the maximum limit.');
  return merged;
}

type PolicyOps = Pick<
  IamOperations,
  | 'CreatePolicy'
  | 'GetPolicy'
  | 'ListPolicies'
  | 'DeletePolicy'
  | 'CreatePolicyVersion'
  | 'GetPolicyVersion'
  | 'ListPolicyVersions'
  | 'DeletePolicyVersion'
  | 'SetDefaultPolicyVersion'
  | 'TagPolicy'
  | 'UntagPolicy'
  | 'ListPolicyTags'
  | 'ListEntitiesForPolicy'
>;

/** Managed policy documents may hold 6,144 characters, whitespace not counted (IAM quotas). */
export const MANAGED_POLICY_QUOTA = 6144;
/** Versions kept per managed policy (IAM quotas). */
export const MAX_POLICY_VERSIONS = 5;

/** Validates an identity policy document for a managed policy: syntax first, then size. */
export function checkManagedDocument(document: string): void {
  const problem = validatePolicy(document, 'identity', { requireCurrentVersion: true });
  if (problem !== undefined) throw new MalformedPolicyDocumentException(problem);
  if (policySize(document) > MANAGED_POLICY_QUOTA) throw quotaExceeded('PolicySize', MANAGED_POLICY_QUOTA);
}

function policyView(policy: ManagedPolicyRecord, usage: PolicyUsage | undefined, detail: boolean): Policy {
  return {
    PolicyName: policy.name,
    PolicyId: policy.id,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: usage?.attachments ?? 0,
    PermissionsBoundaryUsageCount: usage?.boundaries ?? 0,
    IsAttachable: true,
    ...(detail && { Description: policy.description }),
    CreateDate: new Date(policy.createDate),
    UpdateDate: new Date(policy.updateDate),
    // GetPolicy always carries Tags, even empty (recorded AWS responses).
    ...(detail && { Tags: [...policy.tags] }),
  };
}

function versionView(policy: ManagedPolicyRecord, versionId: string, withDocument: boolean): PolicyVersion {
  const version = policy.versions.find((v) => v.versionId === versionId);
  return {
    ...(withDocument && version && { Document: encodePolicyDocument(version.document) }),
    VersionId: versionId,
    IsDefaultVersion: versionId === policy.defaultVersionId,
    CreateDate: new Date(version?.createDate ?? policy.createDate),
  };
}

export function managedPolicyHandlers(state: IamState, catalogue: AwsManagedPolicies): Handlers<PolicyOps> {
  const find = (account: string, arn: string): ManagedPolicyRecord => {
    if (!parseArn(arn)) throw invalidArn(arn);
    const policy = findManagedPolicy(state, catalogue, account, arn);
    if (!policy) throw policyNotFound(arn);
    return policy;
  };

  /** Customer managed policies of the caller's account only: AWS managed ones cannot be changed. */
  const findOwn = (account: string, arn: string, refusal: string): ManagedPolicyRecord => {
    const policy = find(account, arn);
    if (parseArn(arn)?.account === 'aws') throw accessDenied(refusal);
    return policy;
  };

  const update = (
    account: string,
    arn: string,
    refusal: string,
    change: (p: ManagedPolicyRecord) => ManagedPolicyRecord,
  ) =>
    state.write(async (w) => {
      const updated = change(findOwn(account, arn, refusal));
      await w.update('iam.policy', account, nameKey(updated.name), updated);
      return updated;
    });

  /** Used for a missing version and for a missing policy alike (recorded AWS responses). */
  const versionNotFound = (arn: string, versionId: string) =>
    new NoSuchEntityException(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);

  return {
    CreatePolicy: (input, ctx) => {
      checkManagedDocument(input.PolicyDocument);
      mergePolicyTags([], input.Tags ?? []);
      const path = input.Path ?? '/';
      const now = isoSeconds(ctx.now);
      const policy: ManagedPolicyRecord = {
        name: input.PolicyName,
        id: uniqueId('ANPA'),
        path,
        arn: iamArn(ctx.account, 'policy', path, input.PolicyName),
        ...(input.Description !== undefined && { description: input.Description }),
        createDate: now,
        updateDate: now,
        defaultVersionId: 'v1',
        versions: [{ versionId: 'v1', document: input.PolicyDocument, createDate: now }],
        nextVersion: 2,
        tags: input.Tags ?? [],
      };
      return state.write(async (w) => {
        if (state.get('iam.policy', ctx.account, nameKey(policy.name))) throw policyExists(policy.name);
        await w.insert('iam.policy', ctx.account, nameKey(policy.name), policy);
        // CreatePolicy shows no Description, and Tags only when given (recorded AWS responses).
        const view = policyView(policy, undefined, false);
        return { Policy: policy.tags.length > 0 ? { ...view, Tags: [...policy.tags] } : view };
      });
    },

    GetPolicy: (input, ctx) => {
      const policy = find(ctx.account, input.PolicyArn);
      return { Policy: policyView(policy, policyUsage(state, ctx.account).get(policy.arn), true) };
    },

    ListPolicies: (input, ctx) => {
      const scope = input.Scope ?? 'All';
      const prefix = input.PathPrefix ?? '/';
      const usage = policyUsage(state, ctx.account);
      const candidates = [
        ...(scope === 'Local' ? [] : catalogue.list()),
        ...(scope === 'AWS' ? [] : state.list('iam.policy', ctx.account)),
      ].filter((p) => {
        const u = usage.get(p.arn);
        if (!p.path.startsWith(prefix)) return false;
        if (input.OnlyAttached && !u) return false;
        if (input.PolicyUsageFilter === 'PermissionsPolicy' && input.OnlyAttached && !u?.attachments) return false;
        if (input.PolicyUsageFilter === 'PermissionsBoundary' && input.OnlyAttached && !u?.boundaries) return false;
        return true;
      });
      const page = paginate(candidates, (p) => p.arn, input.Marker, input.MaxItems);
      return {
        Policies: page.items.map((p) => policyView(p, usage.get(p.arn), false)),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },

    DeletePolicy: (input, ctx) =>
      state.write(async (w) => {
        const policy = findOwn(ctx.account, input.PolicyArn, 'Cannot delete policies outside your own account.');
        const usage = policyUsage(state, ctx.account).get(policy.arn);
        if (usage && (usage.attachments > 0 || usage.boundaries > 0)) {
          throw deleteConflict('Cannot delete a policy attached to entities.');
        }
        if (policy.versions.length > 1) {
          throw deleteConflict(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
          );
        }
        await w.delete('iam.policy', ctx.account, nameKey(policy.name));
      }),

    CreatePolicyVersion: async (input, ctx) => {
      const refusal = 'Cannot create policy versions for policies outside your own account.';
      findOwn(ctx.account, input.PolicyArn, refusal);
      checkManagedDocument(input.PolicyDocument);
      const now = isoSeconds(ctx.now);
      const updated = await update(ctx.account, input.PolicyArn, refusal, (policy) => {
        if (policy.versions.length >= MAX_POLICY_VERSIONS) {
          throw new LimitExceededException(
            'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
          );
        }
        const versionId = `v${policy.nextVersion}`;
        return {
          ...policy,
          versions: [...policy.versions, { versionId, document: input.PolicyDocument, createDate: now }],
          nextVersion: policy.nextVersion + 1,
          updateDate: now,
          ...(input.SetAsDefault && { defaultVersionId: versionId }),
        };
      });
      return { PolicyVersion: versionView(updated, `v${updated.nextVersion - 1}`, false) };
    },

    GetPolicyVersion: (input, ctx) => {
      const policy = findManagedPolicy(state, catalogue, ctx.account, input.PolicyArn);
      if (!policy?.versions.some((v) => v.versionId === input.VersionId)) {
        throw versionNotFound(input.PolicyArn, input.VersionId);
      }
      return { PolicyVersion: versionView(policy, input.VersionId, true) };
    },

    ListPolicyVersions: (input, ctx) => {
      const policy = find(ctx.account, input.PolicyArn);
      const newestFirst = [...policy.versions].reverse();
      const page = paginate(newestFirst, (v) => v.versionId, input.Marker, input.MaxItems);
      return {
        Versions: page.items.map((v) => versionView(policy, v.versionId, false)),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },

    DeletePolicyVersion: async (input, ctx) => {
      if (!findManagedPolicy(state, catalogue, ctx.account, input.PolicyArn)) {
        throw versionNotFound(input.PolicyArn, input.VersionId);
      }
      await update(
        ctx.account,
        input.PolicyArn,
        'Cannot delete policy versions outside your own account.',
        (policy) => {
          if (!policy.versions.some((v) => v.versionId === input.VersionId)) {
            throw versionNotFound(input.PolicyArn, input.VersionId);
          }
          if (policy.defaultVersionId === input.VersionId) {
            throw deleteConflict('Cannot delete the default version of a policy.');
          }
          return { ...policy, versions: policy.versions.filter((v) => v.versionId !== input.VersionId) };
        },
      );
    },

    SetDefaultPolicyVersion: async (input, ctx) => {
      if (!findManagedPolicy(state, catalogue, ctx.account, input.PolicyArn)) {
        throw versionNotFound(input.PolicyArn, input.VersionId);
      }
      await update(ctx.account, input.PolicyArn, 'Cannot modify policies outside your own account.', (policy) => {
        if (!policy.versions.some((v) => v.versionId === input.VersionId)) {
          throw versionNotFound(input.PolicyArn, input.VersionId);
        }
        return { ...policy, defaultVersionId: input.VersionId };
      });
    },

    TagPolicy: async (input, ctx) => {
      if (isAwsManagedArn(input.PolicyArn) && find(ctx.account, input.PolicyArn)) throw tagsNotSupported();
      await update(ctx.account, input.PolicyArn, 'Tags not supported for policies in this domain', (p) => ({
        ...p,
        tags: mergePolicyTags(p.tags, input.Tags),
      }));
    },

    UntagPolicy: async (input, ctx) => {
      if (isAwsManagedArn(input.PolicyArn) && find(ctx.account, input.PolicyArn)) throw tagsNotSupported();
      await update(ctx.account, input.PolicyArn, 'Tags not supported for policies in this domain', (p) => ({
        ...p,
        tags: p.tags.filter((t) => !input.TagKeys.includes(t.Key)),
      }));
    },

    ListPolicyTags: (input, ctx) => {
      const policy = find(ctx.account, input.PolicyArn);
      const page = paginate(policy.tags, (t) => t.Key, input.Marker, input.MaxItems);
      return { Tags: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },

    ListEntitiesForPolicy: (input, ctx) => {
      if (!parseArn(input.PolicyArn)) throw invalidArn(input.PolicyArn);
      const policy = findManagedPolicy(state, catalogue, ctx.account, input.PolicyArn);
      if (!policy) throw policyNotAttachable(input.PolicyArn);
      const prefix = input.PathPrefix ?? '/';
      const filter = input.EntityFilter;
      const usageFilter = input.PolicyUsageFilter;
      const uses = (holder: { attachedPolicyArns: readonly string[]; permissionsBoundaryArn?: string }) =>
        (usageFilter !== 'PermissionsBoundary' && holder.attachedPolicyArns.includes(policy.arn)) ||
        (usageFilter !== 'PermissionsPolicy' && holder.permissionsBoundaryArn === policy.arn);
      const wanted = (kind: 'Role' | 'User' | 'Group') => filter === undefined || filter === kind;
      type Entity = { kind: 'Role' | 'User' | 'Group'; name: string; id: string };
      const entities: Entity[] = [
        ...(wanted('Group') ? state.list('iam.group', ctx.account) : [])
          .filter((g) => g.path.startsWith(prefix) && uses(g))
          .map((g) => ({ kind: 'Group' as const, name: g.name, id: g.id })),
        ...(wanted('User') ? state.list('iam.user', ctx.account) : [])
          .filter((u) => u.path.startsWith(prefix) && uses(u))
          .map((u) => ({ kind: 'User' as const, name: u.name, id: u.id })),
        ...(wanted('Role') ? state.list('iam.role', ctx.account) : [])
          .filter((r) => r.path.startsWith(prefix) && uses(r))
          .map((r) => ({ kind: 'Role' as const, name: r.name, id: r.id })),
      ];
      const page = paginate(entities, (e) => `${e.kind}/${nameKey(e.name)}`, input.Marker, input.MaxItems);
      return {
        PolicyGroups: page.items.filter((e) => e.kind === 'Group').map((e) => ({ GroupName: e.name, GroupId: e.id })),
        PolicyUsers: page.items.filter((e) => e.kind === 'User').map((e) => ({ UserName: e.name, UserId: e.id })),
        PolicyRoles: page.items.filter((e) => e.kind === 'Role').map((e) => ({ RoleName: e.name, RoleId: e.id })),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  };
}
