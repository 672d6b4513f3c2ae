// One session: its timeline streaming over SSE (one connection drives every panel), the
// conversation for agent sessions, its mail, waits (with countdowns), extractions, and the
// replay steps once it has finished.
import { api, all, openStream } from "./api.js";
import { h, fill, json, badge, timeEl, debounce, Scope } from "./dom.js";
import { createConversation } from "./conversation.js";
import { emailList, extractionCard } from "./mail.js";

const ENDS = new Set([
  "session.completed",
  "session.failed",
  "session_completed",
  "session_failed",
  "session_interrupted",
]);

function countdown(iso) {
  const left = Math.max(0, Math.round((new Date(iso).getTime() - Date.now()) / 1000));
  const m = Math.floor(left / 60);
  const s = String(left % 60).padStart(2, "0");
  return `${m}:${s}`;
}

export function sessionView(root, id) {
  const scope = new Scope();
  document.title = `Session ${id} — Waypost`;
  const header = h("div", { class: "session-head" }, h("h1", {}, "Session"), h("p", { class: "muted" }, "Loading…"));
  const convBox = h("section", { class: "panel", id: "conversation", hidden: true });
  const waitsBox = h("section", { class: "panel", id: "waits", "aria-labelledby": "waits-title" });
  const mailBox = h("section", { class: "panel", id: "mail", "aria-labelledby": "mail-title" });
  const extractionsBox = h("section", { class: "panel", id: "extractions", "aria-labelledby": "extractions-title" });
  const timelineList = h("ol", { class: "timeline", id: "timeline" });
  const liveState = h("span", { class: "live-dot", id: "stream-state" }, "connecting");
  const timelineBox = h(
    "section",
    { class: "panel", id: "timeline-panel", "aria-labelledby": "timeline-title" },
    h("div", { class: "title-row" }, h("h2", { id: "timeline-title" }, "Timeline"), liveState),
    timelineList,
  );
  const replayBox = h("section", { class: "panel", id: "replay", hidden: true, "aria-labelledby": "replay-title" });
  fill(
    root,
    header,
    h("div", { class: "session-grid" }, h("div", { class: "col" }, convBox, timelineBox, replayBox), h("div", { class: "col" }, waitsBox, mailBox, extractionsBox)),
  );

  let session = null;
  let conversation = null;
  let extractions = [];
  let waits = [];
  const seen = new Set(); // seqs shown: a resumed stream never shows one twice
  let lastDelta = null; // consecutive text deltas share one timeline entry

  function paintHeader() {
    const s = session;
    fill(
      header,
      h("p", { class: "crumbs" }, h("a", { href: "#/" }, "Sessions"), " / "),
      h("h1", {}, s.name || s.config?.name || "Session", " ", badge(s.status), s.is_running ? h("span", { class: "badge badge-running" }, "running") : null),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "ID"),
        h("dd", { class: "mono" }, s.id),
        h("dt", {}, "Agent"),
        h("dd", {}, s.agent_id ? `${s.config?.name || ""} (${s.agent_id})` : "—"),
        h("dt", {}, "Source"),
        h("dd", {}, s.source || "—"),
        h("dt", {}, "Started"),
        h("dd", {}, timeEl(s.created_at)),
        s.ended_at ? [h("dt", {}, "Ended"), h("dd", {}, timeEl(s.ended_at))] : null,
        s.replay_of ? [h("dt", {}, "Replay of"), h("dd", {}, h("a", { href: `#/sessions/${s.replay_of}` }, s.replay_of))] : null,
      ),
    );
  }

  function addEvent(event) {
    if (event.seq !== null && event.seq !== undefined) {
      if (seen.has(event.seq)) return false;
      seen.add(event.seq);
    }
    if (event.type === "text_delta" && lastDelta) {
      lastDelta.count += 1;
      lastDelta.text += event.data?.text || "";
      lastDelta.label.textContent = `Text streamed (${lastDelta.count} deltas)`;
      lastDelta.pre.textContent = lastDelta.text;
      return true;
    }
    const pre = h("pre", {}, event.type === "text_delta" ? event.data?.text || "" : json(event.data));
    const label = h("span", { class: "desc" }, event.type === "text_delta" ? "Text streamed (1 delta)" : event.description);
    const item = h(
      "li",
      { dataset: { seq: event.seq ?? "", type: event.type } },
      h(
        "details",
        {},
        h("summary", {}, h("time", { datetime: event.timestamp, title: event.timestamp }, new Date(event.timestamp).toLocaleTimeString()), " ", label, " ", h("code", { class: "type" }, event.type)),
        pre,
      ),
    );
    timelineList.append(item);
    lastDelta = event.type === "text_delta" ? { count: 1, text: event.data?.text || "", label, pre } : null;
    return true;
  }

  function paintWaits() {
    const items = waits.map((w) => {
      const result = w.result;
      return h(
        "li",
        { class: `wait wait-${w.status}`, dataset: { id: w.id } },
        h("div", {}, h("strong", {}, w.type), " ", badge(w.status), " ", w.status === "pending" ? h("span", { class: "countdown", dataset: { expires: w.expires_at }, "aria-label": "time left" }, countdown(w.expires_at)) : null),
        result && result.value ? h("p", {}, "Result: ", h("code", { class: "value" }, result.value), ` (${Math.round(result.confidence * 100)}%)`, result.email_id ? [" · ", h("a", { href: `#/emails/${result.email_id}` }, "email")] : null) : null,
      );
    });
    fill(waitsBox, h("h2", { id: "waits-title" }, "Waits"), items.length ? h("ul", { class: "plain" }, items) : h("p", { class: "muted" }, "No waits."));
  }

  const loadWaits = debounce(async () => {
    waits = await all("/api/v1/waits", { session_id: id }, 200);
    if (scope.alive) paintWaits();
  }, 100);

  const loadExtractions = debounce(async () => {
    extractions = await all("/api/v1/extractions", { session_id: id }, 200);
    if (!scope.alive) return;
    fill(
      extractionsBox,
      h("h2", { id: "extractions-title" }, "Extractions"),
      extractions.length ? extractions.map((x) => extractionCard(x, true)) : h("p", { class: "muted" }, "Nothing extracted yet."),
    );
    loadMail();
  }, 100);

  const loadMail = debounce(async () => {
    const inboxes = await all("/api/v1/inboxes", { session_id: id }, 100);
    if (!scope.alive) return;
    const codes = new Map(extractions.filter((x) => x.email_id && x.value).map((x) => [x.email_id, x.value]));
    for (const w of waits) if (w.result?.email_id && w.result.value) codes.set(w.result.email_id, w.result.value);
    const boxes = [];
    for (const inbox of inboxes) {
      const emails = await api(`/api/v1/inboxes/${inbox.id}/emails?limit=50`);
      if (!scope.alive) return;
      boxes.push(
        h(
          "div",
          { class: "inbox", dataset: { id: inbox.id } },
          h("h3", {}, h("a", { href: `#/inboxes/${inbox.id}` }, inbox.email_address), h("span", { class: "muted small" }, ` · ${emails.total} email${emails.total === 1 ? "" : "s"}`)),
          emailList(emails.data, codes),
        ),
      );
    }
    fill(
      mailBox,
      h("h2", { id: "mail-title" }, "Mail"),
      boxes.length ? boxes : h("p", { class: "muted" }, "This session has no inbox."),
      h("p", { class: "small" }, h("a", { href: "#/inboxes" }, "All your inboxes")),
    );
  }, 150);

  async function loadReplay() {
    const replay = await api(`/api/v1/sessions/${id}/replay`);
    if (!scope.alive) return;
    replayBox.hidden = false;
    fill(
      replayBox,
      h("h2", { id: "replay-title" }, "Replay steps"),
      h("p", { class: "muted small" }, "What the session did, step by step, as recorded."),
      h(
        "ol",
        { class: "replay", id: "replay-steps" },
        replay.steps.map((step) =>
          h(
            "li",
            {},
            h(
              "details",
              {},
              h("summary", {}, `#${step.seq ?? ""} `, step.description, " ", h("code", { class: "type" }, step.type)),
              h("h4", {}, "Input"),
              h("pre", {}, json(step.input)),
              h("h4", {}, "Output"),
              h("pre", {}, json(step.output)),
            ),
          ),
        ),
      ),
    );
  }

  const refreshSession = debounce(async () => {
    session = await api(`/api/v1/sessions/${id}`);
    if (!scope.alive) return;
    paintHeader();
    if (session.status !== "active" && !session.is_running) loadReplay();
  }, 300);

  function onEvent(type, event) {
    if (!event || typeof event !== "object") return;
    if (!addEvent(event)) return;
    if (conversation) conversation.onEvent(type, event);
    if (type.startsWith("wait.")) {
      loadWaits();
      loadExtractions();
    } else if (type.startsWith("extraction.")) loadExtractions();
    else if (type.startsWith("email.") || type.startsWith("inbox.")) loadMail();
    if (ENDS.has(type) || type === "message.created") refreshSession();
  }

  (async () => {
    try {
      session = await api(`/api/v1/sessions/${id}`);
    } catch (e) {
      fill(header, h("h1", {}, "Session not found"), h("p", {}, e.message, " · ", h("a", { href: "#/" }, "Back to sessions")));
      return;
    }
    if (!scope.alive) return;
    paintHeader();
    if (session.agent_id || session.sandbox_id) {
      convBox.hidden = false;
      conversation = createConversation(convBox, session);
    }
    paintWaits();
    loadWaits();
    loadExtractions();
    if (session.status !== "active" && !session.is_running) loadReplay();
    const stream = openStream(`/api/v1/sessions/${id}/events`, {
      onEvent,
      onState: (s) => {
        liveState.textContent = s;
        liveState.classList.toggle("stale", s !== "live");
        liveState.dataset.state = s;
      },
    });
    scope.own(stream);
    root.dataset.streamReady = "1";
  })();
  scope.every(1000, () => {
    for (const el of waitsBox.querySelectorAll(".countdown")) el.textContent = countdown(el.dataset.expires);
  });
  return () => scope.dispose();
}
