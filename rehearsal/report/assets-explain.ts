/** Styles of the report's explaining parts: analysis charts, incidents, retries, what is left, unreachable services. */

export const EXPLAIN_STYLES = `
:root { --unreachable: #5b6675; --alarm: #c8490c; --outage: #9a3309; --fault: #6b46c1; }
.status.FAILED { background: var(--failed); }
.chip.unreachable { background: #e6e8ec; color: #39424e; }
.dot.unreachable { fill: #fff; stroke: var(--unreachable); stroke-width: 2; stroke-dasharray: 2 1.5; }
.bar.unreachable { fill: url(#unreachable-hatch); stroke: var(--unreachable); stroke-width: 1; }
.status.unreachable { fill: var(--unreachable); font-style: italic; }
.chip.alarm { background: #fbe4d9; color: #9a3309; }
.chip.outage { background: #f6d5cc; color: #7a2306; }
.chip.fault, .chip.injected { background: #ece5fa; color: #4b2a99; }
.outage-band { fill: #c8490c; opacity: 0.09; }
.outage-edge { stroke: var(--outage); stroke-width: 1.5; stroke-dasharray: 5 3; }
.outage-label { fill: var(--outage); font-size: 11.5px; font-weight: 700; }
.alarm-line { stroke: var(--alarm); stroke-width: 1.6; }
.m-alarm { fill: var(--alarm); stroke: #fff; stroke-width: 1; }
.fault-span { stroke: var(--fault); stroke-width: 3; stroke-linecap: round; opacity: 0.85; }
.m-injected { fill: var(--fault); stroke: #fff; stroke-width: 1; }
.outage-swatch { fill: #f6d5cc; stroke: var(--outage); stroke-dasharray: 3 2; }
section.left { border-color: #e7a58a; background: #fffaf7; }
.left-items { margin: 0; padding-left: 22px; }
.left-items > li { margin-bottom: 12px; }
.left-items .what { font-weight: 600; }
pre.command { margin: 4px 0 2px; background: #1c2430; color: #f4f6f9; padding: 6px 12px; border-radius: 6px; overflow-x: auto; font-size: 13px; }
pre.command code { font-size: 13px; }
.fault-description { margin: 0 0 8px; font-size: 14px; }
.analysis-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 14px 24px; margin-top: 8px; }
figure.analysis-chart { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px 4px; background: #fff; }
figure.analysis-chart.fail { border-color: #e7a58a; }
figure.analysis-chart.inconclusive { border-color: #ecd27a; }
figure.analysis-chart figcaption { font-size: 13px; margin-bottom: 4px; }
.analysis-svg { display: block; max-width: 100%; height: auto; font-family: var(--sans); }
.analysis-svg text { font-size: 11px; fill: var(--muted); }
.analysis-svg .panel-title { font-size: 11.5px; font-weight: 600; fill: var(--ink); }
.analysis-svg .series { fill: none; stroke-width: 2; stroke-linejoin: round; }
.analysis-svg .threshold { fill: none; stroke: #39424e; stroke-width: 1.4; stroke-dasharray: 4 3; }
.analysis-svg .abort line { stroke: var(--fail); stroke-width: 1.4; stroke-dasharray: 6 3; }
.analysis-svg .abort text, .analysis-svg .abort-note { fill: var(--fail); font-size: 10.5px; }
.analysis-svg .reading.breach { stroke: #1c2430; stroke-width: 1.2; }
.analysis-svg .verdict-mark line { stroke: #8a94a3; stroke-width: 1; stroke-dasharray: 2 2; }
.analysis-svg .incident line { stroke-width: 1.8; }
.analysis-svg .incident text { font-size: 10.5px; font-weight: 700; }
.analysis-svg .incident.alarm line { stroke: var(--alarm); } .analysis-svg .incident.alarm text { fill: var(--alarm); }
.analysis-svg .incident.outage rect { fill: #c8490c; opacity: 0.1; } .analysis-svg .incident.outage line { stroke: var(--outage); stroke-dasharray: 5 3; }
.analysis-svg .incident.outage text { fill: var(--outage); }
.analysis-svg .incident.fault rect, .analysis-svg .incident.injected rect { fill: var(--fault); opacity: 0.07; }
.analysis-svg .incident.fault line, .analysis-svg .incident.injected line { stroke: var(--fault); stroke-dasharray: 3 2; }
.analysis-svg .incident.fault text, .analysis-svg .incident.injected text { fill: var(--fault); }
.rollback-times { margin-top: 10px; font-size: 13px; font-variant-numeric: tabular-nums; }
.rollback-times li { margin-bottom: 2px; }
`;
