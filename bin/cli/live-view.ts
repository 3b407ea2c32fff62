/**
 * The live view on a terminal: one board (live-board.ts), redrawn in place by log-update, cut to
 * the terminal's size by live-render.ts so that nothing wraps and nothing scrolls — a redraw
 * replaces the last frame instead of leaving a copy in the scrollback. Used by `rehearse` and
 * `status --watch` alike.
 */
import { createLogUpdate } from 'log-update';
import type { Colors, Io, LiveStream } from './io';
import type { Board } from './live-board';
import { fitText, renderBoard, type TerminalSize } from './live-render';

/** Redraws at most this often (real time): a rehearsal writes hundreds of entries a second. */
export const REDRAW_INTERVAL_MS = 100;

export class LiveView {
  private readonly update: ReturnType<typeof createLogUpdate>;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawn = 0;

  constructor(
    private readonly stream: LiveStream,
    private readonly colors: Colors,
    private readonly redrawIntervalMs = REDRAW_INTERVAL_MS,
  ) {
    // The cursor stays: log-update would hide it through process.stderr, behind Io's back, and a
    // crash would leave it hidden.
    this.update = createLogUpdate(stream as unknown as NodeJS.WritableStream, { showCursor: true });
  }

  /** Frames drawn so far. */
  get frames(): number {
    return this.drawn;
  }

  /** Draws the board unless one was drawn very recently; `now` draws it regardless. */
  show(board: () => Board, now = false): void {
    const at = Date.now();
    if (!now && at - this.lastDraw < this.redrawIntervalMs) return;
    this.lastDraw = at;
    this.drawn++;
    this.update(this.frame(board()));
  }

  /** Text that is not a board (a failover's view), cut to fit the terminal the same way. */
  showText(text: string): void {
    this.drawn++;
    this.update(fitText(text, this.size()));
  }

  frame(board: Board): string {
    return renderBoard(board, this.size(), this.colors);
  }

  private size(): TerminalSize {
    return { columns: this.stream.columns ?? 80, rows: this.stream.rows ?? 24 };
  }

  /** The last frame stays on the screen; what is written next goes below it. */
  done(): void {
    this.update.done();
  }
}

/** Where an Io's live view draws: its terminal, or (a test's Io) its stdout. */
export function liveStream(io: Io): LiveStream {
  return io.live ?? { write: (text: string) => io.stdout(text) };
}
