/**
 * The published JSON Schema (schema/release-plan.schema.json, generated from the zod
 * definitions): a valid draft-07 schema that editors and API Gateway can use, and that agrees
 * with the plan language on what a document's shape is. Cross-field rules (cycles, weights,
 * waves) are beyond JSON Schema: `switchyard validate` adds them.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { releasePlanJsonSchema } from '../../../lambdas/core/plan/schema';
import { readExample, validDocument } from './documents';

const published = JSON.parse(
  readFileSync(new URL('../../../schema/release-plan.schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

function compile() {
  // strict mode rejects unknown keywords and formats: the schema must be plain draft-07.
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  return { ajv, validate: ajv.compile(published) };
}

describe('schema/release-plan.schema.json', () => {
  it('is what the plan language generates today', () => {
    expect(published).toEqual(releasePlanJsonSchema());
  });

  it('is a valid draft-07 schema', () => {
    const { ajv } = compile();
    expect(published.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(ajv.validateSchema(published)).toBe(true);
  });

  it('accepts the reference platform, the Ingress example and the small valid plan', () => {
    const { validate } = compile();
    expect(validate(parse(readExample('platform.yaml'))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(parse(readExample('ingress.yaml'))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(validDocument()), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects what the plan language rejects by shape', () => {
    const { validate } = compile();
    const unknownField = validDocument();
    unknownField.services[0].colour = 'blue';
    const badDuration = { ...validDocument(), waves: { bake: '10 minutes' } };
    const badReleaseId = { ...validDocument(), metadata: { releaseId: 'shop release' } };
    const unknownStrategy = validDocument();
    unknownStrategy.services[0].strategy = { type: 'linear' };
    for (const document of [unknownField, badDuration, badReleaseId, unknownStrategy]) {
      expect(validate(document), JSON.stringify(document)).toBe(false);
    }
  });

  it('leaves cross-field rules to validate: the invalid examples are well-formed', () => {
    const { validate } = compile();
    for (const example of [
      'invalid/cycle.yaml',
      'invalid/region-subset.yaml',
      'invalid/shared-resources.yaml',
    ]) {
      // Merge keys read as switchyard reads them (shared-resources.yaml has one).
      expect(validate(parse(readExample(example), { merge: true })), example).toBe(true);
    }
  });

  it('bounds a weight by itself: bad-weights.yaml fails only at its weight of 150', () => {
    const { validate } = compile();
    expect(validate(parse(readExample('invalid/bad-weights.yaml')))).toBe(false);
    const paths = new Set(validate.errors?.map((error) => error.instancePath));
    // The weight that goes down (20 after 25) is a cross-field rule, left to validate.
    expect(paths).toContain('/services/1/strategy/steps/6/setWeight');
    expect([...paths].some((path) => path.includes('steps/4'))).toBe(false);
  });
});
