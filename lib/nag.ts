/**
 * cdk-nag acknowledgements, kept narrow: each wildcard resource a policy grants is acknowledged
 * on that policy alone, by the exact finding id cdk-nag reports for it, with the reason that
 * resource needs a wildcard.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledges AwsSolutions-IAM5 for every wildcard resource of `statements` on `policy`.
 * `reasonFor` must explain each one; an unexplained wildcard throws rather than passing silently.
 */
export function acknowledgeWildcardResources(
  policy: IConstruct,
  statements: readonly PolicyStatement[],
  reasonFor: (resource: string, actions: readonly string[]) => string | undefined,
): void {
  const stack = Stack.of(policy);
  const reasons = new Map<string, string>();
  for (const statement of statements) {
    for (const resource of statement.resources) {
      const flat = flattenCfnReference(stack.resolve(resource));
      if (!flat.includes('*')) continue;
      const reason = reasonFor(resource, statement.actions);
      if (reason === undefined) {
        throw new Error(`no reason given for wildcard resource ${flat} (${statement.actions.join(', ')})`);
      }
      const previous = reasons.get(flat);
      reasons.set(flat, previous && previous !== reason ? `${previous} ${reason}` : reason);
    }
  }
  for (const [flat, reason] of reasons) acknowledge(policy, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
}
