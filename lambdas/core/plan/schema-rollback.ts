/** The plan language: how a rollback returns traffic to stable (at once, or in a ramp of steps). */
import * as z from 'zod';
import { formatDuration, parseDuration } from '../duration';
import { MAX_ROLLBACK_RAMP_INTERVAL_SECONDS, MAX_ROLLBACK_RAMP_STEPS } from './limits';
import { Duration } from './schema-primitives';

/** Said once, whichever bound a ramp weight misses. */
const rampWeightOutOfRange = (issue: { input?: unknown }) =>
  `weight ${String(issue.input)} is outside 0..100 (a whole percentage)`;

export const RollbackRamp = z
  .object({
    steps: z
      .array(
        z
          .number()
          .int({ error: rampWeightOutOfRange })
          .min(0, { error: rampWeightOutOfRange })
          .max(100, { error: rampWeightOutOfRange }),
      )
      .min(1)
      .max(MAX_ROLLBACK_RAMP_STEPS)
      .describe(
        "The canary weights the return moves through, strictly decreasing and ending at 0; steps at or above the canary's weight when the rollback starts are skipped.",
      ),
    interval: Duration.refine(
      (text) => (parseDuration(text) ?? 0) <= MAX_ROLLBACK_RAMP_INTERVAL_SECONDS,
      `must be at most ${formatDuration(MAX_ROLLBACK_RAMP_INTERVAL_SECONDS)}: the whole ramp stays inside the rollback's lease`,
    ).describe('How long traffic stays at each step before the next.'),
  })
  .strict()
  .superRefine((ramp, context) => {
    ramp.steps.forEach((weight, index) => {
      const previous = ramp.steps[index - 1];
      if (previous !== undefined && weight >= previous)
        context.addIssue({
          code: 'custom',
          path: ['steps', index],
          message: `weight ${weight} does not decrease from ${previous} at steps[${index - 1}]: a ramp's weights must fall strictly`,
        });
    });
    const last = ramp.steps.at(-1);
    if (last !== undefined && last !== 0)
      context.addIssue({
        code: 'custom',
        path: ['steps', ramp.steps.length - 1],
        message: `the ramp ends at ${last} %, not 0: end with 0 so the canary gets no traffic`,
      });
  })
  .describe('Return traffic to stable in steps, after stable is ready at its full replicas.');

export const Rollback = z
  .object({
    ramp: RollbackRamp.optional().describe('Absent: traffic returns to stable at once.'),
  })
  .strict()
  .describe(
    "How a rollback returns this service's traffic to stable. Traffic returns only once stable is ready at its replicas from before the release.",
  );
