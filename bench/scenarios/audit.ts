/**
 * What the audit trail costs: an authorized iam:GetRole signed with AssumeRole session credentials (the token
 * opened, the role's policy evaluated, a CloudTrail record built and stored per request), against the same
 * server with `--audit off`. Both run rolecall's default store (SQLite, in a data directory of their own) with
 * enforcement on, and the audited one keeps at most 10,000 events, so the trail is full within the priming
 * window and every measured batch also removes as many events as it adds: retention's steady state, not an
 * empty table. Goal (from the issue): enforcement on with auditing costs less than 10% throughput, i.e.
 * rolecall ≥ 0.9 × rolecall-audit-off at every concurrency.
 */
import { expectOk } from '../lib/http.ts';
import type { MeasuredPoint, PointRequest, Scenario, ScenarioContext, ScenarioResult } from '../lib/scenario.ts';
import { startRolecallTarget, type Target } from '../lib/targets.ts';
import { prepareRolecall, type Prepared } from './sts-enforcement.ts';

const GET_ROLE_TEXT = '<RoleName>bench-role</RoleName>';
const MAX_EVENTS = '10000';

async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const targets: Target[] = [];
  const points: MeasuredPoint[] = [];
  try {
    const audited = await startRolecallTarget({
      name: 'rolecall',
      store: 'sqlite',
      serveArgs: ['--enforce', 'on', '--audit', 'on', '--audit-max-events', MAX_EVENTS],
      cpuProfile: ctx.profilePath('rolecall'),
    });
    targets.push(audited);
    const off = await startRolecallTarget({
      name: 'rolecall-audit-off',
      store: 'sqlite',
      serveArgs: ['--enforce', 'on', '--audit', 'off'],
      cpuProfile: ctx.profilePath('rolecall-audit-off'),
    });
    targets.push(off);
    const prepared = new Map<Target, Prepared>([
      [audited, await prepareRolecall(audited, true)],
      [off, await prepareRolecall(off, true)],
    ]);
    const load = (target: Target): Omit<PointRequest, 'concurrency'> => {
      const own = prepared.get(target) as Prepared;
      return { request: own.getRole, expectBodyBytes: own.getSample.body.length, expectBodyText: GET_ROLE_TEXT };
    };
    for (const [target, own] of prepared) await expectOk(target, own.getRole, `${target.name} GetRole`);
    for (const target of targets) await ctx.prime(target, load(target));
    // Interleaved (both targets at one concurrency, then the next), so the ratio compares neighbours in time.
    for (let round = 0; round < ctx.options.rounds; round++) {
      for (const concurrency of ctx.options.concurrency) {
        for (const target of targets) points.push(await ctx.measure(round, target, { ...load(target), concurrency }));
      }
    }
    return {
      name: scenario.name,
      description: scenario.description,
      targets: targets.map((t) => ({ name: t.name, description: t.description, skipped: undefined })),
      points,
      goal: { target: 'rolecall', baseline: 'rolecall-audit-off', atLeast: 0.9 },
      comparisons: [],
      costs: [{ target: 'rolecall', baseline: 'rolecall-audit-off', what: 'auditing' }],
    };
  } finally {
    for (const target of targets.reverse()) await target.stop();
  }
}

export const scenario: Scenario = {
  name: 'audit',
  description:
    'iam:GetRole signed with session credentials, enforcement on, SQLite store: audit trail on (10,000 events kept) vs --audit off',
  run,
};
