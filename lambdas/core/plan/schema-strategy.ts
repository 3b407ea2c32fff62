/** The plan language: rollout strategies (canary steps, blue/green, rolling, recreate). */
import * as z from 'zod';
import { MAX_ANALYSIS_COUNT, MAX_CANARY_STEPS, MAX_REPLICAS } from './limits';

import { Duration, Text } from './schema-primitives';

// ── strategies ───────────────────────────────────────────────────────────────

/** Said once, whichever bound a weight misses; validate.ts compares the weights that are in range. */
const weightOutOfRange = (issue: { input?: unknown }) =>
  `weight ${String(issue.input)} is outside 1..100 (a whole percentage)`;
export const SetWeightStep = z
  .object({
    setWeight: z
      .number()
      .int({ error: weightOutOfRange })
      .min(1, { error: weightOutOfRange })
      .max(100, { error: weightOutOfRange }),
  })
  .strict();
export const PauseStep = z
  .object({
    pause: z.union([
      z.object({ duration: Duration }).strict(),
      z.object({ untilApproved: z.literal(true), timeout: Duration.default('1h') }).strict(),
    ]),
  })
  .strict();
export const AnalysisStep = z
  .object({
    analysis: z
      .object({
        duration: Duration.optional(),
        count: z.number().int().min(1).max(MAX_ANALYSIS_COUNT).optional(),
      })
      .strict()
      .describe("Runs the service's analysis; duration or count override its length for this step."),
  })
  .strict();
export const CanaryStep = z.union([SetWeightStep, PauseStep, AnalysisStep]);

export const CanaryStrategy = z
  .object({
    type: z.literal('canary'),
    steps: z.array(CanaryStep).min(1).max(MAX_CANARY_STEPS),
  })
  .strict();

export const BlueGreenStrategy = z
  .object({
    type: z.literal('blueGreen'),
    previewAnalysis: z
      .boolean()
      .default(true)
      .describe('Analyse the green version before switching traffic.'),
    autoPromotionDelay: Duration.optional().describe(
      'Switch after this delay; absent means wait for approval.',
    ),
    scaleDownDelay: Duration.default('10m').describe(
      'How long the old (blue) version is kept after the switch.',
    ),
  })
  .strict();

export const RollingStrategy = z
  .object({
    type: z.literal('rolling'),
    batch: z.union([
      z.object({ size: z.number().int().min(1).max(MAX_REPLICAS) }).strict(),
      z.object({ percent: z.number().int().min(1).max(100) }).strict(),
    ]),
    analysisPerBatch: z.boolean().default(true),
  })
  .strict();

export const RecreateStrategy = z
  .object({
    type: z.literal('recreate'),
    reason: Text.optional().describe('Why two versions cannot run side by side.'),
  })
  .strict();

export const Strategy = z.discriminatedUnion('type', [
  CanaryStrategy,
  BlueGreenStrategy,
  RollingStrategy,
  RecreateStrategy,
]);
