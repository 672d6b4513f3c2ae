// Mail: all of the user's inboxes, one inbox's emails arriving live, and one email: its
// sanitised HTML in a sandboxed iframe (no scripts, no remote images), text, headers, raw
// source, attachments, and what was extracted from it (highlighted in the text).
import { api, all, qs, download } from "./api.js";
import { h, fill, json, timeEl, ago, Scope, toast } from "./dom.js";

const PAGE = 50;
const POLL_MS = 2000;

// Inside the iframe: nothing may load or run; inline styles only (the sanitiser keeps them).
const FRAME_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export function emailList(emails, codes = new Map()) {
  if (!emails.length) return h("p", { class: "muted" }, "No mail yet.");
  return h(
    "ul",
    { class: "emails plain" },
    emails.map((e) =>
      h(
        "li",
        { dataset: { id: e.id } },
        h("a", { href: `#/emails/${e.id}` }, h("strong", {}, e.subject || "(no subject)")),
        codes.get(e.id) ? [" ", h("code", { class: "value code-chip" }, codes.get(e.id))] : null,
        h("div", { class: "muted small" }, e.from, " · ", h("time", { datetime: e.received_at, title: e.received_at }, ago(e.received_at))),
      ),
    ),
  );
}

export function extractionCard(x, withLink = false) {
  const pct = Math.round((x.confidence || 0) * 100);
  return h(
    "div",
    { class: "extraction card", dataset: { id: x.id } },
    h(
      "p",
      {},
      h("strong", {}, x.type),
      ": ",
      x.value ? h("code", { class: "value extracted-value" }, x.value) : h("span", { class: "muted" }, "nothing found"),
      " ",
      h("meter", { min: "0", max: "1", value: String(x.confidence || 0), "aria-label": "confidence" }),
      h("span", { class: "small" }, ` ${pct}% · ${x.method || "rules"}`),
      withLink && x.email_id ? [" · ", h("a", { href: `#/emails/${x.email_id}` }, "email")] : null,
    ),
    x.candidates && x.candidates.length
      ? h(
          "details",
          { class: "candidates" },
          h("summary", {}, `Other candidates (${x.candidates.length})`),
          h(
            "ol",
            {},
            x.candidates.map((c) => h("li", {}, h("code", {}, c.value), ` ${Math.round(c.confidence * 100)}% — ${c.reason}`)),
          ),
        )
      : null,
  );
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// The text with every occurrence of ``value`` in <mark> (spaces or dashes between characters
// allowed: "731 904" is where "731904" was found).
export function highlight(text, value) {
  if (!value || !text) return [text || ""];
  let re;
  try {
    const chars = [...value.replace(/[\s-]/g, "")].map(escapeRe);
    re = new RegExp(chars.length > 1 ? chars.join("[\\s-]?") : escapeRe(value), "g");
  } catch {
    return [text];
  }
  const parts = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (!m[0]) break;
    parts.push(text.slice(last, m.index), h("mark", {}, m[0]));
    last = m.index + m[0].length;
  }
  if (!parts.length) {
    const i = text.indexOf(value);
    if (i < 0) return [text];
    return [text.slice(0, i), h("mark", {}, value), text.slice(i + value.length)];
  }
  parts.push(text.slice(last));
  return parts;
}

function pager(onPage) {
  const cursors = [null];
  const prev = h("button", { type: "button", disabled: true }, "Previous");
  const next = h("button", { type: "button", disabled: true }, "Next");
  prev.addEventListener("click", () => {
    if (cursors.length > 1) cursors.pop();
    onPage();
  });
  next.addEventListener("click", () => {
    if (next.dataset.cursor) cursors.push(next.dataset.cursor);
    onPage();
  });
  return {
    el: h("nav", { class: "pager", "aria-label": "Pages" }, prev, next),
    cursor: () => cursors[cursors.length - 1],
    offset: () => (cursors.length - 1) * PAGE,
    update(page) {
      prev.disabled = cursors.length <= 1;
      next.disabled = !page.next_cursor;
      next.dataset.cursor = page.next_cursor || "";
    },
  };
}

export function inboxesView(root) {
  const scope = new Scope();
  document.title = "Inboxes — Waypost";
  const body = h("ul", { class: "plain inboxes", id: "inboxes" });
  const summary = h("p", { class: "muted", "aria-live": "polite" });
  const pages = pager(() => load());
  fill(root, h("div", { class: "title-row" }, h("h1", {}, "Inboxes"), h("span", { class: "live-dot" }, "live")), summary, body, pages.el);
  async function load() {
    try {
      const page = await api("/api/v1/inboxes" + qs({ limit: PAGE, cursor: pages.cursor() }));
      if (!scope.alive) return;
      fill(
        body,
        page.data.map((i) =>
          h(
            "li",
            { dataset: { id: i.id } },
            h("a", { href: `#/inboxes/${i.id}` }, i.email_address),
            h("div", { class: "muted small" }, "created ", timeEl(i.created_at), " · expires ", timeEl(i.expires_at), i.session_id ? [" · ", h("a", { href: `#/sessions/${i.session_id}` }, "session")] : null),
          ),
        ),
      );
      if (!page.data.length) body.append(h("li", { class: "muted" }, "No inboxes yet."));
      summary.textContent = `${page.total.toLocaleString("en")} inboxes`;
      pages.update(page);
    } catch (e) {
      summary.textContent = `Could not load inboxes: ${e.message}`;
    }
  }
  load();
  scope.every(POLL_MS * 2, () => !document.hidden && load());
  return () => scope.dispose();
}

export function inboxView(root, id) {
  const scope = new Scope();
  document.title = "Inbox — Waypost";
  const head = h("div", {}, h("h1", {}, "Inbox"));
  const summary = h("p", { class: "muted", "aria-live": "polite", id: "emails-summary" });
  const listBox = h("div", { id: "inbox-emails" });
  const pages = pager(() => load());
  fill(root, head, summary, listBox, pages.el);
  let codes = new Map();
  (async () => {
    try {
      const inbox = await api(`/api/v1/inboxes/${id}`);
      if (!scope.alive) return;
      document.title = `${inbox.email_address} — Waypost`;
      fill(
        head,
        h("p", { class: "crumbs" }, h("a", { href: "#/inboxes" }, "Inboxes"), " / "),
        h("div", { class: "title-row" }, h("h1", { class: "mono" }, inbox.email_address), h("span", { class: "live-dot" }, "live")),
        h("p", { class: "muted small" }, "expires ", timeEl(inbox.expires_at), inbox.session_id ? [" · ", h("a", { href: `#/sessions/${inbox.session_id}` }, "its session")] : null),
      );
      if (inbox.session_id) {
        const xs = await all("/api/v1/extractions", { session_id: inbox.session_id }, 200);
        codes = new Map(xs.filter((x) => x.email_id && x.value).map((x) => [x.email_id, x.value]));
      }
    } catch (e) {
      fill(head, h("h1", {}, "Inbox not found"), h("p", {}, e.message));
    }
  })();
  async function load() {
    try {
      const page = await api(`/api/v1/inboxes/${id}/emails` + qs({ limit: PAGE, cursor: pages.cursor() }));
      if (!scope.alive) return;
      fill(listBox, emailList(page.data, codes));
      summary.textContent = `${page.total.toLocaleString("en")} emails`;
      pages.update(page);
    } catch (e) {
      summary.textContent = `Could not load mail: ${e.message}`;
    }
  }
  load();
  scope.every(POLL_MS, () => !document.hidden && load());
  return () => scope.dispose();
}

function frameDoc(html) {
  return (
    "<!doctype html><html><head><meta charset=\"utf-8\">" +
    `<meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}">` +
    '<meta name="referrer" content="no-referrer"></head><body>' +
    html +
    "</body></html>"
  );
}

export function emailView(root, id) {
  const scope = new Scope();
  document.title = "Email — Waypost";
  const head = h("div", {}, h("h1", {}, "Email"), h("p", { class: "muted" }, "Loading…"));
  const extractionBox = h("section", { class: "panel", id: "email-extraction", "aria-labelledby": "extraction-title" });
  const tabs = h("div", { class: "tabs", role: "tablist", "aria-label": "Email parts" });
  const panels = h("div", { class: "tab-panels" });
  const attachmentsBox = h("section", { class: "panel", id: "attachments", "aria-labelledby": "attachments-title" });
  fill(root, head, extractionBox, h("section", { class: "panel" }, tabs, panels), attachmentsBox);

  let email = null;
  let value = null;
  const textPre = h("pre", { class: "email-text", id: "email-text" });

  function paintText() {
    fill(textPre, email.text ? highlight(email.text, value) : h("span", { class: "muted" }, "No text part."));
  }

  function addTab(name, panel, onShow) {
    const tab = h("button", { type: "button", role: "tab", id: `tab-${name.toLowerCase()}`, "aria-controls": `panel-${name.toLowerCase()}`, "aria-selected": "false" }, name);
    panel.id = `panel-${name.toLowerCase()}`;
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tab.id);
    panel.hidden = true;
    tab.addEventListener("click", () => {
      for (const t of tabs.children) t.setAttribute("aria-selected", String(t === tab));
      for (const p of panels.children) p.hidden = p !== panel;
      if (onShow) onShow();
    });
    tab.addEventListener("keydown", (event) => {
      const list = [...tabs.children];
      const i = list.indexOf(tab);
      const to = event.key === "ArrowRight" ? list[(i + 1) % list.length] : event.key === "ArrowLeft" ? list[(i - 1 + list.length) % list.length] : null;
      if (to) {
        to.focus();
        to.click();
      }
    });
    tabs.append(tab);
    panels.append(panel);
    return tab;
  }

  function paintExtraction(found) {
    value = found && found.value ? found.value : null;
    const typeSelect = h("select", { id: "extract-type" }, ["auto", "otp", "link"].map((t) => h("option", { value: t }, t)));
    const run = h("button", { type: "button", id: "extract" }, found ? "Extract again" : "Extract");
    run.addEventListener("click", async () => {
      run.disabled = true;
      try {
        const x = await api(`/api/v1/emails/${id}/extract`, { method: "POST", body: { type: typeSelect.value } });
        paintExtraction(x);
      } catch (e) {
        toast(`Extraction failed: ${e.message}`);
        run.disabled = false;
      }
    });
    fill(
      extractionBox,
      h("h2", { id: "extraction-title" }, "Extracted"),
      found ? extractionCard(found) : h("p", { class: "muted" }, "Nothing extracted from this email yet."),
      h("div", { class: "row" }, h("label", { for: "extract-type" }, "Type "), typeSelect, run),
    );
    if (email) paintText();
  }

  async function findExtraction(inbox) {
    const params = inbox.session_id ? { session_id: inbox.session_id } : {};
    const xs = await all("/api/v1/extractions", params, inbox.session_id ? 500 : 100);
    const mine = xs.filter((x) => x.email_id === id);
    mine.sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    const withValue = mine.find((x) => x.value);
    return withValue || mine[0] || null;
  }

  (async () => {
    try {
      email = await api(`/api/v1/emails/${id}`);
    } catch (e) {
      fill(head, h("h1", {}, "Email not found"), h("p", {}, e.message));
      return;
    }
    if (!scope.alive) return;
    document.title = `${email.subject || "Email"} — Waypost`;
    const addresses = (list) => list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(", ");
    fill(
      head,
      h("p", { class: "crumbs" }, h("a", { href: `#/inboxes/${email.inbox_id}` }, "Inbox"), " / "),
      h("h1", { id: "email-subject" }, email.subject || "(no subject)"),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "From"),
        h("dd", {}, email.from),
        h("dt", {}, "To"),
        h("dd", {}, addresses(email.to)),
        email.cc.length ? [h("dt", {}, "Cc"), h("dd", {}, addresses(email.cc))] : null,
        h("dt", {}, "Received"),
        h("dd", {}, timeEl(email.received_at)),
        h("dt", {}, "Size"),
        h("dd", {}, `${email.size.toLocaleString("en")} bytes`),
      ),
    );
    const htmlPanel = h("div", {});
    if (email.html) {
      htmlPanel.append(
        h("p", { class: "muted small" }, "Sanitised HTML, shown without scripts or remote images."),
        h("iframe", {
          id: "email-html",
          title: "Email HTML",
          sandbox: "",
          referrerpolicy: "no-referrer",
          csp: FRAME_CSP,
          srcdoc: frameDoc(email.html),
        }),
      );
    } else htmlPanel.append(h("p", { class: "muted" }, "No HTML part."));
    const textPanel = h("div", {}, textPre);
    const headersPanel = h(
      "div",
      { class: "table-wrap" },
      h("table", { class: "headers" }, h("tbody", {}, email.headers.map((x) => h("tr", {}, h("th", { scope: "row" }, x.name), h("td", {}, x.value))))),
    );
    const rawPre = h("pre", { class: "raw", id: "email-raw" }, "Loading…");
    const rawPanel = h(
      "div",
      {},
      h("button", { type: "button", onclick: () => download(`/api/v1/emails/${id}/raw`, `${id}.eml`) }, "Download .eml"),
      rawPre,
    );
    let rawLoaded = false;
    const first = addTab(email.html ? "HTML" : "Text", email.html ? htmlPanel : textPanel);
    if (email.html) addTab("Text", textPanel);
    addTab("Headers", headersPanel);
    addTab("Raw", rawPanel, async () => {
      if (rawLoaded) return;
      rawLoaded = true;
      const response = await api(`/api/v1/emails/${id}/raw`, { raw: true });
      rawPre.textContent = await response.text();
    });
    first.click();
    paintText();
    fill(
      attachmentsBox,
      h("h2", { id: "attachments-title" }, "Attachments"),
      email.attachments.length
        ? h(
            "ul",
            { class: "plain" },
            email.attachments.map((a) =>
              h(
                "li",
                {},
                h(
                  "button",
                  { type: "button", class: "link", onclick: () => download(`/api/v1/emails/${id}/attachments/${a.index}`, a.filename || `attachment-${a.index}`) },
                  `Download ${a.filename || `attachment ${a.index}`}`,
                ),
                h("span", { class: "muted small" }, ` ${a.content_type} · ${a.size.toLocaleString("en")} bytes`),
              ),
            ),
          )
        : h("p", { class: "muted" }, "No attachments."),
      email.defects.length ? h("details", {}, h("summary", {}, `Parser notes (${email.defects.length})`), h("pre", {}, json(email.defects))) : null,
    );
    try {
      const inbox = await api(`/api/v1/inboxes/${email.inbox_id}`);
      paintExtraction(await findExtraction(inbox));
    } catch {
      paintExtraction(null);
    }
  })();
  return () => scope.dispose();
}
