/** The plan language's building blocks: durations, names, text and the release id. */
import * as z from 'zod';
import { formatDuration, parseDuration } from '../duration';
import {
  MAX_DURATION_SECONDS,
  MAX_DURATION_TEXT_LENGTH,
  MAX_KUBERNETES_NAME_LENGTH,
  MAX_RELEASE_ID_LENGTH,
  MAX_TEXT_LENGTH,
} from './limits';

const DURATION_TEXT = /^(?=\d)(?:\d+h)?(?:\d+m)?(?:\d+s)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const Duration = z
  .string()
  // Past the length cap the text is no duration anyway: one problem, and no pattern run over it.
  .max(MAX_DURATION_TEXT_LENGTH, { abort: true })
  .regex(DURATION_TEXT, { message: 'must be a duration such as 30s, 10m, 2h or 1h30m' })
  .refine((text) => (parseDuration(text) ?? 0) <= MAX_DURATION_SECONDS, {
    message: `must be at most ${formatDuration(MAX_DURATION_SECONDS)} (a year: the longest a Step Functions execution runs)`,
  })
  .describe(
    `A duration: a number followed by s, m or h, e.g. 30s, 10m, 2h, 1h30m; at most ${formatDuration(MAX_DURATION_SECONDS)}.`,
  );

/** Bounded free text: descriptions, owners, reasons. */
export const Text = z.string().max(MAX_TEXT_LENGTH);

/** A reference to a service of the plan by name; unknown names are validate.ts's to report. */
export const ServiceReference = z.string().max(MAX_KUBERNETES_NAME_LENGTH);

export const ResourceName = z
  .string()
  .min(1)
  .max(MAX_KUBERNETES_NAME_LENGTH)
  .regex(DNS_LABEL, { message: 'must be a Kubernetes name: lowercase letters, digits and "-"' });

const RELEASE_ID_MESSAGE = `must be 1 to ${MAX_RELEASE_ID_LENGTH} characters of letters, digits, "-" and "_" (it names the Step Functions execution)`;
export const ReleaseId = z
  .string()
  .max(MAX_RELEASE_ID_LENGTH, { message: RELEASE_ID_MESSAGE, abort: true })
  .regex(new RegExp(`^[A-Za-z0-9_-]{1,${MAX_RELEASE_ID_LENGTH}}$`), { message: RELEASE_ID_MESSAGE })
  .describe('Names the release and its Step Functions execution.');
