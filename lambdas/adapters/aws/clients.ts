/**
 * SDK clients, one per service and region, created on first use and kept for the life of the
 * Lambda execution environment so warm invocations reuse their connections and credentials.
 * Adapters never create clients: the composition root passes these factories (or, in tests,
 * clients under aws-sdk-client-mock) to their constructors. Each new client passes through
 * prepareClient, which the Lambda composition root sets to Powertools Tracer's capture.
 *
 * One module per service (sdk-clients/): with the SDK external, esbuild keeps every import of
 * an external package a bundled module makes, used or not (it cannot know the package has no
 * side effects), and Node loads each at init. A module importing only its own client keeps
 * the others out of the bundles that do not use them (verifyRollout: 11 SDK packages loaded at
 * init down to 6, see test/bench/synth.bench.ts). This module gathers them for the tests;
 * entries import them from sdk-clients/ directly.
 */

export { CLIENTS_PER_SERVICE, type ClientForRegion, perRegion } from './per-region';
export { cloudWatchClientFor } from './sdk-clients/cloudwatch';
export { eksClientFor } from './sdk-clients/eks';
export { elbv2ClientFor } from './sdk-clients/elbv2';
export { eventBridgeClientFor } from './sdk-clients/eventbridge';
export { lambdaClientFor } from './sdk-clients/lambda';
export { ROUTE53_REGION, route53Client } from './sdk-clients/route53';
export { sfnClientFor } from './sdk-clients/sfn';
