// Differential tests: the engine (through `rolecall simulate`'s simulateOne) and the reference evaluator, written
// independently from the IAM User Guide, must reach the same decision on generated inputs. Three properties
// share 2,000 runs: matching (actions, resources, conditions, variables), combinations of policy types and
// principals (same and cross account), and organization policies. A failure prints the shrunk input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { simulateOne } from '../../src/cli/simulate.ts';
import { combinationInput, matchingInput, organizationInput } from './arbitraries.ts';
import { referenceEvaluate } from './reference.ts';

function agree(input: unknown): void {
  const engine = simulateOne(input);
  const reference = referenceEvaluate(input);
  assert.equal(
    engine.decision,
    reference.decision,
    `engine ${engine.decision}, reference ${reference.decision}\n${engine.explanation}\n${JSON.stringify(input)}`,
  );
}

describe('engine and reference agree', () => {
  it('on action, resource, condition and variable matching', () => {
    fc.assert(fc.property(matchingInput, agree), { numRuns: 800 });
  });

  it('on combinations of identity, boundary, session, resource and trust policies', () => {
    fc.assert(fc.property(combinationInput, agree), { numRuns: 800 });
  });

  it('on SCPs and RCPs', () => {
    fc.assert(fc.property(organizationInput, agree), { numRuns: 400 });
  });
});
