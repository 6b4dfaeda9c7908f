/**
 * Session tokens are self-contained (shared/DESIGN.md decision 4): the session's claims — account, role, session
 * name, times, session policies and tags, source identity, and the secret key — sealed with AES-256-GCM under a
 * server key kept in the store. Any node verifies a request without a store read, a restart keeps live sessions
 * valid, and a token changed in any bit, cut short or sealed under another key does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Tag } from '../model/iam.ts';

export interface SessionClaims {
  /** 'role' for AssumeRole sessions, 'user' or 'root' for GetSessionToken sessions. */
  readonly kind: 'role' | 'user' | 'root';
  readonly account: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Milliseconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Role sessions: the role's ARN (with path), id and key (lower-cased name) when issued. */
  readonly roleArn?: string;
  readonly roleId?: string;
  readonly roleName?: string;
  readonly sessionName?: string;
  /** User sessions: the user's key (lower-cased name). */
  readonly userKey?: string;
  /** Session policies: the inline document and managed policy ARNs given to AssumeRole. */
  readonly policy?: string;
  readonly policyArns?: readonly string[];
  readonly tags?: readonly Tag[];
  /** Lower-cased keys of transitive session tags, which follow role chaining. */
  readonly transitiveTagKeys?: readonly string[];
  readonly sourceIdentity?: string;
  /** True when a role session assumed this role: such sessions last at most an hour. */
  readonly chained?: boolean;
  readonly mfa?: boolean;
  /** Condition keys the session carries into every request (ec2:SourceInstanceARN, ec2:RoleDelivery). */
  readonly context?: Readonly<Record<string, string>>;
}

const VERSION = Buffer.from('RC1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function sealToken(key: Buffer, claims: SessionClaims): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(VERSION);
  const body = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
  return Buffer.concat([VERSION, iv, cipher.getAuthTag(), body]).toString('base64');
}

/** The claims of a token sealed under `key`; undefined for anything else. Never throws. */
export function openToken(key: Buffer, token: string): SessionClaims | undefined {
  try {
    const raw = Buffer.from(token, 'base64');
    if (raw.length < VERSION.length + IV_BYTES + TAG_BYTES + 2 || !raw.subarray(0, VERSION.length).equals(VERSION)) {
      return undefined;
    }
    const iv = raw.subarray(VERSION.length, VERSION.length + IV_BYTES);
    const tag = raw.subarray(VERSION.length + IV_BYTES, VERSION.length + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(VERSION);
    decipher.setAuthTag(tag);
    const body = Buffer.concat([
      decipher.update(raw.subarray(VERSION.length + IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]);
    const claims = JSON.parse(body.toString('utf8')) as SessionClaims;
    return typeof claims.accessKeyId === 'string' && typeof claims.expiresAt === 'number' ? claims : undefined;
  } catch {
    return undefined;
  }
}
