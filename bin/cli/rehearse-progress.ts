/**
 * Progress of a rehearsal. On a terminal: the live board (live-view.ts) of waves, regions and
 * services — state, step, set and observed weights, images, ready replicas — redrawn in place.
 * Otherwise: the line log (line-log.ts) on stderr, one line per meaningful event.
 */
import { formatDuration } from '../../lambdas/core/duration';
import type { ResolvedPlan } from '../../lambdas/core/plan/resolve';
import { type RolloutStep, rolloutSteps } from '../../lambdas/core/strategy';
import type { AuditEntry, NewAuditEntry, ReleaseStatus, Weights } from '../../lambdas/ports';
import type { FleetLook, RehearsalProgress } from '../../rehearsal/progress';
import type { Io } from './io';
import { describeEntry, type LogColumns, logLine } from './line-log';
import { type Board, type BoardService, type ServiceState, stepName, windowNotices } from './live-board';
import { LiveView, liveStream } from './live-view';

interface Tracked {
  state: ServiceState;
  /** The step under way, 0-based (steps.length once done). */
  stepIndex: number;
  started: boolean;
  setWeights?: Weights;
  note?: string;
}

/** How many lines of the log the board keeps under it. */
const RECENT_LINES = 20;

export class LiveProgress {
  private readonly services = new Map<string, Tracked>();
  private readonly steps = new Map<string, RolloutStep[]>();
  private readonly waveOf = new Map<string, number>();
  private readonly wavesStarted = new Set<number>();
  private readonly seenKeys = new Set<string>();
  private readonly recent: string[] = [];
  private readonly columns: LogColumns;
  private readonly view: LiveView | undefined;
  private status: ReleaseStatus = 'PENDING';
  /** While MONITORING: when its rollback window ends, as the audit recorded it. */
  private windowEndsAt: string | undefined;
  private elapsed = 0;
  private fleet: FleetLook | undefined;

  constructor(
    private readonly plan: ResolvedPlan,
    private readonly io: Io,
    options: { redrawIntervalMs?: number } = {},
  ) {
    for (const [name, service] of plan.services) this.steps.set(name, rolloutSteps(service));
    for (const region of plan.regions) {
      this.waveOf.set(region.name, region.wave);
      for (const service of region.services)
        this.services.set(key(region.name, service), { state: 'Pending', stepIndex: 0, started: false });
    }
    this.columns = {
      region: Math.max(1, ...plan.regions.map((region) => region.name.length)),
      service: Math.max(1, ...[...plan.services.keys()].map((name) => name.length)),
    };
    this.view = io.isTty ? new LiveView(liveStream(io), io.colors, options.redrawIntervalMs) : undefined;
  }

  /** An audit entry as it is written (the same entry may come twice: an idempotent retry). */
  update(entry: AuditEntry | NewAuditEntry, elapsedSeconds: number, fleet?: FleetLook): void {
    this.elapsed = elapsedSeconds;
    if (fleet) this.fleet = fleet;
    const duplicate = this.seenKeys.has(`${entry.releaseId}/${entry.key}`);
    this.seenKeys.add(`${entry.releaseId}/${entry.key}`);
    if (duplicate) return;
    const tracked =
      entry.region && entry.service ? this.services.get(key(entry.region, entry.service)) : undefined;
    if (tracked) this.track(entry, tracked);
    this.trackRelease(entry);
    if ((entry.action === 'service.started' || entry.action === 'service.claimed') && entry.region) {
      const wave = this.waveOf.get(entry.region);
      if (wave !== undefined && !this.wavesStarted.has(wave)) {
        this.wavesStarted.add(wave);
        const regions = this.plan.waves.find((each) => each.wave === wave)?.regions ?? [];
        this.log(
          elapsedSeconds,
          {},
          `wave ${wave} started (${regions.map((region) => region.name).join(', ')})`,
        );
      }
    }
    const what = describeEntry(
      { ...entry, seq: 0 },
      (_region, service, index) => {
        const steps = this.steps.get(service);
        return steps ? { count: steps.length, name: stepName(steps[index]) } : undefined;
      },
      tracked?.setWeights,
    );
    if (what) this.log(elapsedSeconds, entry, what);
    this.view?.show(() => this.board());
  }

  /** What happened outside the audit: second releases' answers, duplicate alarms, retries. */
  progress(event: RehearsalProgress): void {
    switch (event.kind) {
      case 'secondRelease':
        this.log(
          event.atSeconds,
          {},
          event.outcome === 'refused'
            ? `second release ${event.releaseId} REFUSED${event.refusedBy === 'lock' ? ' by the lock' : ''}: ${event.message}`
            : `second release ${event.releaseId} started`,
        );
        break;
      case 'duplicateAlarm':
        this.log(
          event.atSeconds,
          { region: event.region },
          `duplicate alarm ${event.alarmName} ignored (event ${event.eventId} seen before)`,
        );
        break;
      case 'error': {
        const { error } = event;
        const what =
          error.source === 'alarmHandler'
            ? `alarm handler (${error.alarmName}) attempt ${error.attempt} failed: ${error.error}`
            : `audit entry of ${error.operation} not written: ${error.error}`;
        const then = error.deadLettered
          ? ' — dead-lettered, the alarm never reached its release'
          : error.retryInSeconds !== undefined
            ? ` — retrying in ${formatDuration(error.retryInSeconds)}`
            : '';
        this.log(error.atSeconds, {}, `${what}${then}`);
        break;
      }
    }
    this.view?.show(() => this.board());
  }

  finish(): void {
    if (!this.view) return;
    this.view.show(() => this.board(), true);
    this.view.done();
  }

  /** The board as it is now: tracked from the audit, looked up in the fleet. */
  board(): Board {
    const fleet = this.fleet?.describe();
    return {
      title: `rehearse ${this.plan.releaseId}`,
      status: this.status,
      clock: `+${formatDuration(Math.round(this.elapsed))}`,
      waves: this.plan.waves.map(({ wave, regions }) => ({
        wave,
        regions: regions.map((region) => {
          const down = fleet?.regions[region.name]?.down ?? false;
          return {
            region: region.name,
            cluster: region.cluster,
            ...(down && { down }),
            services: region.services.map((service): BoardService => {
              const tracked = this.services.get(key(region.name, service))!;
              const steps = this.steps.get(service) ?? [];
              const observed = fleet?.regions[region.name]?.services[service];
              const done = tracked.stepIndex >= steps.length;
              return {
                service,
                state: down && tracked.started ? 'Unknown' : tracked.state,
                ...(tracked.note && { note: tracked.note }),
                ...(tracked.started && {
                  step: {
                    number: Math.min(tracked.stepIndex + 1, steps.length),
                    count: steps.length,
                    name: stepName(steps[tracked.stepIndex]),
                    done,
                  },
                }),
                ...(tracked.setWeights && { setWeights: tracked.setWeights }),
                ...(observed?.weights && { actualWeights: observed.weights }),
                images: {
                  ...(observed?.stable && { stable: observed.stable.image }),
                  ...(observed?.canary && { canary: observed.canary.image }),
                },
                ...(observed && {
                  ready: {
                    ...(observed.stable && { stable: observed.stable }),
                    ...(observed.canary && { canary: observed.canary }),
                  },
                }),
              };
            }),
          };
        }),
      })),
      notices:
        this.status === 'MONITORING' && this.windowEndsAt
          ? windowNotices(this.plan.releaseId, this.windowEndsAt)
          : [],
      recent: [...this.recent],
    };
  }

  private track(entry: AuditEntry | NewAuditEntry, tracked: Tracked): void {
    const detail = entry.detail ?? {};
    const steps = this.steps.get(entry.service!) ?? [];
    switch (entry.action) {
      case 'service.claimed':
      case 'service.started':
        tracked.started = true;
        tracked.state = 'Progressing';
        break;
      case 'traffic.shifted':
        if (typeof detail.stable === 'number' && typeof detail.canary === 'number')
          tracked.setWeights = { stable: detail.stable, canary: detail.canary };
        break;
      case 'step.completed': {
        tracked.stepIndex = Number(detail.stepIndex) + 1;
        const next = steps[tracked.stepIndex]?.kind;
        if (tracked.state === 'Progressing' || tracked.state === 'Paused')
          tracked.state = next === 'pause' || next === 'approval' ? 'Paused' : 'Progressing';
        break;
      }
      case 'approval.requested':
        tracked.state = 'Paused';
        tracked.note = 'awaiting approval';
        break;
      case 'approval.given':
        tracked.state = 'Progressing';
        delete tracked.note;
        break;
      case 'gate.failed':
      case 'analysis.fail':
      case 'service.failed':
        tracked.state = 'Degraded';
        if (typeof detail.reason === 'string') tracked.note = detail.reason;
        break;
      case 'service.completed':
        tracked.state = 'Healthy';
        tracked.stepIndex = steps.length;
        break;
      case 'service.rolled-back':
        tracked.state = 'RolledBack';
        if (tracked.setWeights) tracked.setWeights = { stable: 100, canary: 0 };
        break;
    }
  }

  private trackRelease(entry: AuditEntry | NewAuditEntry): void {
    switch (entry.action) {
      case 'release.validated':
        this.status = 'RUNNING';
        break;
      case 'release.monitoring':
        this.status = 'MONITORING';
        this.windowEndsAt = typeof entry.detail?.endsAt === 'string' ? entry.detail.endsAt : undefined;
        break;
      case 'release.succeeded':
        this.status = 'SUCCEEDED';
        break;
      case 'preflight.refused':
        this.status = 'REFUSED';
        break;
      case 'release.refused':
        this.status = 'FAILED';
        break;
      case 'alarm.received':
      case 'release.preempted':
      case 'rollback.requested':
      case 'rollback.started':
        this.status = 'ROLLING_BACK';
        for (const tracked of this.services.values())
          if (tracked.started && tracked.state !== 'RolledBack') tracked.state = 'RollingBack';
        break;
      case 'rollback.completed':
        this.status = 'ROLLED_BACK';
        break;
      case 'rollback.incomplete':
        this.status = 'FAILED';
        break;
    }
  }

  private log(atSeconds: number, where: { region?: string; service?: string }, what: string): void {
    const line = logLine(atSeconds, where, what, this.columns);
    this.recent.push(line);
    if (this.recent.length > RECENT_LINES) this.recent.shift();
    if (!this.view) this.io.stderr(line);
  }
}

function key(region: string, service: string): string {
  return `${region}/${service}`;
}
