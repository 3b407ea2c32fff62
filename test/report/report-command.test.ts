import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../bin/cli/errors';
import { NO_COLORS } from '../../bin/cli/io';
import { defaultReportPath, reportCommand, writeReport } from '../../bin/cli/report-command';
import { loadFixture } from './fixtures';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-report-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const fixturePath = new URL('./fixtures/rolled-back.json', import.meta.url).pathname;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (text: string) => out.push(text),
      stderr: (text: string) => err.push(text),
      isTty: false,
      colors: NO_COLORS,
    },
  };
}

describe('switchyard report', () => {
  it('writes the report where --out says, creating its folder', async () => {
    const target = join(directory, 'nested', 'out.html');
    const { out, io: streams } = io();
    expect(await reportCommand([fixturePath, '--out', target], streams)).toBe(0);
    expect(readFileSync(target, 'utf8')).toMatch(/^<!doctype html>[\s\S]*report-fixture[\s\S]*<\/html>\n$/);
    expect(out).toEqual([`wrote ${target}: release report-fixture, rolled back`]);
  });

  it('writes release.html beside release.json by default, and says where with --json', async () => {
    const input = join(directory, 'release.json');
    copyFileSync(fixturePath, input);
    const { out, io: streams } = io();
    expect(await reportCommand([input, '--json'], streams)).toBe(0);
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
    await expect(reportCommand([notJson], io().io)).rejects.toThrow(/not\.json is not JSON/);

    const wrongShape = join(directory, 'plan.json');
    writeFileSync(
      wrongShape,
      JSON.stringify({ releaseId: 'x', status: 'SUCCEEDED', regions: {}, audit: 'none' }),
    );
    const error = await reportCommand([wrongShape], io().io).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toMatch(/is not a release result/);
    expect((error as UserError).message).toMatch(/^ {2}audit: /m);
    expect((error as UserError).message).toMatch(/^ {2}counters: /m);
  });

  it('asks for the input when none is given', async () => {
    await expect(reportCommand([], io().io)).rejects.toThrow(/missing the release result/);
    await expect(reportCommand(['a.json', 'b.json'], io().io)).rejects.toThrow(
      /unexpected argument "b.json"/,
    );
  });

  it('reports an unwritable destination as a user error', async () => {
    const blocker = join(directory, 'a-file');
    writeFileSync(blocker, '');
    await expect(writeReport(loadFixture('succeeded'), join(blocker, 'report.html'))).rejects.toThrow(
      /cannot write the report to .*a-file\/report\.html/,
    );
  });
});
