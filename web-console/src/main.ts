// The members' console: finds out who is signed in, then renders the screen the URL's fragment names inside the
// shell (company, menu of what the member's powers allow, language switch). Every change re-renders the screen
// from the API: the service holds the state and judges every action.
import { Api, ApiFailure, type SessionView } from "./api";
import { errorText, saveLang, savedLang, WORDS, type Lang } from "./i18n";
import { stepUp } from "./passkey";
import { hashOf, MENU, parseRoute, type Route, type ScreenName } from "./routes";
import type { Screen, ScreenContext } from "./screen";
import { button, h } from "./ui";
import { inviteScreen, signInScreen } from "./screens/sign-in";
import { inboxScreen } from "./screens/inbox";
import { newRequestScreen } from "./screens/new-request";
import { requestScreen, requestsScreen } from "./screens/requests";
import { usagesScreen } from "./screens/usages";
import { sealsScreen } from "./screens/seals";
import { membersScreen } from "./screens/members";
import { scenariosScreen } from "./screens/scenarios";
import { grantsScreen } from "./screens/grants";
import { devicesScreen } from "./screens/devices";
import { alertsScreen } from "./screens/alerts";
import { auditScreen } from "./screens/audit";
import { meScreen } from "./screens/me";

const SCREEN_OF: Record<ScreenName, Screen> = {
  inbox: inboxScreen,
  new: newRequestScreen,
  requests: requestsScreen,
  request: requestScreen,
  usages: usagesScreen,
  seals: sealsScreen,
  members: membersScreen,
  scenarios: scenariosScreen,
  grants: grantsScreen,
  devices: devicesScreen,
  alerts: alertsScreen,
  audit: auditScreen,
  me: meScreen,
};

const root = document.getElementById("app") as HTMLElement;
let lang: Lang = savedLang();
let session: SessionView | null = null;
/** A message about the last action, shown on the screen it was given on (its re-render, or where the action led). */
let flash: { tone: "ok" | "bad" | "info"; text: string; hash: string } | null = null;
// Each render bumps the counter; a screen whose data arrives after a newer render started is dropped.
let renderRun = 0;

const api = new Api({
  csrfToken: () => session?.csrfToken ?? null,
  async stepUp() {
    setFlash({ tone: "info", text: WORDS[lang].stepUpAsk });
    await stepUp(api);
  },
});

function setFlash(next: { tone: "ok" | "bad" | "info"; text: string }): void {
  flash = { ...next, hash: location.hash };
  const el = document.getElementById("flash");
  if (el) fillFlash(el);
}

function fillFlash(el: HTMLElement): void {
  el.className = flash ? `flash ${flash.tone}` : "flash";
  el.textContent = flash?.text ?? "";
}

async function loadSession(): Promise<SessionView | null> {
  try {
    return await api.get<SessionView>("/auth/session");
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) return null;
    throw err;
  }
}

function signedIn(view: SessionView): void {
  session = view;
  flash = null;
  // Back to the screen the member came for; an invitation's token leaves the address bar and the history.
  const route = parseRoute(location.hash);
  if (route.name === "invite" || route.name === "sign-in") history.replaceState(null, "", `${location.pathname}${hashOf("inbox")}`);
  void show();
}

async function signOut(): Promise<void> {
  try {
    await api.delete("/auth/session");
  } catch {
    // Signed out already, or the service is away: either way this page forgets the session.
  }
  session = null;
  flash = null;
  location.hash = "#/sign-in";
  void show();
}

function switchLang(): void {
  lang = lang === "zh" ? "en" : "zh";
  saveLang(lang);
  void show();
}

async function show(): Promise<void> {
  const run = ++renderRun;
  const route = parseRoute(location.hash);
  if (flash !== null && flash.hash !== location.hash) flash = null;
  const w = WORDS[lang];
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  if (route.name === "invite" || route.name === "sign-in" || session === null) {
    document.title = `${route.name === "invite" ? w.inviteTitle : w.signInTitle} · ${w.appName}`;
    const screen = route.name === "invite" ? inviteScreen(w, api, route.param, signedIn) : signInScreen(w, api, signedIn);
    root.replaceChildren(h("header", { class: "top" }, h("div", { class: "bar" }, h("p", { class: "brand" }, w.appName), langButton())), h("main", { id: "main" }, flashBox(), screen));
    return;
  }
  const current = session;
  const title = w.screens[route.name];
  document.title = `${title} · ${w.appName}`;
  const main = h("main", { id: "main" }, h("h1", { tabindex: "-1" }, title), flashBox(), h("p", { class: "loading", role: "status" }, w.loading));
  root.replaceChildren(shell(current, route), main);
  const ctx: ScreenContext = {
    lang,
    w,
    api,
    session: current,
    can: (power) => current.powers.includes(power),
    go: (hash) => {
      location.hash = hash;
    },
    refused: async (err) => {
      if (await stillSignedIn(err)) setFlash({ tone: "bad", text: errorText(w, err) });
    },
    act: async (done, action) => {
      try {
        const result = await action();
        setFlash({ tone: "ok", text: typeof done === "string" ? done : done(result) });
        void show();
        return true;
      } catch (err) {
        if (!(await stillSignedIn(err))) return false;
        setFlash({ tone: "bad", text: errorText(w, err) });
        return false;
      }
    },
  };
  let content: Node[];
  try {
    content = await SCREEN_OF[route.name](ctx, route.param);
  } catch (err) {
    if (!(await stillSignedIn(err))) return;
    content = [h("p", { class: "error", role: "alert" }, errorText(w, err))];
  }
  if (run !== renderRun) return;
  main.replaceChildren(main.children[0], main.children[1], ...content);
  if (document.activeElement === document.body || document.activeElement === null) (main.children[0] as HTMLElement).focus();
}

/** A 401 means the session ended (expired, revoked, signed out elsewhere): back to the sign-in screen. */
async function stillSignedIn(err: unknown): Promise<boolean> {
  if (!(err instanceof ApiFailure) || err.status !== 401) return true;
  session = null;
  location.hash = "#/sign-in";
  setFlash({ tone: "info", text: WORDS[lang].sessionEnded });
  await show();
  return false;
}

function flashBox(): HTMLElement {
  const el = h("div", { id: "flash", role: "status", "aria-live": "polite" });
  fillFlash(el);
  return el;
}

function langButton(): HTMLButtonElement {
  const w = WORDS[lang];
  return button(w.otherLang, switchLang, { class: "lang", lang: lang === "zh" ? "en" : "zh", "data-testid": "lang-switch" });
}

function shell(view: SessionView, route: Route): HTMLElement {
  const w = WORDS[lang];
  const current = route.name === "request" ? "requests" : route.name;
  const items = MENU.filter((m) => m.powers === null || m.powers.some((p) => view.powers.includes(p))).map((m) =>
    h("li", {}, h("a", { href: hashOf(m.name), ...(m.name === current ? { "aria-current": "page" } : {}) }, w.screens[m.name])),
  );
  return h(
    "header",
    { class: "top" },
    h("div", { class: "bar" }, h("p", { class: "brand" }, w.appName, h("span", { class: "company" }, view.company.name)), langButton(), button(w.signOut, () => void signOut(), { class: "lang", "data-testid": "sign-out" })),
    h("nav", { "aria-label": w.menu }, h("ul", {}, ...items)),
  );
}

// A file dropped outside the drop zone would make the browser leave the console and open it.
for (const type of ["dragover", "drop"] as const) window.addEventListener(type, (event) => event.preventDefault());
window.addEventListener("hashchange", () => void show());

void (async () => {
  try {
    session = parseRoute(location.hash).name === "invite" ? null : await loadSession();
  } catch {
    session = null;
  }
  await show();
})();
