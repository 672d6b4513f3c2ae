// Entry point: sign-in, then a router on the URL's fragment (#/, #/sessions/ID, #/inboxes,
// #/inboxes/ID, #/emails/ID). Each view returns a function that releases what it holds.
import { api, auth, ApiError } from "./api.js";
import { h, fill, toast } from "./dom.js";
import { sessionsView } from "./sessions.js";
import { sessionView } from "./session.js";
import { inboxesView, inboxView, emailView } from "./mail.js";

const routes = [
  [/^#?\/?$/, sessionsView],
  [/^#\/sessions\/([\w-]+)$/, sessionView],
  [/^#\/inboxes$/, inboxesView],
  [/^#\/inboxes\/([\w-]+)$/, inboxView],
  [/^#\/emails\/([\w-]+)$/, emailView],
];

let release = null;
const main = document.getElementById("main");
const nav = document.getElementById("nav");

function signInView(root) {
  const error = h("p", { class: "error", id: "sign-in-error", role: "alert" });
  const input = h("input", {
    id: "api-key",
    name: "api-key",
    type: "password",
    autocomplete: "current-password",
    required: true,
    spellcheck: "false",
    "aria-describedby": "key-help sign-in-error",
  });
  const button = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    { class: "card sign-in", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Waypost"),
    h("p", { class: "muted" }, "Watch your agents' sessions live and read their mail."),
    h("label", { for: "api-key" }, "API key"),
    input,
    h(
      "p",
      { id: "key-help", class: "muted small" },
      "Kept in this tab's session storage only. Create one with ",
      h("code", {}, "waypost keys create --user NAME"),
      ".",
    ),
    button,
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    button.disabled = true;
    error.textContent = "";
    try {
      await api("/api/v1/sessions?limit=1", { key });
      auth.set(key);
      input.value = "";
      render();
    } catch (e) {
      error.textContent =
        e instanceof ApiError && e.status === 401 ? "That key is not valid." : `Could not sign in: ${e.message}`;
      button.disabled = false;
      input.focus();
    }
  });
  fill(root, form);
  input.focus();
  return () => {};
}

function notFound(root) {
  fill(root, h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to sessions")));
  return () => {};
}

function render() {
  if (release) release();
  release = null;
  main.replaceChildren();
  const signedIn = Boolean(auth.get());
  nav.hidden = !signedIn;
  if (!signedIn) {
    document.title = "Waypost — sign in";
    release = signInView(main);
    return;
  }
  const hash = location.hash || "#/";
  for (const [pattern, view] of routes) {
    const match = hash.match(pattern);
    if (match) {
      release = view(main, ...match.slice(1));
      for (const link of nav.querySelectorAll("a")) {
        const current = link.getAttribute("href") === hash.replace(/\/[\w-]+$/, "") || link.getAttribute("href") === hash;
        if (current) link.setAttribute("aria-current", "page");
        else link.removeAttribute("aria-current");
      }
      return;
    }
  }
  release = notFound(main);
}

document.getElementById("sign-out").addEventListener("click", () => {
  auth.clear();
  location.hash = "#/";
  render();
});
window.addEventListener("waypost:signed-out", () => {
  toast("Signed out: the key was refused.");
  render();
});
window.addEventListener("hashchange", () => {
  render();
  main.focus({ preventScroll: true });
});
render();
