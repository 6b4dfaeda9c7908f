/**
 * One instance's metadata service (shared/DESIGN.md decision 7; shared/AWS-FACTS.md, "Instance metadata
 * service"): IMDSv2 tokens (PUT /latest/api/token with a TTL of 1–21600 seconds, bound to this instance, the TTL
 * echoed; 403 when the PUT carries X-Forwarded-For; 405 for other methods on the token path), IMDSv1 unless
 * HttpTokens is required (then 401), and the meta-data tree SDKs read. Pure request → response, no sockets.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { InstanceRecord } from '../model/ec2.ts';
import type { InstanceCredentials } from './credentials.ts';

export interface MetadataRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface MetadataResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';

/** Timestamps as IMDS writes them: no milliseconds (botocore parses `%Y-%m-%dT%H:%M:%SZ`). */
const stamp = (d: Date | number | string): string => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');

const text = (status: number, body: string, headers: Record<string, string> = {}): MetadataResponse => ({
  status,
  headers: { 'content-type': 'text/plain', server: 'EC2ws', ...headers },
  body,
});
const notFound = () =>
  text(
    404,
    '<?xml version="1.0" encoding="iso-8859-1"?>\n<html><head><title>404 - Not Found</title></head><body><h1>404 - Not Found</h1></body></html>\n',
  );

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export interface MetadataContext {
  readonly account: string;
  readonly instance: () => InstanceRecord | undefined;
  readonly credentials: InstanceCredentials;
  readonly now: () => Date;
  /** Told when a workload asks for credentials on an instance without a profile (the classic mistake). */
  readonly noProfile: (instance: InstanceRecord) => void;
}

/**
 * IMDSv2 tokens carry their own expiry, signed with a key of this instance's listener: nothing is stored per
 * token (SDKs ask for six-hour tokens, and a store of them would only grow), a token works on this instance
 * only, and an expired or altered one is refused.
 */
class TokenSigner {
  private readonly key = randomBytes(32);

  private mac(expires: string): Buffer {
    return createHmac('sha256', this.key).update(expires).digest();
  }

  issue(expiresAtMs: number): string {
    const expires = String(expiresAtMs);
    return `${Buffer.from(expires).toString('base64url')}.${this.mac(expires).toString('base64url')}`;
  }

  /** When the token expires; undefined when it is not one this signer issued. */
  expiry(token: string): number | undefined {
    const [head = '', mac = ''] = token.split('.');
    const expires = Buffer.from(head, 'base64url').toString();
    if (!/^\d+$/.test(expires)) return undefined;
    const given = Buffer.from(mac, 'base64url');
    const wanted = this.mac(expires);
    return given.length === wanted.length && timingSafeEqual(given, wanted) ? Number(expires) : undefined;
  }
}

export class InstanceMetadata {
  private readonly tokens = new TokenSigner();

  constructor(private readonly ctx: MetadataContext) {}

  handle(req: MetadataRequest): MetadataResponse {
    const instance = this.ctx.instance();
    if (!instance || instance.metadataOptions.httpEndpoint !== 'enabled') return notFound();
    const now = this.ctx.now();
    if (req.path === '/latest/api/token') return this.token(req, now);

    const token = first(req.headers[TOKEN_HEADER]);
    let version: '1.0' | '2.0' = '1.0';
    if (token !== undefined) {
      const expires = this.tokens.expiry(token);
      if (expires === undefined || expires <= now.getTime()) return text(401, '');
      version = '2.0';
    } else if (instance.metadataOptions.httpTokens === 'required') {
      return text(401, '');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, '', { allow: 'GET,HEAD' });
    return this.read(instance, req.path, version, now);
  }

  private token(req: MetadataRequest, now: Date): MetadataResponse {
    if (req.method !== 'PUT') return text(405, '', { allow: 'PUT' });
    if (req.headers['x-forwarded-for'] !== undefined) return text(403, '');
    const ttlText = first(req.headers[TTL_HEADER]);
    const ttl = ttlText === undefined ? NaN : Number(ttlText);
    if (!/^\d+$/.test(ttlText ?? '') || ttl < 1 || ttl > 21600) return text(400, '');
    return text(200, this.tokens.issue(now.getTime() + ttl * 1000), { [TTL_HEADER]: String(ttl) });
  }

  private read(instance: InstanceRecord, rawPath: string, version: '1.0' | '2.0', now: Date): MetadataResponse {
    const path = rawPath.replace(/\/+/g, '/');
    const md = '/latest/meta-data/';
    const hasProfile = instance.association !== undefined;
    const dns = `ip-${instance.privateIpAddress.replace(/\./g, '-')}.${instance.region === 'us-east-1' ? 'ec2.internal' : `${instance.region}.compute.internal`}`;
    const mac = `0e:${instance.instanceId.slice(2, 12).match(/../g)?.join(':') ?? '00:00:00:00:00'}`;
    const values: Record<string, string> = {
      'ami-id': instance.imageId,
      'ami-launch-index': String(instance.amiLaunchIndex),
      hostname: dns,
      'instance-id': instance.instanceId,
      'instance-type': instance.instanceType,
      'local-hostname': dns,
      'local-ipv4': instance.privateIpAddress,
      mac,
      'reservation-id': instance.reservationId,
      'security-groups': instance.securityGroupIds.join('\n'),
      'placement/availability-zone': instance.availabilityZone,
      'placement/region': instance.region,
    };
    if (path === '/latest/meta-data' || path === md) {
      const listing = [
        'ami-id',
        'ami-launch-index',
        'hostname',
        ...(hasProfile ? ['iam/'] : []),
        'instance-id',
        'instance-type',
        'local-hostname',
        'local-ipv4',
        'mac',
        'placement/',
        'reservation-id',
        'security-groups',
        ...(instance.metadataOptions.instanceMetadataTags === 'enabled' ? ['tags/'] : []),
      ];
      return text(200, listing.join('\n'));
    }
    if (path === '/latest/dynamic/instance-identity/document') {
      return {
        status: 200,
        headers: { 'content-type': 'text/plain', server: 'EC2ws' },
        body: JSON.stringify(
          {
            accountId: this.ctx.account,
            architecture: 'x86_64',
            availabilityZone: instance.availabilityZone,
            billingProducts: null,
            devpayProductCodes: null,
            marketplaceProductCodes: null,
            imageId: instance.imageId,
            instanceId: instance.instanceId,
            instanceType: instance.instanceType,
            kernelId: null,
            pendingTime: stamp(instance.launchTime),
            privateIp: instance.privateIpAddress,
            ramdiskId: null,
            region: instance.region,
            version: '2017-09-30',
          },
          null,
          2,
        ),
      };
    }
    if (!path.startsWith(md)) return notFound();
    const rest = path.slice(md.length);
    const key = rest.endsWith('/') ? rest.slice(0, -1) : rest;
    if (key === 'placement') return text(200, 'availability-zone\nregion');
    if (values[key] !== undefined) return text(200, values[key]);
    if (key === 'tags' || key === 'tags/instance') {
      if (instance.metadataOptions.instanceMetadataTags !== 'enabled') return notFound();
      return key === 'tags' ? text(200, 'instance') : text(200, instance.tags.map((t) => t.Key).join('\n'));
    }
    if (key.startsWith('tags/instance/')) {
      const tag = instance.tags.find((t) => t.Key === key.slice('tags/instance/'.length));
      return instance.metadataOptions.instanceMetadataTags === 'enabled' && tag ? text(200, tag.Value) : notFound();
    }
    if (key === 'iam' || key.startsWith('iam/')) return this.iam(instance, key, version, now);
    return notFound();
  }

  private iam(instance: InstanceRecord, key: string, version: '1.0' | '2.0', now: Date): MetadataResponse {
    const association = instance.association;
    if (!association) {
      if (key.startsWith('iam/security-credentials')) this.ctx.noProfile(instance);
      return notFound();
    }
    if (key === 'iam') return text(200, 'info\nsecurity-credentials/');
    if (key === 'iam/info') {
      return text(
        200,
        JSON.stringify(
          {
            Code: 'Success',
            LastUpdated: stamp(association.timestamp),
            InstanceProfileArn: association.profileArn,
            InstanceProfileId: association.profileId,
          },
          null,
          2,
        ),
      );
    }
    const role = this.ctx.credentials.role(this.ctx.account, instance);
    if (key === 'iam/security-credentials') return role ? text(200, role.name) : notFound();
    if (!role || key !== `iam/security-credentials/${role.name}`) return notFound();
    const answer = this.ctx.credentials.credentials(this.ctx.account, instance, version, now);
    if (answer.kind === 'untrusted') {
      return text(
        200,
        JSON.stringify(
          {
            Code: 'AssumeRoleUnauthorizedAccess',
            Message: `EC2 cannot assume the role ${role.name}.  Please see documentation at https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html#roles-usingrole-ec2instance-roles.`,
            LastUpdated: stamp(now),
          },
          null,
          2,
        ),
      );
    }
    if (answer.kind !== 'issued') return notFound();
    return text(
      200,
      JSON.stringify(
        {
          Code: 'Success',
          LastUpdated: stamp(answer.lastUpdated),
          Type: 'AWS-HMAC',
          AccessKeyId: answer.claims.accessKeyId,
          SecretAccessKey: answer.claims.secretAccessKey,
          Token: answer.token,
          Expiration: stamp(answer.claims.expiresAt),
        },
        null,
        2,
      ),
    );
  }
}
