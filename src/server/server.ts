/**
 * Starts and stops a rolecall server: opens the store, loads the domain state into memory, builds the services
 * and the pipeline, and listens. Shutdown lets in-flight requests finish before the store closes.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { AdjustableClock } from '../model/clock.ts';
import { createStore } from '../store/open-store.ts';
import { IamState } from '../state/iam-state.ts';
import { AwsManagedPolicies } from '../state/aws-managed-policies.ts';
import { keyResolver, sessionPrincipal } from '../auth/credentials.ts';
import { loadActionCatalogue } from '../auth/actions.ts';
import { authorize } from '../auth/authorize.ts';
import { denialError } from '../auth/denials.ts';
import { keyUsageRecorder } from '../auth/key-usage.ts';
import { roleUsageRecorder } from '../auth/role-usage.ts';
import { explainRequest } from '../audit/explain.ts';
import { suggestForRole, type SuggestQuery } from '../audit/suggest-service.ts';
import { loadTokenKey } from '../state/secrets.ts';
import { InstanceCredentials, type CredentialsIssue } from '../imds/credentials.ts';
import { MetadataListeners } from '../imds/listeners.ts';
import { stateAt } from '../model/ec2.ts';
import { iamService } from '../services/iam/index.ts';
import { stsService } from '../services/sts/index.ts';
import { ec2Service } from '../services/ec2/index.ts';
import { createS3Service } from '../services/s3/index.ts';
import { accessAnalyzerService } from '../services/access-analyzer/index.ts';
import { CodeLocations, servePackage } from '../services/lambda/code-location.ts';
import { CodeStore, createLambdaService, ExecutionCredentials, LambdaState } from '../services/lambda/index.ts';
import { createProcessRunner } from '../lambda/process-runner.ts';
import type { FunctionRunner } from '../lambda/types.ts';
import type { AuthorizationPlan, AuthorizeDeps } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { createCloudTrailService } from '../services/cloudtrail/index.ts';
import { ServiceReference } from '../state/service-reference.ts';
import { createLogsService, createLogsState } from '../services/logs/index.ts';
import { S3State } from '../state/s3-state.ts';
import { FileBlobStore } from '../store/blobs/file-blob-store.ts';
import { MemoryBlobStore } from '../store/blobs/memory-blob-store.ts';
import type { ServiceDefinition } from '../services/service.ts';
import type { ServerConfig } from './config.ts';
import { startHttpServer } from './http-server.ts';
import { createPipeline } from './pipeline.ts';
import { findingsService } from './findings.ts';
import { VERSION } from './version.ts';
import { StoredAuditTrail } from '../audit/trail.ts';
import { buildDeliveryEvent } from '../audit/record.ts';

export interface RunningServer {
  readonly endpoint: string;
  readonly clock: AdjustableClock;
  /** The audit trail; undefined when auditing is off. */
  readonly audit: StoredAuditTrail | undefined;
  close(): Promise<void>;
}

/** What tests may put in place of the real thing. */
export interface ServerHooks {
  /** Runs Lambda invocations instead of the child-process runner (tests use a fake). */
  readonly lambdaRunner?: FunctionRunner;
}

export async function startServer(config: ServerConfig, log: Logger, hooks: ServerHooks = {}): Promise<RunningServer> {
  const dataDir = resolve(config.dataDir);
  const store = createStore({ backend: config.store, dataDir });
  await store.open();
  // S3 bodies live beside the store: files for SQLite, buffers for the memory store (nothing survives it anyway).
  const blobs = config.store === 'memory' ? new MemoryBlobStore() : new FileBlobStore(join(dataDir, 'blobs'));
  let ready = false;
  // Deployment packages beside the store; the memory store keeps them in a temp folder removed on close.
  const lambdaDir =
    config.store === 'memory' ? mkdtempSync(join(tmpdir(), 'rolecall-lambda-')) : join(dataDir, 'lambda');
  const clock = new AdjustableClock();
  // Credentials given to function processes expire on rolecall's clock, which can be moved forward.
  const runner = hooks.lambdaRunner ?? createProcessRunner({ log, now: () => clock.now().getTime() });
  const background = new Set<Promise<unknown>>();
  const dropLambdaDir = () => {
    if (config.store === 'memory') rmSync(lambdaDir, { recursive: true, force: true });
  };
  let audit: StoredAuditTrail | undefined;
  try {
    await blobs.open();
    const iam = await IamState.load(store);
    const s3 = await S3State.load(store);
    const logs = await createLogsState(store);
    const lambda = await LambdaState.load(store);
    const code = await CodeStore.open(lambdaDir);
    const unusedPackages = await code.sweep(lambda.referencedCode());
    if (unusedPackages > 0) log.info({ unusedPackages }, `removed ${unusedPackages} Lambda packages no function names`);
    // Bodies written before a crash but never committed are named by no record: remove them before serving.
    const swept = await blobs.sweep(s3.referencedBlobs());
    if (swept > 0) log.info({ swept }, `removed ${swept} S3 bodies that no object names (an interrupted write)`);
    const catalogue = AwsManagedPolicies.load();
    const tokenKey = await loadTokenKey(store);
    // Lambda authorizes its own requests on a function's behalf (log delivery) with the pipeline's authorizer,
    // whose action catalogue exists only once the services do.
    const late: { authDeps?: AuthorizeDeps } = {};
    let endpoint = '';
    const authorizeAs = (principal: Principal, plan: AuthorizationPlan, region: string): boolean => {
      if (config.enforce === 'off') return true;
      if (!late.authDeps) return false;
      const result = authorize(late.authDeps, {
        principal,
        // Only the plan is evaluated; these name the requests Lambda makes on the function's behalf.
        service: 'logs',
        operation: 'PutLogEvents',
        input: {},
        now: clock.now(),
        sourceIp: '127.0.0.1',
        region,
        plan,
      });
      if (result.allowed) return true;
      if (config.enforce === 'audit') {
        log.warn(
          { caller: principal.arn, action: result.action, resource: result.resource },
          `audit: would deny: ${result.message}`,
        );
        return true;
      }
      return false;
    };
    // Retention follows rolecall's clock, so moving it forward ages the trail like everything else.
    audit =
      config.audit === 'off'
        ? undefined
        : await StoredAuditTrail.load(store, {
            maxEvents: config.auditMaxEvents,
            maxAgeMs: config.auditMaxAgeMs,
            now: () => clock.now(),
            log,
          });
    const trail = audit;
    const reference = await ServiceReference.open();
    const codeLocations = new CodeLocations(tokenKey);
    const services = new Map<string, ServiceDefinition>([
      ['iam', iamService(iam, catalogue, trail)],
      ['sts', stsService(iam, tokenKey)],
      ['ec2', ec2Service(iam)],
      ['s3', createS3Service({ state: s3, blobs })],
      ['logs', createLogsService({ state: logs, clock })],
      // Keyed by its signing name (the credential scope's service), which is not its model's name.
      ['access-analyzer', accessAnalyzerService(reference)],
      [
        'lambda',
        createLambdaService({
          state: lambda,
          code,
          codeLocations,
          iam,
          s3,
          blobs,
          logs,
          clock,
          credentials: new ExecutionCredentials(iam, tokenKey, clock),
          runner,
          endpointUrl: () => endpoint,
          authorizeAs,
          sessionPrincipal: (claims) => sessionPrincipal(iam, claims),
          log,
          background,
        }),
      ],
      ['cloudtrail', createCloudTrailService(trail)],
    ]);
    // Services that name their own authorization checks (S3, Logs, Access Analyzer) need no catalogue entries.
    const actions = await loadActionCatalogue(
      [...services.values()]
        .filter((s) => s.authorization === undefined)
        .flatMap((s) => Object.keys(s.model.operations).map((op) => `${s.model.service}:${op}`)),
    );
    const authDeps: AuthorizeDeps = { state: iam, awsManaged: catalogue, actions };
    late.authDeps = authDeps;
    const resolveKey = keyResolver(iam, tokenKey);
    const keyUsed = keyUsageRecorder(iam, log);
    const roleUsed = roleUsageRecorder(iam, log);
    const pipeline = createPipeline({
      services,
      clock,
      enforce: config.enforce,
      log,
      resolveKey,
      authorize: (request) => authorize(authDeps, request),
      denial: (protocol, principal, result) => denialError(tokenKey, protocol, principal, result),
      keyUsed: (principal, service, region, now) => {
        keyUsed(principal, service, region, now);
        void roleUsed(principal, region, now);
      },
      ...(trail && { audit: (capture) => trail.recordRequest(capture) }),
    });
    const delivered = trail
      ? (issue: CredentialsIssue) =>
          trail.defer(() =>
            buildDeliveryEvent({
              time: issue.now,
              account: issue.account,
              region: issue.instance.region,
              instanceId: issue.instance.instanceId,
              roleArn: issue.role.arn,
              ...(issue.claims && {
                accessKeyId: issue.claims.accessKeyId,
                expiresAt: new Date(issue.claims.expiresAt),
              }),
              durationSeconds: issue.durationSeconds,
              trust: issue.trust,
              trustPolicy: issue.trustPolicy,
            }),
          )
      : undefined;
    const metadata = new MetadataListeners(iam, new InstanceCredentials(iam, tokenKey, delivered), clock, log);
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
        admin: {
          version: VERSION,
          ready: () => ready,
          clock,
          resolveKey,
          instance: instanceInfo,
          findings,
          lambdaPackage: (req) =>
            servePackage(codeLocations, (sha) => code.zipPath(sha), req.method, req.path, req.query, clock.now()),
          ...(trail && {
            audit: trail,
            explain: (requestId: string) => explainRequest({ state: iam, awsManaged: catalogue, trail }, requestId),
            suggestPolicy: (query: SuggestQuery) =>
              suggestForRole(
                { state: iam, awsManaged: catalogue, trail, clock, reference: () => Promise.resolve(reference) },
                query,
              ),
          }),
        },
        log,
      },
      config.host,
      config.port,
    );
    const host = http.address.family === 'IPv6' ? `[${http.address.address}]` : http.address.address;
    endpoint = `http://${host}:${http.address.port}`;
    if (config.readyFile !== undefined) {
      // Written aside and renamed into place: whoever polls for the file must never read it empty or half written.
      const partial = `${config.readyFile}.${process.pid}.tmp`;
      writeFileSync(partial, JSON.stringify({ endpoint }) + '\n');
      renameSync(partial, config.readyFile);
    }
    metadata.start();
    ready = true;
    return {
      endpoint,
      clock,
      audit: trail,
      close: async () => {
        ready = false;
        await metadata.close();
        await http.close();
        // Event invocations still running finish (and write their logs) before the store closes.
        await Promise.allSettled([...background]);
        await runner.close();
        // Every answered request is recorded before the store closes.
        await trail?.close();
        await blobs.close();
        await store.close();
        dropLambdaDir();
      },
    };
  } catch (err) {
    await runner.close();
    await audit?.close();
    await blobs.close();
    await store.close();
    dropLambdaDir();
    throw err;
  }
}
