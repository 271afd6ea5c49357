import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphQLError } from 'graphql';
import { toClientError } from '../../src/graphql/errors.js';
import { AppError } from '../../src/shared/errors.js';

describe('GraphQL error mapping', () => {
  it('reduces an unexpected error to INTERNAL without its message or stack, and reports it', () => {
    const seen: unknown[] = [];
    const boom = new Error('database password is hunter2');
    const e = toClientError(new GraphQLError('wrapped', { originalError: boom, path: ['getProfile'] }), (x) => seen.push(x));
    assert.equal(e.message, 'Internal server error');
    assert.equal(e.extensions.code, 'INTERNAL');
    assert.doesNotMatch(JSON.stringify(e.toJSON()), /hunter2|at /);
    assert.deepEqual(seen, [boom]);
  });

  it('keeps the code and details of an AppError', () => {
    const e = toClientError(
      new GraphQLError('x', { originalError: new AppError('CONFLICT', 'stale', { currentVersion: 3 }) }),
      () => assert.fail('not unexpected'),
    );
    assert.equal(e.message, 'stale');
    assert.deepEqual(e.extensions, { code: 'CONFLICT', currentVersion: 3 });
  });

  it('turns variable coercion failures into BAD_USER_INPUT with the field path', () => {
    const e = toClientError(
      new GraphQLError(
        'Variable "$input" got invalid value "x" at "input.skills[2].level"; Int cannot represent non-integer value: "x"',
      ),
      () => assert.fail('not unexpected'),
    );
    assert.equal(e.extensions.code, 'BAD_USER_INPUT');
    assert.deepEqual(e.extensions.fields, [{ path: 'skills.2.level', message: 'Int cannot represent non-integer value: "x"' }]);
  });
});
