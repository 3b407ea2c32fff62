/**
 * The report's sections that explain: what is left for a person (each with its CLI command),
 * what happened to the release (alarms, outages, injected faults), the retries, and one chart
 * per analysis against the plan's limits.
 */
import { analysisChart, analysisLegend } from './charts-analysis';
import { formatOffset, formatSpan } from './format';
import { html, type SafeHtml } from './html';
import type { AnalysisVerdict, ReportModel } from './model';

/** Charts drawn at most: a release of a thousand services has thousands of analyses. */
export const MAX_ANALYSIS_CHARTS = 60;

export function leftSection(model: ReportModel): SafeHtml | null {
  if (model.leftForAPerson.length === 0) return null;
  return html`<section class="left" id="left-for-a-person" aria-labelledby="left-title">
  <div class="section-head"><h2 id="left-title">What is left for a person</h2><p>In this order. Each command talks to the Switchyard API that <code>--api</code> or <code>$SWITCHYARD_API</code> names.</p></div>
  <ol class="left-items">${model.leftForAPerson.map(
    (item) =>
      html`<li><div class="what">${item.what}</div><pre class="command"><code>${item.command}</code></pre>${item.why && html`<div class="small muted">${item.why}</div>`}</li>`,
  )}</ol>
</section>`;
}

export function incidentsSection(model: ReportModel): SafeHtml | null {
  const { faults, incidents } = model;
  if (!faults && incidents.length === 0) return null;
  const listed = incidents.filter((incident) => incident.kind !== 'injected');
  const injected = incidents.filter((incident) => incident.kind === 'injected');
  return html`<section id="incidents" aria-labelledby="incidents-title">
  <div class="section-head"><h2 id="incidents-title">What happened to the release</h2><p>Alarms Switchyard received, and what the fault file made go wrong, on the release's clock. The timeline and the analysis charts mark them too.</p></div>
  ${faults?.description && html`<p class="fault-description"><span class="eyebrow">Fault file</span> ${faults.description}</p>`}
  ${
    listed.length > 0 &&
    html`<table class="plain"><thead><tr><th>from</th><th>until</th><th>what</th><th>where</th></tr></thead><tbody>${listed.map(
      (incident) =>
        html`<tr class="incident-row ${incident.kind}" data-kind="${incident.kind}"><td class="num">${formatOffset(incident.atSeconds)}</td><td class="num">${incident.untilSeconds !== undefined ? formatOffset(incident.untilSeconds) : incident.open ? 'the end' : '–'}</td><td><span class="chip ${incident.kind}">${incident.kind}</span> ${incident.label}</td><td>${[incident.service, incident.region].filter(Boolean).join(' in ') || 'everywhere'}</td></tr>`,
    )}</tbody></table>`
  }
  ${
    injected.length > 0 &&
    html`<p class="small" style="margin-top:10px">${injected.length} failure${injected.length > 1 ? 's' : ''} injected${faults?.injectedOmitted ? ` (and ${faults.injectedOmitted} more not listed)` : ''}: ${injected
      .slice(0, 12)
      .map((incident) => `${formatOffset(incident.atSeconds)} ${incident.label.replace(/^injected: /, '')}`)
      .join(' · ')}${injected.length > 12 ? ' …' : ''}</p>`
  }
</section>`;
}

export function retriesSection(model: ReportModel): SafeHtml | null {
  if (model.retries.length === 0) return null;
  const total = model.retries.reduce((sum, retry) => sum + retry.failures, 0);
  return html`<section id="retries" aria-labelledby="retries-title">
  <div class="section-head"><h2 id="retries-title">Retries</h2><p>${total} transient failure${total > 1 ? 's' : ''} (throttling, a region or API not answering) that the state machines retried with backoff, or that Lambda retried for an alarm event; each row is one task's run of attempts.</p></div>
  <table class="plain"><thead><tr><th>from</th><th>to</th><th>task</th><th>where</th><th>failed attempts</th><th>error</th><th>then</th></tr></thead>
  <tbody>${model.retries.map(
    (retry) =>
      html`<tr class="retry" data-recovered="${String(retry.recovered)}"><td class="num">${formatOffset(retry.firstSeconds)}</td><td class="num">${formatOffset(retry.lastSeconds)}${retry.lastSeconds > retry.firstSeconds && html`<div class="small muted">over ${formatSpan(retry.lastSeconds - retry.firstSeconds)}</div>`}</td><td>${retry.state}${retry.operation && html` <span class="muted small">${retry.operation}</span>`}</td><td>${[retry.service, retry.region].filter(Boolean).join(' in ') || '–'}</td><td class="num">${retry.failures}</td><td>${retry.errors.join(', ')}${retry.lastMessage && html`<div class="small muted">${retry.lastMessage}</div>`}</td><td><span class="chip ${retry.recovered ? 'completed' : 'failed'}">${retry.recovered ? 'went through' : 'gave up'}</span></td></tr>`,
  )}</tbody></table>
</section>`;
}

function chartCard(model: ReportModel, analysis: AnalysisVerdict): SafeHtml {
  return html`<figure class="analysis-chart ${analysis.verdict}" data-region="${analysis.region}" data-service="${analysis.service}" data-ordinal="${analysis.ordinal}" data-verdict="${analysis.verdict}">
    <figcaption><span class="verdict ${analysis.verdict}">${analysis.verdict}</span> <strong>${analysis.service}</strong> in ${analysis.region} · analysis ${analysis.ordinal}${analysis.canaryPercent !== undefined && ` · canary at ${analysis.canaryPercent} %`} <span class="muted small">${formatOffset(analysis.atSeconds)}</span><div class="small muted">${analysis.reason}${analysis.series?.omittedPeriods ? ` · ${analysis.series.omittedPeriods} earlier periods not recorded` : ''}</div></figcaption>
    ${analysisChart(analysis, model.incidents)}
  </figure>`;
}

export function analysesSection(model: ReportModel): SafeHtml | null {
  const charted = model.analyses.filter((analysis) => analysis.series && analysis.series.periods.length > 0);
  if (charted.length === 0) return null;
  // Verdicts other than a pass first: they are what a reader looks for.
  const ordered = [
    ...charted.filter((analysis) => analysis.verdict !== 'pass'),
    ...charted.filter((analysis) => analysis.verdict === 'pass'),
  ].slice(0, MAX_ANALYSIS_CHARTS);
  const notPassed = ordered.filter((analysis) => analysis.verdict !== 'pass');
  const passed = ordered.filter((analysis) => analysis.verdict === 'pass');
  const left = charted.length - ordered.length;
  return html`<section id="analyses" aria-labelledby="analyses-title">
  <div class="section-head"><h2 id="analyses-title">Analyses: canary against stable</h2><p>Each compared period's error rate and p95 latency, canary and stable, as the analysis read them from CloudWatch, against the plan's limits: a period fails when the canary is above the dashed line (stable plus the allowed increase, or stable times the allowed ratio), and the analysis aborts at once past an abort limit. The dot below is the verdict.</p></div>
  ${analysisLegend()}
  ${notPassed.length > 0 && html`<div class="analysis-grid">${notPassed.map((analysis) => chartCard(model, analysis))}</div>`}
  ${
    passed.length > 0 &&
    html`<details${notPassed.length === 0 ? ' open' : ''}><summary>${passed.length} passed analyses</summary><div class="analysis-grid">${passed.map((analysis) => chartCard(model, analysis))}</div></details>`
  }
  ${left > 0 && html`<p class="small muted" style="margin-top:10px">${left} more analyses with readings are not drawn (the report draws at most ${MAX_ANALYSIS_CHARTS}); their figures are in the result's audit.</p>`}
</section>`;
}
