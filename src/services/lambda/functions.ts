/**
 * CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions, UpdateFunctionCode,
 * UpdateFunctionConfiguration and DeleteFunction. Authorization (lambda:<Op> on the function ARN, iam:PassRole for
 * the role, s3:GetObject for a package in S3) happened in the pipeline (authorization.ts); here the role must
 * also exist and trust Lambda (roles.ts), and the package must be a zip (code.ts).
 */
import type { FunctionCode, LambdaOperations } from '../../protocol/generated/lambda.ts';
import { AwsError } from '../../protocol/errors.ts';
import { parseArn } from '../../model/arn.ts';
import type { Handlers, OperationContext } from '../service.ts';
import { findFunction, newRevisionId, readS3Package } from './common.ts';
import { checkEnvironment, checkHandler, checkLimits, checkRuntime } from './config.ts';
import type { LambdaDeps } from './deps.ts';
import { addressOf, functionArn, functionExists, invalidParameter, revisionMismatch } from './names.ts';
import { assumableRole } from './roles.ts';
import type { FunctionRecord } from './state.ts';
import { configurationOf } from './views.ts';

type FunctionOps = Pick<
  LambdaOperations,
  | 'CreateFunction'
  | 'GetFunction'
  | 'GetFunctionConfiguration'
  | 'ListFunctions'
  | 'UpdateFunctionCode'
  | 'UpdateFunctionConfiguration'
  | 'DeleteFunction'
>;

/** ListFunctions returns 50 functions a page unless MaxItems says fewer (API reference). */
const PAGE = 50;

/** A role in another account cannot be handed to a function. */
function checkRoleAccount(roleArn: string, account: string): void {
  if (parseArn(roleArn)?.account !== account) {
    throw new AwsError('AccessDeniedException', 403, 'Cross-account pass role is not allowed.');
  }
}

/** Function names hold at most 64 characters; the 140 of the model's pattern leave room for an ARN. */
const MAX_NAME = 64;

/**
 * The name CreateFunction creates: FunctionName may be a name or an ARN of the caller's account and region
 * (API reference, CreateFunction), never with a qualifier.
 */
function nameToCreate(functionName: string, ctx: Pick<OperationContext, 'account' | 'region'>): string {
  const address = addressOf(functionName, ctx.account, ctx.region);
  if (!address || address.qualifier !== undefined || address.account !== ctx.account || address.region !== ctx.region) {
    throw invalidParameter(
      `rolecall cannot create the function ${functionName} here: name a function of your account and region, without a qualifier.`,
    );
  }
  if (address.name.length > MAX_NAME) {
    throw invalidParameter(
      `1 validation error detected: Value '${address.name}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to ${MAX_NAME}`,
    );
  }
  return address.name;
}

/** The package a request names: a zip in the body, or an object in rolecall's S3. */
async function packageOf(deps: LambdaDeps, code: FunctionCode): Promise<Buffer> {
  if (code.ImageUri !== undefined) {
    throw invalidParameter('rolecall runs zip deployment packages only, not container images (ImageUri).');
  }
  const fromS3 = code.S3Bucket !== undefined || code.S3Key !== undefined;
  if (code.ZipFile !== undefined && fromS3) {
    throw invalidParameter('Please do not provide other FunctionCode parameters when providing a ZipFile.');
  }
  if (code.ZipFile !== undefined) return Buffer.from(code.ZipFile);
  if (code.S3Bucket !== undefined && code.S3Key !== undefined) {
    if (code.S3ObjectVersion !== undefined) {
      throw invalidParameter('rolecall keeps no S3 object versions: leave out S3ObjectVersion.');
    }
    return readS3Package(deps, code.S3Bucket, code.S3Key);
  }
  throw invalidParameter('Please provide a source for function code.');
}

export function functionHandlers(deps: LambdaDeps): Handlers<FunctionOps> {
  const { state, code, runner } = deps;

  const retire = (arn: string) =>
    runner.retire(arn).catch((err: unknown) => deps.log.warn({ err, functionArn: arn }, 'retiring processes failed'));

  return {
    CreateFunction: async (input, ctx) => {
      const name = nameToCreate(input.FunctionName, ctx);
      if (input.PackageType === 'Image') {
        throw invalidParameter('rolecall runs zip deployment packages only, not container images (PackageType Image).');
      }
      if (input.Runtime === undefined || input.Handler === undefined) {
        throw invalidParameter(
          'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
        );
      }
      checkRuntime(input.Runtime);
      checkHandler(input.Handler);
      checkLimits(input.Timeout, input.MemorySize);
      checkEnvironment(input.Environment?.Variables);
      checkRoleAccount(input.Role, ctx.account);
      if (state.get(ctx.account, ctx.region, name)) throw functionExists(name);
      assumableRole(deps.iam, input.Role);
      const saved = await code.save(await packageOf(deps, input.Code));
      const record: FunctionRecord = {
        region: ctx.region,
        name,
        arn: functionArn(ctx.region, ctx.account, name),
        runtime: input.Runtime,
        handler: input.Handler,
        role: input.Role,
        description: input.Description ?? '',
        timeout: input.Timeout ?? 3,
        memorySize: input.MemorySize ?? 128,
        ...(input.Environment?.Variables && { environment: input.Environment.Variables }),
        tags: input.Tags ?? {},
        codeSha256: saved.sha256,
        codeSize: saved.size,
        lastModified: ctx.now.getTime(),
        revisionId: newRevisionId(),
        policy: [],
      };
      await state.write(async (w) => {
        // Checked again under the lock: two creates of one name race, one wins.
        if (state.get(ctx.account, ctx.region, name)) throw functionExists(name);
        await w.put(ctx.account, record);
      });
      return configurationOf(record, 'creating');
    },

    GetFunction: (input, ctx) => {
      const { record } = findFunction(deps, input.FunctionName, ctx, input.Qualifier);
      return {
        Configuration: configurationOf(record),
        Code: {
          RepositoryType: 'S3',
          Location: deps.codeLocations.url(deps.endpointUrl(), record.codeSha256, ctx.now),
        },
        ...(Object.keys(record.tags).length > 0 && { Tags: { ...record.tags } }),
      };
    },

    GetFunctionConfiguration: (input, ctx) =>
      configurationOf(findFunction(deps, input.FunctionName, ctx, input.Qualifier).record),

    ListFunctions: (input, ctx) => {
      const all = state.list(ctx.account, ctx.region);
      let start = 0;
      if (input.Marker !== undefined) {
        const after = Buffer.from(input.Marker, 'base64url').toString('utf8');
        start = all.findIndex((f) => f.name > after);
        if (start < 0) start = all.length;
        if (after === '') throw invalidParameter('Invalid marker');
      }
      const size = Math.min(input.MaxItems ?? PAGE, PAGE);
      const page = all.slice(start, start + size);
      const last = page[page.length - 1];
      return {
        Functions: page.map((f) => configurationOf(f)),
        ...(start + size < all.length && last && { NextMarker: Buffer.from(last.name).toString('base64url') }),
      };
    },

    UpdateFunctionCode: async (input, ctx) => {
      const { record: before } = findFunction(deps, input.FunctionName, ctx);
      if (input.RevisionId !== undefined && input.RevisionId !== before.revisionId) throw revisionMismatch();
      const bytes = await packageOf(deps, input);
      if (input.DryRun === true) {
        const checked = code.inspect(bytes);
        return configurationOf({ ...before, codeSha256: checked.sha256, codeSize: checked.size });
      }
      const saved = await code.save(bytes);
      const record = await update(deps, ctx, input.FunctionName, input.RevisionId, (f) => ({
        ...f,
        codeSha256: saved.sha256,
        codeSize: saved.size,
        lastModified: ctx.now.getTime(),
        revisionId: newRevisionId(),
      }));
      await retire(record.arn);
      return configurationOf(record, 'updating');
    },

    UpdateFunctionConfiguration: async (input, ctx) => {
      const { address, record: before } = findFunction(deps, input.FunctionName, ctx);
      if (input.RevisionId !== undefined && input.RevisionId !== before.revisionId) throw revisionMismatch();
      if (input.Runtime !== undefined) checkRuntime(input.Runtime);
      if (input.Handler !== undefined) checkHandler(input.Handler);
      checkLimits(input.Timeout, input.MemorySize);
      checkEnvironment(input.Environment?.Variables);
      if (input.Role !== undefined) {
        checkRoleAccount(input.Role, address.account);
        assumableRole(deps.iam, input.Role);
      }
      const record = await update(deps, ctx, input.FunctionName, input.RevisionId, (f) => {
        const environment = input.Environment === undefined ? f.environment : (input.Environment.Variables ?? {});
        const { environment: _dropped, ...rest } = f;
        return {
          ...rest,
          ...(input.Runtime !== undefined && { runtime: input.Runtime }),
          ...(input.Handler !== undefined && { handler: input.Handler }),
          ...(input.Role !== undefined && { role: input.Role }),
          ...(input.Description !== undefined && { description: input.Description }),
          ...(input.Timeout !== undefined && { timeout: input.Timeout }),
          ...(input.MemorySize !== undefined && { memorySize: input.MemorySize }),
          ...(environment !== undefined && Object.keys(environment).length > 0 && { environment }),
          lastModified: ctx.now.getTime(),
          revisionId: newRevisionId(),
        };
      });
      await retire(record.arn);
      return configurationOf(record, 'updating');
    },

    DeleteFunction: async (input, ctx) => {
      const { address, record } = findFunction(deps, input.FunctionName, ctx, input.Qualifier);
      await state.write(async (w) => {
        if (!state.get(address.account, address.region, address.name)) return;
        await w.delete(address.account, address.region, address.name);
      });
      deps.credentials.forget(record.arn);
      await retire(record.arn);
      return { StatusCode: 204 };
    },
  };
}

/** Changes a function under the write lock, checking again that it exists and is at the expected revision. */
export async function update(
  deps: Pick<LambdaDeps, 'state'>,
  ctx: Pick<OperationContext, 'account' | 'region'>,
  functionName: string,
  revisionId: string | undefined,
  change: (f: FunctionRecord) => FunctionRecord,
): Promise<FunctionRecord> {
  return deps.state.write(async (w) => {
    const { address, record } = findFunction(deps, functionName, ctx);
    if (revisionId !== undefined && revisionId !== record.revisionId) throw revisionMismatch();
    const next = change(record);
    await w.put(address.account, next);
    return next;
  });
}
