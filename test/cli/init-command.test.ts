/**
 * `switchyard init` through the real @kubernetes/client-node, over HTTP, against the fake
 * kube-apiserver, with a kubeconfig file as `aws eks update-kubeconfig` writes one: the plan it
 * writes passes the plan loader, its comments are real YAML comments, the lists are read page by
 * page, owned Deployments are left out saying why, and every mistake exits 2 saying what to fix.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { main } from '../../bin/cli';
import { UserError } from '../../bin/cli/errors';
import { type InitOptions, initCommand } from '../../bin/cli/init-command';
import { recordingIo } from '../../bin/cli/io';
import { readPlan } from '../../bin/cli/plan-file';
import { loadPlan } from '../../lambdas/core/plan/load';
import {
  type FakeKubeApiServer,
  startFakeKubeApiServer,
  unreachableApiServerUrl,
} from '../support/fake-kube-apiserver';
import { seedShop } from './init-fixtures';

const EKS_ARN = 'arn:aws:eks:eu-west-1:123456789012:cluster/shop-euw1';

function kubeconfig(server: string, token = 'token-1'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'switchyard-init-')), 'config');
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: EKS_ARN, cluster: { server, 'insecure-skip-tls-verify': true } },
        { name: 'kind-dev', cluster: { server, 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'me', user: { token } }],
      contexts: [
        { name: EKS_ARN, context: { cluster: EKS_ARN, user: 'me' } },
        { name: 'kind-dev', context: { cluster: 'kind-dev', user: 'me' } },
      ],
      'current-context': EKS_ARN,
    }),
  );
  return path;
}

async function run(options: InitOptions): Promise<{ code: number; out: string; err: string }> {
  const io = recordingIo();
  let code: number;
  try {
    code = await initCommand(options, io);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    io.stderr(error.message);
    code = error.exitCode;
  }
  return { code, out: io.out.join('\n'), err: io.err.join('\n') };
}

describe('switchyard init', () => {
  let server: FakeKubeApiServer;
  let config: string;

  beforeAll(async () => {
    server = await startFakeKubeApiServer({ token: 'token-1' });
    seedShop(server);
    server.seedNamespace('empty');
    config = kubeconfig(server.url);
  });
  afterAll(async () => server?.close());
  afterEach(() => {
    server.clearRequests();
    vi.unstubAllEnvs();
  });

  it('writes a plan the loader accepts: one service per Deployment, region and cluster from the EKS ARN', async () => {
    const result = await run({ namespace: 'shop', kubeconfig: config });
    expect(result.code).toBe(0);
    const loaded = loadPlan(result.out);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const plan = loaded.plan;
    expect(plan.regions).toEqual([{ name: 'eu-west-1', cluster: 'shop-euw1', wave: 1 }]);
    expect(plan.services.map((service) => service.name)).toEqual(['api', 'postgres', 'web', 'worker']);
    const byName = new Map(plan.services.map((service) => [service.name, service]));
    expect(byName.get('web')).toMatchObject({
      namespace: 'shop',
      deployment: 'web',
      image: 'shop/web:1.0',
      replicas: 3,
      dependsOn: [],
      strategy: { type: 'rolling', batch: { percent: 25 }, analysisPerBatch: true },
      analysis: { checks: [{ type: 'http', url: 'https://shop.example.com/ready' }] },
    });
    // The first container is not named after the Deployment: the plan says which one it sets.
    expect(byName.get('api')).toMatchObject({
      container: 'server',
      image: 'shop/api:4.2',
      strategy: { type: 'rolling', batch: { size: 1 }, analysisPerBatch: false },
    });
    expect(byName.get('postgres')?.strategy).toEqual({
      type: 'recreate',
      reason: "the Deployment's own strategy is Recreate",
    });
    expect(byName.get('worker')).toMatchObject({ replicas: 0, readiness: { minScore: 80, enforce: true } });
  });

  it('says in real YAML comments what it read, guessed and skipped', async () => {
    const { out } = await run({ namespace: 'shop', kubeconfig: config });
    const doc = parseDocument(out);
    expect(doc.errors).toEqual([]);
    expect(out).toMatch(
      new RegExp(`^# A starter release plan for namespace shop, .*\n# Deployments that context ${EKS_ARN} `),
    );
    expect(out).toContain(`# From the EKS cluster ARN ${EKS_ARN}.`);
    expect(out).toMatch(/# Skipped Deployment legacy: owned by Rollout legacy \(argoproj\.io\/v1alpha1\)/);
    expect(out).toContain('the release sets the image of "web" (the first); proxy keeps its own');
    expect(out).toContain(
      'Reached through Service web (port 80 → 8080) and Ingress shop-public (host shop.example.com)',
    );
    expect(out).toContain('traffic: { type: albIngress, ingress: shop-public, stableService: web,');
    expect(out).toContain(
      '# Its readiness probe is GET http://<pod>:8080/healthz; an http check needs a URL',
    );
    expect(out).toContain('# Container worker lacks: runAsNonRoot, readOnlyRootFilesystem,');
    expect(out).toMatch(
      /# The readiness gate would stop this service before traffic moves: container worker has no readinessProbe/,
    );
    // The comments are YAML's: stripping them leaves the same data.
    const withoutComments = out
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
    expect(parseDocument(withoutComments).toJS()).toEqual(doc.toJS());
  });

  it('reads every list a page at a time, following continue tokens', async () => {
    const result = await run({ namespace: 'shop', kubeconfig: config, pageSize: 2 });
    expect(result.code).toBe(0);
    const lists = server.requests.filter(
      (request) => request.path === '/apis/apps/v1/namespaces/shop/deployments',
    );
    // 5 Deployments, 2 a page.
    expect(lists.map((request) => request.query.limit)).toEqual(['2', '2', '2']);
    expect(lists[0]!.query.continue).toBeUndefined();
    expect(lists[1]!.query.continue).toEqual(expect.any(String));
    expect(lists[2]!.query.continue).toEqual(expect.any(String));
    expect(loadPlan(result.out).ok).toBe(true);
    expect(result.out).toBe((await run({ namespace: 'shop', kubeconfig: config })).out);
  });

  it('--out writes the file, refuses to replace it (exit 2, untouched, nothing asked) unless --force', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'switchyard-init-out-')), 'plan.yaml');
    const first = await run({ namespace: 'shop', kubeconfig: config, out });
    expect(first.code).toBe(0);
    expect(first.out).toBe('');
    expect(first.err).toContain(
      `wrote ${out}: 4 services from namespace shop (context ${EKS_ARN}); skipped legacy`,
    );
    expect(readPlan(out).plan.services).toHaveLength(4);

    writeFileSync(out, 'mine');
    server.clearRequests();
    const again = await run({ namespace: 'shop', kubeconfig: config, out });
    expect(again.code).toBe(2);
    expect(again.err).toBe(`${out} already exists: choose another --out, or add --force to replace it`);
    expect(readFileSync(out, 'utf8')).toBe('mine');
    expect(server.requests).toEqual([]);

    expect((await run({ namespace: 'shop', kubeconfig: config, out, force: true })).code).toBe(0);
    expect(readPlan(out).plan.services).toHaveLength(4);
  });

  it('a context that is not an EKS cluster: region and cluster are placeholders with a TODO, still valid', async () => {
    const result = await run({ namespace: 'shop', kubeconfig: config, context: 'kind-dev' });
    expect(result.code).toBe(0);
    expect(result.out).toContain('# TODO: the kubeconfig does not say which EKS cluster this is');
    const loaded = loadPlan(result.out);
    expect(loaded.ok && loaded.plan.regions).toEqual([{ name: 'us-east-1', cluster: 'CHANGE-ME', wave: 1 }]);
  });

  it('still writes a plan when Services and Ingresses may not be read, saying so', async () => {
    const forbidding = await startFakeKubeApiServer({ token: 'token-1' });
    try {
      seedShop(forbidding);
      forbidding.forbid({ pathIncludes: '/services' });
      forbidding.forbid({ pathIncludes: '/ingresses' });
      const result = await run({ namespace: 'shop', kubeconfig: kubeconfig(forbidding.url) });
      expect(result.code).toBe(0);
      expect(result.out).toContain('# Not read: services (forbidden); traffic was guessed without them.');
      expect(result.out).toContain('# Not read: ingresses (forbidden)');
      expect(loadPlan(result.out).ok).toBe(true);
    } finally {
      await forbidding.close();
    }
  });

  describe('exits 2 saying what to fix, never with a stack trace', () => {
    const refused = async (options: InitOptions, message: string | RegExp) => {
      const result = await run(options);
      expect(result.code).toBe(2);
      expect(result.out).toBe('');
      expect(result.err).toMatch(message);
      expect(result.err).not.toMatch(/\n\s+at /);
    };

    it('no kubeconfig anywhere, or not at --kubeconfig', async () => {
      const home = mkdtempSync(join(tmpdir(), 'switchyard-home-'));
      vi.stubEnv('HOME', home);
      vi.stubEnv('KUBECONFIG', '');
      await refused(
        { namespace: 'shop' },
        `no kubeconfig: ${join(home, '.kube', 'config')} does not exist and KUBECONFIG is not set. For an EKS cluster run \`aws eks update-kubeconfig --region <region> --name <cluster>\``,
      );
      vi.stubEnv('KUBECONFIG', join(home, 'a'));
      await refused({ namespace: 'shop' }, /none of the files in KUBECONFIG exists/);
      await refused(
        { namespace: 'shop', kubeconfig: join(home, 'missing') },
        `no kubeconfig at ${join(home, 'missing')}`,
      );
    });

    it('$KUBECONFIG is followed as kubectl follows it', async () => {
      vi.stubEnv('KUBECONFIG', config);
      expect((await run({ namespace: 'shop' })).code).toBe(0);
    });

    it('a namespace that cannot be one, before anything is read', async () => {
      await refused(
        { namespace: 'Shop_1', kubeconfig: config },
        /--namespace must be a Kubernetes namespace name/,
      );
      expect(server.requests).toEqual([]);
    });

    it('an unknown context, naming the ones there are', async () => {
      await refused(
        { namespace: 'shop', kubeconfig: config, context: 'prod' },
        `no context "prod" in the kubeconfig ${config} (its contexts: ${EKS_ARN}, kind-dev)`,
      );
    });

    it('a namespace that does not exist, and one with no Deployments', async () => {
      await refused(
        { namespace: 'shopp', kubeconfig: config },
        `namespace shopp not found in context ${EKS_ARN} (${server.url}): kubectl get namespaces --context ${EKS_ARN} lists them`,
      );
      await refused(
        { namespace: 'empty', kubeconfig: config },
        `no Deployments in namespace empty (context ${EKS_ARN}): nothing to start a plan from`,
      );
    });

    it('RBAC refusing the list, with the API server’s words', async () => {
      server.forbid({ pathIncludes: '/namespaces/locked/deployments' });
      await refused(
        { namespace: 'locked', kubeconfig: config },
        /cannot list deployments in namespace locked \(context .*\) at http:\/\/127\.0\.0\.1:\d+: deployments\.apps is forbidden: User "switchyard" cannot list resource "deployments" in API group "apps" in the namespace "locked"\n {2}you may not list deployments there: ask for a Role granting get and list on deployments, services and ingresses in locked/,
      );
    });

    it('refused credentials, and a server that cannot be reached', async () => {
      await refused(
        { namespace: 'shop', kubeconfig: kubeconfig(server.url, 'expired') },
        /your credentials were refused/,
      );
      await refused(
        { namespace: 'shop', kubeconfig: kubeconfig(await unreachableApiServerUrl()) },
        /cannot list deployments in namespace shop .*: ECONNREFUSED: is the cluster reachable from here/,
      );
    });

    it('every Deployment owned by another controller', async () => {
      const owned = await startFakeKubeApiServer({ token: 'token-1' });
      try {
        seedShop(owned, { only: ['legacy'] });
        await refused(
          { namespace: 'shop', kubeconfig: kubeconfig(owned.url) },
          /none of the 1 Deployments in namespace shop .* can be rolled out by Switchyard:\n {2}legacy: owned by Rollout legacy/,
        );
      } finally {
        await owned.close();
      }
    });
  });

  it('end to end as `switchyard init`: the plan on stdout; --namespace is required (exit 2)', async () => {
    const io = recordingIo();
    expect(await main(['init', '-n', 'shop', '--kubeconfig', config], io), io.err.join('\n')).toBe(0);
    expect(loadPlan(io.out.join('\n')).ok).toBe(true);
    const missing = recordingIo();
    expect(await main(['init'], missing)).toBe(2);
    expect(missing.err.join('\n')).toContain("required option '-n, --namespace <namespace>' not specified");
    expect(existsSync(config)).toBe(true);
  });
});
