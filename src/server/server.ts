/**
 * Starts and stops a rolecall server: opens the store, loads the domain state into memory, builds the services
 * and the pipeline, and listens. Shutdown lets in-flight requests finish before the store closes.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { AdjustableClock } from '../model/clock.ts';
import { createStore } from '../store/open-store.ts';
import { IamState } from '../state/iam-state.ts';
import { AwsManagedPolicies } from '../state/aws-managed-policies.ts';
import { keyResolver } from '../auth/credentials.ts';
import { loadActionCatalogue } from '../auth/actions.ts';
import { authorize } from '../auth/authorize.ts';
import { denialError } from '../auth/denials.ts';
import { keyUsageRecorder } from '../auth/key-usage.ts';
import { loadTokenKey } from '../state/secrets.ts';
import { InstanceCredentials } from '../imds/credentials.ts';
import { MetadataListeners } from '../imds/listeners.ts';
import { stateAt } from '../model/ec2.ts';
import { iamService } from '../services/iam/index.ts';
import { stsService } from '../services/sts/index.ts';
import { ec2Service } from '../services/ec2/index.ts';
import type { ServiceDefinition } from '../services/service.ts';
import type { ServerConfig } from './config.ts';
import { startHttpServer } from './http-server.ts';
import { createPipeline } from './pipeline.ts';
import { findingsService } from './findings.ts';
import { VERSION } from './version.ts';

export interface RunningServer {
  readonly endpoint: string;
  readonly clock: AdjustableClock;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const dataDir = resolve(config.dataDir);
  const store = createStore({ backend: config.store, dataDir });
  await store.open();
  let ready = false;
  try {
    const iam = await IamState.load(store);
    const catalogue = AwsManagedPolicies.load();
    const tokenKey = await loadTokenKey(store);
    const services = new Map<string, ServiceDefinition>([
      ['iam', iamService(iam, catalogue)],
      ['sts', stsService(iam, tokenKey)],
      ['ec2', ec2Service(iam)],
    ]);
    const actions = await loadActionCatalogue(
      [...services.values()].flatMap((s) => Object.keys(s.model.operations).map((op) => `${s.model.service}:${op}`)),
    );
    const clock = new AdjustableClock();
    const resolveKey = keyResolver(iam, tokenKey);
    const pipeline = createPipeline({
      services,
      clock,
      enforce: config.enforce,
      log,
      resolveKey,
      authorize: (request) => authorize({ state: iam, awsManaged: catalogue, actions }, request),
      denial: (protocol, principal, result) => denialError(tokenKey, protocol, principal, result),
      keyUsed: keyUsageRecorder(iam, log),
    });
    const metadata = new MetadataListeners(iam, new InstanceCredentials(iam, tokenKey), clock, log);
    const instanceInfo = (id: string) => {
      for (const account of iam.accounts('ec2.instance')) {
        const instance = iam.get('ec2.instance', account, id);
        if (!instance) continue;
        const endpoint = metadata.endpoint(id);
        const askedWithoutProfile = metadata.askedForCredentialsWithoutProfile(id);
        return {
          instanceId: id,
          account,
          region: instance.region,
          state: stateAt(instance, clock.now()),
          ...(endpoint !== undefined && { metadataEndpoint: endpoint }),
          ...(askedWithoutProfile !== undefined && { credentialsAskedWithoutProfileAt: askedWithoutProfile }),
        };
      }
      return undefined;
    };
    const findings = findingsService({
      state: iam,
      awsManaged: catalogue,
      clock,
      askedWithoutProfileAt: (id) => metadata.askedForCredentialsWithoutProfile(id),
    });
    const http = await startHttpServer(
      {
        pipeline,
        admin: { version: VERSION, ready: () => ready, clock, resolveKey, instance: instanceInfo, findings },
        log,
      },
      config.host,
      config.port,
    );
    const host = http.address.family === 'IPv6' ? `[${http.address.address}]` : http.address.address;
    const endpoint = `http://${host}:${http.address.port}`;
    if (config.readyFile !== undefined) writeFileSync(config.readyFile, JSON.stringify({ endpoint }) + '\n');
    metadata.start();
    ready = true;
    return {
      endpoint,
      clock,
      close: async () => {
        ready = false;
        await metadata.close();
        await http.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
