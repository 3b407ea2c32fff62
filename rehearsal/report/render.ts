/**
 * The release report: one self-contained HTML page (inline CSS, SVG and a small script, no
 * network) from a rehearsal result. Pure: the same result gives the same page.
 */
import { SCRIPT, STYLES } from './assets';
import { EXPLAIN_STYLES } from './assets-explain';
import {
  capacityChart,
  OUTCOME_LABEL,
  regionLegend,
  setIdentifierLegend,
  timelineChart,
  timelineLegend,
  trafficChart,
} from './charts';
import { formatCount, formatOffset, formatSpan } from './format';
import { html, type SafeHtml, trusted } from './html';
import {
  type AnalysisVerdict,
  buildReportModel,
  type Failover,
  type GateVerdict,
  type Lane,
  type Outcome,
  type ReportInput,
  type ReportModel,
  type Rollback,
  type Wave,
} from './model';
import type { Drain, JudgeSummary } from './model-types';
import { analysesSection, incidentsSection, leftSection, retriesSection } from './render-explain';

/** Step Functions' hard limit on events in one execution's history. */
const HISTORY_EVENT_LIMIT = 25_000;

export function renderReport(result: ReportInput): string {
  const model = buildReportModel(result);
  const statusText = humanStatus(model.status);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${model.releaseId} — ${statusText} · Switchyard release report</title>
<style>${trusted(STYLES)}${trusted(EXPLAIN_STYLES)}</style>
</head>
<body>
<main>
${header(model)}
${leftSection(model)}
${model.rollback && rollbackSection(model.rollback)}
${wavesSection(model)}
${timelineSection(model)}
${incidentsSection(model)}
${analysesSection(model)}
${trafficSection(model)}
${model.capacity.failovers.length > 0 && failoverSection(model)}
${model.drains.length > 0 && drainSection(model.drains)}
${verdictsSection(model)}
${retriesSection(model)}
${finalStateSection(model)}
<footer>Switchyard release report · times are virtual, counted from the start of the release (T+h:mm:ss) · seed ${model.seed}</footer>
</main>
<script>${trusted(SCRIPT)}</script>
</body>
</html>
`.markup;
}

function humanStatus(status: string): string {
  return status.replace(/_/g, ' ');
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function stat(value: string, label: string, alert = false): SafeHtml {
  return html`<div class="stat${alert ? ' alert' : ''}"><span class="value">${value}</span><span class="label">${label}</span></div>`;
}

// ── header ──────────────────────────────────────────────────────────────────

function header(model: ReportModel): SafeHtml {
  const { counters } = model;
  const outcomes = countBy(model.lanes, (lane) => lane.outcome);
  const retried = model.retries.reduce((sum, retry) => sum + retry.failures, 0);
  const verdicts = countBy(model.analyses, (analysis) => analysis.verdict);
  const summary =
    model.reason ??
    (model.status === 'SUCCEEDED'
      ? `All ${model.lanes.length} service rollouts completed across ${model.regions.length} regions.`
      : undefined);
  const analysisLabel = [
    verdicts.get('fail') && `${verdicts.get('fail')} failed`,
    verdicts.get('inconclusive') && `${verdicts.get('inconclusive')} inconclusive`,
  ]
    .filter(Boolean)
    .join(', ');
  const notes: SafeHtml[] = model.secondReleases.map((second) =>
    second.outcome === 'started' && second.status
      ? html`<li>At ${formatOffset(second.atSeconds)} a second release, <code>${second.releaseId}</code>, started and ended ${humanStatus(second.status)}${second.reason ? `: ${second.reason}` : ''}</li>`
      : html`<li>At ${formatOffset(second.atSeconds)} a second release, <code>${second.releaseId}</code>, was ${second.outcome}: ${second.message}</li>`,
  );
  if (model.rollbackWindow) notes.push(windowNote(model.rollbackWindow));
  if (model.executionsByStatus.length > 0) {
    notes.push(
      html`<li>Step Functions executions: ${model.executionsByStatus.map(({ status, count }) => `${count} ${status.toLowerCase()}`).join(', ')}.</li>`,
    );
  }
  return html`<header class="card">
  <div class="eyebrow">Switchyard · release report</div>
  <div class="title-row"><h1>${model.releaseId}</h1><span class="status ${model.status}" data-status="${model.status}">${humanStatus(model.status)}</span></div>
  ${summary && html`<p class="reason">${summary}</p>`}
  ${model.faults?.description && html`<p class="fault-description"><span class="eyebrow">Rehearsed</span> ${model.faults.description}</p>`}
  ${model.unreachableRegions.length > 0 && html`<p class="reason"><strong>${model.unreachableRegions.join(', ')} unreachable at the end:</strong> the state of ${model.unreachableRegions.length > 1 ? 'their' : 'its'} services is unknown (shown as unknown / unreachable, not by their last known status).</p>`}
  <div class="stats">
    ${stat(formatSpan(counters.makespanSeconds), 'virtual makespan')}
    ${stat(formatSpan(counters.criticalPathSeconds), "plan's critical path")}
    ${stat(`${outcomes.get('completed') ?? 0} / ${model.lanes.length}`, 'service rollouts completed')}
    ${(outcomes.get('rolledBack') ?? 0) > 0 && stat(String(outcomes.get('rolledBack')), 'service rollouts rolled back', true)}
    ${(outcomes.get('unreachable') ?? 0) > 0 && stat(String(outcomes.get('unreachable')), 'unknown / unreachable', true)}
    ${stat(`${verdicts.get('pass') ?? 0} / ${model.analyses.length}`, `analyses passed${analysisLabel ? ` (${analysisLabel})` : ''}`)}
    ${stat(formatCount(counters.executions), 'executions')}
    ${stat(formatCount(counters.stateTransitions), 'state transitions')}
    ${stat(formatCount(counters.maxHistoryEvents), `max history events of ${formatCount(HISTORY_EVENT_LIMIT)}`)}
    ${stat(formatCount(counters.injectedFailures), 'injected failures')}
    ${retried > 0 && stat(formatCount(retried), 'transient failures retried')}
  </div>
  ${notes.length > 0 && html`<ul class="notes">${notes}</ul>`}
</header>`;
}

// ── waves ───────────────────────────────────────────────────────────────────

const WAVE_STATE_CLASS: Record<Wave['state'], string> = {
  completed: 'completed',
  running: 'running',
  interrupted: 'interrupted',
  'not reached': 'not-reached',
};

function regionSummary(lanes: readonly Lane[]): SafeHtml {
  const counts = countBy(lanes, (lane) => lane.outcome);
  const order: Outcome[] = ['completed', 'rolledBack', 'failed', 'running', 'unreachable', 'pending'];
  return html`${order
    .filter((outcome) => counts.has(outcome))
    .map(
      (outcome) =>
        html`<span class="chip ${outcome}">${counts.get(outcome)} ${OUTCOME_LABEL[outcome]}</span> `,
    )}`;
}

function wavesSection(model: ReportModel): SafeHtml {
  const cards = model.waves.map((wave, index) => {
    const when =
      wave.startSeconds !== undefined && wave.endSeconds !== undefined
        ? `${formatOffset(wave.startSeconds)} → ${formatOffset(wave.endSeconds)} · ${formatSpan(wave.endSeconds - wave.startSeconds)}`
        : 'not started';
    return html`${index > 0 && html`<div class="arrow" aria-hidden="true">→</div>`}<div class="wave-card ${WAVE_STATE_CLASS[wave.state]}">
      <div class="section-head" style="margin:0"><h3>${wave.label}</h3><span class="chip ${WAVE_STATE_CLASS[wave.state]}">${wave.state}</span></div>
      <div class="when">${when}</div>
      <ul>${wave.regions.map((region) => {
        const lanes = model.lanes.filter((lane) => lane.region === region);
        return html`<li><span><strong>${region}</strong> <span class="muted small">${lanes.length} services</span></span><span>${regionSummary(lanes)}</span></li>`;
      })}</ul>
    </div>`;
  });
  return html`<section class="waves-section" aria-labelledby="waves-title">
  <div class="section-head"><h2 id="waves-title">Waves</h2><p>Waves go strictly in order; the regions of a wave roll out together.</p></div>
  <div class="waves-flow">${cards}</div>
</section>`;
}

// ── timeline and traffic ────────────────────────────────────────────────────

function timelineSection(model: ReportModel): SafeHtml {
  return html`<section aria-labelledby="timeline-title">
  <div class="section-head"><h2 id="timeline-title">Timeline</h2><p>Every service in every region, on the release's virtual clock. Hover a bar or a mark for its details.</p></div>
  ${timelineLegend()}
  <div class="chart-wrap">${timelineChart(model)}</div>
</section>`;
}

function trafficSection(model: ReportModel): SafeHtml {
  return html`<section aria-labelledby="traffic-title">
  <div class="section-head"><h2 id="traffic-title">Traffic on the new version</h2><p>The canary's weight while it is a canary, 100 % once promoted (or once a recreated or rolled service is replaced), back to 0 when a rollback returns traffic to stable. One line per region.</p></div>
  ${regionLegend(model)}
  <div class="chart-wrap">${trafficChart(model)}</div>
</section>`;
}

// ── failover ────────────────────────────────────────────────────────────────

function weights(values: Record<string, number> | undefined): string {
  return values
    ? Object.entries(values)
        .map(([name, weight]) => `${name} ${weight}`)
        .join(', ')
    : '–';
}

function failoverRow(failover: Failover): SafeHtml {
  const chip =
    failover.status === 'SUCCEEDED' ? 'completed' : failover.status === 'RUNNING' ? 'running' : 'failed';
  return html`<tr><td class="num">${formatOffset(failover.atSeconds)}</td><td>${failover.direction}</td><td>${failover.region}</td><td><span class="chip ${chip}">${failover.status.toLowerCase()}</span>${failover.reason && html`<div class="small muted">${failover.reason}</div>`}</td><td class="num">${weights(failover.dnsWeightsBefore)} → ${weights(failover.dnsWeightsAfter)}${failover.dnsChangedSeconds !== undefined && html`<div class="small muted">at ${formatOffset(failover.dnsChangedSeconds)}</div>`}</td><td>${
    failover.replicaChanges.length === 0
      ? 'none'
      : html`<details><summary>${failover.replicaChanges.length} services${failover.replicasChangedSeconds !== undefined && ` at ${formatOffset(failover.replicasChangedSeconds)}`}</summary><ul class="details">${failover.replicaChanges.map((change) => html`<li>${change.service} in ${change.region}: ${change.before} → ${change.after}</li>`)}</ul></details>`
  }</td><td>${failover.unscaled.length === 0 ? '–' : html`<ul class="details">${failover.unscaled.map((entry) => html`<li>${entry.service} in ${entry.region}: ${entry.reason}</li>`)}</ul>`}</td></tr>`;
}

function failoverSection(model: ReportModel): SafeHtml {
  const { capacity } = model;
  const charted = capacity.dnsWeights.length > 0 || capacity.replicas.length > 0;
  return html`<section aria-labelledby="failover-title">
  <div class="section-head"><h2 id="failover-title">Failover</h2><p>The operator's failovers and failbacks: the Route 53 weight of each set identifier, and the replicas of every service a failover scaled (one line per region), as their records say. Single writers are never scaled.</p></div>
  ${charted && html`${setIdentifierLegend(model)}<div class="chart-wrap">${capacityChart(model)}</div>`}
  <table class="plain"><thead><tr><th>at</th><th>action</th><th>region</th><th>status</th><th>DNS weights before → after</th><th>replicas changed</th><th>left alone</th></tr></thead>
  <tbody>${capacity.failovers.map(failoverRow)}</tbody></table>
</section>`;
}

function drainSection(drains: readonly Drain[]): SafeHtml {
  return html`<section aria-labelledby="drain-title">
  <div class="section-head"><h2 id="drain-title">Drains</h2><p>Regions the plan drains for their release: the other regions scaled up, the region's Route 53 weight to 0 before its services moved (after INSYNC and the record's TTL), and back once they were verified, in the plan's steps — or given back by a rollback.</p></div>
  <table class="plain"><thead><tr><th>region</th><th>drained at</th><th>DNS weights before → during</th><th>others scaled</th><th>weight back</th><th>outcome</th></tr></thead>
  <tbody>${drains.map(
    (drain) =>
      html`<tr><td>${drain.region}</td><td class="num">${formatOffset(drain.weightRemovedSeconds ?? drain.plannedSeconds)}${drain.ttlSeconds !== undefined && html`<div class="small muted">TTL ${drain.ttlSeconds} s</div>`}</td><td class="num">${weights(drain.weightsBefore)} → ${weights(drain.weightsAfter)}</td><td class="num">${drain.scaled}</td><td>${drain.restoreSteps.length === 0 ? '–' : drain.restoreSteps.map((step) => `${step.percent} % at ${formatOffset(step.atSeconds)}`).join(', ')}</td><td>${drain.outcome}${drain.endSeconds !== undefined && html`<div class="small muted">at ${formatOffset(drain.endSeconds)}</div>`}</td></tr>`,
  )}</tbody></table>
</section>`;
}

// ── verdicts ────────────────────────────────────────────────────────────────

const VERDICT_GLYPH = { pass: '✓', fail: '✗', inconclusive: '?', interrupted: '…' } as const;

function verdictBadge(analysis: AnalysisVerdict): SafeHtml {
  return html`<span class="verdict ${analysis.verdict}" aria-label="${analysis.verdict}" title="${formatOffset(analysis.atSeconds)} analysis ${analysis.ordinal}: ${analysis.verdict} — ${analysis.reason}">${VERDICT_GLYPH[analysis.verdict]}${analysis.canaryPercent !== undefined && html`<span class="weight">${analysis.canaryPercent}%</span>`}</span>`;
}

function gateBadge(gate: GateVerdict): SafeHtml {
  const verdict = gate.passed ? 'pass' : 'fail';
  return html`<span class="verdict ${verdict}" aria-label="gate ${verdict}" title="readiness gate ${gate.passed ? 'passed' : 'failed'}${gate.score === undefined ? '' : `: score ${gate.score}${gate.minScore === undefined ? '' : ` of at least ${gate.minScore}`}`}${gate.blockers.length ? ` — ${gate.blockers.join('; ')}` : ''}">${VERDICT_GLYPH[verdict]}${gate.score !== undefined && html`<span class="weight">${gate.score}</span>`}</span>`;
}

function verdictsSection(model: ReportModel): SafeHtml {
  const judged = model.lanes.filter((lane) =>
    [...model.analyses, ...model.gates].some(
      (item) => item.region === lane.region && item.service === lane.service,
    ),
  );
  const columns = Math.max(0, ...model.analyses.map((analysis) => analysis.ordinal));
  const tables = model.regions
    .map((region) => judged.filter((lane) => lane.region === region))
    .filter((lanes) => lanes.length > 0)
    .map((lanes) => {
      const region = lanes[0]!.region;
      return html`<div class="matrix-wrap"><table class="matrix">
        <caption class="eyebrow" style="text-align:left;padding:4px 8px">${region}</caption>
        <thead><tr><th class="row" scope="col">service</th><th scope="col">gate</th>${Array.from({ length: columns }, (_, index) => html`<th scope="col">analysis ${index + 1}</th>`)}</tr></thead>
        <tbody>${lanes.map((lane) => {
          const mine = (item: { region: string; service: string }) =>
            item.region === lane.region && item.service === lane.service;
          const gate = model.gates.filter(mine).at(-1);
          const analyses = model.analyses.filter(mine);
          return html`<tr><td class="row">${lane.service}</td><td>${gate ? gateBadge(gate) : '–'}</td>${Array.from(
            { length: columns },
            (_, index) => {
              const analysis = analyses.find((item) => item.ordinal === index + 1);
              return html`<td>${analysis ? verdictBadge(analysis) : ''}</td>`;
            },
          )}</tr>`;
        })}</tbody>
      </table></div>`;
    });

  const notable = [
    ...model.gates
      .filter((gate) => !gate.passed)
      .map((gate) => ({
        atSeconds: gate.atSeconds,
        tone: 'fail',
        body: html`<span class="what">${gate.service} in ${gate.region}: readiness gate failed</span> <span class="muted small">${formatOffset(gate.atSeconds)}</span>${gate.score !== undefined && html` — score ${gate.score}${gate.minScore !== undefined && html`, needs ${gate.minScore}`}`}${gate.blockers.length > 0 && html`<ul class="details">${gate.blockers.map((blocker) => html`<li>${blocker}</li>`)}</ul>`}`,
      })),
    ...model.analyses
      .filter((analysis) => analysis.verdict !== 'pass')
      .map((analysis) => ({
        atSeconds: analysis.atSeconds,
        tone: analysis.verdict,
        body: html`<span class="what">${analysis.service} in ${analysis.region}: analysis ${analysis.ordinal} ${analysis.verdict}</span> <span class="muted small">${formatOffset(analysis.atSeconds)}${analysis.canaryPercent !== undefined && ` · canary at ${analysis.canaryPercent} %`}</span><br>${analysis.reason}${analysis.approval && html`<div class="approval">◆ paused for approval at ${formatOffset(analysis.approval.requestedSeconds)}${analysis.approval.givenSeconds === undefined ? '; not given' : `; approved at ${formatOffset(analysis.approval.givenSeconds)}, after ${formatSpan(analysis.approval.givenSeconds - analysis.approval.requestedSeconds)}`}</div>`}${analysis.details.length > 0 && html`<ul class="details">${analysis.details.slice(0, 4).map((line) => html`<li>${line}</li>`)}${analysis.details.length > 4 && html`<li>… and ${analysis.details.length - 4} more</li>`}</ul>`}`,
      })),
  ].sort((a, b) => a.atSeconds - b.atSeconds);

  const passed = model.analyses.filter((analysis) => analysis.verdict === 'pass').length;
  const intro =
    model.analyses.length === 0
      ? 'No analysis ran.'
      : `${passed} of ${model.analyses.length} analyses passed; ${model.gates.filter((gate) => gate.passed).length} of ${model.gates.length} readiness gates passed. Each cell shows the verdict and the canary's weight while it was judged; hover it for the reason.`;
  return html`<section aria-labelledby="verdicts-title">
  <div class="section-head"><h2 id="verdicts-title">Verdicts</h2><p>${intro}</p></div>
  ${tables.length > 0 && html`<div class="matrix-grid">${tables}</div>`}
  ${notable.length > 0 && html`<h3 style="margin-top:18px">Verdicts other than a pass</h3><ul class="notable">${notable.map((item) => html`<li class="${item.tone}">${item.body}</li>`)}</ul>`}
  ${
    model.analyses.length > 0 &&
    html`<details><summary>Every analysis (${model.analyses.length})</summary>
    <table class="plain"><thead><tr><th>at</th><th>region</th><th>service</th><th>#</th><th>canary</th><th>verdict</th><th>reason</th></tr></thead>
    <tbody>${model.analyses.map((analysis) => html`<tr><td class="num">${formatOffset(analysis.atSeconds)}</td><td>${analysis.region}</td><td>${analysis.service}</td><td class="num">${analysis.ordinal}</td><td class="num">${analysis.canaryPercent === undefined ? '–' : `${analysis.canaryPercent} %`}</td><td><span class="chip ${analysis.verdict}">${analysis.verdict}</span></td><td>${analysis.reason}${analysis.judge && judgeTable(analysis.judge)}</td></tr>`)}</tbody></table>
  </details>`
  }
</section>`;
}

// ── rollback ────────────────────────────────────────────────────────────────

function rollbackSection(rollback: Rollback): SafeHtml {
  const outcomeChip =
    rollback.outcome === 'completed'
      ? html`<span class="chip completed">completed</span>`
      : rollback.outcome === 'incomplete'
        ? html`<span class="chip failed">incomplete: needs a person</span>`
        : html`<span class="chip running">not finished</span>`;
  const trigger = rollback.trigger;
  return html`<section class="rollback" id="rollback" aria-labelledby="rollback-title">
  <div class="section-head"><h2 id="rollback-title">Rollback</h2>${outcomeChip}</div>
  <div class="rollback-grid">
    <div>
      <div class="trigger">
        <div class="eyebrow">Trigger</div>
        <div class="title">${trigger?.title ?? 'Rollback requested'}</div>
        <div class="when">${formatOffset(trigger?.atSeconds ?? rollback.startedSeconds)}${trigger?.region && ` · ${trigger.region}`}${trigger?.service && ` · ${trigger.service}`}</div>
        ${(trigger?.description ?? rollback.reason) && html`<p style="margin-top:6px">${trigger?.description ?? rollback.reason}</p>`}
      </div>
      <div class="figures">
        ${stat(rollback.timeToRollbackSeconds === undefined ? 'not restored' : formatSpan(rollback.timeToRollbackSeconds), 'time to rollback: trigger → every service restored', rollback.timeToRollbackSeconds === undefined)}
        ${stat(rollback.durationSeconds === undefined ? '–' : formatSpan(rollback.durationSeconds), 'rollback duration')}
        ${stat(String(rollback.restored.length), 'service rollouts restored')}
      </div>
      <ul class="rollback-times">
        <li>${trigger ? 'trigger' : 'rollback asked for'} at <strong>${formatOffset(rollback.fromSeconds)}</strong></li>
        ${rollback.trafficRestored.map((entry) => html`<li>stable traffic back to 100 % in ${entry.region} at <strong>${formatOffset(entry.atSeconds)}</strong> (+${formatSpan(entry.atSeconds - rollback.fromSeconds)})</li>`)}
        ${rollback.trafficNotRestored.map((region) => html`<li>stable traffic <strong>never restored</strong> in ${region}</li>`)}
        <li>${rollback.outcome === 'completed' ? 'every touched service verified back on its snapshot' : rollback.outcome === 'incomplete' ? 'rollback gave up' : 'still rolling back when the record ends'}${rollback.endSeconds !== undefined && html` at <strong>${formatOffset(rollback.endSeconds)}</strong> (+${formatSpan(rollback.endSeconds - rollback.fromSeconds)})`}</li>
      </ul>
      ${rollback.incompleteReason && html`<p class="reason" style="margin-top:12px"><strong>Why it gave up:</strong> ${rollback.incompleteReason} <span class="small muted">(what to do is under “What is left for a person”, above)</span></p>`}
    </div>
    <div>
      <h3 style="margin-bottom:10px">What was restored, in order</h3>
      <ol class="steps">${rollback.steps.map(
        (step) => html`<li class="${step.kind}">
          <div class="when">${formatOffset(step.atSeconds)}${step.atSeconds > rollback.startedSeconds && ` · +${formatSpan(step.atSeconds - rollback.startedSeconds)}`}${step.region && html` · <strong>${step.region}</strong>`}</div>
          <div class="what">${step.label}${step.kind === 'started' && rollback.regions.length > 0 && ` in ${rollback.regions.join(', ')}`}</div>
          ${step.services.length > 0 && (step.kind === 'workloads' ? html`<ol class="order">${step.services.map((service) => html`<li><span>${service}</span></li>`)}</ol>` : html`<ul class="order">${step.services.map((service) => html`<li>${service}</li>`)}</ul>`)}
        </li>`,
      )}</ol>
    </div>
  </div>
  ${
    rollback.restored.length > 0 &&
    html`<details><summary>Images after the rollback (${rollback.restored.length})</summary>
    <table class="plain"><thead><tr><th>region</th><th>service</th><th>running now</th><th>snapshot before the release</th></tr></thead>
    <tbody>${rollback.restored.map((item) => html`<tr><td>${item.region}</td><td>${item.service}</td><td class="mono">${item.image ?? '–'}</td><td class="mono">${item.previousImage ?? '–'}</td></tr>`)}</tbody></table>
  </details>`
  }
</section>`;
}

// ── final state ─────────────────────────────────────────────────────────────

function finalStateSection(model: ReportModel): SafeHtml {
  return html`<section aria-labelledby="final-title">
  <div class="section-head"><h2 id="final-title">Final state</h2><p>Each service in each region when the record ends.</p></div>
  <details><summary>All ${model.lanes.length} service rollouts</summary>
  <table class="plain"><thead><tr><th>region</th><th>service</th><th>status</th><th>strategy</th><th>steps</th><th>weights (stable / canary)</th><th>image</th><th>before the release</th></tr></thead>
  <tbody>${model.lanes.map(
    (lane) =>
      html`<tr><td>${lane.region}</td><td>${lane.service}</td><td><span class="chip ${lane.outcome}">${lane.status.toLowerCase().replace(/_/g, ' ')}</span></td><td>${lane.strategy ?? '–'}</td><td class="num">${lane.stepsTotal > 0 ? `${lane.stepsReached} / ${lane.stepsTotal}` : '–'}</td><td class="num">${lane.weights ? `${lane.weights.stable} / ${lane.weights.canary}` : '–'}</td><td class="mono">${lane.image ?? '–'}</td><td class="mono">${lane.previousImage ?? '–'}</td></tr>`,
  )}</tbody></table>
  </details>
</section>`;
}

/** A judge's verdict per metric: samples per side, U and p against α, the shift with its interval, and the band. */
function judgeTable(judge: JudgeSummary): SafeHtml {
  const unit = (metric: JudgeSummary['metrics'][number]) =>
    metric.unit === 'points' ? ' pts' : ` ${metric.unit}`;
  return html`<table class="plain small judge"><caption class="muted">judge at confidence ${judge.confidence}${judge.score !== undefined && `, score ${judge.score}`}</caption><thead><tr><th>metric</th><th>n canary / stable</th><th>U</th><th>p (α)</th><th>shift [interval]</th><th>band</th><th>result</th></tr></thead><tbody>${judge.metrics.map(
    (metric) =>
      html`<tr><td>${metric.metric}${metric.critical && ' (critical)'}</td><td class="num">${metric.canarySamples} / ${metric.stableSamples}</td><td class="num">${metric.u ?? '–'}</td><td class="num">${metric.p ?? '–'} (${Number(metric.alpha.toPrecision(3))})</td><td class="num">${metric.shift === undefined ? '–' : `${metric.shift}${unit(metric)}`}${metric.shiftInterval && ` [${metric.shiftInterval[0]}, ${metric.shiftInterval[1]}]`}</td><td class="num">±${metric.band[1]}${unit(metric)}</td><td><span class="chip ${metric.result}">${metric.result}</span></td></tr>`,
  )}</tbody></table>`;
}

/** After the last wave: how long the rollback window was open, by region, and how it closed. */
function windowNote(window: NonNullable<ReportModel['rollbackWindow']>): SafeHtml {
  const regions = Object.entries(window.regions)
    .map(([region, endsAt]) => `${region} until ${formatOffset(endsAt)}`)
    .join(', ');
  const closed = {
    ended: 'it ran out with no alarm: the release succeeded then',
    promoted: `${window.closer ?? 'a person'} promoted the release, closing it early`,
    alarm: `alarm ${window.closer ?? ''} entered ALARM within it: every wave was rolled back`,
    aborted: `${window.closer ?? 'a person'} aborted the release within it`,
    open: 'it was still open when the rehearsal stopped',
  }[window.closedBy];
  const at = window.closedAtSeconds === undefined ? '' : ` at ${formatOffset(window.closedAtSeconds)}`;
  return html`<li>After the last wave, the rollback window opened at ${formatOffset(window.opensAtSeconds)} (${regions}); ${closed}${window.closedBy === 'ended' ? '' : at}.</li>`;
}
