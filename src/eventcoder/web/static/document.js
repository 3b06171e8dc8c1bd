// The document page: the article text with the evidence of each of its events marked,
// and the list of those events.
import {
  clear,
  el,
  eventUrl,
  externalLink,
  formatSigned,
  getJson,
  goldsteinClass,
  highlight,
  locateEvidence,
  ploverText,
  showError,
} from "./common.js";

const view = document.getElementById("document-view");
const docId = view.dataset.docId;

// One evidence mark per distinct sentence (several events may rest on one) and one trigger
// mark per distinct trigger; actors are not marked here, they differ from event to event.
function documentSpans(text, records) {
  const evidence = new Map();
  const triggers = new Map();
  for (const [index, record] of records.entries()) {
    const place = locateEvidence(text, record.evidence);
    if (!place) continue;
    const key = `${place.start}:${place.end}`;
    const label = `${index + 1}. ${ploverText(record.plover)}`;
    if (evidence.has(key)) evidence.get(key).labels.push(label);
    else evidence.set(key, { ...place, labels: [label] });
    const start = record.evidence.trigger_start + place.shift;
    const end = record.evidence.trigger_end + place.shift;
    triggers.set(`${start}:${end}`, { start, end, trigger: record.evidence.trigger });
  }
  const spans = [];
  for (const item of evidence.values()) {
    spans.push({
      start: item.start,
      end: item.end,
      tag: "mark",
      className: "evidence",
      outermost: true,
      attrs: { title: `events ${item.labels.join("; ")}` },
    });
  }
  for (const item of triggers.values()) {
    spans.push({ start: item.start, end: item.end, tag: "mark", className: "trigger", weight: 2, attrs: { title: `trigger: ${item.trigger}` } });
  }
  return spans;
}

function eventItem(record) {
  const id = record.merged_into || record.event_id;
  const source = record.source ? record.source.code : "—";
  const target = record.target ? record.target.code : "—";
  return el(
    "li",
    { className: "doc-event" },
    el("a", { href: eventUrl(id), className: "event-link" }, `${source} → ${target}: ${ploverText(record.plover)}`),
    el(
      "div",
      { className: "meta" },
      `CAMEO ${record.cameo} · `,
      el("span", { className: `badge ${goldsteinClass(record.goldstein)}` }, formatSigned(record.goldstein)),
      ` · ${record.date}`,
    ),
    el("div", { className: "small" }, `“${record.evidence.trigger}”`),
  );
}

async function main() {
  try {
    const data = await getJson(`/api/documents/${encodeURIComponent(docId)}`);
    document.getElementById("document-title").textContent = data.title || data.doc_id;
    const meta = clear(document.getElementById("document-meta"));
    const facts = [data.date, data.source, data.language].filter(Boolean).join(" · ");
    meta.appendChild(document.createTextNode(facts));
    if (data.url) {
      meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(externalLink(data.url, "original article ↗"));
    }
    const events = data.events || [];
    const text = data.text || "";
    clear(document.getElementById("article")).appendChild(highlight(text, documentSpans(text, events)));
    const list = clear(document.getElementById("doc-events"));
    for (const record of events) list.appendChild(eventItem(record));
    if (!events.length) list.appendChild(el("li", { className: "muted" }, "No events were coded in this article."));
  } catch (error) {
    document.getElementById("document-meta").textContent = "";
    showError(document.getElementById("document-error"), error);
  }
}

main();
