/**
 * S3 tag rules (Amazon S3 User Guide, "Categorizing your storage using tags"): at most 10 tags per object and 50
 * per bucket, keys of 1–128 and values of 0–256 Unicode characters, unique keys, no `aws:` prefix.
 * The `x-amz-tagging` header carries tags URL-encoded as a query string.
 */
import type { Tag } from '../../model/iam.ts';
import { s3Errors } from './errors.ts';

export function checkTags(tags: readonly Tag[], max: number): void {
  if (tags.length > max) {
    throw s3Errors.invalidTag(max === 10 ? 'Object tags cannot be greater than 10' : 'Bucket tag count cannot be greater than 50');
  }
  const seen = new Set<string>();
  for (const t of tags) {
    if ([...t.Key].length < 1 || [...t.Key].length > 128) throw s3Errors.invalidTag('The TagKey you have provided is too long, max 128');
    if ([...t.Value].length > 256) throw s3Errors.invalidTag('The TagValue you have provided is too long, max 256');
    if (t.Key.toLowerCase().startsWith('aws:')) throw s3Errors.invalidTag('Your TagKey cannot be prefixed with aws:');
    if (seen.has(t.Key)) throw s3Errors.invalidTag('Cannot provide multiple Tags with the same key');
    seen.add(t.Key);
  }
}

/** Tags from an `x-amz-tagging` header (`k1=v1&k2=v2`). */
export function parseTaggingHeader(header: string): Tag[] {
  const tags: Tag[] = [];
  for (const part of header.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    try {
      tags.push({ Key: decode(eq < 0 ? part : part.slice(0, eq)), Value: eq < 0 ? '' : decode(part.slice(eq + 1)) });
    } catch {
      throw s3Errors.invalidArgument('The header \'x-amz-tagging\' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.', 'x-amz-tagging', header);
    }
  }
  return tags;
}
