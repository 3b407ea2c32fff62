/** The call trace the alarm path's count comes from: parallel calls count once, waiting ones add up. */
import { describe, expect, it } from 'vitest';
import { type CallTrace, traced, tracedCall, tracedPort } from '../../rehearsal/call-trace';

const answer = <T>(value: T) => Promise.resolve(value);

describe('the call trace', () => {
  it('puts calls made together on one level and a call that waited for them on the next', async () => {
    let trace: CallTrace | undefined;
    const port = tracedPort(
      { read: (key: string) => answer(key), write: (key: string) => answer(key) },
      'store',
    );
    await traced(
      async () => {
        // The second branch reaches its call a few microtasks later than the first: still parallel.
        const late = async () => {
          await answer(1);
          await answer(2);
          return tracedCall('elasticloadbalancing:DescribeRules', () => answer('rules'));
        };
        await Promise.all([port.read('a'), late()]);
        await port.write('b');
      },
      (done) => {
        trace = done;
      },
    );
    expect(trace?.calls.map(({ name, level }) => `${level} ${name}`)).toEqual([
      '1 store:read',
      '1 elasticloadbalancing:DescribeRules',
      '2 store:write',
    ]);
  });

  it('traces nothing outside a trace, and hands over the trace of work that failed', async () => {
    expect(await tracedCall('store:read', () => answer('plain'))).toBe('plain');
    let trace: CallTrace | undefined;
    await expect(
      traced(
        () => tracedCall('store:read', () => Promise.reject(new Error('throttled'))),
        (done) => {
          trace = done;
        },
      ),
    ).rejects.toThrow('throttled');
    expect(trace?.calls.map(({ name }) => name)).toEqual(['store:read']);
  });
});
