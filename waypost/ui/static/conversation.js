// An agent session's conversation: stored messages, the reply streaming in from text_delta
// events, tool calls folded with their results, token usage, the message box, Interrupt and
// Approve / Reject for a tool call held by an `ask` rule.
import { api, ApiError } from "./api.js";
import { h, fill, json, debounce, toast } from "./dom.js";

const ENDS = new Set(["session_completed", "session_failed", "session_interrupted"]);

function blockText(block) {
  if (typeof block.content === "string") return block.content;
  if (Array.isArray(block.content)) {
    return block.content.map((b) => (b.type === "text" ? b.text : json(b))).join("\n");
  }
  return json(block.content ?? block);
}

export function createConversation(root, session) {
  let running = Boolean(session.is_running);
  let messages = session.messages || [];
  let pending = ""; // text streamed since the last stored message
  let activeTool = null;
  const approvals = new Map(); // tool_use_id -> {name, input}

  const usage = h("p", { class: "muted small", id: "token-usage" });
  const list = h("ol", { class: "messages", id: "messages", "aria-live": "polite" });
  const streaming = h("li", { class: "msg msg-assistant streaming", id: "streaming", hidden: true });
  const approvalBox = h("div", { id: "approvals" });
  const state = h("p", { class: "muted small", id: "run-state", "aria-live": "polite" });
  const input = h("textarea", { id: "message-input", name: "message", rows: "2", required: true });
  const send = h("button", { type: "submit", id: "send" }, "Send");
  const interrupt = h("button", { type: "button", id: "interrupt", class: "danger" }, "Interrupt");
  const form = h(
    "form",
    { class: "composer", "aria-label": "Send a message" },
    h("label", { for: "message-input" }, "Message"),
    input,
    h("div", { class: "row" }, send, interrupt),
  );

  fill(root, h("h2", {}, "Conversation"), usage, list, approvalBox, state, form);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    send.disabled = true;
    try {
      await api(`/api/v1/sessions/${session.id}/messages?wait=false`, {
        method: "POST",
        body: { content: text },
      });
      input.value = "";
      running = true;
      paint();
    } catch (e) {
      toast(e instanceof ApiError && e.status === 409 ? "The agent is busy: interrupt it or wait." : `Not sent: ${e.message}`);
    } finally {
      send.disabled = false;
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  interrupt.addEventListener("click", async () => {
    interrupt.disabled = true;
    try {
      await api(`/api/v1/sessions/${session.id}/interrupt`, { method: "POST" });
      toast("Interrupt sent.");
    } catch (e) {
      toast(`Interrupt failed: ${e.message}`);
    }
  });

  async function decide(toolUseId, decision, remember) {
    try {
      await api(`/api/v1/sessions/${session.id}/approvals/${encodeURIComponent(toolUseId)}`, {
        method: "POST",
        body: { decision, remember },
      });
      approvals.delete(toolUseId);
      paintApprovals();
      paint();
      toast(decision === "approve" ? "Approved." : "Rejected.");
    } catch (e) {
      toast(`Could not ${decision}: ${e.message}`);
    }
  }

  function paintApprovals() {
    const boxes = [];
    for (const [id, call] of approvals) {
      const remember = h("input", { type: "checkbox", id: `remember-${id}` });
      boxes.push(
        h(
          "section",
          { class: "approval card", "aria-label": `Approval for ${call.name}`, dataset: { toolUseId: id } },
          h("h3", {}, "Approval needed: ", h("code", {}, call.name)),
          h("pre", {}, json(call.input)),
          h("label", { class: "inline" }, remember, " Always allow this call"),
          h(
            "div",
            { class: "row" },
            h("button", { type: "button", class: "approve", onclick: () => decide(id, "approve", remember.checked) }, "Approve"),
            h("button", { type: "button", class: "danger reject", onclick: () => decide(id, "reject", false) }, "Reject"),
          ),
        ),
      );
    }
    fill(approvalBox, boxes);
  }

  function paint() {
    const results = new Map();
    let inTokens = 0;
    let outTokens = 0;
    for (const m of messages) {
      for (const b of m.content) if (b.type === "tool_result") results.set(b.tool_use_id, b);
      if (m.usage) {
        inTokens += m.usage.input_tokens || 0;
        outTokens += m.usage.output_tokens || 0;
      }
    }
    usage.textContent = `${messages.length} messages · ${inTokens.toLocaleString("en")} input + ${outTokens.toLocaleString("en")} output tokens`;
    const items = [];
    for (const m of messages) {
      const blocks = [];
      for (const b of m.content) {
        if (b.type === "text") blocks.push(h("p", { class: "text" }, b.text));
        else if (b.type === "tool_use") {
          const result = results.get(b.id);
          blocks.push(
            h(
              "details",
              { class: "tool", dataset: { toolUseId: b.id } },
              h("summary", {}, "Tool call ", h("code", {}, b.name), result ? (result.is_error ? " · error" : " · done") : " · pending"),
              h("h4", {}, "Input"),
              h("pre", {}, json(b.input)),
              result ? [h("h4", {}, "Result"), h("pre", { class: result.is_error ? "error" : "" }, blockText(result))] : null,
            ),
          );
        } else if (b.type === "tool_result") {
          continue; // shown with its call
        } else blocks.push(h("details", { class: "tool" }, h("summary", {}, b.type), h("pre", {}, json(b))));
      }
      if (!blocks.length) continue;
      items.push(
        h(
          "li",
          { class: `msg msg-${m.role}`, dataset: { id: m.id } },
          h("div", { class: "who" }, m.role, m.usage ? h("span", { class: "muted small" }, ` · ${m.usage.input_tokens || 0} in / ${m.usage.output_tokens || 0} out`) : null),
          blocks,
        ),
      );
    }
    streaming.hidden = !pending && !activeTool;
    fill(
      streaming,
      h("div", { class: "who" }, "assistant ", h("span", { class: "muted small" }, "(streaming)")),
      pending ? h("p", { class: "text", id: "streaming-text" }, pending) : null,
      activeTool ? h("p", { class: "muted" }, approvals.size ? "Waiting for your approval to call " : "Calling ", h("code", {}, activeTool), "…") : null,
    );
    items.push(streaming);
    fill(list, items);
    paintState();
  }

  function paintState() {
    state.textContent = running ? "The agent is working…" : "Idle: send the next message.";
    interrupt.disabled = !running;
  }

  const reload = debounce(async () => {
    try {
      const page = await api(`/api/v1/sessions/${session.id}`);
      messages = page.messages || [];
      running = page.is_running;
      paint();
    } catch {
      /* the stream keeps going; the next event retries */
    }
  }, 120);

  function onEvent(type, data) {
    if (type === "text_delta") {
      pending += data.data?.text || "";
      streaming.hidden = false;
      const el = streaming.querySelector("#streaming-text");
      if (el) el.textContent = pending;
      else paint();
      return;
    }
    if (type === "message.created") {
      pending = "";
      if (data.data?.role === "user") {
        running = true;
        activeTool = null;
      }
      reload();
    } else if (type === "tool_use_start") {
      activeTool = data.data?.name || "a tool";
      paint();
    } else if (type === "tool_result") {
      activeTool = null;
      approvals.delete(data.data?.tool_use_id);
      paintApprovals();
      reload();
    } else if (type === "approval_required") {
      approvals.set(data.data.tool_use_id, { name: data.data.name, input: data.data.input });
      paintApprovals();
      paint();
    } else if (ENDS.has(type)) {
      running = false;
      pending = "";
      activeTool = null;
      approvals.clear();
      paintApprovals();
      reload();
    }
  }

  paint();
  return { onEvent };
}
