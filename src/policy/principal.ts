/**
 * Reads who a principal is from the form people write it in: an ARN (`arn:aws:iam::123456789012:user/alice`,
 * `arn:aws:sts::123456789012:assumed-role/app/i-0abc`, `…:root`), a 12-digit account id (its root), a service
 * principal (`ec2.amazonaws.com`), or `*`/`anonymous`. Used by `rolecall simulate` and the simulator APIs.
 */
import type { RequestPrincipal } from './types.ts';

export function principalFromArn(text: string): RequestPrincipal | undefined {
  if (text === '*' || text === 'anonymous') return { type: 'anonymous', arn: '*', account: '' };
  if (/^\d{12}$/.test(text)) return { type: 'root', arn: `arn:aws:iam::${text}:root`, account: text };
  if (/^[a-z0-9.-]+\.(amazonaws\.com|amazon\.com|aws\.internal)$/.test(text)) {
    return { type: 'service', arn: text, account: '', service: text };
  }
  const m = /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$/.exec(text);
  if (!m) return undefined;
  const [, partition = 'aws', service, account = '', resource = ''] = m;
  if (service === 'iam') {
    if (resource === 'root') return { type: 'root', arn: text, account };
    if (resource.startsWith('user/')) return { type: 'user', arn: text, account };
    if (resource.startsWith('role/')) return { type: 'role', arn: text, account };
    return undefined;
  }
  if (resource.startsWith('assumed-role/')) {
    const parts = resource.split('/');
    if (parts.length < 3) return undefined;
    return {
      type: 'assumed-role',
      arn: text,
      account,
      roleArn: `arn:${partition}:iam::${account}:role/${parts[1] ?? ''}`,
    };
  }
  if (resource.startsWith('federated-user/')) return { type: 'federated-user', arn: text, account };
  return undefined;
}
