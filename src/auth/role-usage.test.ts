import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { ACCOUNT, emptyState, putRole, roleRecord } from '../../test/support/audit-events.ts';
import type { RoleSessionPrincipal } from './principal.ts';
import { roleUsageRecorder } from './role-usage.ts';

const role = roleRecord('app');
const session = (roleId = role.id): RoleSessionPrincipal => ({
  type: 'assumed-role',
  account: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/i-0abc`,
  userId: `${roleId}:i-0abc`,
  accessKeyId: 'ASIAEXAMPLE',
  session: {
    kind: 'role',
    account: ACCOUNT,
    accessKeyId: 'ASIAEXAMPLE',
    secretAccessKey: 'x',
    issuedAt: 0,
    expiresAt: 0,
    roleArn: role.arn,
    roleId,
    roleName: 'app',
    sessionName: 'i-0abc',
  },
});

describe('roleUsageRecorder', () => {
  it('marks the role used by its sessions, at most once a minute per region', async () => {
    const state = await emptyState();
    await putRole(state, role);
    const used = roleUsageRecorder(state, pino({ level: 'silent' }));
    await used(session(), 'eu-west-1', new Date('2026-12-05T10:00:00.400Z'));
    assert.deepEqual(state.get('iam.role', ACCOUNT, 'app')?.lastUsed, {
      date: '2026-12-05T10:00:00.000Z',
      region: 'eu-west-1',
    });
    assert.equal(used(session(), 'eu-west-1', new Date('2026-12-05T10:00:30Z')), undefined, 'fresh: no write');
    await used(session(), 'us-east-1', new Date('2026-12-05T10:00:31Z'));
    assert.equal(state.get('iam.role', ACCOUNT, 'app')?.lastUsed?.region, 'us-east-1');
    await used(session(), 'us-east-1', new Date('2026-12-05T10:02:00Z'));
    assert.equal(state.get('iam.role', ACCOUNT, 'app')?.lastUsed?.date, '2026-12-05T10:02:00.000Z');
  });

  it('ignores other callers and sessions of a role that was recreated', async () => {
    const state = await emptyState();
    await putRole(state, role);
    const used = roleUsageRecorder(state, pino({ level: 'silent' }));
    assert.equal(used(session('AROAOLDOLDOLDOLDOLDO'), 'us-east-1', new Date()), undefined);
    assert.equal(
      used(
        { type: 'root', account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, accessKeyId: 'test' },
        'us-east-1',
        new Date(),
      ),
      undefined,
    );
    assert.equal(state.get('iam.role', ACCOUNT, 'app')?.lastUsed, undefined);
  });
});
