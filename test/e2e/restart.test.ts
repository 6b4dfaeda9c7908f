/**
 * State survives a restart: a second `rolecall serve` on the same data directory reads back every role,
 * instance profile, tag and link exactly as the first one left them, in each account. With `--store memory`
 * nothing is kept. Uses SDK v3, so it needs no external client.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  IAMClient,
  ListInstanceProfilesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  TagInstanceProfileCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { removeDir, startRolecall, tempDir, type RolecallProcess } from '../support/server.ts';
import {
  EC2_TRUST_JSON,
  LAMBDA_TRUST_JSON,
  messages,
  OTHER_CREDENTIALS,
  rejectsWithAws,
  ROOT_CREDENTIALS,
} from './helpers.ts';

type Credentials = { readonly accessKeyId: string; readonly secretAccessKey: string };
const iamAt = (endpoint: string, credentials: Credentials = ROOT_CREDENTIALS) =>
  new IAMClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

/** Stops a server and expects a clean exit. */
async function stopCleanly(server: RolecallProcess): Promise<void> {
  const code = await server.stop();
  assert.equal(code, 0, `rolecall exited with ${code}:\n${server.output()}`);
}

/** Everything the tests compare across a restart, read through the API (without the per-request metadata). */
async function snapshot(endpoint: string) {
  const iam = iamAt(endpoint);
  const theirs = iamAt(endpoint, OTHER_CREDENTIALS);
  const strip = <T extends { $metadata?: unknown }>({ $metadata: _, ...rest }: T) => rest;
  const state = {
    app: strip(await iam.send(new GetRoleCommand({ RoleName: 'keep-app' }))),
    worker: strip(await iam.send(new GetRoleCommand({ RoleName: 'keep-worker' }))),
    appTags: strip(await iam.send(new ListRoleTagsCommand({ RoleName: 'keep-app' }))),
    roles: strip(await iam.send(new ListRolesCommand({}))),
    appProfile: strip(await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'keep-app-profile' }))),
    emptyProfile: strip(await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'keep-empty-profile' }))),
    profiles: strip(await iam.send(new ListInstanceProfilesCommand({}))),
    otherAccountRoles: strip(await theirs.send(new ListRolesCommand({}))),
  };
  iam.destroy();
  theirs.destroy();
  return state;
}

describe('state across a restart on the same data directory', () => {
  const dataDir = tempDir();
  let server: RolecallProcess | undefined;
  before(async () => {
    server = await startRolecall({ dataDir });
  });
  after(async () => {
    if (server) await stopCleanly(server);
    removeDir(dataDir);
  });

  it('reads back roles, profiles, tags and the profile link exactly, and keeps enforcing them', async () => {
    assert.ok(server);
    const iam = iamAt(server.endpoint);
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'keep-app',
        Path: '/app/',
        AssumeRolePolicyDocument: EC2_TRUST_JSON,
        Description: 'kept',
        MaxSessionDuration: 7200,
        Tags: [{ Key: 'team', Value: 'core' }],
      }),
    );
    await iam.send(new TagRoleCommand({ RoleName: 'keep-app', Tags: [{ Key: 'env', Value: '' }] }));
    await iam.send(new CreateRoleCommand({ RoleName: 'keep-worker', AssumeRolePolicyDocument: LAMBDA_TRUST_JSON }));
    await iam.send(new CreateRoleCommand({ RoleName: 'keep-deleted', AssumeRolePolicyDocument: EC2_TRUST_JSON }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'keep-deleted' }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'keep-app-profile', Path: '/app/' }));
    await iam.send(
      new TagInstanceProfileCommand({ InstanceProfileName: 'keep-app-profile', Tags: [{ Key: 'tier', Value: 'web' }] }),
    );
    await iam.send(
      new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'keep-app-profile', RoleName: 'keep-app' }),
    );
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'keep-empty-profile' }));
    const theirs = iamAt(server.endpoint, OTHER_CREDENTIALS);
    await theirs.send(new CreateRoleCommand({ RoleName: 'keep-theirs', AssumeRolePolicyDocument: EC2_TRUST_JSON }));
    iam.destroy();
    theirs.destroy();

    const saved = await snapshot(server.endpoint);
    // The snapshot is of the state just built, not of an empty server.
    assert.deepEqual(
      [
        saved.app.Role?.Tags?.length,
        saved.appProfile.InstanceProfile?.Roles?.map((r) => r.RoleName),
        saved.roles.Roles?.map((r) => r.RoleName).sort(),
        saved.otherAccountRoles.Roles?.map((r) => r.RoleName),
      ],
      [2, ['keep-app'], ['keep-app', 'keep-worker'], ['keep-theirs']],
    );

    await stopCleanly(server);
    const first = server;
    server = undefined;
    server = await startRolecall({ dataDir });
    assert.notEqual(server.child.pid, first.child.pid);

    assert.deepEqual(await snapshot(server.endpoint), saved);

    // The restored state is live: names are still taken, the profile still holds its role, deleted stays deleted.
    const again = iamAt(server.endpoint);
    await rejectsWithAws(
      again.send(new CreateRoleCommand({ RoleName: 'keep-app', AssumeRolePolicyDocument: EC2_TRUST_JSON })),
      { code: 'EntityAlreadyExists', message: messages.roleExists('keep-app'), status: 409 },
    );
    await rejectsWithAws(again.send(new DeleteRoleCommand({ RoleName: 'keep-app' })), {
      code: 'DeleteConflict',
      message: messages.removeRolesFirst,
      status: 409,
    });
    await rejectsWithAws(
      again.send(
        new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'keep-app-profile', RoleName: 'keep-worker' }),
      ),
      { code: 'LimitExceeded', message: messages.profileQuota, status: 409 },
    );
    await rejectsWithAws(again.send(new GetRoleCommand({ RoleName: 'keep-deleted' })), {
      code: 'NoSuchEntity',
      message: messages.roleNotFound('keep-deleted'),
      status: 404,
    });
    again.destroy();
  });
});

describe('state with --store memory', () => {
  const dataDir = tempDir();
  let server: RolecallProcess | undefined;
  before(async () => {
    server = await startRolecall({ dataDir, args: ['--store', 'memory'] });
  });
  after(async () => {
    if (server) await stopCleanly(server);
    removeDir(dataDir);
  });

  it('keeps nothing across a restart, and writes nothing to the data directory', async () => {
    assert.ok(server);
    const iam = iamAt(server.endpoint);
    await iam.send(new CreateRoleCommand({ RoleName: 'fleeting', AssumeRolePolicyDocument: EC2_TRUST_JSON }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'fleeting-profile' }));
    assert.deepEqual(
      (await iam.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName),
      ['fleeting'],
    );
    iam.destroy();

    await stopCleanly(server);
    server = undefined;
    server = await startRolecall({ dataDir, args: ['--store', 'memory'] });
    const fresh = iamAt(server.endpoint);
    assert.deepEqual((await fresh.send(new ListRolesCommand({}))).Roles, []);
    assert.deepEqual((await fresh.send(new ListInstanceProfilesCommand({}))).InstanceProfiles, []);
    // The name is free again: nothing of the first server's state is left anywhere.
    await fresh.send(new CreateRoleCommand({ RoleName: 'fleeting', AssumeRolePolicyDocument: EC2_TRUST_JSON }));
    fresh.destroy();
    // Only the ready files the test harness asked for are in the data directory.
    assert.deepEqual(
      readdirSync(dataDir).filter((f) => !f.startsWith('ready-')),
      [],
    );
  });
});
