/**
 * The release queue from the command line, over real localhost HTTP against `switchyard serve`'s
 * server (in-process, the local platform on DynamoDB Local): start --queue, start --preempt,
 * list with positions, status of a queued release, cancel, and the exit codes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Io, main } from '../../bin/cli';
import { exitCodeOf } from '../../bin/cli/api-commands';
import { NO_COLORS } from '../../bin/cli/io';
import { type LocalApi, startLocalApi } from '../../bin/cli/serve-command';
import { fixtureDocument, fixturePlan } from '../api/support';
import { dynamoDbLocalClient } from '../support/dynamodb';

function capture(): { io: Io; out: string[]; err: string[]; text: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
      isTty: false,
      colors: NO_COLORS,
    },
    out,
    err,
    text: () => [...out, ...err].join('\n'),
  };
}

function planFile(releaseId: string, emergency?: string): string {
  const document = fixtureDocument(releaseId);
  if (emergency) document.metadata.emergency = { reason: emergency };
  const path = join(mkdtempSync(join(tmpdir(), 'switchyard-queue-')), `${releaseId}.yaml`);
  writeFileSync(path, stringify(document));
  return path;
}

describe('the queue from the CLI', () => {
  let client: DynamoDBClient;
  let api: LocalApi;
  const run = async (...args: string[]) => {
    const captured = capture();
    const code = await main([...args, '--api', api.url], captured.io);
    await api.backend.idle();
    return { code, ...captured };
  };

  beforeAll(async () => {
    client = dynamoDbLocalClient();
    api = await startLocalApi({ plan: fixturePlan(), seed: 5, dynamoDb: client, port: 0 });
  });
  afterAll(async () => {
    await api?.close();
    client?.destroy();
  });

  it('start --queue waits behind the running release: exit 0, its place said; list and status show it', async () => {
    expect((await run('start', planFile('first'))).code).toBe(0);
    const refused = await run('start', planFile('second'));
    expect(refused.code).toBe(5);

    const queued = await run('start', planFile('second'), '--queue');
    expect(queued.code).toBe(0);
    expect(queued.text()).toContain(
      'release second queued at #1: it starts when the lock is free and its turn comes (switchyard cancel second takes it off)',
    );

    const list = await run('list');
    expect(list.code).toBe(0);
    const rows = list.out.join('\n').split('\n');
    expect(rows[0]).toMatch(/^queue\s+release\s+kind\s+status/);
    expect(rows.find((row) => row.includes('second'))).toMatch(/^#1\s+second\s+release\s+QUEUED/);
    expect(rows.find((row) => row.includes('first'))).toMatch(/^\s+first\s+release\s+RUNNING/);
    expect(list.text()).toContain('queue: #1 second');

    const status = await run('status', 'second');
    expect(status.code).toBe(0);
    expect(status.text()).toContain('release second — QUEUED');
    expect(status.text()).toContain('  queued     #1, behind release first (holds the lock)');
  });

  it('refuses bad input with exit 2, changing nothing: --preempt without an emergency, a mistyped flag', async () => {
    const preempt = await run('start', planFile('not-urgent'), '--preempt');
    expect(preempt.code).toBe(2);
    expect(preempt.text()).toContain(
      '--preempt is for emergency releases only: give the plan metadata.emergency.reason',
    );
    const typo = await run('start', planFile('not-urgent'), '--queu');
    expect(typo.code).toBe(2);
    expect(typo.text()).toContain('(Did you mean --queue?)');
    expect((await run('status', 'not-urgent')).code).toBe(2);
  });

  it('start --preempt of an emergency rolls the running release back (exit 3 for it), then runs', async () => {
    const urgent = await run('start', planFile('urgent', 'card payments fail'), '--preempt');
    expect(urgent.code).toBe(0);
    expect(urgent.text()).toContain('release urgent queued at #1');

    const first = await run('status', 'first');
    expect(first.code).toBe(3);
    expect(first.text()).toContain(
      'release first — ROLLED_BACK: preempted by emergency release urgent: card payments fail',
    );
    const audit = await run('audit', 'first');
    expect(audit.text()).toMatch(
      /release\.preempted {2}by emergency release urgent: card payments fail {2}\(\S+\)/,
    );
    const urgentAudit = await run('audit', 'urgent');
    expect(urgentAudit.text()).toMatch(
      /release\.queued {2}#1 behind first \(emergency: card payments fail\), preempts first {2}\(\S+\)/,
    );
    expect((await run('status', 'urgent')).text()).toContain('release urgent — RUNNING');
    expect((await run('status', 'second')).text()).toContain('#1, behind release urgent');
  });

  it('cancel takes a queued release off (exit 0, again harmlessly); anything else is exit 2 naming its status', async () => {
    const cancelled = await run('cancel', 'second');
    expect(cancelled.code).toBe(0);
    expect(cancelled.text()).toBe('release second cancelled: taken off the queue, nothing of it ran');
    expect((await run('cancel', 'second')).text()).toBe('release second was already cancelled');
    // A cancelled release never ran: status exits as refused.
    expect((await run('status', 'second')).code).toBe(5);

    const running = await run('cancel', 'urgent');
    expect(running.code).toBe(2);
    expect(running.text()).toContain(
      'release urgent is RUNNING, not QUEUED: only a queued release can be cancelled',
    );
    expect((await run('list')).text()).not.toContain('queue: ');
  });

  it('exits 5 for a full queue, as for a held lock', () => {
    for (const error of ['LockHeld', 'QueueFull'])
      expect(exitCodeOf({ status: 409, body: { error } })).toBe(5);
    expect(exitCodeOf({ status: 409, body: { error: 'Conflict' } })).toBe(2);
  });
});
