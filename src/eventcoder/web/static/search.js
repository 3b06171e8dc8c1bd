// The search page: reads its filters from its own URL, asks /api/events, shows the table.
import {
  actorCell,
  clear,
  eventUrl,
  evidenceSnippet,
  formatSigned,
  getJson,
  goldsteinClass,
  hideError,
  pageUrl,
  placeText,
  ploverText,
  showError,
  el,
} from "./common.js";

const FILTERS = [
  "actor", "country", "source", "target", "type", "cameo", "since", "until", "min_confidence",
  "location_country", "near",
];
const PAGE_PARAMS = [...FILTERS, "sort", "limit", "offset"];

function currentParams() {
  const url = new URLSearchParams(window.location.search);
  const params = {};
  for (const name of PAGE_PARAMS) {
    const value = url.get(name);
    if (value !== null && value.trim() !== "") params[name] = value.trim();
  }
  return params;
}

function placeCell(where) {
  if (!where || !where.country) return el("span", { className: "muted", title: where ? where.why : "" }, "—");
  const label = where.precision === "country" ? where.country : `${where.name}, ${where.country}`;
  return el("a", { href: pageUrl("/", { location_country: where.country }), title: placeText(where) }, label);
}

function resultRow(record) {
  const reports = record.reports || { articles: 1 };
  return el(
    "tr",
    { className: "event-row", "data-event-id": record.event_id },
    el("td", { className: "nowrap" }, record.date),
    el("td", {}, actorCell(record.source)),
    el("td", {}, actorCell(record.target)),
    el("td", {}, el("a", { href: eventUrl(record.event_id), className: "event-link" }, ploverText(record.plover))),
    el("td", {}, el("code", {}, record.cameo)),
    el("td", { className: "num" }, el("span", { className: `badge ${goldsteinClass(record.goldstein)}` }, formatSigned(record.goldstein))),
    el("td", { className: "place-cell" }, placeCell(record.location)),
    el("td", { className: "num" }, String(reports.articles)),
    el("td", { className: "evidence-cell" }, evidenceSnippet(record)),
  );
}

function setPager(link, params, offset, show) {
  link.hidden = !show;
  if (show) link.setAttribute("href", pageUrl("/", { ...params, offset: offset > 0 ? offset : "" }));
  else link.removeAttribute("href");
}

function showPairLinks(params) {
  const box = document.getElementById("pair-links");
  if (!(params.source && params.target)) return;
  clear(box).appendChild(
    el(
      "a",
      { href: pageUrl("/timeline", { source: params.source, target: params.target, since: params.since, until: params.until }) },
      `Timeline of ${params.source} and ${params.target} →`,
    ),
  );
  box.hidden = false;
}

// Submitting the form leaves out empty fields, so that the URL says only what was asked.
function tidySubmit(form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = {};
    for (const [name, value] of new FormData(form).entries()) values[name] = value;
    window.location.assign(pageUrl("/", values));
  });
}

async function main() {
  const form = document.getElementById("filters");
  tidySubmit(form);
  const params = currentParams();
  showPairLinks(params);
  const count = document.getElementById("result-count");
  const body = document.querySelector("#results tbody");
  const errorBox = document.getElementById("search-error");
  try {
    const data = await getJson(pageUrl("/api/events", params));
    hideError(errorBox);
    clear(body);
    for (const record of data.events) body.appendChild(resultRow(record));
    const first = data.events.length ? data.offset + 1 : 0;
    const last = data.offset + data.events.length;
    const counted = data.total_exact
      ? `${data.total.toLocaleString("en")} events`
      : `More than ${data.total.toLocaleString("en")} events`;
    count.textContent =
      data.total === 0
        ? "No events match these filters (0 events)."
        : `${counted} · showing ${first.toLocaleString("en")}–${last.toLocaleString("en")}`;
    count.dataset.total = String(data.total);
    count.dataset.totalExact = String(data.total_exact);
    const more = data.total_exact ? last < data.total : data.events.length === data.limit;
    setPager(document.getElementById("prev-page"), params, Math.max(0, data.offset - data.limit), data.offset > 0);
    setPager(document.getElementById("next-page"), params, data.offset + data.limit, more);
    if (data.total === 0) {
      body.appendChild(el("tr", { className: "empty" }, el("td", { colspan: "9" }, "Nothing found. Loosen a filter, or clear them all.")));
    }
  } catch (error) {
    count.textContent = "No results.";
    showError(errorBox, error);
  }
}

main();
