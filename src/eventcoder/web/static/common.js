// Helpers shared by the pages. Every value from the API reaches the page through
// createTextNode or textContent (never innerHTML); links are built from encoded parts.

export const SVG_NS = "http://www.w3.org/2000/svg";

export const QUAD_CLASSES = [
  { key: "1", label: "Verbal cooperation" },
  { key: "2", label: "Material cooperation" },
  { key: "3", label: "Verbal conflict" },
  { key: "4", label: "Material conflict" },
];

export function quadLabel(quad) {
  const found = QUAD_CLASSES.find((q) => q.key === String(quad));
  return found ? found.label : `QuadClass ${quad}`;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function setAttributes(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "className") node.setAttribute("class", value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
}

// An HTML element; string children become text nodes.
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  return append(node, children);
}

// An SVG element; string children become text nodes.
export function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attrs);
  return append(node, children);
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// A page of this server with its query, e.g. pageUrl("/", {actor: "UKR"}); empty values
// are left out.
export function pageUrl(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== null && value !== undefined && String(value).trim() !== "") {
      query.set(name, String(value).trim());
    }
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export function eventUrl(eventId) {
  return `/events/${encodeURIComponent(eventId)}`;
}

export function documentUrl(docId) {
  return `/documents/${encodeURIComponent(docId)}`;
}

// An article URL as a link target only when it is http(s); anything else (javascript:,
// data:, relative paths) is shown as text by the callers.
export function safeExternalUrl(url) {
  if (typeof url !== "string") return null;
  const trimmed = url.trim();
  return /^https?:\/\//i.test(trimmed) ? trimmed : null;
}

// A link to the article's own URL when it is safe, else its URL as plain text.
export function externalLink(url, label) {
  const safe = safeExternalUrl(url);
  if (!safe) return el("span", { className: "url-text" }, url || "");
  return el("a", { href: safe, rel: "noopener noreferrer nofollow", target: "_blank" }, label || safe);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function readResponse(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message =
      body && body.error && body.error.message
        ? body.error.message
        : `the server answered ${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  return body;
}

export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  return readResponse(response);
}

export async function postJson(url, payload) {
  const response = await fetch(url, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
  return readResponse(response);
}

export function showError(box, error, lead = "Could not load") {
  clear(box);
  box.appendChild(el("strong", {}, `${lead}: `));
  box.appendChild(document.createTextNode(error && error.message ? error.message : String(error)));
  box.hidden = false;
}

export function hideError(box) {
  clear(box);
  box.hidden = true;
}

export function formatNumber(value, digits) {
  if (typeof value !== "number" || Number.isNaN(value)) return "–";
  return digits === undefined ? value.toLocaleString("en") : value.toFixed(digits);
}

export function formatSigned(value) {
  if (typeof value !== "number" || Number.isNaN(value)) return "–";
  const text = value.toFixed(1);
  return value > 0 ? `+${text}` : text.replace("-", "−");
}

export function plural(count, word) {
  return `${count.toLocaleString("en")} ${word}${count === 1 ? "" : "s"}`;
}

// "CONSULT (phone)" for a record's PLOVER object.
export function ploverText(plover) {
  if (!plover) return "";
  return plover.mode ? `${plover.event} (${plover.mode})` : plover.event;
}

// An actor's code, linked to the search for it, with its name when known.
export function actorCell(actor) {
  if (!actor) return el("span", { className: "muted" }, "—");
  const link = el("a", { href: pageUrl("/", { actor: actor.code }), className: "code" }, actor.code);
  const name = actor.name || actor.text;
  return el("span", { className: "actor-cell" }, link, name ? el("small", {}, name) : null);
}

export function goldsteinClass(value) {
  if (typeof value !== "number") return "g-zero";
  if (value < 0) return "g-neg";
  if (value > 0) return "g-pos";
  return "g-zero";
}

// ---------------------------------------------------------------------------------------
// Highlighting: the text split at every span's start and end, each piece wrapped in the
// spans that cover it. Spans nest as they do in the text; a span that crosses another is
// cut in two, except that a span with `outermost` is never cut (the evidence sentence)
// and, of two crossing spans, the one with the higher `weight` stays whole.
//
// A span: {start, end, tag, className, attrs, outermost, weight}. Spans whose offsets do
// not fit the text are left out.

function validSpans(text, spans) {
  return spans
    .filter(
      (s) =>
        Number.isInteger(s.start) &&
        Number.isInteger(s.end) &&
        s.start >= 0 &&
        s.end <= text.length &&
        s.start < s.end,
    )
    .map((s, seq) => ({ ...s, seq }));
}

function compareSpans(a, b) {
  const aOuter = a.outermost ? 0 : 1;
  const bOuter = b.outermost ? 0 : 1;
  if (aOuter !== bOuter) return aOuter - bOuter;
  const aHoldsB = a.start <= b.start && a.end >= b.end;
  const bHoldsA = b.start <= a.start && b.end >= a.end;
  if (aHoldsB && !bHoldsA) return -1;
  if (bHoldsA && !aHoldsB) return 1;
  const weight = (b.weight || 0) - (a.weight || 0);
  if (weight !== 0) return weight;
  return a.start - b.start || b.end - a.end || a.seq - b.seq;
}

function spanNode(span) {
  const node = document.createElement(span.tag || "span");
  if (span.className) node.setAttribute("class", span.className);
  setAttributes(node, span.attrs);
  return node;
}

export function highlight(text, spans) {
  const valid = validSpans(text, spans);
  const cuts = new Set([0, text.length]);
  for (const s of valid) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].sort((x, y) => x - y);
  const root = document.createDocumentFragment();
  const open = []; // the spans wrapping the current piece, outermost first, with their nodes
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i];
    const to = points[i + 1];
    const covering = valid.filter((s) => s.start <= from && s.end >= to).sort(compareSpans);
    let kept = 0;
    while (kept < open.length && kept < covering.length && open[kept].span === covering[kept]) {
      kept++;
    }
    open.length = kept;
    for (const span of covering.slice(kept)) {
      const node = spanNode(span);
      (open.length ? open[open.length - 1].node : root).appendChild(node);
      open.push({ span, node });
    }
    const parent = open.length ? open[open.length - 1].node : root;
    parent.appendChild(document.createTextNode(text.slice(from, to)));
  }
  return root;
}

// Where the evidence of a record lies in `text`: its offsets when they slice the sentence,
// else the first place the sentence occurs (an older record), else null.
export function locateEvidence(text, evidence) {
  if (!evidence || typeof text !== "string") return null;
  const { start, end, sentence } = evidence;
  if (text.slice(start, end) === sentence) return { start, end, shift: 0 };
  const found = sentence ? text.indexOf(sentence) : -1;
  return found >= 0 ? { start: found, end: found + sentence.length, shift: found - start } : null;
}

function actorTitle(role, actor) {
  const who = actor.name && actor.name !== actor.text ? `${actor.code} ${actor.name}` : actor.code;
  return actor.why ? `${role} ${who}: ${actor.why}` : `${role} ${who}`;
}

// The spans that mark one event record in `text` (evidence, trigger, source and target).
export function recordSpans(text, record, extraEvidenceAttrs) {
  const place = locateEvidence(text, record.evidence);
  const shift = place ? place.shift : 0;
  const spans = [];
  if (place) {
    spans.push({
      start: place.start,
      end: place.end,
      tag: "mark",
      className: "evidence",
      outermost: true,
      attrs: extraEvidenceAttrs,
    });
    const ev = record.evidence;
    spans.push({
      start: ev.trigger_start + shift,
      end: ev.trigger_end + shift,
      tag: "mark",
      className: "trigger",
      weight: 2,
      attrs: { title: `trigger: ${ev.trigger}` },
    });
  }
  for (const role of ["source", "target"]) {
    const actor = record[role];
    if (!actor || actor.start < 0) continue;
    // Actors found in another sentence keep their own offsets; those in this one move with it.
    const inside = record.evidence && actor.start >= record.evidence.start && actor.end <= record.evidence.end;
    const offset = inside ? shift : 0;
    if (text.slice(actor.start + offset, actor.end + offset) !== actor.text) continue;
    spans.push({
      start: actor.start + offset,
      end: actor.end + offset,
      tag: "span",
      className: "actor",
      weight: 1,
      attrs: { "data-role": role, "data-code": actor.code, title: actor.why || actorTitle(role, actor) },
    });
  }
  const where = record.location;
  if (where && where.start >= 0 && text.slice(where.start, where.end) === where.text) {
    spans.push({
      start: where.start,
      end: where.end,
      tag: "span",
      className: "place",
      weight: 1,
      attrs: { title: `place: ${placeText(where)} (${where.why})` },
    });
  }
  return spans;
}

// "Kharkiv, Kharkiv Oblast, UKR (city)"
export function placeText(where) {
  const parts = [where.name, where.admin1, where.country].filter(Boolean);
  return `${parts.join(", ")} (${where.precision})`;
}

// The evidence sentence of a record alone, with its trigger (and actors inside it) marked.
export function sentenceWithMarks(record) {
  const ev = record.evidence;
  const base = ev.start;
  const local = { ...record, evidence: { ...ev, start: 0, end: ev.sentence.length } };
  local.evidence.trigger_start = ev.trigger_start - base;
  local.evidence.trigger_end = ev.trigger_end - base;
  for (const role of ["source", "target"]) {
    const actor = record[role];
    if (actor && actor.start >= ev.start && actor.end <= ev.end) {
      local[role] = { ...actor, start: actor.start - base, end: actor.end - base };
    } else {
      local[role] = null;
    }
  }
  const spans = recordSpans(ev.sentence, local).filter((s) => s.className !== "evidence");
  return el("span", { className: "sentence" }, highlight(ev.sentence, spans));
}

// A shortened evidence sentence for a table cell: about `width` characters around the
// trigger, which is marked.
export function evidenceSnippet(record, width = 160) {
  const ev = record.evidence;
  if (!ev || typeof ev.sentence !== "string") return el("span", { className: "muted" }, "—");
  const sentence = ev.sentence;
  let tStart = ev.trigger_start - ev.start;
  let tEnd = ev.trigger_end - ev.start;
  if (!(tStart >= 0 && tEnd <= sentence.length && tStart < tEnd)) {
    tStart = 0;
    tEnd = 0;
  }
  let from = 0;
  let to = sentence.length;
  if (sentence.length > width) {
    from = Math.max(0, Math.min(tStart - Math.floor(width / 2), sentence.length - width));
    to = Math.min(sentence.length, from + width);
  }
  const parts = [];
  if (from > 0) parts.push("…");
  if (tEnd > tStart && tStart >= from && tEnd <= to) {
    parts.push(sentence.slice(from, tStart));
    parts.push(el("mark", { className: "trigger" }, sentence.slice(tStart, tEnd)));
    parts.push(sentence.slice(tEnd, to));
  } else {
    parts.push(sentence.slice(from, to));
  }
  if (to < sentence.length) parts.push("…");
  return el("span", { className: "snippet" }, ...parts);
}

// Scroll the article box so that the first element of `selector` inside it sits in its
// upper third; the window itself stays where it is, so the page's heading stays in view.
export function scrollToFirst(selector, boxSelector = ".article-text") {
  const node = document.querySelector(selector);
  if (!node) return;
  const box = node.closest(boxSelector);
  requestAnimationFrame(() => {
    if (box && box.scrollHeight > box.clientHeight) {
      const top = node.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    } else {
      node.scrollIntoView({ block: "nearest" });
    }
  });
}
