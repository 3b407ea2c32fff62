/** Route 53 record names, compared the way Route 53 and IAM compare them. */

/**
 * The TTL resolvers see for an alias record to an ELB load balancer, which has none of its own:
 * "alias records with a fixed TTL of 60 seconds" (https://aws.amazon.com/route53/faqs/).
 */
export const ALIAS_TARGET_TTL_SECONDS = 60;

/**
 * Route 53 returns names fully qualified, lower-case for comparison purposes, and with special
 * characters as octal escapes (`*` is `\052`); plans may write them any of those ways.
 */
export function normalizeName(name: string): string {
  const unescaped = name.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );
  const lower = unescaped.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/**
 * A record name as IAM's route53:ChangeResourceRecordSetsNormalizedRecordNames compares it:
 * lower case, no final dot, and every character but a-z, 0-9, `-`, `_` and `.` as a three-digit
 * octal escape (`*` is `\052`):
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-conditions-route53.html
 */
export function iamRecordName(name: string): string {
  return normalizeName(name)
    .slice(0, -1)
    .replace(/[^a-z0-9_.-]/g, (char) => `\\${char.charCodeAt(0).toString(8).padStart(3, '0')}`);
}
