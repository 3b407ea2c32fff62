/**
 * The board renderer on its own, with boards larger than any fixture rehearsal makes: how it
 * folds to fit a terminal, and that it never wraps a line or sends a colour it was not given.
 */
import picocolors from 'picocolors';
import { describe, expect, it } from 'vitest';
import { NO_COLORS } from '../../bin/cli/io';
import type { Board, BoardService, ServiceState } from '../../bin/cli/live-board';
import { renderBoard } from '../../bin/cli/live-render';

const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);

function service(name: string, state: ServiceState): BoardService {
  const started = state !== 'Pending';
  return {
    service: name,
    state,
    ...(started && { step: { number: 3, count: 7, name: 'setWeight 20', done: state === 'Healthy' } }),
    ...(started && { setWeights: { stable: 80, canary: 20 }, actualWeights: { stable: 80, canary: 20 } }),
    images: {
      stable: `123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/${name}:1.41.0`,
      ...(started && { canary: `123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/${name}:1.42.0` }),
    },
    ready: { stable: { ready: 6, replicas: 6 }, ...(started && { canary: { ready: 1, replicas: 2 } }) },
  };
}

const NAMES = ['auth', 'api-gateway', 'payments', 'orders', 'search', 'web', 'worker', 'notifications'];

/** Three waves of two regions, eight services each: wave 1 done, wave 2 under way, wave 3 to come. */
function fleetBoard(): Board {
  const region = (name: string, states: (index: number) => ServiceState) => ({
    region: name,
    cluster: `platform-${name}`,
    services: NAMES.map((each, index) => service(each, states(index))),
  });
  return {
    title: 'rehearse platform-2026-12-01',
    status: 'RUNNING',
    clock: '+1h12m',
    waves: [
      { wave: 1, regions: [region('us-east-1', () => 'Healthy'), region('us-east-2', () => 'Healthy')] },
      {
        wave: 2,
        regions: [
          region('us-west-2', (index) => (index < 2 ? 'Healthy' : index === 2 ? 'Progressing' : 'Pending')),
          region('eu-west-1', (index) => (index === 0 ? 'Paused' : index === 1 ? 'Degraded' : 'Pending')),
        ],
      },
      {
        wave: 3,
        regions: [region('ap-south-1', () => 'Pending'), region('ap-northeast-1', () => 'Pending')],
      },
    ],
    notices: [],
    recent: Array.from({ length: 12 }, (_, index) => `+1h${index}m  us-west-2 payments  event ${index}`),
  };
}

describe('renderBoard', () => {
  it('fits 48 services into 80×24: finished and untouched waves as counts, services under way in full', () => {
    const frame = renderBoard(fleetBoard(), { columns: 80, rows: 24 }, NO_COLORS);
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(80);
    expect(frame).toMatch(/^wave 1 {2}2 region\(s\) ✔ 16 Healthy$/m);
    expect(frame).toMatch(/^wave 3 {2}2 region\(s\) · 16 Pending$/m);
    expect(frame).toMatch(/◌ payments\s+Progressing\s+step 3\/7 setWeight 20\s+80\/20\s+80\/20\s+6\/6 1\/2/);
    expect(frame).toMatch(/॥ auth\s+Paused/);
    expect(frame).toMatch(/✖ api-gateway\s+Degraded/);
  });

  it('folds the settled services of a region under way into one line naming them when rows are short', () => {
    const frame = renderBoard(fleetBoard(), { columns: 80, rows: 16 }, NO_COLORS);
    expect(frame.split('\n').length).toBeLessThanOrEqual(15);
    expect(frame).toMatch(/◌ payments\s+Progressing/);
    expect(frame).toMatch(
      /^ {4}✔ 2 Healthy · 5 Pending \(auth, api-gateway, orders, search, web, worker, no…$/m,
    );
    expect(frame).toMatch(/^ {4}· 6 Pending \(payments, orders, search, web, worker, notifications\)$/m);
  });

  it('shows everything at 160×50 when it fits', () => {
    const board = fleetBoard();
    board.waves = board.waves.slice(1, 2);
    const frame = renderBoard(board, { columns: 160, rows: 50 }, NO_COLORS);
    expect(frame.split('\n').length).toBeLessThanOrEqual(49);
    // Both images do not fit in full: each keeps its tail, where versions differ.
    expect(frame).toMatch(
      /stable …[\w.-]+\/platform\/payments:1\.41\.0 {2}canary …[\w.-]+\/platform\/payments:1\.42\.0/,
    );
    expect(frame).toContain(
      '        stable 123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/orders:1.41.0\n',
    );
    expect(frame.match(/^ {4}[✔◌॥✖↺·?] /gm)).toHaveLength(16);
    expect(frame).toMatch(/^recent$/m);
  });

  it('ends with "… N more" when even the services under way do not fit', () => {
    const board = fleetBoard();
    for (const region of board.waves[1]!.regions)
      for (const each of region.services) each.state = 'Progressing';
    const frame = renderBoard(board, { columns: 80, rows: 12 }, NO_COLORS);
    const lines = frame.split('\n');
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toMatch(/^ {2}… \d+ more$/);
  });

  it('paints states only when given colours', () => {
    expect(renderBoard(fleetBoard(), { columns: 80, rows: 24 }, NO_COLORS)).not.toMatch(SGR);
    const coloured = renderBoard(fleetBoard(), { columns: 80, rows: 24 }, picocolors.createColors(true));
    expect(coloured).toContain(picocolors.createColors(true).red('✖'));
    // Cutting counts what is seen, not the escapes.
    for (const line of coloured.split('\n'))
      expect(Array.from(line.replace(new RegExp(SGR.source, 'g'), '')).length).toBeLessThanOrEqual(80);
  });
});
