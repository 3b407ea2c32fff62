import { describe, expect, it } from 'vitest';
import {
  EXECUTION_NAME_MAX,
  executionName,
  laneName,
  regionRolloutName,
  rollbackName,
  serviceRolloutName,
} from '../../lambdas/core/naming';

const VALID = /^[A-Za-z0-9_-]{1,80}$/;
const longId = (suffix: string) => `release-${'x'.repeat(70)}-${suffix}`;

describe('execution names', () => {
  it.each<[string, string, string]>([
    ['a service rollout', serviceRolloutName('rel-1', 'us-east-1', 'auth'), 'rel-1-us-east-1-auth'],
    ['a region rollout', regionRolloutName('rel-1', 'eu-west-1'), 'rel-1-eu-west-1'],
    ['a lane', laneName('rel-1', 'us-west-2', 3), 'rel-1-us-west-2-lane3'],
    ['the rollback', rollbackName('rel-1'), 'rel-1-rollback'],
    [
      'characters Step Functions refuses become "_"',
      executionName('rel 1', 'a.b', 'c/d:e'),
      'rel_1-a_b-c_d_e',
    ],
    ['exactly 80 characters are kept as they are', executionName('r'.repeat(80)), 'r'.repeat(80)],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
    expect(actual).toMatch(VALID);
  });

  it('shortens a long name to 80 characters: a readable prefix, then a hash of the whole', () => {
    const name = serviceRolloutName(longId('a'), 'ap-southeast-2', 'circle-of-experts');
    expect(name).toHaveLength(EXECUTION_NAME_MAX);
    expect(name).toMatch(VALID);
    expect(name).toMatch(/^release-x{59}-[0-9a-f]{12}$/);
    // the same parts always give the same name: a retried start finds its execution
    expect(serviceRolloutName(longId('a'), 'ap-southeast-2', 'circle-of-experts')).toBe(name);
  });

  it('keeps long names apart when only their ends differ', () => {
    const names = new Set([
      serviceRolloutName(longId('a'), 'us-east-1', 'auth'),
      serviceRolloutName(longId('b'), 'us-east-1', 'auth'),
      serviceRolloutName(longId('a'), 'us-east-1', 'api-gateway'),
      serviceRolloutName(longId('a'), 'us-west-2', 'auth'),
      rollbackName(longId('a')),
      laneName(longId('a'), 'us-east-1', 0),
      laneName(longId('a'), 'us-east-1', 1),
    ]);
    expect(names.size).toBe(7);
    for (const name of names) {
      expect(name).toMatch(VALID);
      expect(name.startsWith('release-xxxx')).toBe(true);
    }
  });
});
