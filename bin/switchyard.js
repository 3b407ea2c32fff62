#!/usr/bin/env node
// The `switchyard` command: runs the TypeScript CLI through tsx, so a fresh clone needs no build.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
