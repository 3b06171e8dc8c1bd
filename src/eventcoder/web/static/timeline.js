// The dyad timeline: stacked bars of events per QuadClass (A → B above the axis, B → A
// below it) and the mean Goldstein score of each direction on a second axis, drawn in SVG.
import {
  QUAD_CLASSES,
  clear,
  el,
  formatSigned,
  getJson,
  hideError,
  pageUrl,
  plural,
  showError,
  svg,
} from "./common.js";

const WIDTH = 960;
const HEIGHT = 440;
const MARGIN = { top: 28, right: 64, bottom: 56, left: 64 };
const MAX_FILLED_PERIODS = 400; // periods drawn with gaps filled; beyond this, only those with events
const GOLDSTEIN_MAX = 10;

function params() {
  const url = new URLSearchParams(window.location.search);
  const out = {};
  for (const name of ["source", "target", "interval", "since", "until"]) {
    const value = url.get(name);
    if (value && value.trim()) out[name] = value.trim();
  }
  return out;
}

// -- periods -----------------------------------------------------------------------------

function parseDay(text) {
  const [y, m, d] = text.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

function isoDay(day) {
  return day.toISOString().slice(0, 10);
}

function nextPeriod(day, interval) {
  const next = new Date(day.getTime());
  if (interval === "month") next.setUTCMonth(next.getUTCMonth() + 1, 1);
  else next.setUTCDate(next.getUTCDate() + (interval === "week" ? 7 : 1));
  return next;
}

// The last day of the period starting at `start`.
function periodEnd(start, interval) {
  const end = nextPeriod(parseDay(start), interval);
  end.setUTCDate(end.getUTCDate() - 1);
  return isoDay(end);
}

function allPeriods(present, interval) {
  if (present.length < 2) return present;
  const periods = [];
  const last = parseDay(present[present.length - 1]);
  for (let day = parseDay(present[0]); day <= last; day = nextPeriod(day, interval)) {
    periods.push(isoDay(day));
    if (periods.length > MAX_FILLED_PERIODS) return present;
  }
  return periods;
}

function periodLabel(period, interval) {
  return interval === "month" ? period.slice(0, 7) : period;
}

// -- scales ------------------------------------------------------------------------------

// A round top for the count axis; small counts get an even top so that the half-way tick
// is a whole number.
function niceCeiling(value) {
  if (value <= 2) return 2;
  if (value <= 10) return value + (value % 2);
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

function draw(chart, data, interval) {
  const byPeriod = new Map();
  for (const item of data.series) {
    if (!byPeriod.has(item.period)) byPeriod.set(item.period, {});
    byPeriod.get(item.period)[item.direction] = item;
  }
  const periods = allPeriods([...byPeriod.keys()].sort(), interval);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const zero = MARGIN.top + plotH / 2;
  const half = plotH / 2;
  const most = Math.max(1, ...data.series.map((s) => s.events));
  const top = niceCeiling(most);
  const slot = plotW / periods.length;
  const barW = Math.max(1, Math.min(48, slot * 0.72));
  const xOf = (i) => MARGIN.left + slot * i + slot / 2;
  const countY = (n) => (n / top) * half;
  const goldY = (g) => zero - (g / GOLDSTEIN_MAX) * half;

  clear(chart);
  chart.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  chart.setAttribute("preserveAspectRatio", "xMidYMid meet");

  // grid and axes
  const grid = svg("g", { class: "grid" });
  for (const fraction of [-1, -0.5, 0.5, 1]) {
    const y = zero - fraction * half;
    grid.appendChild(svg("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y, y2: y }));
    grid.appendChild(svg("text", { x: MARGIN.left - 8, y: y + 4, class: "tick left" }, String(Math.round(Math.abs(fraction) * top * 10) / 10)));
    grid.appendChild(svg("text", { x: WIDTH - MARGIN.right + 8, y: y + 4, class: "tick right" }, formatSigned(fraction * GOLDSTEIN_MAX)));
  }
  grid.appendChild(svg("text", { x: MARGIN.left - 8, y: zero + 4, class: "tick left" }, "0"));
  grid.appendChild(svg("text", { x: WIDTH - MARGIN.right + 8, y: zero + 4, class: "tick right" }, "0"));
  chart.appendChild(grid);
  chart.appendChild(svg("text", { x: 16, y: MARGIN.top + half / 2, class: "axis-title", transform: `rotate(-90 16 ${MARGIN.top + half / 2})` }, `events ${data.source} → ${data.target}`));
  chart.appendChild(svg("text", { x: 16, y: zero + half / 2, class: "axis-title", transform: `rotate(-90 16 ${zero + half / 2})` }, `events ${data.target} → ${data.source}`));
  const rightX = WIDTH - 14;
  chart.appendChild(svg("text", { x: rightX, y: zero, class: "axis-title", transform: `rotate(90 ${rightX} ${zero})` }, "Goldstein mean"));

  // bars, one group per period
  const bars = svg("g", { class: "bars" });
  const every = Math.ceil(periods.length / 12);
  periods.forEach((period, i) => {
    // periods with events are g.period; the empty ones filled in between are g.gap
    const items = byPeriod.get(period) || {};
    const group = svg("g", { class: byPeriod.has(period) ? "period" : "gap", "data-period": period });
    for (const [direction, sign, from, to] of [
      ["A>B", -1, data.source, data.target],
      ["B>A", 1, data.target, data.source],
    ]) {
      const item = items[direction];
      if (!item) continue;
      let offset = 0;
      for (const quad of QUAD_CLASSES) {
        const count = item.quad_class[quad.key] || 0;
        if (!count) continue;
        const h = countY(count);
        const y = sign < 0 ? zero - offset - h : zero + offset;
        offset += h;
        const href = pageUrl("/", { source: from, target: to, since: period, until: periodEnd(period, interval) });
        group.appendChild(
          svg(
            "a",
            { href },
            svg(
              "rect",
              { x: xOf(i) - barW / 2, y, width: barW, height: Math.max(h, 0.5), class: `bar q${quad.key}` },
              svg("title", {}, `${periodLabel(period, interval)} · ${from} → ${to} · ${quad.label}: ${plural(count, "event")} (of ${item.events}; mean Goldstein ${formatSigned(item.goldstein_mean)})`),
            ),
          ),
        );
      }
    }
    if (i % every === 0) {
      group.appendChild(svg("text", { x: xOf(i), y: HEIGHT - MARGIN.bottom + 18, class: "tick bottom" }, periodLabel(period, interval)));
    }
    bars.appendChild(group);
  });
  chart.appendChild(bars);
  chart.appendChild(svg("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: zero, y2: zero, class: "axis-zero" }));

  // Goldstein lines, one per direction, through the periods that have events
  for (const [direction, className] of [
    ["A>B", "line-ab"],
    ["B>A", "line-ba"],
  ]) {
    const points = [];
    periods.forEach((period, i) => {
      const item = (byPeriod.get(period) || {})[direction];
      if (item) points.push({ x: xOf(i), y: goldY(item.goldstein_mean), item, period, i });
    });
    if (!points.length) continue;
    // the line breaks where a period without events lies between two points
    const path = points
      .map((p, j) => `${j && points[j - 1].i === p.i - 1 ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`)
      .join(" ");
    const line = svg("g", { class: `goldstein ${className}` }, svg("path", { d: path }));
    for (const p of points) {
      line.appendChild(
        svg("circle", { cx: p.x, cy: p.y, r: 3.5 }, svg("title", {}, `${periodLabel(p.period, interval)} · ${direction === "A>B" ? `${data.source} → ${data.target}` : `${data.target} → ${data.source}`} · mean Goldstein ${formatSigned(p.item.goldstein_mean)} (sum ${formatSigned(p.item.goldstein_sum)})`)),
      );
    }
    chart.appendChild(line);
  }
  chart.appendChild(svg("text", { x: WIDTH / 2, y: HEIGHT - 12, class: "axis-title" }, `period (${interval})`));
}

// With no pair chosen: the busiest dyads of the store, as links.
async function suggest() {
  const box = document.getElementById("timeline-suggestions");
  try {
    const network = await getJson("/api/network");
    const edges = [...network.edges].sort((a, b) => b.events - a.events).slice(0, 8);
    if (!edges.length) return;
    clear(box).appendChild(el("p", {}, "Choose a pair above, or one of the busiest pairs:"));
    const list = el("ul", { className: "chips" });
    for (const edge of edges) {
      list.appendChild(el("li", {}, el("a", { href: pageUrl("/timeline", { source: edge.source, target: edge.target }) }, `${edge.source} → ${edge.target} (${edge.events})`)));
    }
    box.appendChild(list);
    box.hidden = false;
  } catch {
    // suggestions are a convenience: without them the form still works
  }
}

async function main() {
  const chosen = params();
  if (!(chosen.source && chosen.target)) {
    await suggest();
    return;
  }
  const interval = chosen.interval || "month";
  const errorBox = document.getElementById("timeline-error");
  const panel = document.getElementById("timeline-panel");
  try {
    const data = await getJson(pageUrl("/api/timeline", { ...chosen, interval }));
    hideError(errorBox);
    const total = data.series.reduce((sum, s) => sum + s.events, 0);
    document.getElementById("timeline-heading").textContent = `${data.source} and ${data.target}, by ${interval}`;
    const summary = clear(document.getElementById("timeline-summary"));
    if (!total) {
      summary.textContent = "No events between these actors in this range.";
      panel.hidden = false;
      document.getElementById("timeline-chart").hidden = true;
      return;
    }
    const ab = data.series.filter((s) => s.direction === "A>B").reduce((sum, s) => sum + s.events, 0);
    summary.appendChild(document.createTextNode(`${plural(total, "event")}: ${ab} from ${data.source} to ${data.target}, ${total - ab} the other way · `));
    summary.appendChild(el("a", { href: pageUrl("/", { source: data.source, target: data.target, since: chosen.since, until: chosen.until }) }, "list them"));
    panel.hidden = false;
    draw(document.getElementById("timeline-chart"), data, interval);
  } catch (error) {
    showError(errorBox, error);
  }
}

main();
