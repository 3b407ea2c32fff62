/**
 * The probes of the simulated fleet: HTTP and TCP checks answer as healthy endpoints do, on
 * virtual time and without touching the network. Probe failures are rehearsed with operation
 * faults (`signals.httpProbe`, `signals.tcpProbe`). Everything else analysis reads goes through
 * the real CloudWatch adapter to the simulated CloudWatch and Lambda (see index.ts).
 */
import type { CheckPlan } from '../../lambdas/core/plan/schema';
import type { ProbeResult, Signals } from '../../lambdas/ports';
import { noise } from '../random';
import type { FleetContext } from './context';

export class SimulatedProbes implements Pick<Signals, 'httpProbe' | 'tcpProbe'> {
  constructor(private readonly context: FleetContext) {}

  async httpProbe(check: Extract<CheckPlan, { type: 'http' }>): Promise<ProbeResult> {
    const latencyMs = this.latency('http', check.url);
    return { ok: true, detail: `HTTP ${check.expectStatus} from ${check.url}`, latencyMs };
  }

  async tcpProbe(check: Extract<CheckPlan, { type: 'tcp' }>): Promise<ProbeResult> {
    const latencyMs = this.latency('tcp', `${check.host}:${check.port}`);
    return { ok: true, detail: `connected to ${check.host}:${check.port}`, latencyMs };
  }

  private latency(kind: string, target: string): number {
    return Math.round(10 + 40 * noise(this.context.seed, kind, target, this.context.nowMs()));
  }
}
