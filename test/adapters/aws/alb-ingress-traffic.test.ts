/**
 * The albIngress traffic adapter writing weights: through the Ingress annotation (@kubernetes/client-node
 * over HTTP to the fake API server), then waiting for the controller (aws-sdk-client-mock for ELBv2);
 * attaching the canary; the IAM actions it calls. Finding what the controller made is in
 * alb-ingress-discovery.test.ts.
 */
import { ModifyListenerCommand, ModifyRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ALB_INGRESS_TRAFFIC_IAM_ACTIONS,
  AlbIngressTraffic,
  type IngressApi,
} from '../../../lambdas/adapters/aws/alb-ingress-traffic';
import {
  InvalidInputError,
  TrafficEditedError,
  TrafficNotAppliedError,
  TransientClusterError,
} from '../../../lambdas/core/errors';
import {
  ACTION_KEY,
  annotationNow,
  CANARY_TG,
  client,
  elb,
  forward,
  forwardTo,
  INGRESS_PATH,
  ingresses,
  type Json,
  LISTENER_443,
  patches,
  reconcile,
  renamed,
  rules,
  STABLE_TG,
  server,
  startFakeController,
  stopFakeController,
  storedIngress,
  storefrontIngress,
  target,
  traffic,
} from './alb-ingress-traffic-support';

beforeEach(() => startFakeController());
afterEach(stopFakeController);

describe('setWeights through the Ingress', () => {
  it('writes the action annotation with a merge patch, then waits for the controller: never a ModifyRule', async () => {
    const asked = traffic.setWeights(target, { stable: 90, canary: 10 });

    await expect(asked).rejects.toBeInstanceOf(TrafficNotAppliedError);
    await expect(asked).rejects.toThrow(
      'Ingress shop/storefront in EKS cluster "shop-euw1" (eu-west-1) asks for stable 90 % / canary 10 %, but rule 1 of load balancer "k8s-shop-storefro-3f1e0a9b2c" still forwards stable 100 % / canary 0 %',
    );
    const [patch] = patches();
    expect(patch).toMatchObject({
      path: INGRESS_PATH,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: 'switchyard' },
      status: 200,
    });
    // Only the action's key, onto the version read: the rest of the Ingress is left alone.
    const body = patch!.body as Json;
    expect(Object.keys(body.metadata.annotations)).toEqual([ACTION_KEY]);
    expect(body.metadata.resourceVersion).toBeDefined();
    expect(annotationNow()).toEqual(forwardTo(['storefront', 80, 90], ['storefront-canary', 80, 10]));
    const stored = storedIngress();
    expect(stored.metadata.annotations['alb.ingress.kubernetes.io/scheme']).toBe('internal');
    expect(stored.spec).toEqual(storefrontIngress().spec);

    reconcile();
    await expect(traffic.setWeights(target, { stable: 90, canary: 10 })).resolves.toEqual({
      stable: 90,
      canary: 10,
    });
    // The retry found the Ingress already asking for 90/10: one patch in all.
    expect(patches()).toHaveLength(1);
    expect(elb.commandCalls(ModifyRuleCommand)).toHaveLength(0);
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it('keeps stickiness and zero-weight target groups, and writes a named port as given', async () => {
    const named = { ...target, albIngress: { ...target.albIngress, servicePort: 'http' } };
    const action = forwardTo(['storefront', 'http', 100], ['legacy', 80, 0]);
    action.forwardConfig.targetGroupStickinessConfig = { enabled: true, durationSeconds: 300 };
    server.seedIngress(renamed(storefrontIngress(action), 'named'));
    const namedTarget = { ...named, albIngress: { ...named.albIngress, ingress: 'named' } };

    // Written first; this Ingress is of another stack than the load balancer its status names.
    await expect(traffic.setWeights(namedTarget, { stable: 50, canary: 50 })).rejects.toThrow(
      /tagged ingress\.k8s\.aws\/stack=shop\/storefront, not shop\/named/,
    );

    expect(JSON.parse(storedIngress('named').metadata.annotations[ACTION_KEY])).toEqual({
      type: 'forward',
      forwardConfig: {
        targetGroups: [
          { serviceName: 'storefront', servicePort: 'http', weight: 50 },
          { serviceName: 'legacy', servicePort: 80, weight: 0 },
          { serviceName: 'storefront-canary', servicePort: 'http', weight: 50 },
        ],
        targetGroupStickinessConfig: { enabled: true, durationSeconds: 300 },
      },
    });
  });

  it('refuses, writing nothing, when someone else changed the Ingress weights since Switchyard wrote them', async () => {
    server.seedIngress(
      renamed(storefrontIngress(forwardTo(['storefront', 80, 70], ['storefront-canary', 80, 30])), 'edited'),
    );
    const edited = { ...target, albIngress: { ...target.albIngress, ingress: 'edited' } };

    const refused = traffic.setWeights(edited, { stable: 50, canary: 50 }, { stable: 90, canary: 10 });

    await expect(refused).rejects.toBeInstanceOf(TrafficEditedError);
    await expect(refused).rejects.toThrow(
      /asks for stable 70 % \/ canary 30 %, not the stable 90 % \/ canary 10 % Switchyard wrote/,
    );
    expect(patches()).toHaveLength(0);
  });

  it('with writeIf, passes it the weights the Ingress asks for and patches nothing when it answers false', async () => {
    server.seedIngress(
      renamed(storefrontIngress(forwardTo(['storefront', 80, 70], ['storefront-canary', 80, 30])), 'judged'),
    );
    const judged = { ...target, albIngress: { ...target.albIngress, ingress: 'judged' } };
    const seen: unknown[] = [];
    const left = await traffic.setWeights(judged, { stable: 100, canary: 0 }, undefined, async (live) => {
      seen.push(live);
      return false;
    });
    expect(left).toEqual({ stable: 70, canary: 30 });
    expect(seen).toEqual([{ stable: 70, canary: 30 }]);
    expect(patches()).toHaveLength(0);
  });

  it('a rule edited by hand is not the Ingress: it reads as what flows, and the write waits for the controller to put it back', async () => {
    await expect(traffic.setWeights(target, { stable: 80, canary: 20 })).rejects.toBeInstanceOf(
      TrafficNotAppliedError,
    );
    reconcile();
    await expect(traffic.setWeights(target, { stable: 80, canary: 20 })).resolves.toEqual({
      stable: 80,
      canary: 20,
    });
    // Someone edits the rule directly (the console, the CLI).
    rules[LISTENER_443]![0]!.Actions = [forward([STABLE_TG, 100], [CANARY_TG, 0])];

    expect(await traffic.getWeights(target)).toEqual({ stable: 100, canary: 0 });
    const waiting = traffic.setWeights(target, { stable: 80, canary: 20 }, { stable: 80, canary: 20 });
    await expect(waiting).rejects.toBeInstanceOf(TrafficNotAppliedError);
    await expect(waiting).rejects.toThrow(/a rule edited by hand is put back at its next reconcile/);
    reconcile();
    expect(await traffic.getWeights(target)).toEqual({ stable: 80, canary: 20 });
  });

  it('goes through a 409 when the Ingress changed between the read and the patch', async () => {
    const racing: IngressApi = {
      read: async (ref) => {
        const view = await ingresses.read(ref);
        // Someone else (kubectl annotate) writes in between.
        await ingresses.patchAnnotations(ref, { 'example.com/owner': 'shop' });
        return view;
      },
      patchAnnotations: (ref, annotations, resourceVersion) =>
        ingresses.patchAnnotations(ref, annotations, resourceVersion),
    };
    const raced = new AlbIngressTraffic({ elbv2For: () => client, ingresses: racing });

    const refused = raced.setWeights(target, { stable: 90, canary: 10 });

    await expect(refused).rejects.toBeInstanceOf(TransientClusterError);
    await expect(refused).rejects.toThrow(/answered 409/);
    expect(annotationNow()).toEqual(forwardTo(['storefront', 80, 100]));
  });

  it('refuses weights that are not whole percents adding up to 100', async () => {
    await expect(traffic.setWeights(target, { stable: 90, canary: 20 })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(patches()).toHaveLength(0);
  });
});

describe('attachCanary', () => {
  it('names the canary Service at weight 0, the split unchanged; once there, it writes nothing', async () => {
    await traffic.attachCanary(target);
    expect(annotationNow()).toEqual(forwardTo(['storefront', 80, 100], ['storefront-canary', 80, 0]));
    expect(await traffic.getWeights(target)).toEqual({ stable: 100, canary: 0 });

    await traffic.attachCanary(target);
    expect(patches()).toHaveLength(1);
  });
});

it('declares every ELBv2 action it calls, for the IAM grant', async () => {
  await traffic.attachCanary(target);
  reconcile();
  await traffic.setWeights(target, { stable: 100, canary: 0 });
  await traffic.resolve(target);
  await traffic.targetHealth(target);

  const called = new Set(
    elb
      .calls()
      .map((call) => `elasticloadbalancing:${call.args[0].constructor.name.replace(/Command$/, '')}`),
  );
  expect([...called].sort()).toEqual([...ALB_INGRESS_TRAFFIC_IAM_ACTIONS].sort());
});
