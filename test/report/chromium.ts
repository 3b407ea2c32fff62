/**
 * Where the tests' Chromium is: `SWITCHYARD_CHROMIUM` when set, else Debian's (`.ci/run` installs
 * the `chromium` package there). playwright-core drives it; it never downloads a browser of its own.
 */
import { accessSync, constants } from 'node:fs';

export function chromiumPath(): string {
  const path = process.env.SWITCHYARD_CHROMIUM || '/usr/bin/chromium';
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `no Chromium at ${path}: install Debian's chromium package (.ci/run does), or set SWITCHYARD_CHROMIUM to a Chromium or Chrome executable`,
    );
  }
  return path;
}
