/**
 * Synth benchmark: the whole CDK app synthesized as `cdk synth` does it (every handler bundled
 * by esbuild, cdk-nag and CloudFormation's template checks included), its wall time, each
 * handler bundle's minified size against the 1 MB target, and each bundle's init time: the
 * bundle imported in a fresh Node process, as the Lambda runtime imports it on a cold start.
 * Run with `npx tsx test/bench/synth.bench.ts [--bundle-aws-sdk]` (the construct's bundleAwsSdk,
 * to compare the two); not part of `npm test`. It reports rather than
 * fails: sizes move with dependency versions, and timings on a shared machine are noisy.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const TARGET_BYTES = 1024 * 1024;
/** Init target for the cluster handlers (those bundling @kubernetes/client-node). */
const CLUSTER_INIT_TARGET_MS = 300;
const INIT_RUNS = 5;
const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
const BUNDLE_AWS_SDK = process.argv.includes('--bundle-aws-sdk');

/**
 * Run in the child: the time of `await import(bundle)` (top-level code, which starts building
 * the handler's ports), then until the next macrotask, by which the port builders it started
 * (promise chains, no I/O) have run too. Node's own start-up is not in it.
 */
const IMPORT_SCRIPT = `
const started = performance.now();
await import(process.argv[1]);
await new Promise((done) => setImmediate(done));
console.log(JSON.stringify({ initMs: performance.now() - started }));
`;

interface InitSample {
  /** `await import` and the port builders it started, measured inside the child. */
  initMs: number;
  /** Spawn to exit, measured by this process: Node's start-up included. */
  processMs: number;
}

/** One fresh process importing `file`; a failed import (an init error) is reported, not thrown. */
function importOnce(file: string, env: NodeJS.ProcessEnv): Promise<InitSample | { error: string }> {
  return new Promise((done) => {
    const spawned = performance.now();
    execFile(
      process.execPath,
      ['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(file).href],
      { env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const processMs = performance.now() - spawned;
        if (error) {
          // A minified bundle's stack prints its whole line: keep the error's own line.
          const line = stderr.split('\n').find((text) => /^\w*Error\b/.test(text));
          return done({ error: line ?? error.message.split('\n')[0] ?? 'failed' });
        }
        const { initMs } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { initMs: number };
        done({ initMs, processMs });
      },
    );
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The function's environment as deployed, tokens (ARNs, names) replaced by placeholders, and
 * the region Lambda sets: the port builders read their settings at init.
 */
function lambdaEnvironment(variables: Record<string, unknown> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    // The SDK's Node 20 deprecation notice; Lambda runs the bundles on a newer Node.
    NODE_NO_WARNINGS: '1',
  };
  for (const [name, value] of Object.entries(variables ?? {})) {
    env[name] = typeof value === 'string' ? value : name === 'SWITCHYARD_STATE_MACHINE_ARNS' ? '{}' : 'bench';
  }
  return env;
}

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
    const { home } = addSwitchyardStacks(app, settingsFromContext(app), { bundleAwsSdk: BUNDLE_AWS_SDK });
    const constructed = performance.now();
    const assembly = app.synth();
    const synthesized = performance.now();

    const template = assembly.getStackByName(home.stackName).template as {
      Resources: Record<
        string,
        {
          Type: string;
          Metadata?: Record<string, string>;
          Properties?: { Environment?: { Variables?: Record<string, unknown> } };
        }
      >;
    };
    const byLogicalId = new Map(
      Object.entries(home.switchyard.functions).map(([name, fn]) => [
        home.getLogicalId(fn.function.node.defaultChild as never),
        name,
      ]),
    );
    const rows: Array<{
      handler: string;
      file: string;
      env: NodeJS.ProcessEnv;
      bytes: number;
      namesKept: boolean;
      cluster: boolean;
      samples: InitSample[];
      error?: string;
    }> = [];
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const handler = byLogicalId.get(logicalId);
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (resource.Type !== 'AWS::Lambda::Function' || !handler || !assetPath) continue;
      const dir = join(outdir, assetPath);
      const bundle = readdirSync(dir).find((file) => /\.(m?js|cjs)$/.test(file));
      if (!bundle) continue;
      const file = join(dir, bundle);
      const text = readFileSync(file, 'utf8');
      rows.push({
        handler,
        file,
        env: lambdaEnvironment(resource.Properties?.Environment?.Variables),
        bytes: statSync(file).size,
        // Every handler reports bad input as InvalidInputError: its class name must survive minification.
        namesKept: text.includes('"InvalidInputError"'),
        // keepNames keeps client-node's class names as strings.
        cluster: text.includes('"KubeConfig"'),
        samples: [],
      });
    }
    rows.sort((a, b) => b.bytes - a.bytes);

    // The AWS SDK is external unless bundleAwsSdk: Lambda's runtime provides it. Here the
    // project's copy stands in for it, found as the runtime's is, by walking up to node_modules
    // (so its load time is that of this copy, not necessarily of the runtime's).
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(outdir, 'node_modules'), 'dir');
    const timingStarted = performance.now();
    // Round-robin, one process at a time, so a burst of load elsewhere spreads over all bundles.
    for (let run = 0; run < INIT_RUNS; run++) {
      for (const row of rows) {
        if (row.error) continue;
        const sample = await importOnce(row.file, row.env);
        if ('error' in sample) row.error = sample.error;
        else row.samples.push(sample);
      }
    }
    const timed = performance.now();

    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `AWS SDK: ${BUNDLE_AWS_SDK ? 'bundled (--bundle-aws-sdk)' : "external, the Lambda runtime's (the default)"}`,
    );
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

    console.log('');
    console.log(
      `init time on Node ${process.version} (${process.arch}), median of ${INIT_RUNS} fresh processes per bundle ` +
        `(${seconds(timed - timingStarted)} in all):`,
    );
    console.log('  init ms: `await import(bundle)` in the child, until its port builders have run;');
    console.log("  process ms: spawn to exit of that child, Node's start-up included.");
    console.log(
      `  target for the cluster handlers (bundling @kubernetes/client-node): init ≤ ${CLUSTER_INIT_TARGET_MS} ms`,
    );
    console.log(`  ${'handler'.padEnd(width)}  ${'bytes'.padStart(9)}  init ms  process ms  cluster`);
    for (const row of rows) {
      if (row.error) {
        console.log(
          `  ${row.handler.padEnd(width)}  ${String(row.bytes).padStart(9)}  INIT FAILED: ${row.error}`,
        );
        continue;
      }
      const initMs = median(row.samples.map((sample) => sample.initMs));
      const processMs = median(row.samples.map((sample) => sample.processMs));
      const verdict = row.cluster ? (initMs <= CLUSTER_INIT_TARGET_MS ? 'yes  ok' : 'yes  OVER') : '';
      console.log(
        `  ${row.handler.padEnd(width)}  ${String(row.bytes).padStart(9)}  ${initMs.toFixed(0).padStart(7)}  ${processMs.toFixed(0).padStart(10)}  ${verdict}`,
      );
    }
    const cluster = rows.filter((row) => row.cluster);
    const clusterOver = cluster.filter(
      (row) => row.error || median(row.samples.map((sample) => sample.initMs)) > CLUSTER_INIT_TARGET_MS,
    );
    console.log('');
    console.log(
      `${cluster.length} cluster handlers, ${clusterOver.length} over the ${CLUSTER_INIT_TARGET_MS} ms init target; ` +
        `${rows.filter((row) => row.error).length} bundles failed to initialise`,
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

await main();
