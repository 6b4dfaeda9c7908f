/**
 * GET /_rolecall/findings: `rolecall doctor` over the live state. The service reference is opened on the first
 * request (it is not needed to serve AWS APIs) and each request loads the services its accounts' policies name.
 */
import { accountSnapshot, DEFAULT_OPTIONS, diagnose, knownAccounts, snapshotServices } from '../doctor/index.ts';
import type { DoctorFinding, DoctorOptions } from '../doctor/index.ts';
import type { Clock } from '../model/clock.ts';
import type { AwsManagedPolicies } from '../state/aws-managed-policies.ts';
import type { IamState } from '../state/iam-state.ts';
import { ServiceReference } from '../state/service-reference.ts';

export interface FindingsQuery {
  /** One account; all accounts with entities when absent. */
  readonly account?: string;
  readonly requiredTags: readonly string[];
  readonly unusedDays?: number;
  readonly keyMaxAgeDays?: number;
}

export interface FindingsReport {
  readonly generatedAt: string;
  readonly accounts: readonly string[];
  readonly options: DoctorOptions;
  readonly findings: readonly DoctorFinding[];
}

export interface FindingsDeps {
  readonly state: IamState;
  readonly awsManaged: AwsManagedPolicies;
  readonly clock: Clock;
  readonly askedWithoutProfileAt: (instanceId: string) => string | undefined;
}

export function findingsService(deps: FindingsDeps): (query: FindingsQuery) => Promise<FindingsReport> {
  let reference: Promise<ServiceReference> | undefined;
  return async (query) => {
    reference ??= ServiceReference.open();
    const catalogue = await reference;
    const accounts = query.account !== undefined ? [query.account] : knownAccounts(deps.state);
    const snapshots = accounts.map((a) => accountSnapshot(deps.state, deps.awsManaged, a));
    await catalogue.ensure(snapshotServices(snapshots));
    const options: DoctorOptions = {
      requiredTags: query.requiredTags,
      unusedDays: query.unusedDays ?? DEFAULT_OPTIONS.unusedDays,
      keyMaxAgeDays: query.keyMaxAgeDays ?? DEFAULT_OPTIONS.keyMaxAgeDays,
    };
    const now = deps.clock.now();
    const findings = diagnose(
      snapshots,
      { now, catalogue, askedWithoutProfileAt: deps.askedWithoutProfileAt },
      options,
    );
    return { generatedAt: now.toISOString(), accounts, options, findings };
  };
}
