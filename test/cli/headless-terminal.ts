/**
 * A terminal of a chosen size for the live view to draw on (@xterm/headless, scrollback on), and
 * what it holds afterwards: the screen and the scrollback as a person would scroll through them.
 */
import xterm from '@xterm/headless';
import type { LiveStream } from '../../bin/cli/io';

export interface HeadlessTerminal {
  stream: LiveStream;
  /** Everything written to it, escapes included. */
  written(): string;
  /** Every line of scrollback and screen, top to bottom, once all writes are parsed. */
  lines(): Promise<Array<{ text: string; wrapped: boolean }>>;
}

export function headlessTerminal(columns: number, rows: number): HeadlessTerminal {
  // convertEol: a program writes "\n" and the terminal driver sends CR LF (termios ONLCR).
  const terminal = new xterm.Terminal({
    cols: columns,
    rows,
    scrollback: 5000,
    allowProposedApi: true,
    convertEol: true,
  });
  const chunks: string[] = [];
  let parsed: Promise<void> = Promise.resolve();
  return {
    stream: {
      columns,
      rows,
      write(text: string) {
        chunks.push(text);
        parsed = new Promise((resolve) => terminal.write(text, resolve));
        return true;
      },
    },
    written: () => chunks.join(''),
    async lines() {
      await parsed;
      const buffer = terminal.buffer.active;
      const lines = [];
      for (let index = 0; index < buffer.length; index++) {
        const line = buffer.getLine(index)!;
        lines.push({ text: line.translateToString(true), wrapped: line.isWrapped });
      }
      return lines;
    },
  };
}
