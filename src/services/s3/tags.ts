/**
 * S3 tag rules (Amazon S3 User Guide, "Categorizing your storage using tags"): at most 10 tags per object and 50
 * per bucket, keys of 1–128 and values of 0–256 Unicode characters, unique keys, no `aws:` prefix.
 */
import type { Tag } from '../../model/iam.ts';
import { AwsError } from '../../protocol/errors.ts';
import { s3Errors } from './errors.ts';

export function checkTags(tags: readonly Tag[], max: number): void {
  if (tags.length > max) {
    // gh:boto/boto3#1213 quotes S3's BadRequest for an eleventh object tag (docs/research/s3-facts.md §G).
    if (max === 10) throw new AwsError('BadRequest', 400, 'Object tags cannot be greater than 10');
    throw s3Errors.invalidTag('Bucket tag count cannot be greater than 50');
  }
  const seen = new Set<string>();
  for (const t of tags) {
    if ([...t.Key].length < 1 || [...t.Key].length > 128)
      throw s3Errors.invalidTag('The TagKey you have provided is invalid');
    if ([...t.Value].length > 256) throw s3Errors.invalidTag('The TagValue you have provided is invalid');
    if (t.Key.toLowerCase().startsWith('aws:')) throw s3Errors.invalidTag('Your TagKey cannot be prefixed with aws:');
    if (seen.has(t.Key)) throw s3Errors.invalidTag('Cannot provide multiple Tags with the same key');
    seen.add(t.Key);
  }
}
