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

/**
 * An access key id (`AKIA`/`ASIA` + 16 characters) that carries its account, as AWS's do (so GetAccessKeyInfo
 * can answer for any key): 8 characters encode the 40 bits of the account id, 8 are random.
 */
export function accessKeyId(prefix: 'AKIA' | 'ASIA', account: string): string {
  let n = BigInt(account);
  let encoded = '';
  for (let i = 0; i < 8; i++) {
    encoded = BASE32.charAt(Number(n & 31n)) + encoded;
    n >>= 5n;
  }
  return prefix + encoded + base32(8);
}

/** The account an access key id made by accessKeyId belongs to; undefined for other ids. */
export function accountOfAccessKeyId(id: string): string | undefined {
  if (!/^(AKIA|ASIA)[A-Z2-7]{16}$/.test(id)) return undefined;
  let n = 0n;
  for (const c of id.slice(4, 12)) n = (n << 5n) | BigInt(BASE32.indexOf(c));
  return n < 1_000_000_000_000n ? n.toString().padStart(12, '0') : undefined;
}

export const requestId = (): string => randomUUID();
