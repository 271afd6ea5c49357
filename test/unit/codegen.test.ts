import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

describe('generated GraphQL types', () => {
  it('match the committed SDL (run `npm run codegen` after changing it)', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/codegen.ts', '--check'], { encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr || res.stdout);
  });
});
