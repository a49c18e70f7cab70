import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const fixture = path.join(__dirname, 'fixtures', 'exit-code.ts');
const run = (...args: string[]) => spawnSync(process.execPath, [path.resolve('node_modules/tsx/dist/cli.mjs'), fixture, ...args], { encoding: 'utf8' }).status;

describe('runMain', () => {
  it("keeps the CLI's exit code although the embedded server's exit hook would end it with 0", () => {
    // The hook's behaviour is what runMain exists for: if it ever stops, this first line says so.
    expect(run('raw')).toBe(0);
    expect(run()).toBe(3);
  }, 60_000);
});
