// The sessions list: filters, cursor pages of 50, refreshed every few seconds.
import { api, qs } from "./api.js";
import { h, fill, ago, badge, timeEl, Scope } from "./dom.js";

const PAGE = 50;
const POLL_MS = 2000;
const filters = { status: "", agent_id: "", source: "" }; // kept while the tab lives

export function sessionsView(root) {
  const scope = new Scope();
  document.title = "Sessions — Waypost";
  let cursors = [null]; // the cursor of each page seen, for Previous
  let agents = new Map();
  const lastSeen = new Map(); // session id -> its last event, as last fetched

  const status = h(
    "select",
    { id: "filter-status", name: "status" },
    ["", "active", "completed", "failed", "interrupted"].map((s) =>
      h("option", { value: s }, s || "any"),
    ),
  );
  const agent = h("select", { id: "filter-agent", name: "agent" }, h("option", { value: "" }, "any"));
  const source = h("input", {
    id: "filter-source",
    name: "source",
    list: "sources",
    placeholder: "any",
    size: "10",
  });
  const sources = h(
    "datalist",
    { id: "sources" },
    ["user", "api", "schedule", "workflow", "replay", "team"].map((s) => h("option", { value: s })),
  );
  status.value = filters.status;
  source.value = filters.source;
  const summary = h("p", { class: "muted", id: "sessions-summary", "aria-live": "polite" });
  const body = h("tbody", { id: "sessions-body" });
  const prev = h("button", { type: "button", disabled: true }, "Previous");
  const next = h("button", { type: "button", disabled: true }, "Next");
  const live = h("span", { class: "live-dot", title: "updates every 2 s" }, "live");

  fill(
    root,
    h("div", { class: "title-row" }, h("h1", {}, "Sessions"), live),
    h(
      "form",
      { class: "filters", role: "search", "aria-label": "Filter sessions" },
      h("label", {}, "Status ", status),
      h("label", {}, "Agent ", agent),
      h("label", {}, "Source ", source),
      sources,
    ),
    summary,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "list", id: "sessions-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Session", "Status", "Agent", "Source", "Started", "Last event"].map((t) =>
              h("th", { scope: "col" }, t),
            ),
          ),
        ),
        body,
      ),
    ),
    h("nav", { class: "pager", "aria-label": "Pages" }, prev, next),
  );

  const onFilter = () => {
    filters.status = status.value;
    filters.agent_id = agent.value;
    filters.source = source.value.trim();
    cursors = [null];
    load();
  };
  status.addEventListener("change", onFilter);
  agent.addEventListener("change", onFilter);
  source.addEventListener("change", onFilter);
  root.querySelector("form.filters").addEventListener("submit", (e) => {
    e.preventDefault();
    onFilter();
  });
  prev.addEventListener("click", () => {
    if (cursors.length > 1) cursors.pop();
    load();
  });
  next.addEventListener("click", () => {
    if (next.dataset.cursor) cursors.push(next.dataset.cursor);
    load();
  });

  function row(s) {
    const agentName = s.agent_id ? agents.get(s.agent_id) || s.config?.name || s.agent_id : "—";
    const label = s.name || s.config?.name || s.id;
    return h(
      "tr",
      { dataset: { id: s.id } },
      h(
        "td",
        { "data-label": "Session" },
        h("a", { href: `#/sessions/${s.id}` }, label),
        label !== s.id ? h("div", { class: "muted small mono" }, s.id) : null,
      ),
      h("td", { "data-label": "Status" }, badge(s.status), s.is_running ? h("span", { class: "badge badge-running" }, "running") : null),
      h("td", { "data-label": "Agent" }, agentName),
      h("td", { "data-label": "Source" }, s.source || "—"),
      h("td", { "data-label": "Started" }, timeEl(s.created_at)),
      h("td", { "data-label": "Last event", class: "last-event" }, lastEventCell(lastSeen.get(s.id), s.updated_at)),
    );
  }

  function lastEventCell(last, updated) {
    if (!last) return h("time", { datetime: updated, title: updated }, ago(updated));
    return [
      h("span", { class: "desc" }, last.description),
      " ",
      h("time", { class: "muted small", datetime: last.timestamp, title: last.timestamp }, ago(last.timestamp)),
    ];
  }

  // The description of each row's last event (one request for the page), beside its time.
  async function lastEvents(ids) {
    if (!ids.length) return;
    const found = await api("/ui/api/last-events?" + ids.map((id) => `session_id=${encodeURIComponent(id)}`).join("&"));
    if (!scope.alive) return;
    for (const tr of body.querySelectorAll("tr[data-id]")) {
      const last = found.data[tr.dataset.id];
      if (!last) continue;
      const known = lastSeen.get(tr.dataset.id);
      lastSeen.set(tr.dataset.id, last);
      if (!known || known.seq !== last.seq) fill(tr.querySelector(".last-event"), lastEventCell(last));
    }
    if (lastSeen.size > 5000) lastSeen.clear();
  }

  let loading = false;
  async function load() {
    if (loading) return;
    loading = true;
    const cursor = cursors[cursors.length - 1];
    try {
      const page = await api(
        "/api/v1/sessions" + qs({ limit: PAGE, cursor, status: filters.status, agent_id: filters.agent_id, source: filters.source }),
      );
      if (!scope.alive) return;
      const frag = document.createDocumentFragment();
      for (const s of page.data) frag.append(row(s));
      body.replaceChildren(frag);
      if (!page.data.length) {
        body.append(h("tr", {}, h("td", { colspan: "6", class: "muted" }, "No sessions yet.")));
      }
      const first = (cursors.length - 1) * PAGE;
      summary.textContent = page.total
        ? `${page.total.toLocaleString("en")} sessions · showing ${first + 1}–${first + page.data.length}`
        : "0 sessions";
      prev.disabled = cursors.length <= 1;
      next.disabled = !page.next_cursor;
      next.dataset.cursor = page.next_cursor || "";
      live.classList.remove("stale");
      lastEvents(page.data.map((s) => s.id)).catch(() => {});
    } catch (e) {
      live.classList.add("stale");
      summary.textContent = `Could not load sessions: ${e.message}`;
    } finally {
      loading = false;
    }
  }

  (async () => {
    try {
      const list = await api("/api/v1/agents?limit=100");
      agents = new Map(list.data.map((a) => [a.id, a.name]));
      for (const a of list.data) agent.append(h("option", { value: a.id }, a.name));
      agent.value = filters.agent_id;
      if (scope.alive) load();
    } catch {
      /* agents are only names for the filter */
    }
  })();
  load();
  scope.every(POLL_MS, () => {
    if (!document.hidden) load();
  });
  return () => scope.dispose();
}
