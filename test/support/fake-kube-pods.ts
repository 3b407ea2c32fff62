/** The pods the fake API server lists: made up from its Deployments' simulated pod counts. */
import type { StoredDeployment } from './fake-kube-deployments';
import { asObject, type Json, metadataOf, specOf } from './fake-kube-objects';

/**
 * The pods of every Deployment in the namespace (its current and older ones, all with the
 * current template's labels), filtered by a label selector as the API server parses it:
 * `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`.
 */
export function listPods(
  deployments: Iterable<StoredDeployment>,
  namespace: string,
  labelSelector: string,
  resourceVersion: string,
): Json {
  const matches = parseLabelSelector(labelSelector);
  const items: Json[] = [];
  for (const stored of deployments) {
    const metadata = metadataOf(stored.object);
    if (metadata.namespace !== namespace) continue;
    const template = asObject(specOf(stored.object).template);
    const labels = (asObject(template.metadata).labels ?? {}) as Record<string, string>;
    if (!matches(labels)) continue;
    const count = stored.pods.newPods + stored.pods.oldPods;
    for (let index = 0; index < count; index += 1) {
      items.push({
        metadata: {
          name: `${String(metadata.name)}-${stored.pods.templateHash}-${index}`,
          namespace,
          labels,
        },
        status: { phase: 'Running', podIP: podIpOf(String(metadata.name), index) },
      });
    }
  }
  return {
    kind: 'PodList',
    apiVersion: 'v1',
    metadata: { resourceVersion: resourceVersion },
    items,
  };
}

/** A stable address per Deployment and pod index. */
export function podIpOf(deployment: string, index: number): string {
  let hash = 0;
  for (const char of deployment) hash = (hash * 31 + char.charCodeAt(0)) & 0xffff;
  return `10.${hash >> 8}.${hash & 0xff}.${index + 1}`;
}

function parseLabelSelector(text: string): (labels: Record<string, string>) => boolean {
  // Split on commas outside parentheses.
  const terms = text
    .split(/,(?![^(]*\))/)
    .map((term) => term.trim())
    .filter(Boolean);
  const tests = terms.map((term): ((labels: Record<string, string>) => boolean) => {
    let found = /^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (found) {
      const values = found[3]!.split(',').map((value) => value.trim());
      const [key, operator] = [found[1]!, found[2]!];
      return (labels) =>
        operator === 'in'
          ? values.includes(labels[key] ?? '\u0000')
          : !values.includes(labels[key] ?? '\u0000');
    }
    found = /^(\S+?)\s*(!=|==|=)\s*(\S*)$/.exec(term);
    if (found) {
      const [key, operator, value] = [found[1]!, found[2]!, found[3]!];
      return (labels) => (operator === '!=' ? labels[key] !== value : labels[key] === value);
    }
    if (term.startsWith('!')) return (labels) => !(term.slice(1) in labels);
    return (labels) => term in labels;
  });
  return (labels) => tests.every((test) => test(labels));
}
