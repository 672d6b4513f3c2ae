// Tiny DOM helpers. Data is only ever put in the page as text (textContent, attributes),
// never parsed as HTML: the page has no innerHTML.

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "srcdoc") el.srcdoc = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function timeEl(iso) {
  return h("time", { datetime: iso || "", title: iso || "" }, fmtTime(iso));
}

export function ago(iso) {
  if (!iso) return "";
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return fmtTime(iso);
}

export function json(value) {
  return JSON.stringify(value, null, 2);
}

export function badge(status) {
  return h("span", { class: `badge badge-${status}` }, status);
}

export function toast(message) {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove("show"), 4000);
}

// Calls ``fn`` at most once per ``ms``, after the last call (bursts of events: one refresh).
export function debounce(fn, ms = 150) {
  let timer = null;
  const run = () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
  run.cancel = () => clearTimeout(timer);
  return run;
}

// What a view owns (timers, streams, listeners), all released when the view is left.
export class Scope {
  constructor() {
    this.alive = true;
    this.cleanups = [];
  }
  every(ms, fn) {
    const id = setInterval(fn, ms);
    this.cleanups.push(() => clearInterval(id));
  }
  own(closeable) {
    this.cleanups.push(() => closeable.close());
    return closeable;
  }
  onDispose(fn) {
    this.cleanups.push(fn);
  }
  dispose() {
    this.alive = false;
    for (const fn of this.cleanups.splice(0)) fn();
  }
}
