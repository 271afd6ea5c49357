import assert from 'node:assert/strict';
import { AppError, type ErrorCode } from '../../src/shared/errors.js';

/** Asserts that `promise` rejects with an AppError of `code`, and returns it for further checks. */
export async function rejectsWithCode(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
  assert.fail(`expected a rejection with ${code}`);
}
