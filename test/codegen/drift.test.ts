/**
 * The generated wire layer is current: regenerating from models/ gives exactly the committed files under
 * src/protocol/generated/ (so a hand edit, or a model change without `npm run codegen`, fails `npm test`), and
 * every operation scripts/codegen/operations.json lists has a handler in its service, and no handler is unlisted.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { generateAll } from '../../scripts/codegen/generate.ts';
import { ec2Model } from '../../src/protocol/generated/ec2.ts';
import { iamModel } from '../../src/protocol/generated/iam.ts';
import { stsModel } from '../../src/protocol/generated/sts.ts';
import { s3Model } from '../../src/protocol/generated/s3.ts';
import { logsModel } from '../../src/protocol/generated/logs.ts';
import { accessanalyzerModel } from '../../src/protocol/generated/accessanalyzer.ts';
import { accessAnalyzerService } from '../../src/services/access-analyzer/index.ts';
import { lambdaModel } from '../../src/protocol/generated/lambda.ts';
import { cloudtrailModel } from '../../src/protocol/generated/cloudtrail.ts';
import { createLambdaService, type LambdaDeps } from '../../src/services/lambda/index.ts';
import { createCloudTrailService } from '../../src/services/cloudtrail/index.ts';
import { ServiceReference } from '../../src/state/service-reference.ts';
import { AwsManagedPolicies } from '../../src/state/aws-managed-policies.ts';
import { IamState } from '../../src/state/iam-state.ts';
import { MemoryStore } from '../../src/store/memory/memory-store.ts';
import { ec2Service } from '../../src/services/ec2/index.ts';
import { iamService } from '../../src/services/iam/index.ts';
import { stsService } from '../../src/services/sts/index.ts';
import { createS3Service } from '../../src/services/s3/index.ts';
import { createLogsService, createLogsState } from '../../src/services/logs/index.ts';
import { S3State } from '../../src/state/s3-state.ts';
import { MemoryBlobStore } from '../../src/store/blobs/memory-blob-store.ts';
import type { ServiceDefinition } from '../../src/services/service.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const GENERATED = join('src', 'protocol', 'generated');

interface OperationList {
  readonly model: string;
  readonly operations: readonly string[];
}

const listed = JSON.parse(readFileSync(join(ROOT, 'scripts', 'codegen', 'operations.json'), 'utf8')) as Record<
  string,
  OperationList
>;

describe('generated code is current', () => {
  const generated = generateAll();

  it('generates one file per model', () => {
    const models = readdirSync(join(ROOT, 'models'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(GENERATED, f.replace(/\.json$/, '.ts')))
      .sort();
    assert.deepEqual([...generated.keys()].sort(), models);
    assert.deepEqual(
      models,
      ['accessanalyzer', 'cloudtrail', 'ec2', 'iam', 'lambda', 'logs', 's3', 'sts'].map((s) =>
        join(GENERATED, `${s}.ts`),
      ),
    );
  });

  it('has no committed generated file that codegen would not write', () => {
    const committed = readdirSync(join(ROOT, GENERATED))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => join(GENERATED, f))
      .sort();
    assert.deepEqual(committed, [...generated.keys()].sort());
  });

  for (const [path, text] of generateAll()) {
    it(`${path} matches a fresh run of codegen (run \`npm run codegen\`)`, () => {
      const committed = readFileSync(join(ROOT, path), 'utf8');
      if (committed !== text) {
        const a = committed.split('\n');
        const b = text.split('\n');
        const line = a.findIndex((l, i) => l !== b[i]);
        assert.fail(
          `${path} differs from codegen output at line ${line + 1}:\n  committed: ${a[line] ?? '<end of file>'}\n  generated: ${b[line] ?? '<end of file>'}`,
        );
      }
    });
  }

  it('generates only the operations operations.json lists', () => {
    const models = {
      iam: iamModel,
      sts: stsModel,
      ec2: ec2Model,
      s3: s3Model,
      logs: logsModel,
      accessanalyzer: accessanalyzerModel,
      lambda: lambdaModel,
      cloudtrail: cloudtrailModel,
    };
    for (const [service, model] of Object.entries(models)) {
      assert.deepEqual(Object.keys(model.operations).sort(), [...(listed[service]?.operations ?? [])].sort(), service);
    }
  });
});

describe('every listed operation has a handler', () => {
  it('operations.json names exactly the services rolecall serves', () => {
    assert.deepEqual(Object.keys(listed).sort(), [
      'accessanalyzer',
      'cloudtrail',
      'ec2',
      'iam',
      'lambda',
      'logs',
      's3',
      'sts',
    ]);
  });

  it('each service handles exactly its listed operations', async () => {
    const store = new MemoryStore();
    await store.open();
    try {
      const services: Record<string, ServiceDefinition> = {
        iam: iamService(await IamState.load(store), AwsManagedPolicies.load()),
        sts: stsService(await IamState.load(store), Buffer.alloc(32)),
        ec2: ec2Service(await IamState.load(store)),
        s3: createS3Service({ state: await S3State.load(store), blobs: new MemoryBlobStore() }),
        logs: createLogsService({ state: await createLogsState(store), clock: { now: () => new Date() } }),
        accessanalyzer: accessAnalyzerService(await ServiceReference.open()),
        // Only the handler table is looked at here; no handler runs, so no dependency is needed.
        lambda: createLambdaService({} as LambdaDeps),
        cloudtrail: createCloudTrailService(),
      };
      for (const [name, { operations }] of Object.entries(listed)) {
        const service = services[name];
        assert.ok(service, `no service ${name}`);
        for (const op of operations) {
          assert.equal(typeof service.handlers[op], 'function', `${name}:${op} has no handler`);
          assert.ok(service.model.operations[op], `${name}:${op} is not in the generated model`);
        }
        assert.deepEqual(Object.keys(service.handlers).sort(), [...operations].sort(), `${name}: unlisted handlers`);
        assert.equal(service.model.service, name);
      }
    } finally {
      await store.close();
    }
  });
});
