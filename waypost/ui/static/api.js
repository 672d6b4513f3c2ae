// The REST API with the key as a Bearer header, and SSE read with fetch (EventSource cannot
// send headers): frames parsed here, resumed with Last-Event-ID after a dropped connection.

const KEY = "waypost.key";

export const auth = {
  get: () => sessionStorage.getItem(KEY),
  set: (key) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
  }
}

function signedOut() {
  auth.clear();
  window.dispatchEvent(new Event("waypost:signed-out"));
}

export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

export async function api(path, { method = "GET", body, raw = false, signal, key } = {}) {
  const headers = { Authorization: `Bearer ${key || auth.get() || ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
    cache: "no-store",
  });
  if (response.status === 401 && !key) signedOut();
  if (!response.ok) {
    let detail = null;
    try {
      detail = await response.json();
    } catch {
      detail = null;
    }
    throw new ApiError(response.status, detail);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

// Every page of a list endpoint, up to ``max`` items.
export async function all(path, params = {}, max = 1000) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(path + qs({ ...params, limit: 100, cursor }));
    items.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function parseFrame(block) {
  let id = null;
  let type = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "id") id = value;
    else if (field === "event") type = value;
    else if (field === "data") data.push(value);
  }
  return { id, type, data: data.length ? data.join("\n") : null };
}

// Reads an SSE endpoint until closed; reconnects (with Last-Event-ID) when it drops.
// onEvent(type, data, id) gets each frame with data; onState("live" | "reconnecting" | "ended").
export function openStream(path, { onEvent, onState = () => {}, lastId = null }) {
  const state = { closed: false, lastId, controller: null };
  const run = async () => {
    let delay = 500;
    while (!state.closed) {
      state.controller = new AbortController();
      try {
        const headers = { Authorization: `Bearer ${auth.get() || ""}`, Accept: "text/event-stream" };
        if (state.lastId !== null) headers["Last-Event-ID"] = String(state.lastId);
        const response = await fetch(path, {
          headers,
          signal: state.controller.signal,
          cache: "no-store",
        });
        if (response.status === 401) {
          signedOut();
          return;
        }
        if (response.status === 404 || response.status === 400) {
          onState("ended");
          return;
        }
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        onState("live");
        delay = 500;
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const frame = parseFrame(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (frame.id !== null) state.lastId = frame.id;
            if (frame.data === null || frame.type === "keepalive") continue;
            let data;
            try {
              data = JSON.parse(frame.data);
            } catch {
              data = frame.data;
            }
            onEvent(frame.type, data, frame.id);
          }
        }
      } catch (error) {
        if (state.closed) return;
      }
      if (state.closed) return;
      onState("reconnecting");
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  };
  run();
  return {
    close() {
      state.closed = true;
      if (state.controller) state.controller.abort();
    },
    get lastId() {
      return state.lastId;
    },
    // drops the connection as a network failure would (the stream then resumes)
    drop() {
      if (state.controller) state.controller.abort();
    },
  };
}

// Downloads a keyed URL: fetch with the header, then save the blob (a link cannot send it).
export async function download(path, filename) {
  const response = await api(path, { raw: true });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
