/**
 * `diagnose`: the classic mistakes with roles, instance profiles, instances and access keys, over one snapshot
 * per account. Pure: the snapshots, the clock and the catalogue are handed in (snapshot.ts reads them from the
 * live state). Findings come ordered by account, then resource, then code.
 */
import { findCombinations, lintPolicy, policyStatements, type PolicyStatement } from '../lint/index.ts';
import { compilePolicy, evaluate } from '../policy/index.ts';
import { stateAt } from '../model/ec2.ts';
import { nameKey, type RoleRecord, type Tag } from '../model/iam.ts';
import { doctorCheck } from './registry.ts';
import type { AccountSnapshot, DoctorEnvironment, DoctorFinding, DoctorOptions } from './types.ts';

const DAY_MS = 86_400_000;

type Draft = Omit<DoctorFinding, 'severity' | 'why' | 'account'>;

class Report {
  readonly findings: DoctorFinding[] = [];
  constructor(private readonly account: string) {}
  add(draft: Draft): void {
    const check = doctorCheck(draft.code);
    this.findings.push({ ...draft, severity: check.severity, account: this.account, why: check.why });
  }
}

/** Whether the role's trust policy lets EC2 assume it: the engine's answer for ec2.amazonaws.com (imds/credentials.ts). */
function trustsEc2(role: RoleRecord): boolean {
  const decision = evaluate(
    {
      principal: { type: 'service', arn: 'ec2.amazonaws.com', account: '', service: 'ec2.amazonaws.com' },
      action: 'sts:AssumeRole',
      resource: role.arn,
    },
    { resource: compilePolicy({ id: `${role.arn}#trust`, document: role.trustPolicy }), resourceIsTrustPolicy: true },
  );
  return decision.decision === 'Allowed';
}

function missingTags(tags: readonly Tag[], required: readonly string[]): string[] | undefined {
  if (required.length === 0) return tags.length === 0 ? [] : undefined;
  const have = new Set(tags.map((t) => t.Key.toLowerCase()));
  const missing = required.filter((k) => !have.has(k.toLowerCase()));
  return missing.length === 0 ? undefined : missing;
}

const tagArgs = (required: readonly string[]) =>
  (required.length === 0 ? ['owner'] : required).map((k) => `Key=${k},Value=VALUE`).join(' ');

function ec2Checks(snap: AccountSnapshot, env: DoctorEnvironment, report: Report): void {
  const inProfile = new Set(snap.profiles.flatMap((p) => p.roleKeys));
  for (const role of snap.roles) {
    if (inProfile.has(nameKey(role.name)) || !trustsEc2(role)) continue;
    report.add({
      code: 'ROLE_TRUSTS_EC2_WITHOUT_INSTANCE_PROFILE',
      resource: { type: 'role', name: role.name, arn: role.arn },
      message: `Role ${role.name} trusts ec2.amazonaws.com but is in no instance profile, so no instance can get its credentials.`,
      fix: `aws iam create-instance-profile --instance-profile-name ${role.name} && aws iam add-role-to-instance-profile --instance-profile-name ${role.name} --role-name ${role.name}`,
    });
  }
  for (const profile of snap.profiles) {
    if (profile.roleKeys.length > 0) continue;
    report.add({
      code: 'INSTANCE_PROFILE_WITHOUT_ROLE',
      resource: { type: 'instance-profile', name: profile.name, arn: profile.arn },
      message: `Instance profile ${profile.name} has no role: instances launched with it get no credentials.`,
      fix: `aws iam add-role-to-instance-profile --instance-profile-name ${profile.name} --role-name ROLE (or: aws iam delete-instance-profile --instance-profile-name ${profile.name})`,
    });
  }
  for (const instance of snap.instances) {
    const state = stateAt(instance, env.now);
    if (state === 'terminated') continue;
    const id = instance.instanceId;
    const arn = `arn:aws:ec2:${instance.region}:${snap.account}:instance/${id}`;
    const asked = env.askedWithoutProfileAt(id);
    if (instance.association === undefined && asked !== undefined) {
      report.add({
        code: 'INSTANCE_WITHOUT_PROFILE_ASKED_FOR_CREDENTIALS',
        resource: { type: 'instance', name: id, arn },
        message: `Instance ${id} has no instance profile, and a workload on it asked the metadata service for credentials (last at ${asked}).`,
        fix: `aws ec2 associate-iam-instance-profile --instance-id ${id} --iam-instance-profile Name=PROFILE`,
      });
    }
    const md = instance.metadataOptions;
    if (md.httpTokens === 'optional' && md.httpEndpoint === 'enabled') {
      report.add({
        code: 'INSTANCE_IMDSV1_ALLOWED',
        resource: { type: 'instance', name: id, arn },
        message: `Instance ${id} (${state}) allows IMDSv1: its metadata options have HttpTokens optional.`,
        fix: `aws ec2 modify-instance-metadata-options --instance-id ${id} --http-tokens required --http-endpoint enabled`,
      });
    }
  }
}

function tagChecks(snap: AccountSnapshot, options: DoctorOptions, report: Report): void {
  const need = (missing: string[]) =>
    missing.length === 0
      ? 'has no tags'
      : `lacks the required tag${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  for (const role of snap.roles) {
    const missing = missingTags(role.tags, options.requiredTags);
    if (!missing) continue;
    report.add({
      code: 'ROLE_MISSING_TAGS',
      resource: { type: 'role', name: role.name, arn: role.arn },
      message: `Role ${role.name} ${need(missing)}.`,
      fix: `aws iam tag-role --role-name ${role.name} --tags ${tagArgs(missing)}`,
    });
  }
  for (const profile of snap.profiles) {
    const missing = missingTags(profile.tags, options.requiredTags);
    if (!missing) continue;
    report.add({
      code: 'INSTANCE_PROFILE_MISSING_TAGS',
      resource: { type: 'instance-profile', name: profile.name, arn: profile.arn },
      message: `Instance profile ${profile.name} ${need(missing)}.`,
      fix: `aws iam tag-instance-profile --instance-profile-name ${profile.name} --tags ${tagArgs(missing)}`,
    });
  }
}

const days = (ms: number) => Math.floor(ms / DAY_MS);

function usageChecks(snap: AccountSnapshot, env: DoctorEnvironment, options: DoctorOptions, report: Report): void {
  const window = options.unusedDays * DAY_MS;
  const now = env.now.getTime();
  for (const role of snap.roles) {
    // Service-linked roles belong to their service (IAM User Guide, "Using service-linked roles").
    if (role.path.startsWith('/aws-service-role/')) continue;
    const created = Date.parse(role.createDate);
    const fix = `aws iam delete-role --role-name ${role.name}`;
    if (role.lastUsed === undefined) {
      if (now - created <= window) continue;
      report.add({
        code: 'ROLE_NEVER_USED',
        resource: { type: 'role', name: role.name, arn: role.arn },
        message: `Role ${role.name} was created ${days(now - created)} days ago and has never been used.`,
        fix,
      });
    } else if (now - Date.parse(role.lastUsed.date) > window) {
      report.add({
        code: 'ROLE_UNUSED',
        resource: { type: 'role', name: role.name, arn: role.arn },
        message: `Role ${role.name} was last used ${days(now - Date.parse(role.lastUsed.date))} days ago (${role.lastUsed.date}).`,
        fix,
      });
    }
  }
  const users = new Map(snap.users.map((u) => [nameKey(u.name), u]));
  for (const key of snap.accessKeys) {
    if (key.status !== 'Active') continue;
    const user = key.userKey === undefined ? undefined : users.get(key.userKey);
    const owner = user ? `user ${user.name}` : 'the account root';
    const userArg = user ? ` --user-name ${user.name}` : '';
    const resource = { type: 'access-key' as const, name: key.accessKeyId, ...(user && { arn: user.arn }) };
    const age = now - Date.parse(key.createDate);
    if (age > options.keyMaxAgeDays * DAY_MS) {
      report.add({
        code: 'ACCESS_KEY_OLD',
        resource,
        message: `Access key ${key.accessKeyId} of ${owner} is ${days(age)} days old (rotate every ${options.keyMaxAgeDays} days).`,
        fix: `aws iam create-access-key${userArg} && aws iam update-access-key${userArg} --access-key-id ${key.accessKeyId} --status Inactive`,
      });
    }
    const last = key.lastUsed === undefined ? undefined : Date.parse(key.lastUsed.date);
    if (last === undefined ? age > window : now - last > window) {
      report.add({
        code: 'ACCESS_KEY_UNUSED',
        resource,
        message:
          last === undefined
            ? `Access key ${key.accessKeyId} of ${owner} has never been used in the ${days(age)} days since it was created.`
            : `Access key ${key.accessKeyId} of ${owner} was last used ${days(now - last)} days ago.`,
        fix: `aws iam update-access-key${userArg} --access-key-id ${key.accessKeyId} --status Inactive`,
      });
    }
  }
}

interface RolePolicy {
  readonly label: string;
  readonly text: string;
  readonly fix: string;
}

/**
 * The lint's security warnings over a role's permissions: each inline and attached policy on its own, and the
 * PassRole combinations only several of them make together. With a permissions boundary, a finding counts only
 * when the boundary allows as much (it has the same finding, or grants everything): an approximation of the
 * intersection the engine computes, on the side of reporting.
 */
function permissionChecks(snap: AccountSnapshot, env: DoctorEnvironment, report: Report): void {
  const lint = (text: string, type: 'identity' | 'trust') =>
    lintPolicy(text, { type, catalogue: env.catalogue, account: snap.account }).findings.filter(
      (f) => f.findingType === 'SECURITY_WARNING',
    );
  for (const role of snap.roles) {
    const resource = { type: 'role' as const, name: role.name, arn: role.arn };
    const policies: RolePolicy[] = [
      ...role.inlinePolicies.map((p) => ({
        label: `inline policy ${p.name}`,
        text: p.document,
        fix: `aws iam put-role-policy --role-name ${role.name} --policy-name ${p.name} --policy-document file://narrower.json`,
      })),
      ...role.attachedPolicyArns.flatMap((arn) => {
        const text = snap.managedPolicy(arn);
        return text === undefined
          ? []
          : [
              {
                label: `policy ${arn}`,
                text,
                fix: `aws iam detach-role-policy --role-name ${role.name} --policy-arn ${arn}`,
              },
            ];
      }),
    ];
    const boundaryArn = role.permissionsBoundaryArn;
    const boundaryText = boundaryArn === undefined ? undefined : snap.managedPolicy(boundaryArn);
    const boundaryFindings = boundaryText === undefined ? undefined : lint(boundaryText, 'identity');
    const boundary = boundaryFindings && new Set(boundaryFindings.map((f) => f.issueCode));
    const within = (code: string) => !boundary || boundary.has(code) || boundary.has('ADMIN_EQUIVALENT');

    const owners = new Map<PolicyStatement, RolePolicy>();
    const identityCodes = new Set<string>();
    for (const policy of policies) {
      for (const s of policyStatements(policy.text)) owners.set(s, policy);
      const seen = new Set<string>();
      for (const f of lint(policy.text, 'identity')) {
        identityCodes.add(f.issueCode);
        if (seen.has(f.issueCode) || !within(f.issueCode)) continue;
        seen.add(f.issueCode);
        report.add({
          code: 'ROLE_OVER_PERMISSIVE',
          resource,
          message: `Role ${role.name}, ${policy.label}: ${f.issueCode}: ${f.findingDetails}`,
          fix: policy.fix,
          lint: { issueCode: f.issueCode, policy: policy.label, findingDetails: f.findingDetails },
        });
      }
    }
    // When the role's policies allow everything, its boundary alone decides: the boundary's own warnings count.
    if (boundaryFindings && boundaryArn !== undefined && identityCodes.has('ADMIN_EQUIVALENT')) {
      const seen = new Set<string>();
      for (const f of boundaryFindings) {
        if (seen.has(f.issueCode) || identityCodes.has(f.issueCode)) continue;
        seen.add(f.issueCode);
        const label = `permissions boundary ${boundaryArn}`;
        report.add({
          code: 'ROLE_OVER_PERMISSIVE',
          resource,
          message: `Role ${role.name}, ${label} (its policies allow everything, so the boundary decides): ${f.issueCode}: ${f.findingDetails}`,
          fix: `aws iam put-role-permissions-boundary --role-name ${role.name} --permissions-boundary NARROWER_POLICY_ARN`,
          lint: { issueCode: f.issueCode, policy: label, findingDetails: f.findingDetails },
        });
      }
    }
    if (within('PRIVILEGE_ESCALATION_COMBINATION')) {
      for (const c of findCombinations(env.catalogue, [...owners.keys()])) {
        const a = owners.get(c.passRole);
        const b = owners.get(c.partnerStatement);
        if (!a || !b || a === b) continue; // within one policy, that policy's own lint reported it
        const details = `iam:PassRole on any role (${a.label}) together with ${c.partner} (${b.label}): whoever runs as the role can hand any role to code it starts.`;
        report.add({
          code: 'ROLE_OVER_PERMISSIVE',
          resource,
          message: `Role ${role.name}: PRIVILEGE_ESCALATION_COMBINATION: ${details}`,
          fix: a.fix,
          lint: {
            issueCode: 'PRIVILEGE_ESCALATION_COMBINATION',
            policy: `${a.label} + ${b.label}`,
            findingDetails: details,
          },
        });
      }
    }
    const seenTrust = new Set<string>();
    for (const f of lint(role.trustPolicy, 'trust')) {
      if (seenTrust.has(f.issueCode)) continue;
      seenTrust.add(f.issueCode);
      report.add({
        code: 'ROLE_TRUST_OVER_PERMISSIVE',
        resource,
        message: `Role ${role.name}, trust policy: ${f.issueCode}: ${f.findingDetails}`,
        fix: `aws iam update-assume-role-policy --role-name ${role.name} --policy-document file://trust.json`,
        lint: { issueCode: f.issueCode, policy: 'trust policy', findingDetails: f.findingDetails },
      });
    }
  }
}

export function diagnose(
  snapshots: readonly AccountSnapshot[],
  env: DoctorEnvironment,
  options: DoctorOptions,
): DoctorFinding[] {
  const all: DoctorFinding[] = [];
  for (const snap of [...snapshots].sort((a, b) => (a.account < b.account ? -1 : 1))) {
    const report = new Report(snap.account);
    ec2Checks(snap, env, report);
    tagChecks(snap, options, report);
    usageChecks(snap, env, options, report);
    permissionChecks(snap, env, report);
    const order = ['role', 'instance-profile', 'instance', 'user', 'access-key'];
    report.findings.sort(
      (a, b) =>
        order.indexOf(a.resource.type) - order.indexOf(b.resource.type) ||
        a.resource.name.localeCompare(b.resource.name) ||
        a.code.localeCompare(b.code),
    );
    all.push(...report.findings);
  }
  return all;
}
