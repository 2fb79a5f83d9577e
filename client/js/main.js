// Entry point: who is signed in, the router, the connection status bar.
import { api } from "./api.js";
import { h, clear } from "./dom.js";
import { t, translateStatic, translationReady } from "./i18n.js";
import { installSafetyControls } from "./safety.js";
import { live } from "./socket.js";
import { getState, setState } from "./store.js";
import { renderLogin, renderRecover, renderSignup } from "./views/auth.js";
import { renderMeeting, renderMeetings } from "./views/meetings.js";
import { renderRecovery } from "./views/recovery.js";
import { forumRoutes } from "./views/forum.js";
import { renderRoom } from "./views/room.js";
import { renderRooms } from "./views/rooms.js";
import { renderConsole, renderFlag } from "./views/console.js";
import { showResources } from "./safety.js";
import { renderConversation, renderConversations } from "./views/conversations.js";
import { renderMessagingSettings } from "./views/conversations-settings.js";
import { applyPreferences, renderSettings } from "./views/settings.js";
import { renderAdmin } from "./views/admin.js";
import { renderMentorship } from "./views/mentorship.js";
import { renderAccount } from "./views/account.js";
import { moderationRoutes } from "./views/moderation.js";
import { renderNotices } from "./views/moderation-member.js";

const main = document.getElementById("main");
let leaveView = null;

// Hearth keeps exactly one entry in the browser's history: in-app navigation
// replaces it instead of pushing, so Quick exit (which replaces that one entry)
// leaves nothing to go Back to.
export function go(hash) {
  location.replace(hash);
}

document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#/"]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  go(link.getAttribute("href"));
});

// Routes for signed-in members: [pattern, render(main, ...captures) -> optional cleanup].
const routes = [
  ...forumRoutes,
  ...moderationRoutes,
  [/^#\/notices$/, (el) => renderNotices(el)],
  [/^#\/console\/(\d+)$/, (el, id) => renderFlag(el, Number(id))],
  [/^#\/console$/, (el) => renderConsole(el)],
  [/^#\/rooms\/(\d+)$/, (el, id) => renderRoom(el, Number(id))],
  [/^#\/rooms$/, (el) => renderRooms(el)],
  [/^#\/conversations\/(\d+)$/, (el, id) => renderConversation(el, Number(id))],
  [/^#\/conversations$/, (el) => renderConversations(el)],
  [/^#\/settings\/messaging$/, (el) => renderMessagingSettings(el)],
  [/^#\/settings\/account$/, (el) => renderAccount(el)],
  [/^#\/settings$/, (el) => renderSettings(el)],
  [/^#\/admin$/, (el) => renderAdmin(el)],
  [/^#\/mentorship$/, (el) => renderMentorship(el)],
  [/^#\/recovery$/, (el) => renderRecovery(el)],
  [/^#\/meetings\/(\d+)$/, (el, id) => renderMeeting(el, Number(id))],
  [/^#\/meetings$/, (el) => renderMeetings(el)],
];
const publicRoutes = {
  "#/signup": renderSignup,
  "#/login": renderLogin,
  "#/recover": renderRecover,
};

export function addRoute(pattern, render) {
  routes.unshift([pattern, render]);
}

const STAFF = ["specialist", "moderator", "admin"];
const navItems = [
  { href: "#/rooms", key: "nav.rooms" },
  { href: "#/forum", key: "nav.forum" },
  { href: "#/conversations", key: "nav.conversations" },
  { href: "#/recovery", key: "nav.recovery" },
  { href: "#/meetings", key: "nav.meetings" },
  { href: "#/console", key: "nav.console", roles: STAFF },
  { href: "#/admin", key: "nav.admin", roles: ["moderator", "admin"] },
  { href: "#/moderation", key: "nav.moderation", roles: ["moderator", "admin"] },
  { href: "#/notices", key: "nav.notices" },
  { href: "#/settings", key: "nav.settings" },
];

export function addNavItem(href, key, roles = null) {
  navItems.push({ href, key, roles });
}

function renderNav() {
  const nav = clear(document.getElementById("nav"));
  const { user } = getState();
  if (user) {
    for (const item of navItems) {
      if (!item.roles || item.roles.includes(user.role)) nav.append(h("a", { href: item.href, text: t(item.key) }));
    }
    nav.append(h("button", { type: "button", class: "link", text: t("nav.logout"), onclick: logout }));
  } else {
    nav.append(h("a", { href: "#/login", text: t("nav.login") }), h("a", { href: "#/signup", text: t("nav.signup") }));
  }
}

function signedIn(user) {
  setState({ user });
  live.connect();
  renderNav();
  if (!location.hash.startsWith("#/") || publicRoutes[location.hash]) go("#/rooms");
  else route();
}

async function logout() {
  try {
    await api("/api/v1/auth/logout", { method: "POST" });
  } finally {
    endSession();
  }
}

function endSession(message) {
  live.stop();
  setState({ user: null });
  renderNav();
  go("#/login");
  if (message) showStatus(message);
}

// Each navigation renders into its own outlet: a slower earlier view that finishes
// loading after the member has moved on writes into a detached element, never over
// the page they are on now.
let visits = 0;

async function route() {
  if (leaveView) {
    leaveView();
    leaveView = null;
  }
  const visit = ++visits;
  const outlet = h("div", { class: "view" });
  clear(main).append(outlet);
  const hash = location.hash || "#/rooms";
  const { user } = getState();
  if (!user) {
    const render = publicRoutes[hash] || renderLogin;
    render(outlet, { onSignedIn: signedIn });
    return;
  }
  for (const [pattern, render] of routes) {
    const match = hash.match(pattern);
    if (match) {
      try {
        const cleanup = await render(outlet, ...match.slice(1));
        if (typeof cleanup === "function") {
          if (visit === visits) leaveView = cleanup;
          else cleanup();  // the member already left this view
        }
      } catch (error) {
        if (visit === visits) clear(outlet).append(h("p", { class: "form-error", role: "alert", text: error.detail || t("error.generic") }));
      }
      if (visit === visits) main.focus();
      return;
    }
  }
  go("#/rooms");
}

let statusTimer = null;
function showStatus(text, sticky = false) {
  const bar = document.getElementById("status");
  bar.textContent = text;
  bar.hidden = false;
  clearTimeout(statusTimer);
  if (!sticky) statusTimer = setTimeout(() => { bar.hidden = true; }, 3000);
}

live.on("status", ({ state }) => {
  const previous = getState().connection;
  setState({ connection: state });
  document.body.dataset.connection = state;
  if (state === "online") {
    if (previous === "reconnecting" || previous === "offline") showStatus(t("status.restored"));
    else document.getElementById("status").hidden = true;
  } else if (state === "offline") showStatus(t("status.offline"), true);
  else if (state === "reconnecting") showStatus(t("status.reconnecting"), true);
});
live.on("session_ended", () => endSession(t("status.sessionEnded")));
// Sent only to this member when their words suggest they may be in danger.
live.on("crisis_resources", (frame) => showResources(frame.message, frame.resources));
live.on("hello", (frame) => setState({ unattended: Boolean(frame.unattended) }));
live.on("room_mode", (frame) => setState({ unattended: Boolean(frame.unattended) }));

async function start() {
  applyPreferences();
  installSafetyControls();  // first: Quick exit and Get help now work before anything else loads
  await translationReady;
  translateStatic();
  window.addEventListener("hashchange", route);
  try {
    const me = await api("/api/v1/me");
    setState({ user: me.user });
    live.connect();
  } catch {
    setState({ user: null });
  }
  renderNav();
  route();
}

start();
