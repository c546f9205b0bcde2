import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/imports.ts';

// Issue 18: every `npx protolab` printed npm's warning about an unknown key in .npmrc. The
// install-script policy lives in package.json's allowScripts now, and no command prints noise.
describe('the command line through npx', () => {
  it('npx protolab --help prints the help on stdout and nothing on stderr', () => {
    const r = spawnSync('npx', ['protolab', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^protolab — proto-token lab on the command line/u);
    expect(r.stderr).toBe('');
  });
});
