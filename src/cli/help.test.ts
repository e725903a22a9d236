import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { help, run } from './apply.ts';

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', cwd: process.cwd() });
}

describe('shoal apply --help', () => {
  it("says plainly that the LF module runs with the user's full rights, and how project-file LFs differ", () => {
    const out = cli('apply', '--help');
    expect(out.status).toBe(0);
    expect(out.stderr).toBe('');
    const text = out.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('Only run LF modules you trust.');
    expect(text).toContain('The --lfs module is a program: Node imports and runs it with your full rights');
    expect(text).toMatch(/read, change and delete your files, use the network and start other programs/);
    expect(text).toContain('Shoal does not sandbox it.');
    expect(text).toMatch(/Code LFs inside a Shoal project file are different: the app runs them hardened in the browser/);
    // -h is the same text.
    expect(cli('apply', '-h').stdout).toBe(out.stdout);
  });

  it('lists every option apply accepts and keeps the JSON output fields', async () => {
    // The parser names the accepted options when it meets an unknown one.
    const err = await run(['--no-such-option', 'x']).catch((e: unknown) => e as Error);
    const known = /known: (.*)$/.exec((err as Error).message)?.[1].split(', ') ?? [];
    expect(known).toContain('--lfs');
    for (const flag of known) expect(help()).toMatch(new RegExp(`^  ${flag} `, 'm'));
    for (const field of ['rows', 'lfs', 'ms', 'rows_per_s', 'coverage', 'splits']) expect(help()).toContain(`"${field}"`);
  });

  it('shoal --help lists the commands on stdout; a bare shoal still fails with the usage on stderr', () => {
    const h = cli('--help');
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/usage: shoal <fit\|apply\|distill>/);
    const bare = cli();
    expect(bare.status).toBe(1);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/usage: shoal/);
  });
});
