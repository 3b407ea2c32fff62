/**
 * `switchyard report <release.json> [--out report.html]`: the release report, one self-contained
 * HTML file, from the JSON `switchyard rehearse --json` prints. `rehearse --report` writes the
 * same file through `writeReport`.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseReportInput, type ReportInput } from '../../rehearsal/report/input';
import { renderReport } from '../../rehearsal/report/render';
import { ExitCode, UserError } from './errors';
import type { Io } from './io';
import { readTextFile } from './plan-file';

/** Writes the report for `result` (a RehearsalResult, or any result of its shape) to `outPath`. */
export async function writeReport(result: ReportInput, outPath: string): Promise<void> {
  const page = renderReport(result);
  try {
    await mkdir(dirname(resolve(outPath)), { recursive: true });
    await writeFile(outPath, page, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'ENOTDIR'
            ? 'a parent is not a directory'
            : (error as Error).message;
    throw new UserError(`cannot write the report to ${outPath}: ${reason}`);
  }
}

/** release.json → release.html beside it; standard input → report.html here. */
export function defaultReportPath(inputPath: string): string {
  if (inputPath === '-') return 'report.html';
  const extension = extname(inputPath);
  const stem = extension.toLowerCase() === '.json' ? basename(inputPath, extension) : basename(inputPath);
  return join(dirname(inputPath), `${stem}.html`);
}

export async function reportCommand(
  inputPath: string,
  values: { out?: string; json?: boolean },
  io: Io,
): Promise<number> {
  const name = inputPath === '-' ? 'standard input' : inputPath;
  const text = inputPath === '-' ? readFileSync(0, 'utf8') : readTextFile(inputPath, 'release result');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${name} is not JSON: ${(error as Error).message}`);
  }
  const parsed = parseReportInput(document);
  if (!parsed.ok) {
    const shown = parsed.problems.slice(0, 10).map((problem) => `  ${problem}`);
    if (parsed.problems.length > shown.length)
      shown.push(`  … and ${parsed.problems.length - shown.length} more`);
    throw new UserError(
      `${name} is not a release result (the JSON \`switchyard rehearse --json\` prints):\n${shown.join('\n')}`,
    );
  }

  const outPath = values.out ?? defaultReportPath(inputPath);
  await writeReport(parsed.input, outPath);
  const { releaseId, status } = parsed.input;
  if (values.json) io.stdout(JSON.stringify({ report: resolve(outPath), releaseId, status }));
  else io.stdout(`wrote ${outPath}: release ${releaseId}, ${status.replace(/_/g, ' ').toLowerCase()}`);
  return ExitCode.ok;
}
