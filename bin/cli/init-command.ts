/**
 * `switchyard init --namespace <ns> [--context <c>]`: reads the namespace's Deployments (and the
 * Services and Ingresses that reach them) through the user's own kubeconfig, and writes a
 * commented starter release plan (init-plan.ts) that `switchyard validate` accepts.
 *
 * Read only: it lists, never writes, and needs `list` on deployments (apps), services and
 * ingresses (networking.k8s.io) in the namespace; without the last two it still writes a plan,
 * saying what it could not read. Every mistake or missing piece (no kubeconfig, an unknown
 * context, a namespace that does not exist, RBAC refusing the list, an unreachable server) exits
 * 2 with what to fix.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  type V1Deployment,
  type V1Ingress,
  type V1ListMeta,
  type V1Service,
} from '@kubernetes/client-node';
import { statusMessage } from '../../lambdas/adapters/kubernetes/api-calls';
import { NETWORK_ERROR_CODES } from '../../lambdas/adapters/kubernetes/eks-connection';
import { ExitCode, UserError } from './errors';
import { type ClusterLocation, starterPlan } from './init-plan';
import type { Io } from './io';

export interface InitOptions {
  namespace: string;
  /** A context of the kubeconfig; default its current context. */
  context?: string;
  /** The kubeconfig file; default $KUBECONFIG, else ~/.kube/config (as kubectl). */
  kubeconfig?: string;
  /** Write the plan here instead of to stdout; an existing file only with `force`. */
  out?: string;
  force?: boolean;
  /** Items asked for per list request: for tests, to make paging visible. */
  pageSize?: number;
}

/** kubectl's own --chunk-size default. */
const DEFAULT_PAGE_SIZE = 500;
const EKS_CLUSTER_ARN = /^arn:aws[a-z-]*:eks:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):cluster\/([^/]+)$/;
/** An EKS endpoint: https://<id>.<suffix>.<region>.eks.amazonaws.com (or .com.cn). */
const EKS_ENDPOINT = /\.([a-z]{2}(?:-[a-z]+)+-\d)\.eks\.amazonaws\.com(?:\.cn)?$/;

export async function initCommand(options: InitOptions, io: Io): Promise<number> {
  // A namespace name is a DNS label (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/).
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(options.namespace) || options.namespace.length > 63)
    throw new UserError(
      `--namespace must be a Kubernetes namespace name (lowercase letters, digits and "-", at most 63), not "${options.namespace}"`,
    );
  if (options.out && existsSync(options.out) && !options.force)
    throw new UserError(`${options.out} already exists: choose another --out, or add --force to replace it`);
  const { config, source } = loadKubeConfig(options.kubeconfig);
  const context = chooseContext(config, source, options.context);
  const server = config.getCurrentCluster()?.server ?? '(no server)';
  const where = `namespace ${options.namespace} (context ${context})`;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const asking = (what: string) => ({ what, where, context, server });

  const apps = config.makeApiClient(AppsV1Api);
  const deployments = await listAll<V1Deployment>(
    asking('deployments'),
    (limit, cont) =>
      apps.listNamespacedDeployment({
        namespace: options.namespace,
        limit,
        ...(cont && { _continue: cont }),
      }),
    pageSize,
  );
  if (deployments.length === 0) {
    await requireNamespace(config.makeApiClient(CoreV1Api), options.namespace, asking('namespace'));
    throw new UserError(`no Deployments in ${where}: nothing to start a plan from`);
  }

  const unread: string[] = [];
  const core = config.makeApiClient(CoreV1Api);
  const services = await optionalList<V1Service>(asking('services'), unread, pageSize, (limit, cont) =>
    core.listNamespacedService({ namespace: options.namespace, limit, ...(cont && { _continue: cont }) }),
  );
  const networking = config.makeApiClient(NetworkingV1Api);
  const ingresses = await optionalList<V1Ingress>(asking('ingresses'), unread, pageSize, (limit, cont) =>
    networking.listNamespacedIngress({
      namespace: options.namespace,
      limit,
      ...(cont && { _continue: cont }),
    }),
  );

  const plan = starterPlan({
    namespace: options.namespace,
    context,
    server,
    location: clusterLocation(config, context),
    deployments,
    ...(services && { services }),
    ...(ingresses && { ingresses }),
    unread,
  });
  if (plan.services.length === 0) {
    throw new UserError(
      `none of the ${deployments.length} Deployments in ${where} can be rolled out by Switchyard:\n${plan.skipped
        .map(({ deployment, why }) => `  ${deployment}: ${why}`)
        .join('\n')}`,
    );
  }
  const text = plan.document.toString({ lineWidth: 0 });
  if (!options.out) {
    io.stdout(text.trimEnd());
    return ExitCode.ok;
  }
  try {
    // `wx` refuses a file that appeared since the check above; --force replaces it.
    writeFileSync(options.out, text, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new UserError(
        `${options.out} already exists: choose another --out, or add --force to replace it`,
      );
    throw new UserError(`cannot write ${options.out}: ${code ?? (error as Error).message}`);
  }
  const skipped =
    plan.skipped.length > 0
      ? `; skipped ${plan.skipped.map((s) => s.deployment).join(', ')} (see the comments)`
      : '';
  io.stderr(
    `wrote ${options.out}: ${plan.services.length} service${plan.services.length === 1 ? '' : 's'} from ${where}${skipped}\n` +
      `  next: edit the images and dependsOn, then switchyard validate ${options.out}`,
  );
  return ExitCode.ok;
}

// ── the kubeconfig ───────────────────────────────────────────────────────────

/**
 * The kubeconfig as kubectl finds it: --kubeconfig, else the files of $KUBECONFIG merged (the
 * first one's current context wins), else ~/.kube/config
 * (https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/).
 * Unlike client-node's loadFromDefault, no file is an error, not a guess at localhost:8080.
 */
function loadKubeConfig(path: string | undefined): { config: KubeConfig; source: string } {
  const config = new KubeConfig();
  if (path !== undefined) {
    if (!existsSync(path)) throw new UserError(`no kubeconfig at ${path} (--kubeconfig)`);
    readInto(config, path);
    return { config, source: path };
  }
  const fromEnv = (process.env.KUBECONFIG ?? '').split(delimiter).filter((file) => file !== '');
  if (fromEnv.length > 0) {
    // kubectl skips files of the list that do not exist.
    const files = fromEnv.filter((file) => existsSync(file));
    if (files.length === 0)
      throw new UserError(
        `no kubeconfig: none of the files in KUBECONFIG exists (${fromEnv.join(delimiter)})`,
      );
    readInto(config, files[0]!);
    for (const file of files.slice(1)) {
      const more = new KubeConfig();
      readInto(more, file);
      config.mergeConfig(more, true);
    }
    return { config, source: files.join(delimiter) };
  }
  const home = join(homedir(), '.kube', 'config');
  if (!existsSync(home)) {
    throw new UserError(
      `no kubeconfig: ${home} does not exist and KUBECONFIG is not set. For an EKS cluster run ` +
        '`aws eks update-kubeconfig --region <region> --name <cluster>`, or pass --kubeconfig <file>',
    );
  }
  readInto(config, home);
  return { config, source: home };
}

function readInto(config: KubeConfig, file: string): void {
  try {
    config.loadFromFile(file);
  } catch (error) {
    throw new UserError(`cannot read the kubeconfig ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
}

function chooseContext(config: KubeConfig, source: string, wanted: string | undefined): string {
  const names = config.getContexts().map((context) => context.name);
  const known = names.length > 0 ? `its contexts: ${names.join(', ')}` : 'it has no contexts';
  const name = wanted ?? config.getCurrentContext();
  if (!name)
    throw new UserError(`the kubeconfig ${source} names no current context: pass --context (${known})`);
  const context = config.getContextObject(name);
  if (!context) throw new UserError(`no context "${name}" in the kubeconfig ${source} (${known})`);
  config.setCurrentContext(name);
  if (!config.getCluster(context.cluster))
    throw new UserError(
      `context "${name}" names cluster "${context.cluster}", which the kubeconfig ${source} does not define`,
    );
  return name;
}

/**
 * Region and cluster name of an EKS cluster: `aws eks update-kubeconfig` names the cluster entry
 * (and the context) by the cluster's ARN, arn:aws:eks:<region>:<account>:cluster/<name>
 * (https://docs.aws.amazon.com/cli/latest/reference/eks/update-kubeconfig.html); failing that the
 * endpoint's host gives the region, and the token command's --cluster-name the name.
 */
export function clusterLocation(config: KubeConfig, contextName: string): ClusterLocation {
  const context = config.getContextObject(contextName);
  for (const candidate of [context?.cluster, contextName]) {
    const arn = candidate ? EKS_CLUSTER_ARN.exec(candidate) : null;
    if (arn) return { region: arn[1]!, cluster: arn[3]!, source: `the EKS cluster ARN ${candidate}` };
  }
  const server = config.getCurrentCluster()?.server;
  let host = '';
  try {
    host = server ? new URL(server).hostname : '';
  } catch {
    // Not a URL: nothing to read from it.
  }
  const region = EKS_ENDPOINT.exec(host)?.[1];
  const args: string[] = config.getCurrentUser()?.exec?.args ?? [];
  const flag = args.findIndex((arg) => arg === '--cluster-name' || arg === '-i' || arg === '--cluster-id');
  const cluster = flag >= 0 ? args[flag + 1] : undefined;
  if (region && cluster)
    return { region, cluster, source: `the EKS endpoint ${host} and the token command's cluster name` };
  return {
    ...(region && { region }),
    ...(cluster && { cluster }),
    source: region
      ? `only the region, from the EKS endpoint ${host}`
      : `context ${contextName}, which is not an EKS cluster's`,
  };
}

// ── listing ──────────────────────────────────────────────────────────────────

interface Asking {
  what: string;
  where: string;
  context: string;
  server: string;
}

type ListPage<T> = (
  limit: number,
  cont: string | undefined,
) => Promise<{ items: T[]; metadata?: V1ListMeta }>;

/**
 * Every item, a page at a time: `limit` per request and the answer's `continue` token to the next
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks).
 * A token that expired meanwhile is a 410 Gone, after which a client starts again: once.
 */
async function listAll<T>(asking: Asking, page: ListPage<T>, pageSize: number): Promise<T[]> {
  for (let attempt = 1; ; attempt++) {
    const items: T[] = [];
    let cont: string | undefined;
    try {
      do {
        const answer = await page(pageSize, cont);
        items.push(...answer.items);
        cont = answer.metadata?._continue || undefined;
      } while (cont);
      return items;
    } catch (error) {
      if (attempt === 1 && error instanceof ApiException && error.code === 410) continue;
      throw kubeError(error, asking);
    }
  }
}

/** Services and Ingresses only sharpen the guesses: a refusal is said in the plan, not fatal. */
async function optionalList<T>(
  asking: Asking,
  unread: string[],
  pageSize: number,
  page: ListPage<T>,
): Promise<T[] | undefined> {
  try {
    return await listAll(asking, page, pageSize);
  } catch (error) {
    const cause = (error as Error).cause;
    if (cause instanceof ApiException && (cause.code === 403 || cause.code === 404)) {
      unread.push(`${asking.what} (${cause.code === 403 ? 'forbidden' : 'not served by this cluster'})`);
      return undefined;
    }
    throw error;
  }
}

/** An empty list does not tell a namespace with no Deployments from one that does not exist. */
async function requireNamespace(core: CoreV1Api, namespace: string, asking: Asking): Promise<void> {
  try {
    await core.readNamespace({ name: namespace });
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) {
      throw new UserError(
        `namespace ${namespace} not found in context ${asking.context} (${asking.server}): kubectl get namespaces --context ${asking.context} lists them`,
      );
    }
    // Many users may not read Namespaces (a cluster-scoped get): then the list has said enough.
    if (error instanceof ApiException && error.code === 403) return;
    throw kubeError(error, asking);
  }
}

/** A failed call as a message saying what to fix; the ApiException stays as the cause. */
function kubeError(error: unknown, asking: Asking): UserError {
  const at = `${asking.where} at ${asking.server}`;
  if (error instanceof ApiException) {
    const said = statusMessage(error.body);
    const detail = said ? `: ${said}` : '';
    const fix =
      error.code === 401
        ? 'your credentials were refused: refresh them (aws sso login; aws eks update-kubeconfig) and try again'
        : error.code === 403
          ? `you may not list ${asking.what} there: ask for a Role granting get and list on deployments, services and ingresses in ${asking.where.split(' ')[1]}, or check your EKS access entry`
          : `the API server answered ${error.code}`;
    return withCause(new UserError(`cannot list ${asking.what} in ${at}${detail}\n  ${fix}`), error);
  }
  const { code, message } = error as Error & { code?: string };
  const reason =
    code && NETWORK_ERROR_CODES.has(code)
      ? `${code}: is the cluster reachable from here (VPN, endpoint access)?`
      : message;
  return withCause(
    new UserError(`cannot list ${asking.what} in ${at}: ${reason}`, ExitCode.invalidInput),
    error,
  );
}

function withCause(error: UserError, cause: unknown): UserError {
  Object.defineProperty(error, 'cause', { value: cause });
  return error;
}
