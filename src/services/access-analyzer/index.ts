/**
 * IAM Access Analyzer's ValidatePolicy (rest-json, `POST /policy/validation`) over rolecall's lint checks, with
 * Access Analyzer's finding shape, so `aws accessanalyzer validate-policy` works against rolecall. Only the checks
 * Access Analyzer itself has are returned (src/lint/access-analyzer.ts).
 */
import { accessanalyzerModel, type AccessAnalyzerOperations } from '../../protocol/generated/accessanalyzer.ts';
import { createRestJsonCodec } from '../../protocol/rest/json.ts';
import { AwsError } from '../../protocol/errors.ts';
import type { ServiceReference } from '../../state/service-reference.ts';
import { validatePolicyFindings } from '../../lint/access-analyzer.ts';
import { policyServices } from '../../lint/lint.ts';
import { defineService, type ServiceDefinition } from '../service.ts';

/** The IAM action prefix of Access Analyzer (Service Authorization Reference), unlike its model's name. */
export const ACCESS_ANALYZER_PREFIX = 'access-analyzer';

export function accessAnalyzerService(catalogue: ServiceReference): ServiceDefinition {
  return defineService<AccessAnalyzerOperations>(
    accessanalyzerModel,
    {
      ValidatePolicy: async (input) => {
        // The service reference loads a service's actions and keys the first time a policy names it.
        await catalogue.ensure(policyServices(input.policyDocument));
        const findings = validatePolicyFindings(input.policyDocument, input.policyType, {
          catalogue,
          ...(input.validatePolicyResourceType !== undefined && {
            validatePolicyResourceType: input.validatePolicyResourceType,
          }),
        });
        // nextToken is the index of the next finding, as text; anything else is not a token we issued.
        const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
        if (!Number.isInteger(start) || start < 0 || start > findings.length) {
          throw new AwsError('ValidationException', 400, 'Invalid pagination token');
        }
        const max = input.maxResults ?? findings.length;
        const page = findings.slice(start, start + max);
        const next = start + page.length;
        return {
          findings: page.map((f) => ({ ...f, locations: f.locations.map((l) => ({ ...l, path: [...l.path] })) })),
          ...(next < findings.length && { nextToken: String(next) }),
        };
      },
    },
    undefined,
    {
      codec: createRestJsonCodec(),
      // The action is named with IAM's prefix for the service, which is not its model's name.
      authorization: (operation, _input, principal) => ({
        checks: [
          { action: `${ACCESS_ANALYZER_PREFIX}:${operation}`, resource: '*', resourceAccount: principal.account },
        ],
      }),
    },
  );
}
