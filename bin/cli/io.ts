/**
 * What a command writes to, and what it knows of the terminal. Commands take an Io rather than
 * touching process.stdout, so tests hand them one that records and the live view can be drawn
 * into a headless terminal of a chosen size.
 */
import picocolors from 'picocolors';

export type Colors = ReturnType<typeof picocolors.createColors>;

/** A stream the live view redraws in place (log-update writes to it); a TTY's has its size. */
export interface LiveStream {
  write(text: string): unknown;
  columns?: number;
  rows?: number;
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stdout is a terminal: views redraw in place; otherwise one line per event. */
  isTty: boolean;
  /** Colour on a terminal, off with NO_COLOR, --no-color, or when output is not a terminal. */
  colors: Colors;
  /** Where a live view redraws, when there is a terminal to redraw on. */
  live?: LiveStream;
}

/** Colours off: what tests and pipes get. */
export const NO_COLORS: Colors = picocolors.createColors(false);

/**
 * Colour only for a terminal that has not asked for none: `NO_COLOR` set to anything non-empty
 * (https://no-color.org), `--no-color`, or TERM=dumb turn it off; FORCE_COLOR turns it on.
 */
export function colorWanted(env: NodeJS.ProcessEnv, isTty: boolean, noColorFlag: boolean): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTty && env.TERM !== 'dumb';
}

/** The process's own Io: stdout and stderr, coloured as colorWanted says. */
export function processIo(noColorFlag = process.argv.includes('--no-color')): Io {
  const isTty = Boolean(process.stdout.isTTY);
  const line = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);
  return {
    stdout: (text) => process.stdout.write(line(text)),
    stderr: (text) => process.stderr.write(line(text)),
    isTty,
    colors: picocolors.createColors(colorWanted(process.env, isTty, noColorFlag)),
    ...(isTty && { live: process.stdout }),
  };
}

/** An Io that records what was written: for tests and for commands run inside another. */
export function recordingIo(overrides: Partial<Io> = {}): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    isTty: false,
    colors: NO_COLORS,
    ...overrides,
  };
}
