/**
 * IAM roles a GitHub Actions workflow assumes through GitHub's OIDC provider: one that may start
 * and follow releases (a push to one branch of one repository), and optionally one that may only
 * preflight plans (that repository's pull requests).
 *
 * The trust names the audience and the exact subject: GitHub's subject for a push to a branch is
 * `repo:OWNER/REPO:ref:refs/heads/BRANCH`, and for a pull request `repo:OWNER/REPO:pull_request`
 * (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, WebIdentityPrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from './nag';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export interface GithubDeployRoleOptions {
  /** `OWNER/REPO`. */
  readonly repository: string;
  /** @default 'main' */
  readonly branch?: string;
  /**
   * The account's IAM OIDC provider for GitHub (one per account, created once:
   * `aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com --client-id-list sts.amazonaws.com`).
   * @default - arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com
   */
  readonly oidcProviderArn?: string;
  /**
   * Also create a role the repository's pull requests may assume, allowed only to preflight plans.
   * @default false
   */
  readonly preflightOnPullRequests?: boolean;
}

export interface GithubDeployRoleProps extends GithubDeployRoleOptions {
  /** `execute-api:Invoke` ARN of one method, e.g. ('POST', '/releases'). */
  readonly methodArn: (method: string, path: string) => string;
}

/** The API routes each role may call: starting and following a release, or preflight alone. */
export const DEPLOY_ROUTES = [
  ['POST', '/releases'],
  ['GET', '/releases/*'],
] as const;
export const PREFLIGHT_ROUTES = [['POST', '/plans/preflight']] as const;

export class GithubDeployRole extends Construct {
  readonly deployRole: Role;
  readonly preflightRole?: Role;

  constructor(scope: Construct, id: string, props: GithubDeployRoleProps) {
    super(scope, id);
    const branch = props.branch ?? 'main';
    const providerArn =
      props.oidcProviderArn ??
      Stack.of(this).formatArn({
        service: 'iam',
        region: '',
        resource: 'oidc-provider',
        resourceName: GITHUB_OIDC_HOST,
      });
    this.deployRole = this.role('Deploy', {
      providerArn,
      subject: `repo:${props.repository}:ref:refs/heads/${branch}`,
      description: `GitHub Actions of ${props.repository} on ${branch}: start and follow Switchyard releases`,
      routes: DEPLOY_ROUTES,
      methodArn: props.methodArn,
    });
    if (props.preflightOnPullRequests) {
      this.preflightRole = this.role('Preflight', {
        providerArn,
        subject: `repo:${props.repository}:pull_request`,
        description: `GitHub Actions of ${props.repository}'s pull requests: preflight Switchyard plans`,
        routes: PREFLIGHT_ROUTES,
        methodArn: props.methodArn,
      });
    }
  }

  private role(
    id: string,
    options: {
      providerArn: string;
      subject: string;
      description: string;
      routes: ReadonlyArray<readonly [string, string]>;
      methodArn: (method: string, path: string) => string;
    },
  ): Role {
    const role = new Role(this, id, {
      description: options.description,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new WebIdentityPrincipal(options.providerArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: options.subject,
        },
      }),
    });
    const statement = new PolicyStatement({
      actions: ['execute-api:Invoke'],
      resources: options.routes.map(([method, path]) => options.methodArn(method, path)),
    });
    role.addToPrincipalPolicy(statement);
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeWildcardResources(policy, [statement], (resource) =>
        resource.includes('/releases/*')
          ? 'GET /releases/{id}: the release a workflow started is named by its plan, so the path ends in any release id (GET only).'
          : undefined,
      );
    }
    return role;
  }
}

/** Problems with the options, for the construct's props check. */
export function githubDeployRoleProblems(options: GithubDeployRoleOptions): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/.test(options.repository)) {
    problems.push(`githubDeployRole.repository: "${options.repository}" is not OWNER/REPO`);
  }
  // The subject is compared exactly (StringEquals): a wildcard would be a literal, never a pattern.
  if (options.branch !== undefined && !/^[A-Za-z0-9._/-]+$/.test(options.branch)) {
    problems.push(`githubDeployRole.branch: "${options.branch}" is not a branch name`);
  }
  return problems;
}
