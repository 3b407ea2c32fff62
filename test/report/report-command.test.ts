import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli';
import { recordingIo } from '../../bin/cli/io';
import { defaultReportPath, writeReport } from '../../bin/cli/report-command';
import { loadFixture } from './fixtures';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-report-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const fixturePath = new URL('./fixtures/rolled-back.json', import.meta.url).pathname;

/** `switchyard report …` as main() runs it: its exit code and what it printed. */
async function report(...args: string[]) {
  const io = recordingIo();
  const code = await main(['report', ...args], io);
  return { code, out: io.out, err: io.err.join('\n') };
}

describe('switchyard report', () => {
  it('writes the report where --out says, creating its folder', async () => {
    const target = join(directory, 'nested', 'out.html');
    const { code, out } = await report(fixturePath, '--out', target);
    expect(code).toBe(0);
    expect(readFileSync(target, 'utf8')).toMatch(/^<!doctype html>[\s\S]*report-fixture[\s\S]*<\/html>\n$/);
    expect(out).toEqual([`wrote ${target}: release report-fixture, rolled back`]);
  });

  it('writes release.html beside release.json by default, and says where with --json', async () => {
    const input = join(directory, 'release.json');
    copyFileSync(fixturePath, input);
    const { code, out } = await report(input, '--json');
    expect(code).toBe(0);
    expect(existsSync(join(directory, 'release.html'))).toBe(true);
    expect(JSON.parse(out[0]!)).toEqual({
      report: join(directory, 'release.html'),
      releaseId: 'report-fixture',
      status: 'ROLLED_BACK',
    });
    expect(defaultReportPath('results/run.JSON')).toBe(join('results', 'run.html'));
    expect(defaultReportPath('-')).toBe('report.html');
  });

  it('refuses a file that is not JSON, or not a release result, naming what is wrong', async () => {
    const notJson = join(directory, 'not.json');
    writeFileSync(notJson, '{ "releaseId": ');
    expect(await report(notJson)).toMatchObject({
      code: 2,
      err: expect.stringMatching(/not\.json is not JSON/),
    });

    const wrongShape = join(directory, 'plan.json');
    writeFileSync(
      wrongShape,
      JSON.stringify({ releaseId: 'x', status: 'SUCCEEDED', regions: {}, audit: 'none' }),
    );
    const { code, err } = await report(wrongShape);
    expect(code).toBe(2);
    expect(err).toMatch(/is not a release result/);
    expect(err).toMatch(/^ {2}audit: /m);
    expect(err).toMatch(/^ {2}counters: /m);
  });

  it('asks for the input when none is given, and refuses a second one', async () => {
    expect(await report()).toMatchObject({
      code: 2,
      err: expect.stringMatching(/missing required argument 'release.json'/),
    });
    expect(await report('a.json', 'b.json')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/too many arguments for 'report'/),
    });
  });

  it('reports an unwritable destination as a user error', async () => {
    const blocker = join(directory, 'a-file');
    writeFileSync(blocker, '');
    await expect(writeReport(loadFixture('succeeded'), join(blocker, 'report.html'))).rejects.toThrow(
      /cannot write the report to .*a-file\/report\.html/,
    );
  });
});
