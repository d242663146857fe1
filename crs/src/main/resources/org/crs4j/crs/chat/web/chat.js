// The chat page: keeps the dialogue, sends it to POST /v1/crs/turn with stream: true, shows the answer as its
// text arrives (server-sent events over fetch), then the recommendation cards and the stage trace folded under it.
"use strict";
const log = document.getElementById("log");
const form = document.getElementById("ask");
const input = document.getElementById("message");
const send = document.getElementById("send");
let messages = [];

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

fetch("/v1/crs/info").then(r => r.json()).then(i => {
  const llm = i.llm ? "LLM " + i.llm : "no LLM: answers are the recommendation expert's own output (seed 003's w/o-LLM variant)";
  document.getElementById("info").textContent = `${i.dataset}, ${i.items.toLocaleString()} movies · recommender ${i.recommender} · ${llm}`;
}).catch(() => { document.getElementById("info").textContent = "server unreachable"; });

// what the message names, shown while the user types (debounced; the server links, no model runs)
const names = document.getElementById("names");
let linkTimer = null, linkSeq = 0;
input.addEventListener("input", () => {
  clearTimeout(linkTimer);
  linkTimer = setTimeout(async () => {
    const seq = ++linkSeq, text = input.value;
    if (!text.trim()) { names.textContent = ""; return; }
    try {
      const r = await fetch("/v1/crs/link", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }) });
      const o = await r.json();
      if (seq !== linkSeq || !r.ok) return;
      const parts = [];
      if (o.linked.length) parts.push("linked: " + o.linked.join("; "));
      for (const u of o.unknown_titles) parts.push(`unknown title: "${u}"`);
      names.textContent = parts.join(" · ");
    } catch (e) { /* the hint is optional */ }
  }, 250);
});

document.getElementById("reset").addEventListener("click", () => { messages = []; log.replaceChildren(); input.focus(); });

form.addEventListener("submit", async ev => {
  ev.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  names.textContent = "";
  linkSeq++;
  send.disabled = true;
  log.append(el("div", "msg user", text));
  messages.push({ role: "user", content: text });
  const bot = el("div", "msg bot");
  const answer = el("span", "answer");
  bot.append(answer);
  log.append(bot);
  log.scrollTop = log.scrollHeight;
  try {
    const turn = await streamTurn(messages, piece => { answer.textContent += piece; log.scrollTop = log.scrollHeight; });
    answer.textContent = turn.response;
    messages.push({ role: "assistant", content: turn.response });
    render(bot, turn);
  } catch (e) {
    messages.pop();
    bot.append(el("div", "error", String(e.message || e)));
  } finally {
    send.disabled = false;
    input.focus();
    log.scrollTop = log.scrollHeight;
  }
});

async function streamTurn(msgs, onDelta) {
  const res = await fetch("/v1/crs/turn", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ messages: msgs, stream: true }) });
  if (!res.ok || !res.headers.get("Content-Type").startsWith("text/event-stream")) {
    const body = await res.json().catch(() => ({}));
    throw new Error((body.error && body.error.message) || ("HTTP " + res.status));
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "", turn = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (!event.startsWith("data: ")) continue;
      const data = event.slice(6);
      if (data === "[DONE]") continue;
      const o = JSON.parse(data);
      if (o.delta !== undefined) onDelta(o.delta);
      else if (o.turn) turn = o.turn;
      else if (o.error) throw new Error(o.error.message);
    }
  }
  if (!turn) throw new Error("the stream ended without a turn");
  return turn;
}

function render(bot, turn) {
  if (turn.expert_output_as_answer) bot.prepend(el("div", "label", "expert output, not generated (" + (turn.trace.expert ? turn.trace.expert.id : "no expert") + ")"));
  if (turn.linked.length) bot.append(el("div", "note", "you named: " + turn.linked.join("; ")));
  for (const u of turn.unknown_titles) bot.append(el("div", "note", `unknown title: "${u}" is not in the catalogue`));
  if (turn.cards.length) {
    const cards = el("div", "cards");
    for (const c of turn.cards) {
      const card = el("div", "card");
      card.append(el("h3", "", c.title));
      card.append(el("div", "genres", [c.year ? String(c.year) : "", c.genres.join(", ")].filter(Boolean).join(" · ")));
      if (c.why) card.append(el("div", "why", c.why));
      cards.append(card);
    }
    bot.append(cards);
  }
  const trace = el("details", "trace");
  trace.append(el("summary", "", `stages: ${turn.trace.subtask.schema_form} → ${turn.trace.expert ? turn.trace.expert.id : "no expert"} · ${Math.round(turn.trace.total_ms)} ms`));
  trace.append(el("pre", "", traceText(turn.trace)));
  bot.append(trace);
}

function traceText(t) {
  const lines = [];
  lines.push(`1. sub-task: ${t.subtask.schema_form} [${t.subtask.detected_by}]`);
  lines.push(`2. expert: ${t.expert ? t.expert.id + " [" + t.expert.matched_by + "]" : "(none)"}`);
  lines.push(`3. expert output (${t.execution_ms.toFixed(1)} ms): ${t.expert ? t.expert.output : "(none)"}`);
  if (t.expert) for (const n of t.expert.notes) lines.push("   note: " + n);
  if (!t.calls.length) lines.push("4. response: no LLM call (the expert output is the answer)");
  for (const c of t.calls) {
    lines.push(`LLM ${c.stage}: ` + (c.error ? "failed: " + c.error
      : `prompt ${c.prompt.length} chars = ${c.prompt_tokens} tokens, output ${c.output_tokens} tokens, ${Math.round(c.latency_ms)} ms`));
  }
  for (const f of t.fallbacks) lines.push(`fallback ${f.kind}: ${f.detail}`);
  return lines.join("\n");
}
