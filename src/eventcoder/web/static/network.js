// The actor network: a force-directed layout of our own (seeded start, fixed number of
// steps, so the same data always gives the same picture), drawn in SVG.
import { clear, formatSigned, getJson, hideError, pageUrl, plural, showError, svg } from "./common.js";

const MAX_NODES = 60;
const WIDTH = 1000;
const HEIGHT = 620;
const PAD = 48;
const STEPS = 300;
const ARROW = 9;
const GRAVITY = 2;

function params() {
  const url = new URLSearchParams(window.location.search);
  const out = {};
  for (const name of ["since", "until", "min_events"]) {
    const value = url.get(name);
    if (value && value.trim()) out[name] = value.trim();
  }
  return out;
}

// mulberry32: a small seeded generator, so that the layout is the same on every load
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Fruchterman–Reingold with a pull to the centre (so that separate groups stay in view).
export function layout(nodes, edges) {
  const random = seeded(20240125);
  const n = nodes.length;
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const pos = nodes.map((_, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, n);
    const radius = 200 + 80 * random();
    return { x: Math.cos(angle) * radius, y: Math.sin(angle) * radius };
  });
  if (n < 2) return pos.map(() => ({ x: 0, y: 0 }));
  const k = Math.sqrt((WIDTH * HEIGHT) / n) * 0.55;
  const links = edges.map((e) => [index.get(e.source), index.get(e.target)]);
  let temperature = WIDTH / 8;
  for (let step = 0; step < STEPS; step++) {
    const shift = pos.map(() => ({ x: 0, y: 0 }));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let dx = pos[i].x - pos[j].x;
        let dy = pos[i].y - pos[j].y;
        let dist = Math.hypot(dx, dy);
        if (dist < 0.01) {
          dx = random() - 0.5;
          dy = random() - 0.5;
          dist = Math.hypot(dx, dy);
        }
        const force = (k * k) / dist;
        shift[i].x += (dx / dist) * force;
        shift[i].y += (dy / dist) * force;
        shift[j].x -= (dx / dist) * force;
        shift[j].y -= (dy / dist) * force;
      }
    }
    for (const [a, b] of links) {
      const dx = pos[a].x - pos[b].x;
      const dy = pos[a].y - pos[b].y;
      const dist = Math.max(0.01, Math.hypot(dx, dy));
      const force = (dist * dist) / k;
      shift[a].x -= (dx / dist) * force;
      shift[a].y -= (dy / dist) * force;
      shift[b].x += (dx / dist) * force;
      shift[b].y += (dy / dist) * force;
    }
    for (let i = 0; i < n; i++) {
      // a strong pull, stronger across the short side, keeps separate pairs near the rest
      shift[i].x -= pos[i].x * GRAVITY;
      shift[i].y -= pos[i].y * GRAVITY * (WIDTH / HEIGHT);
      const length = Math.max(0.01, Math.hypot(shift[i].x, shift[i].y));
      const move = Math.min(length, temperature);
      pos[i].x += (shift[i].x / length) * move;
      pos[i].y += (shift[i].y / length) * move;
    }
    temperature = Math.max(1, temperature * 0.985);
  }
  return pos;
}

// Fit the layout into the drawing, keeping its proportions.
function fit(pos) {
  const xs = pos.map((p) => p.x);
  const ys = pos.map((p) => p.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = Math.min((WIDTH - 2 * PAD) / Math.max(1, maxX - minX), (HEIGHT - 2 * PAD) / Math.max(1, maxY - minY), 3);
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  return pos.map((p) => ({ x: WIDTH / 2 + (p.x - cx) * scale, y: HEIGHT / 2 + (p.y - cy) * scale }));
}

function mix(from, to, t) {
  return from.map((c, i) => Math.round(c + (to[i] - c) * t));
}

// Red for a conflictual mean Goldstein score, green for a cooperative one, grey near zero.
function edgeColour(goldstein) {
  const grey = [148, 163, 184];
  const t = Math.min(1, Math.abs(goldstein) / 5);
  const [r, g, b] = goldstein < 0 ? mix(grey, [220, 38, 38], t) : mix(grey, [22, 163, 74], t);
  return `rgb(${r}, ${g}, ${b})`;
}

function draw(chart, nodes, edges) {
  const pos = fit(layout(nodes, edges));
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const mostNode = Math.max(1, ...nodes.map((node) => node.events));
  const mostEdge = Math.max(1, ...edges.map((edge) => edge.events));
  const radius = nodes.map((node) => 5 + 17 * Math.sqrt(node.events / mostNode));
  const pairs = new Set(edges.map((e) => `${e.source}\u0000${e.target}`));

  clear(chart);
  chart.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  const edgeLayer = svg("g", { class: "edges" });
  for (const edge of edges) {
    const a = index.get(edge.source);
    const b = index.get(edge.target);
    const dx = pos[b].x - pos[a].x;
    const dy = pos[b].y - pos[a].y;
    const dist = Math.max(0.01, Math.hypot(dx, dy));
    const ux = dx / dist;
    const uy = dy / dist;
    const colour = edgeColour(edge.goldstein_mean);
    const width = 1 + 5 * Math.sqrt(edge.events / mostEdge);
    const tip = svg("title", {}, `${edge.source} → ${edge.target}: ${plural(edge.events, "event")}, mean Goldstein ${formatSigned(edge.goldstein_mean)}`);
    const href = pageUrl("/", { source: edge.source, target: edge.target });
    const head = ARROW + width;
    if (dist < radius[a] + radius[b] + head + 4) {
      // nodes that (nearly) touch: a plain line between their centres, no room for an arrow
      const line = { class: "edge", x1: pos[a].x, y1: pos[a].y, x2: pos[b].x, y2: pos[b].y, stroke: colour };
      edgeLayer.appendChild(svg("a", { href }, svg("line", { ...line, "stroke-width": width.toFixed(2) }), tip));
      continue;
    }
    // both directions drawn: each arrow moves aside, to its own right
    const aside = pairs.has(`${edge.target}\u0000${edge.source}`) ? 4 : 0;
    const ox = -uy * aside;
    const oy = ux * aside;
    const x1 = pos[a].x + ux * radius[a] + ox;
    const y1 = pos[a].y + uy * radius[a] + oy;
    const tipX = pos[b].x - ux * (radius[b] + 1) + ox;
    const tipY = pos[b].y - uy * (radius[b] + 1) + oy;
    const baseX = tipX - ux * head;
    const baseY = tipY - uy * head;
    const wing = head * 0.45;
    edgeLayer.appendChild(
      svg(
        "a",
        { href },
        svg("line", { class: "edge", x1, y1, x2: baseX, y2: baseY, stroke: colour, "stroke-width": width.toFixed(2) }),
        svg("polygon", {
          class: "arrow",
          fill: colour,
          points: `${tipX},${tipY} ${baseX - uy * wing},${baseY + ux * wing} ${baseX + uy * wing},${baseY - ux * wing}`,
        }),
        tip,
      ),
    );
  }
  chart.appendChild(edgeLayer);
  const nodeLayer = svg("g", { class: "nodes" });
  nodes.forEach((node, i) => {
    nodeLayer.appendChild(
      svg(
        "a",
        { href: pageUrl("/", { actor: node.id }) },
        svg("circle", { class: "node", cx: pos[i].x, cy: pos[i].y, r: radius[i].toFixed(1) }),
        svg("text", { class: "node-label", x: pos[i].x, y: pos[i].y + radius[i] + 13 }, node.id),
        svg("title", {}, `${node.id}: ${plural(node.events, "event")}`),
      ),
    );
  });
  chart.appendChild(nodeLayer);
}

async function main() {
  const errorBox = document.getElementById("network-error");
  const panel = document.getElementById("network-panel");
  const note = document.getElementById("network-note");
  try {
    const data = await getJson(pageUrl("/api/network", params()));
    hideError(errorBox);
    const ranked = [...data.nodes].sort((a, b) => b.events - a.events || (a.id < b.id ? -1 : 1));
    const nodes = ranked.slice(0, MAX_NODES);
    const kept = new Set(nodes.map((node) => node.id));
    const edges = data.edges.filter((e) => kept.has(e.source) && kept.has(e.target) && e.source !== e.target);
    panel.hidden = false;
    const chart = document.getElementById("network-graph");
    if (!nodes.length) {
      note.textContent = "No events with both a source and a target in this range.";
      chart.hidden = true;
      return;
    }
    const capped = ranked.length > MAX_NODES ? `the ${MAX_NODES} actors with the most events (of ${ranked.length})` : `all ${plural(ranked.length, "actor")}`;
    clear(note).appendChild(document.createTextNode(`Showing ${capped} and ${plural(edges.length, "directed pair")} between them.`));
    draw(chart, nodes, edges);
  } catch (error) {
    showError(errorBox, error);
    note.textContent = "";
    panel.hidden = true;
  }
}

main();
