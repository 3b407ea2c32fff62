/**
 * Progress of a rehearsal. On a terminal: a live board of waves, regions and each service's
 * step and weights, redrawn in place. Otherwise: one plain line per audit entry.
 */
import { formatDuration } from '../../lambdas/core/duration';
import type { ResolvedPlan } from '../../lambdas/core/plan/resolve';
import type { NewAuditEntry } from '../../lambdas/ports';
import type { Io } from './io';

interface ServiceState {
  status: string;
  step: string;
  weights: string;
}

const REDRAW_INTERVAL_MS = 120;

export class LiveProgress {
  private readonly board = new Map<string, Map<string, ServiceState>>();
  private elapsed = 0;
  private drawnLines = 0;
  private lastDraw = 0;

  constructor(
    private readonly plan: ResolvedPlan,
    private readonly io: Io,
  ) {
    for (const region of plan.regions) {
      this.board.set(
        region.name,
        new Map(region.services.map((service) => [service, { status: 'pending', step: '', weights: '' }])),
      );
    }
  }

  update(entry: NewAuditEntry, elapsedSeconds: number): void {
    this.elapsed = elapsedSeconds;
    const state =
      entry.region && entry.service ? this.board.get(entry.region)?.get(entry.service) : undefined;
    if (state) {
      const detail = entry.detail ?? {};
      if (entry.action === 'traffic.shifted') state.weights = `${detail.stable}/${detail.canary}`;
      if (entry.action === 'step.completed')
        state.step = `step ${Number(detail.stepIndex) + 1} ${String(detail.kind)}`;
      state.status = entry.action;
    }
    if (!this.io.isTty) {
      const where = [entry.region, entry.service].filter(Boolean).join(' ');
      const detail = entry.detail ? summarise(entry.detail) : '';
      this.io.stderr(
        `+${formatDuration(elapsedSeconds).padEnd(9)} ${where.padEnd(32)} ${entry.action}${detail ? `  ${detail}` : ''}`,
      );
      return;
    }
    const now = Date.now();
    if (now - this.lastDraw >= REDRAW_INTERVAL_MS) this.draw();
  }

  finish(): void {
    if (this.io.isTty) this.draw();
  }

  private draw(): void {
    this.lastDraw = Date.now();
    const lines = [`virtual time +${formatDuration(this.elapsed)}`];
    for (const { wave, regions } of this.plan.waves) {
      lines.push(`wave ${wave}`);
      for (const region of regions) {
        lines.push(`  ${region.name}`);
        for (const [service, state] of this.board.get(region.name) ?? []) {
          lines.push(
            `    ${service.padEnd(22)} ${state.status.padEnd(26)} ${state.step.padEnd(22)} ${state.weights}`,
          );
        }
      }
    }
    const clear = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[J` : '';
    this.io.stderr(`${clear}${lines.join('\n')}`);
    this.drawnLines = lines.length;
  }
}

function summarise(detail: Record<string, unknown>): string {
  if ('stable' in detail && 'canary' in detail) return `stable ${detail.stable} / canary ${detail.canary}`;
  if ('reason' in detail) return String(detail.reason);
  if ('verdict' in detail) return `${detail.verdict}: ${String(detail.reason ?? '')}`;
  return '';
}
