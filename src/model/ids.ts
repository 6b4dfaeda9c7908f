/**
 * Identifiers as AWS forms them: unique ids are a 4-letter prefix and 17 characters of A–Z and 2–7 (21 in all,
 * shared/AWS-FACTS.md), access key ids 20 characters, request ids UUIDs.
 */
import { randomBytes, randomUUID } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32.charAt((bytes[i] ?? 0) & 31);
  return out;
}

export type IdPrefix = 'AROA' | 'AIPA' | 'AIDA' | 'AGPA' | 'ANPA' | 'AKIA' | 'ASIA';

/** A unique id such as a RoleId (`AROA` + 17 characters). */
export const uniqueId = (prefix: IdPrefix): string => prefix + base32(17);

/** An access key id (`AKIA`/`ASIA` + 16 characters). */
export const accessKeyId = (prefix: 'AKIA' | 'ASIA'): string => prefix + base32(16);

export const requestId = (): string => randomUUID();
