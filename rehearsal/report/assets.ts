/** The report's stylesheet and script, inlined into the page: it must open from file:// offline. */

export const STYLES = `
:root {
  --ink: #1c2430; --muted: #5b6675; --faint: #8a94a3; --line: #e3e7ed; --panel: #ffffff; --page: #f4f6f9;
  --completed: #0a8a62; --rolledBack: #c77c00; --failed: #c8490c; --running: #0072b2; --pending: #c3cad4;
  --pass: #0a8a62; --fail: #c8490c; --inconclusive: #d8a300; --approval: #6b46c1;
  --sans: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
}
* { box-sizing: border-box; }
html { background: var(--page); color: var(--ink); font: 15px/1.5 var(--sans); -webkit-text-size-adjust: 100%; }
body { margin: 0; padding: 28px 24px 48px; }
main { max-width: 1368px; margin: 0 auto; }
h1, h2, h3 { line-height: 1.25; margin: 0; }
h1 { font-size: 26px; font-weight: 650; letter-spacing: -0.01em; word-break: break-all; }
h2 { font-size: 18px; font-weight: 650; }
h3 { font-size: 14px; font-weight: 650; }
p { margin: 0; }
code, .mono { font-family: var(--mono); font-size: 0.86em; }
.muted { color: var(--muted); fill: var(--muted); }
.small { font-size: 12px; }
.eyebrow { font-size: 12px; font-weight: 600; letter-spacing: 0.08em; text-transform: uppercase; color: var(--muted); }
section, header.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; margin-bottom: 18px; box-shadow: 0 1px 2px rgba(16, 24, 40, 0.04); }
.section-head { display: flex; align-items: baseline; justify-content: space-between; gap: 16px; flex-wrap: wrap; margin-bottom: 12px; }
.section-head p { color: var(--muted); font-size: 13px; max-width: 760px; }

/* header */
.title-row { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; margin: 4px 0 8px; }
.status { display: inline-flex; align-items: center; gap: 6px; padding: 3px 12px; border-radius: 999px; font-size: 13px; font-weight: 700; letter-spacing: 0.04em; color: #fff; }
.status.SUCCEEDED { background: var(--completed); }
.status.ROLLED_BACK, .status.ROLLING_BACK { background: var(--rolledBack); }
.status.FAILED { background: var(--failed); }
.status.RUNNING, .status.PENDING { background: var(--running); }
.status.STALLED, .status.ABORTED { background: #5b6675; }
.reason { font-size: 15px; color: var(--ink); max-width: 1100px; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 16px; }
.stats .stat { flex: 1 1 120px; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fafbfc; }
.stat .value { display: block; font-size: 20px; font-weight: 650; font-variant-numeric: tabular-nums; }
.stat .label { display: block; font-size: 12px; color: var(--muted); }
.stat.alert .value { color: var(--rolledBack); }
.notes { margin: 14px 0 0; padding: 0; list-style: none; font-size: 13px; color: var(--muted); }
.notes li { margin-top: 4px; }

/* waves */
.waves-flow { display: flex; align-items: stretch; gap: 0; overflow-x: auto; padding-bottom: 4px; }
.wave-card { flex: 1 1 0; min-width: 220px; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: #fafbfc; }
.wave-card.completed { border-top: 4px solid var(--completed); }
.wave-card.interrupted { border-top: 4px solid var(--rolledBack); }
.wave-card.running { border-top: 4px solid var(--running); }
.wave-card.not-reached { border-top: 4px solid var(--pending); background: #fcfcfd; }
.wave-card .when { font-size: 12px; color: var(--muted); margin: 2px 0 8px; font-variant-numeric: tabular-nums; }
.wave-card ul { list-style: none; margin: 0; padding: 0; }
.wave-card li { display: flex; justify-content: space-between; gap: 8px; font-size: 13px; padding: 3px 0; border-top: 1px dashed var(--line); }
.wave-card li:first-child { border-top: 0; }
.arrow { flex: 0 0 34px; display: flex; align-items: center; justify-content: center; color: var(--faint); font-size: 20px; }
.chip { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 11.5px; font-weight: 600; line-height: 19px; white-space: nowrap; }
.chip.completed, .chip.pass { background: #dff3ea; color: #05603f; }
.chip.rolledBack, .chip.interrupted, .chip.inconclusive { background: #fdf0d5; color: #7a4b00; }
.chip.failed, .chip.fail { background: #fbe4d9; color: #9a3309; }
.chip.running { background: #dcecf7; color: #004b78; }
.chip.pending, .chip.not-reached { background: #eef0f3; color: #505a68; }

/* charts */
.chart-wrap { overflow-x: auto; position: relative; }
svg.time-chart { display: block; width: 100%; height: auto; min-width: 1100px; font-family: var(--sans); }
.time-chart text { font-size: 12px; fill: var(--ink); }
.time-chart .muted { fill: var(--muted); }
.time-chart .small { font-size: 11px; }
.grid line { stroke: #eceff3; stroke-width: 1; }
.tick-labels text { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
.waves .band { fill: #f3f7fc; }
.waves .wave-1 .band { fill: #f7f4fb; }
.waves .tab { fill: #e4edf7; }
.waves .wave-1 .tab { fill: #ece6f5; }
.waves text { font-size: 12px; font-weight: 600; fill: #30445e; }
.region-header line { stroke: var(--line); }
.region-header .region-name { font-weight: 700; font-size: 13px; }
.region-header .muted { font-size: 12px; }
.lane .service, .traffic-row .service { font-size: 12.5px; font-weight: 600; }
.lane.pending .service { fill: var(--muted); font-weight: 500; }
.lane .status { font-size: 11px; }
.status.completed { fill: var(--completed); } .status.rolledBack { fill: var(--rolledBack); } .status.failed { fill: var(--failed); }
.status.running { fill: var(--running); } .status.pending { fill: var(--faint); }
.row-hit { fill: transparent; }
.lane:hover .row-hit { fill: #f4f7fb; }
.dot.completed, .bar.completed { fill: var(--completed); }
.dot.rolledBack, .bar.rolledBack { fill: var(--rolledBack); }
.dot.failed, .bar.failed { fill: var(--failed); }
.dot.running, .bar.running { fill: var(--running); }
.dot.pending { fill: none; stroke: var(--pending); stroke-width: 1.5; }
.pending-list { fill: var(--muted); font-size: 12px; }
.pending-list .separator { fill: #c3cad4; }
.live { stroke: var(--rolledBack); stroke-width: 1.5; stroke-dasharray: 3 3; }
.rollback-bar { fill: url(#rollback-hatch); stroke: #b26b00; stroke-width: 1; }
.note { font-size: 11px !important; fill: var(--muted) !important; font-variant-numeric: tabular-nums; }
.m-weight { stroke: #fff; stroke-width: 1.6; }
.m-analysis { stroke: #fff; stroke-width: 1.4; }
.m-analysis.pass { fill: #fff; stroke: #05603f; stroke-width: 1.2; }
.m-analysis.fail { fill: var(--fail); stroke: #fff; stroke-width: 1.6; }
.m-analysis.inconclusive { fill: #f5c518; stroke: #5c4500; stroke-width: 1.2; }
.m-analysis.interrupted { fill: #fff; stroke: var(--fail); stroke-width: 1.6; stroke-dasharray: 2 1.5; }
.m-approval { stroke: var(--approval); stroke-width: 1.6; fill: #fff; }
.m-approval.given { fill: var(--approval); stroke: #fff; }
.m-pause { stroke: #fff; stroke-width: 1.8; }
.m-promote { fill: #12263a; stroke: #fff; stroke-width: 1; }
.m-failure { stroke: var(--fail); stroke-width: 2.6; stroke-linecap: round; }
.plot { fill: #fbfcfd; stroke: #e3e7ed; }
.half { stroke: #e3e7ed; stroke-dasharray: 3 4; }
.y-label { font-size: 10px !important; fill: var(--faint) !important; }
.share { fill: none; stroke-width: 2.4; stroke-linejoin: round; }
.share.after { stroke-width: 1.2; opacity: 0.35; }
.traffic-row:hover .plot { fill: #f4f7fb; }
.cursor { stroke: #1c2430; stroke-width: 1; stroke-dasharray: 3 3; pointer-events: none; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; list-style: none; margin: 0 0 10px; padding: 0; font-size: 12.5px; color: var(--muted); }
.legend li { display: inline-flex; align-items: center; gap: 6px; }
.time-tip { position: fixed; pointer-events: none; background: #1c2430; color: #fff; font-size: 12px; padding: 2px 8px; border-radius: 4px; font-variant-numeric: tabular-nums; display: none; z-index: 2; }

/* verdicts */
.matrix { border-collapse: collapse; font-size: 13px; }
.matrix th, .matrix td { padding: 4px 8px; text-align: center; border-bottom: 1px solid var(--line); }
.matrix th { font-size: 12px; color: var(--muted); font-weight: 600; }
.matrix th.row, .matrix td.row { text-align: left; white-space: nowrap; }
.matrix td.row .region { color: var(--muted); font-size: 12px; }
.verdict { display: inline-flex; align-items: center; justify-content: center; min-width: 44px; height: 22px; padding: 0 6px; border-radius: 5px; font-size: 12px; font-weight: 700; font-variant-numeric: tabular-nums; }
.verdict.pass { background: #dff3ea; color: #05603f; }
.verdict.fail { background: var(--fail); color: #fff; }
.verdict.inconclusive { background: #fdf0c2; color: #5c4500; }
.verdict.interrupted { background: #fff; color: var(--fail); border: 1px dashed var(--fail); }
.verdict .weight { font-weight: 500; opacity: 0.8; margin-left: 3px; }
.matrix-wrap { overflow-x: auto; max-width: 100%; }
.matrix-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 8px 32px; align-items: start; }
.notable { list-style: none; margin: 16px 0 0; padding: 0; }
.notable > li { border-left: 4px solid var(--inconclusive); background: #fffbea; padding: 8px 12px; margin-bottom: 8px; border-radius: 0 6px 6px 0; }
.notable > li.fail { border-color: var(--fail); background: #fdf1eb; }
.notable .what { font-weight: 600; }
.notable .details { margin: 6px 0 0; padding-left: 18px; font-size: 12.5px; color: var(--muted); }
.notable .approval { margin-top: 4px; font-size: 13px; color: var(--approval); }
.note.inside { fill: #fff !important; }
details { margin-top: 14px; }
summary { cursor: pointer; color: var(--running); font-size: 13.5px; font-weight: 600; }
table.plain { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 10px; }
table.plain th, table.plain td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.plain th { font-size: 12px; color: var(--muted); font-weight: 600; background: #fafbfc; position: sticky; top: 0; }
table.plain td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }

/* rollback */
section.rollback { border-color: #f0c98a; }
.rollback-grid { display: grid; grid-template-columns: minmax(300px, 5fr) 7fr; gap: 24px; }
.trigger { border: 1px solid #f0c98a; background: #fff8eb; border-radius: 8px; padding: 14px 16px; }
.trigger .title { font-weight: 650; font-size: 15px; margin: 4px 0; }
.trigger .when { font-size: 12.5px; color: var(--muted); font-variant-numeric: tabular-nums; }
.figures { display: flex; gap: 10px; margin-top: 12px; }
.figures .stat { flex: 1 1 0; }
.steps { list-style: none; margin: 0; padding: 0; position: relative; }
.steps li { position: relative; padding: 0 0 14px 26px; }
.steps li::before { content: ""; position: absolute; left: 6px; top: 6px; width: 10px; height: 10px; border-radius: 50%; background: var(--rolledBack); box-shadow: 0 0 0 3px #fdf0d5; }
.steps li.completed::before { background: var(--completed); box-shadow: 0 0 0 3px #dff3ea; }
.steps li.incomplete::before { background: var(--failed); box-shadow: 0 0 0 3px #fbe4d9; }
.steps li::after { content: ""; position: absolute; left: 10px; top: 18px; bottom: 0; width: 2px; background: #f0dcb6; }
.steps li:last-child::after { display: none; }
.steps .when { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.steps .what { font-weight: 600; font-size: 14px; }
.order { display: flex; flex-wrap: wrap; gap: 4px 6px; list-style: none; margin: 4px 0 0; padding: 0; counter-reset: order; }
.order li { padding: 0; font-size: 12.5px; background: #f1f3f6; border-radius: 4px; padding: 1px 7px; }
.order li::before, .order li::after { display: none; }
ol.order li { counter-increment: order; }
ol.order li span::before { content: counter(order) ". "; color: var(--muted); }
footer { color: var(--faint); font-size: 12px; text-align: center; margin-top: 8px; }
@media (max-width: 900px) { .rollback-grid { grid-template-columns: 1fr; } }
`;

/**
 * A shared time cursor: pointing at either time chart shows the same moment on both, with its
 * virtual time. It reads only the charts' own data attributes; it never touches release data.
 */
export const SCRIPT = `
(() => {
  const charts = [...document.querySelectorAll('svg.time-chart')];
  const tip = document.createElement('div');
  tip.className = 'time-tip';
  document.body.appendChild(tip);
  const label = (s) => {
    const t = Math.max(0, Math.floor(s));
    const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
    return 'T+' + h + ':' + String(m).padStart(2, '0') + ':' + String(sec).padStart(2, '0');
  };
  const hide = () => {
    tip.style.display = 'none';
    for (const chart of charts) chart.querySelector('.cursor')?.setAttribute('visibility', 'hidden');
  };
  for (const chart of charts) {
    chart.addEventListener('pointermove', (event) => {
      const matrix = chart.getScreenCTM();
      if (!matrix) return;
      const x = (event.clientX - matrix.e) / matrix.a;
      const left = Number(chart.dataset.plotLeft), width = Number(chart.dataset.plotWidth);
      if (x < left || x > left + width) return hide();
      const seconds = ((x - left) / width) * Number(chart.dataset.horizon);
      for (const other of charts) {
        const cursor = other.querySelector('.cursor');
        if (!cursor) continue;
        cursor.setAttribute('x1', String(x));
        cursor.setAttribute('x2', String(x));
        cursor.setAttribute('visibility', 'visible');
      }
      tip.textContent = label(seconds);
      tip.style.display = 'block';
      tip.style.left = event.clientX + 12 + 'px';
      tip.style.top = event.clientY - 28 + 'px';
    });
    chart.addEventListener('pointerleave', hide);
  }
})();
`;
