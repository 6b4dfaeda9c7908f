/**
 * The resource ARNs a request is authorized against: the action's resource types (actions.ts) filled in from
 * the request's input, as the Service Authorization Reference's ARN formats say (`arn:aws:iam::<account>:role/
 * <name with path>`). An entity that exists is named by its stored ARN, path included; one being created by its
 * name and the given path. Without a resource type the request is authorized against `*`.
 */
import type { IamState } from '../state/iam-state.ts';
import { nameKey } from '../model/iam.ts';
import { iamArn } from '../model/arn.ts';
import type { Principal } from './principal.ts';
import type { ActionCatalogue } from './actions.ts';

type Input = Readonly<Record<string, unknown>>;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function iamResource(
  type: string,
  operation: string,
  input: Input,
  account: string,
  state: IamState,
  principal: Principal,
): string | undefined {
  // The simulator's actions are authorized against the simulated entity (Service Authorization Reference).
  const source = text(input['PolicySourceArn']);
  if (source && ['user', 'role', 'group'].includes(type)) return source;
  const path = text(input['Path']) ?? '/';
  switch (type) {
    case 'role': {
      const name = text(input['RoleName']);
      if (!name) return undefined;
      return state.get('iam.role', account, nameKey(name))?.arn ?? iamArn(account, 'role', path, name);
    }
    case 'user': {
      // GetAccessKeyLastUsed names a key, and is authorized against the key's owner.
      const keyId = text(input['AccessKeyId']);
      if (keyId && input['UserName'] === undefined && operation === 'GetAccessKeyLastUsed') {
        const found = state.findAccessKey(keyId);
        if (found && found.account === account) {
          const owner = found.key.userKey === undefined ? undefined : state.get('iam.user', account, found.key.userKey);
          return owner?.arn ?? `arn:aws:iam::${account}:root`;
        }
      }
      const name = text(input['UserName']) ?? (principal.type === 'user' ? principal.userName : undefined);
      if (!name) return principal.type === 'root' ? `arn:aws:iam::${account}:root` : undefined;
      return state.get('iam.user', account, nameKey(name))?.arn ?? iamArn(account, 'user', path, name);
    }
    case 'group': {
      const name = text(input['GroupName']);
      if (!name) return undefined;
      return state.get('iam.group', account, nameKey(name))?.arn ?? iamArn(account, 'group', path, name);
    }
    case 'instance-profile': {
      const name = text(input['InstanceProfileName']);
      if (!name) return undefined;
      return (
        state.get('iam.instance-profile', account, nameKey(name))?.arn ??
        iamArn(account, 'instance-profile', path, name)
      );
    }
    case 'policy': {
      const arn = text(input['PolicyArn']);
      if (arn) return arn;
      const name = text(input['PolicyName']);
      return name ? iamArn(account, 'policy', path, name) : undefined;
    }
    default:
      return undefined;
  }
}

/** The ARNs to authorize `service:operation` against; `['*']` when the action has no resource type. */
/**
 * EC2 instance ARNs of the instances an operation names (InstanceId, InstanceIds, a tag call's Resources, an
 * association's instance). RunInstances stays on `*`: it also needs image, subnet, network-interface, security
 * group and volume ARNs, and naming only some of them would allow more than AWS does.
 */
function ec2Instances(input: Input, account: string, region: string, state: IamState): string[] {
  const ids: string[] = [];
  const one = text(input['InstanceId']);
  if (one) ids.push(one);
  for (const list of [input['InstanceIds'], input['Resources']]) {
    if (Array.isArray(list)) for (const id of list) if (typeof id === 'string' && id.startsWith('i-')) ids.push(id);
  }
  const association = text(input['AssociationId']);
  if (association) {
    const owner = state.list('ec2.instance', account).find((i) => i.association?.associationId === association);
    if (owner) ids.push(owner.instanceId);
  }
  return ids.map((id) => `arn:aws:ec2:${region}:${account}:instance/${id}`);
}

export function resourcesFor(
  catalogue: ActionCatalogue,
  state: IamState,
  service: string,
  operation: string,
  input: Input,
  principal: Principal,
  region = 'us-east-1',
): string[] {
  const info = catalogue.get(`${service}:${operation}`.toLowerCase());
  if (service === 'ec2' && operation !== 'RunInstances') {
    const instances = ec2Instances(input, principal.account, region, state);
    return instances.length > 0 ? instances : ['*'];
  }
  const arns: string[] = [];
  for (const type of info?.resourceTypes ?? []) {
    let arn: string | undefined;
    if (service === 'iam') arn = iamResource(type, operation, input, principal.account, state, principal);
    else if (service === 'sts' && type === 'role') arn = text(input['RoleArn']);
    if (arn) arns.push(arn);
  }
  return arns.length > 0 ? arns : ['*'];
}
