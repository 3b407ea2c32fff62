/**
 * The ports: every effect a handler has goes through one of these narrow interfaces, named in
 * the domain's words. AWS adapters implement them in production; the rehearsal's simulated
 * fleet and the tests' fakes implement the same interfaces. One file per concern; this one
 * gathers them, and `Ports` is all of them.
 */
import type { AbortAlarms } from './abort-alarms';
import type { Clock } from './clock';
import type { Cluster } from './cluster';
import type { Dns, DnsReader } from './dns';
import type { Events } from './events';
import type { Inventory, Preflight } from './inventory';
import type { Signals } from './signals';
import type { Store } from './store';
import type { Traffic, TrafficReader } from './traffic';
import type { Workflow } from './workflow';

export * from './abort-alarms';
export * from './clock';
export * from './cluster';
export * from './dns';
export * from './events';
export * from './inventory';
export * from './signals';
export * from './store';
export * from './traffic';
export * from './workflow';

/** Ports by region: each AWS region has its own clients. */
export interface Ports {
  cluster: Cluster;
  traffic: Traffic;
  /** The same traffic, read only: what a handler that never changes weights declares. */
  trafficReader: TrafficReader;
  dns: Dns;
  /** The same DNS, read only. */
  dnsReader: DnsReader;
  signals: Signals;
  /** The abort alarms Switchyard makes for canaries. */
  abortAlarms: AbortAlarms;
  inventory: Inventory;
  preflight: Preflight;
  store: Store;
  workflow: Workflow;
  events: Events;
  clock: Clock;
}
