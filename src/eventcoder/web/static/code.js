// "Code a text": posts the pasted article to /api/code (never stored) and shows each event
// as a card with its sentence, the trigger and the actors marked.
import {
  actorCell,
  clear,
  el,
  formatSigned,
  goldsteinClass,
  hideError,
  plural,
  ploverText,
  postJson,
  quadLabel,
  sentenceWithMarks,
  showError,
} from "./common.js";

const form = document.getElementById("code-form");
const textBox = document.getElementById("code-text");
const dateBox = document.getElementById("code-date");
const titleBox = document.getElementById("code-title");
const button = document.getElementById("code-submit");
const status = document.getElementById("code-status");
const results = document.getElementById("code-results");
const errorBox = document.getElementById("code-error");

function fact(term, ...value) {
  return el("div", { className: "fact" }, el("span", { className: "fact-term" }, term), el("span", {}, ...value));
}

function eventCard(record, index) {
  return el(
    "article",
    { className: "event-card", "data-event-id": record.event_id },
    el(
      "header",
      {},
      el("span", { className: `quad-dot q${record.quad_class}`, title: quadLabel(record.quad_class) }),
      el("h3", {}, `${index + 1}. ${ploverText(record.plover)}`),
      el("span", { className: `badge ${goldsteinClass(record.goldstein)}` }, formatSigned(record.goldstein)),
    ),
    el("p", { className: "card-sentence" }, sentenceWithMarks(record)),
    el(
      "div",
      { className: "facts" },
      fact("Source", actorCell(record.source)),
      fact("Target", actorCell(record.target)),
      fact("CAMEO", el("code", {}, record.cameo)),
      fact("QuadClass", quadLabel(record.quad_class)),
      fact("Date", `${record.date} (${record.date_precision})`),
      fact("Confidence", typeof record.confidence === "number" ? record.confidence.toFixed(2) : "–"),
    ),
  );
}

async function submit(event) {
  event.preventDefault();
  const text = textBox.value;
  if (!text.trim()) {
    showError(errorBox, new Error("paste the text of an article first"), "Nothing to code");
    return;
  }
  button.disabled = true;
  status.textContent = "Coding… (the first text loads the model, which takes a few seconds)";
  hideError(errorBox);
  try {
    const title = titleBox.value.trim();
    const data = await postJson("/api/code?store=false", {
      text,
      date: dateBox.value,
      title: title || null,
      doc_id: null,
    });
    clear(results);
    const events = data.events || [];
    status.textContent = `${plural(events.length, "event")} found`;
    if (!events.length) {
      results.appendChild(el("p", { className: "panel muted" }, "No events in this text: the coder found no pattern with an actor it knows."));
    }
    events.forEach((record, index) => results.appendChild(eventCard(record, index)));
  } catch (error) {
    status.textContent = "";
    showError(errorBox, error, "Could not code the text");
  } finally {
    button.disabled = false;
  }
}

form.addEventListener("submit", submit);
