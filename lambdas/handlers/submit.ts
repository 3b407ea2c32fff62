/**
 * Submitting moved to app/submit-release.ts. handlers/failover.ts (being split on another
 * branch) still imports planHash from here: point it at app/submit-release, then delete this.
 */
export { planHash } from '../app/submit-release';
