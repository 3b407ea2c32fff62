/**
 * Failover and failback of a region, started through the API: the use cases are
 * app/start-failover.ts and app/start-failback.ts; this answers them with console links.
 */
import type { FailoverStarted as StartedByUseCase } from '../app/failover-history';
import { startFailback as startFailbackUseCase } from '../app/start-failback';
import { startFailover as startFailoverUseCase } from '../app/start-failover';
import { refusalAsConflict } from './http';
import { type ApiPorts, type ExecutionLink, link } from './release-view';

export interface FailoverStarted extends Omit<StartedByUseCase, 'execution'> {
  execution: ExecutionLink;
}

export async function startFailover(
  ports: ApiPorts,
  region: string,
  requestedBy: string,
): Promise<FailoverStarted> {
  return withLink(await refusalAsConflict(startFailoverUseCase(ports, region, requestedBy)));
}

export async function startFailback(
  ports: ApiPorts,
  region: string,
  requestedBy: string,
): Promise<FailoverStarted> {
  return withLink(await refusalAsConflict(startFailbackUseCase(ports, region, requestedBy)));
}

function withLink(started: StartedByUseCase): FailoverStarted {
  return { ...started, execution: link(started.execution.executionArn) };
}
