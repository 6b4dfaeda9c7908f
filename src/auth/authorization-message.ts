/**
 * EC2's encoded authorization failure messages: the details of a denial, sealed so that only callers allowed
 * sts:DecodeAuthorizationMessage can read them (EC2 API reference, UnauthorizedOperation; STS API reference,
 * DecodeAuthorizationMessage). The decoded form follows AWS's JSON: allowed, explicitDeny, matchedStatements,
 * failures, context {principal, action, resource, conditions}.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { ContextValue, Decision } from '../policy/index.ts';
import type { Principal } from './principal.ts';

const PREFIX = Buffer.from('RCM1');

export function decodedMessage(
  principal: Principal,
  action: string,
  resource: string,
  decision: Decision,
  context: Readonly<Record<string, ContextValue>>,
): string {
  return JSON.stringify({
    allowed: false,
    explicitDeny: decision.decision === 'ExplicitlyDenied',
    matchedStatements: {
      items: decision.statements.map((s) => ({
        statementId: s.sid ?? String(s.index + 1),
        effect: s.effect.toUpperCase(),
        policyId: s.policyId,
        policyType: s.kind,
      })),
    },
    failures: { items: [] },
    context: {
      principal: { id: principal.userId, arn: principal.arn },
      action,
      resource,
      conditions: {
        items: Object.entries(context).map(([key, value]) => ({
          key,
          values: { items: (Array.isArray(value) ? value : [value]).map((v) => ({ value: String(v) })) },
        })),
      },
    },
  });
}

export function encodeMessage(key: Buffer, message: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(PREFIX);
  const body = Buffer.concat([cipher.update(message, 'utf8'), cipher.final()]);
  return Buffer.concat([PREFIX, iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The message an encoded one holds; undefined when it is not one rolecall made. */
export function decodeMessage(key: Buffer, encoded: string): string | undefined {
  try {
    const raw = Buffer.from(encoded, 'base64url');
    if (raw.length < PREFIX.length + 28 || !raw.subarray(0, PREFIX.length).equals(PREFIX)) return undefined;
    const iv = raw.subarray(PREFIX.length, PREFIX.length + 12);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(PREFIX);
    decipher.setAuthTag(raw.subarray(PREFIX.length + 12, PREFIX.length + 28));
    return Buffer.concat([decipher.update(raw.subarray(PREFIX.length + 28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
