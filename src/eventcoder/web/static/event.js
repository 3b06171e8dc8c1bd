// The event page: the article with the evidence, trigger and actors marked, the codes,
// the actors' explanations and every article that reported the event.
import {
  clear,
  documentUrl,
  el,
  externalLink,
  formatSigned,
  getJson,
  goldsteinClass,
  highlight,
  pageUrl,
  placeText,
  ploverText,
  plural,
  recordSpans,
  safeExternalUrl,
  scrollToFirst,
  showError,
} from "./common.js";

const view = document.getElementById("event-view");
const eventId = view.dataset.eventId;

function row(list, term, ...values) {
  list.appendChild(el("dt", {}, term));
  list.appendChild(el("dd", {}, ...values));
}

function modalityText(modality) {
  const flags = Object.entries(modality || {})
    .filter(([, on]) => on)
    .map(([name]) => name);
  return flags.length ? flags.join(", ") : "asserted";
}

function renderCodes(record, labels) {
  const codes = clear(document.getElementById("codes"));
  row(codes, "CAMEO", el("code", {}, record.cameo), " ", labels.cameo || "");
  row(
    codes,
    "PLOVER",
    el("code", {}, ploverText(record.plover)),
    labels.plover ? el("div", { className: "muted small" }, labels.plover) : null,
  );
  if (record.plover && record.plover.context && record.plover.context.length) {
    row(codes, "Context", record.plover.context.join(", "));
  }
  row(
    codes,
    "Goldstein",
    el("span", { className: `badge ${goldsteinClass(record.goldstein)}` }, formatSigned(record.goldstein)),
  );
  row(
    codes,
    "QuadClass",
    el("span", { className: `quad-dot q${record.quad_class}` }),
    `${record.quad_class} · ${labels.quad_class || ""}`,
  );
  row(codes, "Date", `${record.date} (${record.date_precision})`);
  const where = record.location;
  row(
    codes,
    "Place",
    where && where.lat !== null
      ? el(
          "span",
          { className: "place-text" },
          el("a", { href: pageUrl("/", { location_country: where.country }) }, placeText(where)),
          el("div", { className: "muted small" }, `${where.lat.toFixed(3)}, ${where.lon.toFixed(3)} · ${where.why}`),
          el("img", {
            className: "place-map",
            src: pageUrl("/api/places/map.svg", { lat: where.lat, lon: where.lon, label: placeText(where) }),
            alt: `map: ${placeText(where)}`,
            width: "360",
            height: "180",
          }),
        )
      : el("span", { className: "muted" }, where ? `none: ${where.why}` : "none found"),
  );
  row(codes, "Modality", modalityText(record.modality));
  row(codes, "Confidence", typeof record.confidence === "number" ? record.confidence.toFixed(2) : "–");
  if (record.reports) {
    row(
      codes,
      "Reports",
      `${plural(record.reports.mentions, "mention")} in ${plural(record.reports.articles, "article")} from ${plural(record.reports.sources, "source")}`,
    );
  }
  if (record.coder) row(codes, "Rule", el("code", {}, record.coder.rule || ""));
}

function renderActors(record) {
  const box = clear(document.getElementById("actors"));
  for (const role of ["source", "target"]) {
    const actor = record[role];
    if (!actor) {
      box.appendChild(el("div", { className: "actor-card", "data-role": role }, el("h3", {}, role), el("p", { className: "muted" }, "none")));
      continue;
    }
    const facts = el("dl", { className: "kv compact" });
    row(facts, "Code", el("a", { href: pageUrl("/", { actor: actor.code }), className: "code" }, actor.code));
    if (actor.name) row(facts, "Name", actor.name);
    row(facts, "Words", `“${actor.text}”`);
    if (actor.kb_id) row(facts, "KB entry", el("code", {}, actor.kb_id));
    row(facts, "Why", actor.why || "—");
    box.appendChild(el("div", { className: "actor-card", "data-role": role }, el("h3", {}, role), facts));
  }
}

function renderReports(articles) {
  const list = clear(document.getElementById("reports"));
  for (const article of articles) {
    const item = el(
      "li",
      {},
      el("a", { href: documentUrl(article.doc_id) }, article.title || article.doc_id),
      el("div", { className: "meta" }, article.date || "", article.url ? " · " : "", article.url ? externalLink(article.url, "original ↗") : null),
    );
    list.appendChild(item);
  }
  if (!articles.length) list.appendChild(el("li", { className: "muted" }, "no article recorded"));
}

function renderArticle(record, documentRecord) {
  const article = clear(document.getElementById("article"));
  const title = document.getElementById("article-title");
  title.textContent = documentRecord.title || documentRecord.doc_id;
  const meta = clear(document.getElementById("article-meta"));
  meta.appendChild(el("a", { href: documentUrl(documentRecord.doc_id) }, documentRecord.doc_id));
  meta.appendChild(document.createTextNode(` · ${documentRecord.date || ""}`));
  if (documentRecord.url) {
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(
      safeExternalUrl(documentRecord.url) ? externalLink(documentRecord.url, "original article ↗") : externalLink(documentRecord.url),
    );
  }
  const text = documentRecord.text || "";
  article.appendChild(highlight(text, recordSpans(text, record)));
  if (!article.querySelector("mark.evidence")) {
    article.before(el("p", { className: "warning" }, "The evidence sentence was not found in this article's text; it reads: ", el("q", {}, record.evidence.sentence)));
  }
}

async function main() {
  try {
    const data = await getJson(`/api/events/${encodeURIComponent(eventId)}`);
    const record = data.event;
    const labels = data.labels || {};
    const source = record.source ? record.source.code : "—";
    const target = record.target ? record.target.code : "—";
    document.getElementById("event-title").textContent = `${source} → ${target}: ${ploverText(record.plover)}`;
    document.getElementById("event-summary").textContent = `${record.date} · CAMEO ${record.cameo} ${labels.cameo || ""}`;
    renderCodes(record, labels);
    renderActors(record);
    renderReports(data.articles || []);
    if (data.document) renderArticle(record, data.document);
    scrollToFirst("#article mark.evidence");
  } catch (error) {
    document.getElementById("event-summary").textContent = "";
    showError(document.getElementById("event-error"), error);
  }
}

main();
