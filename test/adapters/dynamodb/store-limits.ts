/**
 * What only DynamoDbStore has to promise, beyond the Store contract (test/contract): a plan
 * larger than a DynamoDB item (400 KB) is stored compressed, and one too large even so is refused.
 * store.test.ts runs these on DynamoDB Local, store.moto.test.ts on moto.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidInputError } from '../../../lambdas/core/errors';
import { releaseRecord } from '../../contract/store-records';
import type { CreateTestStore, DynamoDbTestStore } from '../../support/dynamodb';

/** A plan-like document of about `services` × 1 KB of JSON: repetitive, as real plans are. */
function largePlan(services: number) {
  return {
    apiVersion: 'switchyard.dev/v1',
    services: Array.from({ length: services }, (_, index) => ({
      name: `service-${index}`,
      image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/service-${index}:v2.${index}`,
      dependsOn: index > 0 ? [`service-${index - 1}`] : [],
      strategy: {
        type: 'canary',
        steps: [{ setWeight: 10 }, { pause: '5m' }, { setWeight: 50 }, { analysis: { duration: '10m' } }],
      },
      analysis: { checks: [{ type: 'cloudwatchAlarms', alarmNames: [`service-${index}-5xx`] }] },
      notes: 'x'.repeat(600),
    })),
  };
}

export function dynamoDbLimits(createTestStore: CreateTestStore): void {
  let testStore: DynamoDbTestStore;
  beforeAll(async () => {
    testStore = await createTestStore();
  });
  afterAll(async () => {
    await testStore?.dispose();
  });

  describe('plans and item size', () => {
    test('a plan larger than an item can hold round-trips (compressed)', async () => {
      const release = releaseRecord();
      const plan = largePlan(600);
      expect(JSON.stringify(plan).length).toBeGreaterThan(400 * 1024);

      await testStore.store.createRelease(release, plan);

      expect(await testStore.store.getPlanDocument(release.releaseId)).toEqual(plan);
    });

    test('a plan too large even compressed is refused, and no release is left behind', async () => {
      const release = releaseRecord();
      const incompressible = { blob: randomBytes(600 * 1024).toString('base64') };

      await expect(testStore.store.createRelease(release, incompressible)).rejects.toBeInstanceOf(
        InvalidInputError,
      );
      expect(await testStore.store.getRelease(release.releaseId)).toBeUndefined();
    });
  });
}
