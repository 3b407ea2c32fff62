import { describe, expect, it } from 'vitest';
import { type ReadinessCheck, scoreReadiness } from '../../lambdas/core/readiness';
import { securePodTemplate } from '../support/fakes';

type Json = Record<string, unknown>;
const ENFORCE = { minScore: 80, enforce: true };

/** The secure template with its first container changed by `change`. */
function template(
  change: (container: Json, pod: Json) => void = () => {},
  base = securePodTemplate('app', 'app:1'),
) {
  const copy = structuredClone(base) as { spec: Json & { containers: Json[] } };
  change(copy.spec.containers[0]!, copy.spec);
  return copy;
}

const security = (container: Json) => container.securityContext as Json;

describe('scoreReadiness', () => {
  it('scores a hardened template 100 with no blockers', () => {
    const report = scoreReadiness(template(), ENFORCE);
    expect(report).toMatchObject({ score: 100, passed: true, blockers: [] });
    expect(report.findings).toHaveLength(8);
    expect(report.findings.every((finding) => finding.ok)).toBe(true);
  });

  it.each<[ReadinessCheck, number, (container: Json, pod: Json) => void]>([
    ['runAsNonRoot', 15, (_container, pod) => delete (pod.securityContext as Json).runAsNonRoot],
    ['readOnlyRootFilesystem', 15, (container) => delete security(container).readOnlyRootFilesystem],
    ['noPrivilegeEscalation', 15, (container) => delete security(container).allowPrivilegeEscalation],
    ['dropAllCapabilities', 15, (container) => (security(container).capabilities = { drop: ['NET_RAW'] })],
    ['resourceRequests', 10, (container) => delete ((container.resources as Json).requests as Json).memory],
    ['resourceLimits', 10, (container) => delete (container.resources as Json).limits],
    ['livenessProbe', 10, (container) => delete container.livenessProbe],
    ['readinessProbe', 10, (container) => delete container.readinessProbe],
  ])('missing %s costs %i points', (check, weight, change) => {
    const report = scoreReadiness(template(change), ENFORCE);
    expect(report.score).toBe(100 - weight);
    expect(report.findings.filter((finding) => !finding.ok).map((finding) => finding.check)).toEqual([check]);
  });

  it.each<[string, ReadinessCheck, (container: Json, pod: Json) => void, boolean]>([
    ['runAsNonRoot on the pod covers its containers', 'runAsNonRoot', () => {}, true],
    [
      'runAsNonRoot on the container alone is enough',
      'runAsNonRoot',
      (container, pod) => {
        pod.securityContext = {};
        security(container).runAsNonRoot = true;
      },
      true,
    ],
    [
      'the container overrides the pod: runAsNonRoot false',
      'runAsNonRoot',
      (container) => (security(container).runAsNonRoot = false),
      false,
    ],
    [
      'the container overrides the pod: a non-root user over a root pod user',
      'runAsNonRoot',
      (container, pod) => {
        (pod.securityContext as Json).runAsUser = 0;
        security(container).runAsUser = 1000;
      },
      true,
    ],
    [
      'runAsNonRoot with runAsUser 0 is not non-root',
      'runAsNonRoot',
      (container) => (security(container).runAsUser = 0),
      false,
    ],
    [
      'readOnlyRootFilesystem is container-level only: the pod cannot set it',
      'readOnlyRootFilesystem',
      (container, pod) => {
        delete security(container).readOnlyRootFilesystem;
        (pod.securityContext as Json).readOnlyRootFilesystem = true;
      },
      false,
    ],
    [
      'capabilities drop ALL in any letter case',
      'dropAllCapabilities',
      (container) => (security(container).capabilities = { drop: ['all'] }),
      true,
    ],
  ])('%s', (_name, check, change, ok) => {
    const finding = scoreReadiness(template(change), ENFORCE).findings.find((entry) => entry.check === check);
    expect(finding?.ok).toBe(ok);
  });

  it('scores the pod by its weakest container', () => {
    const base = template();
    const sidecar = structuredClone(base.spec.containers[0]!);
    sidecar.name = 'sidecar';
    delete (sidecar.resources as Json).limits;
    delete sidecar.livenessProbe;
    base.spec.containers.push(sidecar);
    const report = scoreReadiness(base, ENFORCE);
    expect(report.score).toBe(80);
    expect(report.findings.filter((finding) => !finding.ok)).toEqual([
      { container: 'sidecar', check: 'resourceLimits', ok: false, detail: 'missing resources.limits.memory' },
      { container: 'sidecar', check: 'livenessProbe', ok: false, detail: 'missing a livenessProbe' },
    ]);
  });

  it.each<[string, (container: Json, pod: Json) => void, string]>([
    ['privileged', (container) => (security(container).privileged = true), 'container app is privileged'],
    [
      'runAsUser 0 on the pod',
      (_container, pod) => ((pod.securityContext as Json).runAsUser = 0),
      'container app runs as root (runAsUser: 0)',
    ],
    [
      'allowPrivilegeEscalation true',
      (container) => (security(container).allowPrivilegeEscalation = true),
      'container app allows privilege escalation',
    ],
    [
      'no readinessProbe',
      (container) => delete container.readinessProbe,
      'container app has no readinessProbe: traffic could reach it before it is ready',
    ],
  ])('blocks a template that is %s, whatever its score', (_name, change, blocker) => {
    const report = scoreReadiness(template(change), { minScore: 0, enforce: true });
    expect(report.blockers).toEqual([blocker]);
    expect(report.passed).toBe(false);
  });

  it('fails below the minimum score without blockers, and passes at it', () => {
    // no requests, no limits: 80
    const change = (container: Json) => delete container.resources;
    expect(scoreReadiness(template(change), { minScore: 81, enforce: true })).toMatchObject({
      score: 80,
      passed: false,
      blockers: [],
    });
    expect(scoreReadiness(template(change), { minScore: 80, enforce: true }).passed).toBe(true);
  });

  it('with enforce: false reports the score and blockers but passes', () => {
    const insecure = {
      spec: {
        containers: [
          { name: 'legacy', image: 'legacy:1', securityContext: { privileged: true, runAsUser: 0 } },
        ],
      },
    };
    const report = scoreReadiness(insecure, { minScore: 80, enforce: false });
    expect(report.passed).toBe(true);
    expect(report.score).toBe(0);
    expect(report.blockers).toEqual([
      'container legacy is privileged',
      'container legacy runs as root (runAsUser: 0)',
      'container legacy has no readinessProbe: traffic could reach it before it is ready',
    ]);
  });

  it('blocks a template with no containers', () => {
    expect(scoreReadiness({ spec: {} }, ENFORCE)).toMatchObject({
      score: 0,
      passed: false,
      blockers: ['the pod template has no containers'],
    });
  });
});
