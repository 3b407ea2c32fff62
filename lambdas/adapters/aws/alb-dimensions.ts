/**
 * CloudWatch's ALB dimensions from ELBv2 ARNs: what analysis reads and abort alarms watch, in a
 * module of its own so an abort alarm's bundle does not carry the signals adapter.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 */

/** The part of an ELBv2 ARN after `<account>:`, e.g. `targetgroup/web/73e2d6bc24d8a067`. */
function arnResource(arn: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') throw new Error(`not an ARN: ${arn}`);
  return parts.slice(5).join(':');
}

/** CloudWatch's TargetGroup dimension: `targetgroup/<name>/<id>`. */
export function targetGroupDimension(targetGroupArn: string): string {
  const resource = arnResource(targetGroupArn);
  if (!resource.startsWith('targetgroup/')) throw new Error(`not a target group ARN: ${targetGroupArn}`);
  return resource;
}

/** CloudWatch's LoadBalancer dimension: `app/<name>/<id>`, the ARN's resource without `loadbalancer/`. */
export function loadBalancerDimension(loadBalancerArn: string): string {
  const resource = arnResource(loadBalancerArn);
  if (!resource.startsWith('loadbalancer/app/')) {
    throw new Error(`not an Application Load Balancer ARN: ${loadBalancerArn}`);
  }
  return resource.slice('loadbalancer/'.length);
}
