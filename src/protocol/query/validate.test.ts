// validationProblems and validationMessage: constraint checks from the generated models, worded as AWS words
// them (docs/research/wire-facts.md §2).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iamModel } from '../generated/iam.ts';
import { stsModel } from '../generated/sts.ts';
import type { ServiceModel } from '../model.ts';
import { validationMessage, validationProblems, type ValidationProblem } from './validate.ts';

const TRUST = '{"Statement":[]}';
const TAG_KEY_PATTERN = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+';

const problems = (shape: string, input: Record<string, unknown>) => validationProblems(iamModel, shape, input);
const message = (shape: string, input: Record<string, unknown>) => validationMessage(problems(shape, input));

/** A model with the constraint kinds the generated inputs lack (enum, map, list min, float range). */
const synthetic: ServiceModel = {
  service: 'test',
  protocol: 'query',
  apiVersion: '2020-01-01',
  xmlNamespace: 'https://test.example/',
  source: 'validate.test.ts',
  operations: {},
  errors: {},
  shapes: {
    Input: {
      type: 'structure',
      members: {
        Mode: { shape: 'Mode' },
        Attrs: { shape: 'Attrs' },
        Ids: { shape: 'Ids' },
        Ratio: { shape: 'Ratio' },
        Modes: { shape: 'Modes' },
      },
    },
    Mode: { type: 'string', enum: ['on', 'off'] },
    Modes: { type: 'list', member: { shape: 'Mode' } },
    Attrs: { type: 'map', key: { shape: 'Str' }, value: { shape: 'Short' }, max: 2 },
    Ids: { type: 'list', member: { shape: 'Inner' }, min: 1 },
    Inner: { type: 'structure', members: { Id: { shape: 'Short' } }, required: ['Id'] },
    Short: { type: 'string', max: 3 },
    Str: { type: 'string' },
    Ratio: { type: 'double', min: 0, max: 1 },
  },
};
const syn = (input: Record<string, unknown>) => validationProblems(synthetic, 'Input', input);

describe('validationProblems', () => {
  it('finds nothing wrong with a valid input', () => {
    assert.deepEqual(
      problems('CreateRoleRequest', {
        RoleName: 'a+=,.@_-Z9',
        AssumeRolePolicyDocument: TRUST,
        Path: '/a/b/',
        MaxSessionDuration: 43200,
        Description: '',
        Tags: [{ Key: 'Ünïcode key: a/b=c+d-e@f_g.h', Value: '' }],
      }),
      [],
    );
    assert.deepEqual(problems('ListRolesRequest', {}), []);
  });

  it('reports missing required members as "Value null", in model order', () => {
    assert.deepEqual(problems('CreateRoleRequest', {}), [
      { path: 'roleName', shown: 'null', constraint: 'Member must not be null' },
      { path: 'assumeRolePolicyDocument', shown: 'null', constraint: 'Member must not be null' },
    ]);
  });

  it('reports a pattern failure with the value quoted and the model pattern attached', () => {
    assert.deepEqual(problems('GetRoleRequest', { RoleName: 'bad name!' }), [
      {
        path: 'roleName',
        shown: "'bad name!'",
        constraint: 'Member must satisfy regular expression pattern: [\\w+=,.@-]+',
        pattern: '[\\w+=,.@-]+',
      },
    ]);
  });

  it('matches the whole value against a pattern, not a part of it', () => {
    assert.equal(problems('GetRoleRequest', { RoleName: 'ok ok' }).length, 1);
    assert.equal(
      problems('CreateRoleRequest', { RoleName: 'r', AssumeRolePolicyDocument: TRUST, Path: '/a' }).length,
      1,
    );
    assert.equal(
      problems('CreateRoleRequest', { RoleName: 'r', AssumeRolePolicyDocument: TRUST, Path: 'a/' }).length,
      1,
    );
    assert.deepEqual(problems('CreateRoleRequest', { RoleName: 'r', AssumeRolePolicyDocument: TRUST, Path: '/' }), []);
  });

  it('reports length limits at the boundary', () => {
    assert.deepEqual(problems('GetRoleRequest', { RoleName: 'r'.repeat(64) }), []);
    assert.deepEqual(problems('GetRoleRequest', { RoleName: 'r'.repeat(65) }), [
      {
        path: 'roleName',
        shown: `'${'r'.repeat(65)}'`,
        constraint: 'Member must have length less than or equal to 64',
      },
    ]);
  });

  it('an empty name breaks the pattern and then the minimum length, in that order', () => {
    assert.deepEqual(
      problems('GetRoleRequest', { RoleName: '' }).map((p) => p.constraint),
      [
        'Member must satisfy regular expression pattern: [\\w+=,.@-]+',
        'Member must have length greater than or equal to 1',
      ],
    );
  });

  it('counts length in UTF-16 code units, as Java does', () => {
    const astral = '\u{1D400}'; // MATHEMATICAL BOLD CAPITAL A: a letter, two code units
    const ok = [{ Key: 'k', Value: astral.repeat(128) }];
    const long = [{ Key: 'k', Value: astral.repeat(129) }];
    assert.deepEqual(problems('TagRoleRequest', { RoleName: 'r', Tags: ok }), []);
    assert.deepEqual(problems('TagRoleRequest', { RoleName: 'r', Tags: long }), [
      {
        path: 'tags.1.member.value',
        shown: undefined,
        constraint: 'Member must have length less than or equal to 256',
      },
    ]);
  });

  it('reports integer ranges with the value quoted', () => {
    assert.deepEqual(problems('UpdateRoleRequest', { RoleName: 'r', MaxSessionDuration: 3600 }), []);
    assert.deepEqual(problems('UpdateRoleRequest', { RoleName: 'r', MaxSessionDuration: 3599 }), [
      {
        path: 'maxSessionDuration',
        shown: "'3599'",
        constraint: 'Member must have value greater than or equal to 3600',
      },
    ]);
    assert.deepEqual(problems('UpdateRoleRequest', { RoleName: 'r', MaxSessionDuration: 43201 }), [
      {
        path: 'maxSessionDuration',
        shown: "'43201'",
        constraint: 'Member must have value less than or equal to 43200',
      },
    ]);
    assert.deepEqual(problems('ListRolesRequest', { MaxItems: 0 }), [
      { path: 'maxItems', shown: "'0'", constraint: 'Member must have value greater than or equal to 1' },
    ]);
  });

  it('reports a list over its maximum once, without the value', () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    assert.deepEqual(problems('TagRoleRequest', { RoleName: 'r', Tags: tags }), [
      { path: 'tags', shown: undefined, constraint: 'Member must have length less than or equal to 50' },
    ]);
    assert.deepEqual(problems('TagRoleRequest', { RoleName: 'r', Tags: tags.slice(0, 50) }), []);
  });

  it('reports members of list items at <list>.<n>.member.<field>, without the value', () => {
    assert.deepEqual(
      problems('TagRoleRequest', {
        RoleName: 'r',
        Tags: [
          { Key: 'fine', Value: 'v' },
          { Key: 'k'.repeat(129), Value: 'v' },
          { Key: 'bad#key', Value: 'v' },
        ],
      }),
      [
        {
          path: 'tags.2.member.key',
          shown: undefined,
          constraint: 'Member must have length less than or equal to 128',
        },
        {
          path: 'tags.3.member.key',
          shown: undefined,
          constraint: `Member must satisfy regular expression pattern: ${TAG_KEY_PATTERN}`,
          pattern: TAG_KEY_PATTERN,
        },
      ],
    );
  });

  it('reports a missing field of a list item without "null"', () => {
    assert.deepEqual(problems('TagRoleRequest', { RoleName: 'r', Tags: [{ Key: 'k' }] }), [
      { path: 'tags.1.member.value', shown: undefined, constraint: 'Member must not be null' },
    ]);
  });

  it('judges a list of strings as a whole, listing every constraint of its members', () => {
    const whole =
      'Member must satisfy constraint: [Member must have length less than or equal to 128, ' +
      'Member must have length greater than or equal to 1, ' +
      `Member must satisfy regular expression pattern: ${TAG_KEY_PATTERN}, Member must not be null]`;
    for (const bad of ['k'.repeat(129), '', 'bad#key']) {
      assert.deepEqual(problems('UntagRoleRequest', { RoleName: 'r', TagKeys: ['ok', bad, bad] }), [
        { path: 'tagKeys', shown: undefined, constraint: whole },
      ]);
    }
    assert.deepEqual(problems('UntagRoleRequest', { RoleName: 'r', TagKeys: ['ok', 'k'.repeat(128)] }), []);
  });

  it('reports a string list over its maximum and with a bad member as two problems', () => {
    const keys = [...Array.from({ length: 50 }, (_, i) => `k${i}`), ''];
    assert.deepEqual(
      problems('UntagRoleRequest', { RoleName: 'r', TagKeys: keys }).map((p) => [p.path, p.shown, p.constraint]),
      [
        ['tagKeys', undefined, 'Member must have length less than or equal to 50'],
        [
          'tagKeys',
          undefined,
          'Member must satisfy constraint: [Member must have length less than or equal to 128, ' +
            'Member must have length greater than or equal to 1, ' +
            `Member must satisfy regular expression pattern: ${TAG_KEY_PATTERN}, Member must not be null]`,
        ],
      ],
    );
  });

  it('reports enum values, list minimums, map sizes and entries, and double ranges', () => {
    assert.deepEqual(syn({ Mode: 'on', Ids: [{ Id: 'a' }], Attrs: { a: 'x' }, Ratio: 0.5, Modes: ['off'] }), []);
    assert.deepEqual(syn({ Mode: 'maybe' }), [
      { path: 'mode', shown: "'maybe'", constraint: 'Member must satisfy enum value set: [on, off]' },
    ]);
    assert.deepEqual(syn({ Ids: [] }), [
      { path: 'ids', shown: undefined, constraint: 'Member must have length greater than or equal to 1' },
    ]);
    assert.deepEqual(syn({ Ids: [{}] }), [
      { path: 'ids.1.member.id', shown: undefined, constraint: 'Member must not be null' },
    ]);
    assert.deepEqual(syn({ Attrs: { a: 'x', b: 'toolong', c: 'y' } }), [
      { path: 'attrs.b', shown: undefined, constraint: 'Member must have length less than or equal to 3' },
      { path: 'attrs', shown: undefined, constraint: 'Member must have length less than or equal to 2' },
    ]);
    assert.deepEqual(syn({ Ratio: 1.5 }), [
      { path: 'ratio', shown: "'1.5'", constraint: 'Member must have value less than or equal to 1' },
    ]);
    assert.deepEqual(syn({ Modes: ['on', 'sideways'] }), [
      {
        path: 'modes',
        shown: undefined,
        constraint:
          'Member must satisfy constraint: [Member must satisfy enum value set: [on, off], Member must not be null]',
      },
    ]);
  });

  it('accepts an input for a shape with no members (STS GetCallerIdentity)', () => {
    assert.deepEqual(validationProblems(stsModel, 'GetCallerIdentityRequest', {}), []);
  });
});

describe('validationMessage', () => {
  it("one problem: \"1 validation error detected: Value 'x' at 'path' failed to satisfy constraint: …\"", () => {
    assert.equal(
      message('GetRoleRequest', { RoleName: 'r'.repeat(65) }),
      `1 validation error detected: Value '${'r'.repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
  });

  it('a null value and a value left out', () => {
    assert.equal(
      message('GetRoleRequest', {}),
      "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null",
    );
    assert.equal(
      message('TagRoleRequest', { RoleName: 'r', Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }),
      "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128",
    );
  });

  it('several problems: "N validation errors detected:" joined by "; "', () => {
    const list: ValidationProblem[] = [
      { path: 'roleArn', shown: "''", constraint: 'Member must satisfy regular expression pattern: [x]+' },
      { path: 'roleArn', shown: "''", constraint: 'Member must have length greater than or equal to 20' },
    ];
    assert.equal(
      validationMessage(list),
      "2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: [x]+; " +
        "Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    );
  });
});
