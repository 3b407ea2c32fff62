/**
 * The release plan's JSON Schema as an API Gateway model. API Gateway validates request bodies
 * against JSON Schema draft 4, so the schema is generated from the same zod definition the
 * handlers validate with, targeting draft 4.
 */
import type { JsonSchema } from 'aws-cdk-lib/aws-apigateway';
import * as z from 'zod';
import { ReleasePlan } from '../lambdas/core/plan/schema';

export function releasePlanDraft4Schema(): Record<string, unknown> {
  return z.toJSONSchema(ReleasePlan, { io: 'input', target: 'draft-4' }) as Record<string, unknown>;
}

/** Keywords whose values map user-chosen names to schemas: their keys are not keywords. */
const NAMED_CHILDREN = new Set(['properties', 'patternProperties', 'definitions', 'dependencies']);
/** CDK's JsonSchema spells these without the `$`, and puts it back when it synthesizes. */
const DOLLAR_KEYWORDS: Readonly<Record<string, string>> = { $schema: 'schema', $ref: 'ref' };

/** A plain JSON Schema in CDK's JsonSchema spelling. */
export function toCdkJsonSchema(schema: Record<string, unknown>): JsonSchema {
  return convert(schema) as JsonSchema;
}

function convert(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (!value || typeof value !== 'object') return value;
  const converted: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const name = DOLLAR_KEYWORDS[key] ?? key;
    converted[name] =
      NAMED_CHILDREN.has(key) && inner && typeof inner === 'object' && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner).map(([child, schema]) => [child, convert(schema)]))
        : convert(inner);
  }
  return converted;
}
