/** Finding the function a request names, and reading deployment packages from rolecall's S3. */
import { randomUUID } from 'node:crypto';
import type { OperationContext } from '../service.ts';
import { MAX_UNZIPPED_BYTES } from './code.ts';
import type { LambdaDeps } from './deps.ts';
import { addressArn, addressOf, functionNotFound, invalidParameter, LATEST, type FunctionAddress } from './names.ts';
import type { FunctionRecord } from './state.ts';

export const newRevisionId = (): string => randomUUID();

/** The function a FunctionName names (in the caller's account unless an ARN says otherwise), or 404. */
export function findFunction(
  deps: Pick<LambdaDeps, 'state'>,
  functionName: string,
  ctx: Pick<OperationContext, 'account' | 'region'>,
  qualifier?: string,
): { readonly address: FunctionAddress; readonly record: FunctionRecord } {
  const parsed = addressOf(functionName, ctx.account, ctx.region);
  if (!parsed) throw functionNotFound(functionName);
  // A Qualifier parameter and a qualified name must agree (API reference: "the qualifier in the function name
  // and the Qualifier parameter").
  if (qualifier !== undefined && parsed.qualifier !== undefined && qualifier !== parsed.qualifier) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const address = qualifier === undefined ? parsed : { ...parsed, qualifier };
  const record = deps.state.get(address.account, address.region, address.name);
  // Only $LATEST exists: rolecall publishes no versions and keeps no aliases.
  if (!record || (address.qualifier !== undefined && address.qualifier !== LATEST)) {
    throw functionNotFound(addressArn(address));
  }
  return { address, record };
}

/**
 * A package in rolecall's S3, read with the caller's permission (the pipeline checked s3:GetObject). The errors
 * are Lambda's wrapping of S3's: `Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The
 * specified key does not exist.` (InvalidParameterValueException).
 */
export async function readS3Package(
  deps: Pick<LambdaDeps, 's3' | 'blobs'>,
  bucket: string,
  key: string,
): Promise<Buffer> {
  const s3Error = (code: string, message: string) =>
    invalidParameter(`Error occurred while GetObject. S3 Error Code: ${code}. S3 Error Message: ${message}`);
  if (!deps.s3.bucket(bucket)) throw s3Error('NoSuchBucket', 'The specified bucket does not exist');
  const object = deps.s3.object(bucket, key);
  if (!object) throw s3Error('NoSuchKey', 'The specified key does not exist.');
  if (object.size > MAX_UNZIPPED_BYTES) {
    throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
  }
  const { body } = await deps.blobs.read(object.blobId);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
