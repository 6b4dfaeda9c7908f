/**
 * Tags on IAM entities: keys compare case-insensitively, at most 50 per entity (shared/AWS-FACTS.md, "Tags").
 * Length and character rules come from the model's constraint checks before a handler runs.
 */
import type { Tag } from '../../model/iam.ts';
import { invalidInput } from './errors.ts';
import { LimitExceededException } from '../../protocol/generated/iam.ts';

export const MAX_TAGS = 50;

const lower = (key: string) => key.toLowerCase();

/** Refuses a request that names the same key twice, in any case. */
export function checkRequestTags(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (seen.has(lower(tag.Key))) {
      throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    }
    seen.add(lower(tag.Key));
  }
}

/** The tags after TagX: new keys appended, existing keys (any case) given the new key and value. */
export function mergeTags(current: readonly Tag[], added: readonly Tag[]): Tag[] {
  checkRequestTags(added);
  const merged = current.map((t) => ({ Key: t.Key, Value: t.Value }));
  for (const tag of added) {
    const i = merged.findIndex((t) => lower(t.Key) === lower(tag.Key));
    if (i >= 0) merged[i] = { Key: tag.Key, Value: tag.Value };
    else merged.push({ Key: tag.Key, Value: tag.Value });
  }
  if (merged.length > MAX_TAGS) {
    throw new LimitExceededException('The number of tags has reached the maximum limit.');
  }
  return merged;
}

/** The tags after UntagX; keys that are not there are ignored, as IAM does. */
export function removeTags(current: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys.map(lower));
  return current.filter((t) => !drop.has(lower(t.Key)));
}
