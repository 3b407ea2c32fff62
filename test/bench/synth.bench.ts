/**
 * Synth benchmark: the whole CDK app synthesized as `cdk synth` does it (every handler bundled
 * by esbuild, cdk-nag and CloudFormation's template checks included), its wall time, and each
 * handler bundle's minified size against the 1 MB target. Run with `npx tsx
 * test/bench/synth.bench.ts`; not part of `npm test`. It reports rather than fails: sizes move
 * with dependency versions, and timings on a shared machine are noisy.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const TARGET_BYTES = 1024 * 1024;

async function main(): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), 'switchyard-synth-'));
  try {
    const started = performance.now();
    const { App } = await import('aws-cdk-lib');
    const { addSwitchyardStacks, settingsFromContext } = await import('../../lib/app');
    const loaded = performance.now();
    const app = new App({
      outdir,
      context: {
        'aws:cdk:enable-asset-metadata': true,
        '@aws-cdk/core:validateAgainstDefaultRules': true,
        'switchyard:homeRegion': 'us-east-1',
        'switchyard:workloadRegions': ['us-east-1', 'eu-west-1'],
        'switchyard:clusters': [{ region: 'us-east-1', clusterName: 'prod-use1', namespaces: ['shop'] }],
      },
    });
    const { home } = addSwitchyardStacks(app, settingsFromContext(app));
    const constructed = performance.now();
    const assembly = app.synth();
    const synthesized = performance.now();

    const template = assembly.getStackByName(home.stackName).template as {
      Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
    };
    const byLogicalId = new Map(
      Object.entries(home.switchyard.functions).map(([name, fn]) => [
        home.getLogicalId(fn.function.node.defaultChild as never),
        name,
      ]),
    );
    const rows: Array<{ handler: string; bytes: number; namesKept: boolean }> = [];
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const handler = byLogicalId.get(logicalId);
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (resource.Type !== 'AWS::Lambda::Function' || !handler || !assetPath) continue;
      const dir = join(outdir, assetPath);
      const bundle = readdirSync(dir).find((file) => /\.(m?js|cjs)$/.test(file));
      if (!bundle) continue;
      const file = join(dir, bundle);
      // Every handler reports bad input as InvalidInputError: its class name must survive minification.
      rows.push({
        handler,
        bytes: statSync(file).size,
        namesKept: readFileSync(file, 'utf8').includes('"InvalidInputError"'),
      });
    }
    rows.sort((a, b) => b.bytes - a.bytes);

    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(`synth wall time: ${seconds(synthesized - started)}`);
    console.log(`  load aws-cdk-lib and the app: ${seconds(loaded - started)}`);
    console.log(`  construct: ${seconds(constructed - loaded)}`);
    console.log(
      `  synth (bundling ${rows.length} functions, cdk-nag, template checks): ${seconds(synthesized - constructed)}`,
    );
    console.log('');
    console.log('bundle sizes (minified, without source maps), target ≤ 1 MB:');
    const width = Math.max(...rows.map((row) => row.handler.length));
    for (const row of rows) {
      const kib = (row.bytes / 1024).toFixed(0).padStart(6);
      const notes = [
        row.bytes <= TARGET_BYTES ? 'ok' : 'OVER',
        row.namesKept ? '' : 'ERROR CLASS NAMES LOST',
      ];
      console.log(`  ${row.handler.padEnd(width)}  ${kib} KiB  ${notes.filter(Boolean).join('  ')}`);
    }
    const over = rows.filter((row) => row.bytes > TARGET_BYTES);
    console.log('');
    console.log(`${rows.length} bundles, ${over.length} over the target`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

await main();
