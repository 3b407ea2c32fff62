/**
 * The parts of @kubernetes/client-node the adapters use, imported from the modules that define
 * them rather than from the package's index. The index re-exports every module, and esbuild
 * keeps those whose top level may have side effects (exec, attach, port-forward and cp, with
 * ws and tar-fs): about 110 KB of each cluster handler's bundle that nothing calls. The
 * package (1.4.x, no "exports" map) allows these paths; they are the same modules the index
 * re-exports, so ApiException here is the class the API clients throw. Types still come from
 * the index: they leave nothing in a bundle.
 */
export { type ApiConstructor, type ApiType, KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
export {
  ObjectAppsV1Api as AppsV1Api,
  ObjectAuthorizationV1Api as AuthorizationV1Api,
  ObjectCoreV1Api as CoreV1Api,
  ObjectNetworkingV1Api as NetworkingV1Api,
} from '@kubernetes/client-node/dist/gen/types/ObjectParamAPI.js';
export { setHeaderOptions } from '@kubernetes/client-node/dist/middleware.js';
export { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
