import { api } from "../api.js";
import { h, clear } from "../dom.js";
import { t } from "../i18n.js";

export async function renderRooms(main) {
  const list = h("ul", { class: "room-list" });
  clear(main).append(h("section", { class: "page" },
    h("h1", { text: t("rooms.title") }),
    h("p", { class: "muted", text: t("rooms.intro") }),
    list));
  const { rooms } = await api("/api/v1/rooms");
  if (!rooms.length) list.append(h("li", { text: t("rooms.empty") }));
  for (const room of rooms) {
    list.append(h("li", {},
      h("a", { class: "room-link", href: `#/rooms/${room.id}` },
        h("span", { class: "room-name" }, room.name,
          room.unread ? h("span", { class: "unread", "aria-label": t("rooms.unread", { count: room.unread }), text: String(room.unread) }) : null),
        h("span", { class: "room-desc", text: room.description }),
        h("span", { class: "room-online muted", text: t("rooms.online", { count: room.online }) }))));
  }
}
