/**
 * The live view of a real rehearsal (the three-region fixture: twelve service rollouts in two
 * waves), drawn into headless terminals of 80×24 and 160×50 exactly as `rehearse` draws it on a
 * terminal, and read back from the terminal's screen and scrollback.
 */
import picocolors from 'picocolors';
import { beforeAll, describe, expect, it } from 'vitest';
import { NO_COLORS, recordingIo } from '../../bin/cli/io';
import { renderBoard } from '../../bin/cli/live-render';
import { LiveProgress } from '../../bin/cli/rehearse-progress';
import { fixturePlan, rehearseFixture } from '../rehearsal/fixtures/rehearsal';
import { type HeadlessTerminal, headlessTerminal } from './headless-terminal';

const HEADER = 'rehearse fixture-three-regions';
const ESC = String.fromCharCode(27);
/** Select Graphic Rendition: colour, bold, dim. log-update's cursor moves and erases are others. */
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`);
const SERVICES = ['store', 'auth', 'web', 'worker'];

interface Watched {
  terminal: HeadlessTerminal;
  frames: string[];
}

describe('the live view of a rehearsal', () => {
  const views: Record<'small' | 'smallColoured' | 'large', Watched> = {
    small: watched(80, 24),
    smallColoured: watched(80, 24),
    large: watched(160, 50),
  };
  const following: Array<{ live: LiveProgress; view: Watched }> = [];

  beforeAll(async () => {
    const { plan } = fixturePlan('three-regions');
    for (const [name, view] of Object.entries(views)) {
      const colors = name === 'smallColoured' ? picocolors.createColors(true) : NO_COLORS;
      const io = recordingIo({ isTty: true, colors, live: view.terminal.stream });
      following.push({ live: new LiveProgress(plan, io, { redrawIntervalMs: 0 }), view });
    }
    // Each update draws a frame (no throttle); the same board through the same renderer is kept
    // to judge frame by frame (log-update writes only the lines that changed).
    const drawn = () => {
      for (const { live, view } of following) {
        const { columns = 80, rows = 24 } = view.terminal.stream;
        view.frames.push(renderBoard(live.board(), { columns, rows }, NO_COLORS));
      }
    };
    await rehearseFixture('three-regions', {
      onAudit: (entry, elapsed, fleet) => {
        for (const { live } of following) live.update(entry, elapsed, fleet);
        drawn();
      },
      onProgress: (event) => {
        for (const { live } of following) live.progress(event);
        drawn();
      },
    });
    for (const { live } of following) live.finish();
  }, 120_000);

  it('at 80×24 leaves one board in screen and scrollback, no line wrapped, each frame at most 23 lines', async () => {
    const { terminal, frames } = views.small;
    expect(frames.length).toBeGreaterThan(100);
    const lines = await terminal.lines();
    expect(lines.filter((line) => line.text.startsWith(HEADER))).toHaveLength(1);
    expect(lines.filter((line) => line.wrapped)).toEqual([]);
    for (const frame of frames) {
      const frameLines = frame.split('\n');
      expect(frameLines.length).toBeLessThanOrEqual(23);
      for (const line of frameLines) expect(Array.from(line).length).toBeLessThanOrEqual(80);
    }
    // The last frame is what stays: the release's end, every service of both regions healthy.
    const screen = lines.map((line) => line.text).join('\n');
    expect(screen).toContain(`${HEADER}  SUCCEEDED`);
    expect(screen).not.toMatch(/Progressing|Pending/);
  });

  it('at 80×24 condenses: images only for services under way (live-render.test.ts folds further)', () => {
    const { frames } = views.small;
    const waveOneRuns = frames.filter((frame) => /◌ auth\s+Progressing/.test(frame.split('wave 2')[0]!));
    expect(waveOneRuns.length).toBeGreaterThan(0);
    for (const frame of waveOneRuns) {
      // Twelve services and their images are more than 23 lines: the settled keep no image line.
      expect(frame).not.toMatch(/[✔·] \w+ .*\n {8}stable /);
      expect(frame).toMatch(/◌ auth .*\n {8}stable .*auth:/);
    }
  });

  it('shows for each service its state, step n/m with the step name, set and observed weights, images and ready replicas', () => {
    const { frames } = views.large;
    const canaryAt25 = frames.find((frame) =>
      /◌ auth\s+Progressing\s+step 2\/4 analysis 2m\s+75\/25\s+75\/25\s+2\/2 1\/1/.test(frame),
    );
    expect(canaryAt25).toBeDefined();
    expect(canaryAt25).toMatch(
      /stable registry\.example\.com\/platform\/auth:previous\s+canary registry\.example\.com\/platform\/auth:2\.0\.0/,
    );
    expect(canaryAt25).toMatch(/^recent$/m);
    expect(canaryAt25).toMatch(/us-east-1 auth\s+step 1\/4 setWeight 25 done \(stable 75 \/ canary 25\)/);
  });

  it('at 160×50 shows every service of every region in every frame, and one board', async () => {
    const { terminal, frames } = views.large;
    for (const frame of frames) {
      expect(frame.split('\n').length).toBeLessThanOrEqual(49);
      for (const region of ['us-east-1 (use1)', 'us-west-2 (usw2)', 'eu-west-1 (euw1)'])
        expect(frame).toContain(`  ${region}\n`);
      for (const service of SERVICES)
        expect(frame.match(new RegExp(`[✔◌॥✖↺·?] ${service} `, 'g'))).toHaveLength(3);
    }
    const lines = await terminal.lines();
    expect(lines.filter((line) => line.text.startsWith(HEADER))).toHaveLength(1);
    expect(lines.filter((line) => line.wrapped)).toEqual([]);
  });

  it('sends no colour code with colours off, and colours states with them on', () => {
    expect(views.small.terminal.written()).not.toMatch(SGR);
    expect(views.large.terminal.written()).not.toMatch(SGR);
    const coloured = views.smallColoured.terminal.written();
    expect(coloured).toMatch(SGR);
    expect(coloured).toContain(picocolors.createColors(true).green('✔'));
  });
});

function watched(columns: number, rows: number): Watched {
  return { terminal: headlessTerminal(columns, rows), frames: [] };
}
