// Admin and moderator tools: rooms, forum boards, roles (admins), the on-call rota (admins).
import { api } from "../api.js";
import { h, clear } from "../dom.js";
import { t } from "../i18n.js";
import { getState } from "../store.js";


function status() {
  return h("p", { class: "muted", role: "status" });
}

function errorText(error) {
  return error.detail || t("error.generic");
}

async function roomsSection() {
  const list = h("ul", { class: "admin-rooms" });
  const said = status();
  async function load() {
    const { rooms } = await api("/api/v1/rooms?archived=true");
    clear(list);
    for (const room of rooms) {
      const name = h("input", { value: room.name, "aria-label": `${t("admin.name")}: ${room.name}` });
      list.append(h("li", {},
        name,
        h("button", { type: "button", class: "btn", text: t("admin.rename"), onclick: async () => {
          try { await api(`/api/v1/rooms/${room.id}`, { method: "PATCH", body: { name: name.value } }); said.textContent = t("admin.done"); } catch (e) { said.textContent = errorText(e); }
        } }),
        h("button", { type: "button", class: "btn", text: room.archived ? t("admin.restore") : t("admin.archive"), onclick: async () => {
          await api(`/api/v1/rooms/${room.id}`, { method: "PATCH", body: { archived: !room.archived } });
          load();
        } })));
    }
  }
  const form = newPlaceForm("room", "/api/v1/rooms", said, load, {
    title: t("admin.newRoom"), slug: t("admin.slug"), name: t("admin.name"), description: t("admin.description"), create: t("admin.create") });
  await load();
  return h("section", { class: "card" }, h("h2", { text: t("admin.rooms") }), list, form, said);
}

async function boardsSection() {
  const list = h("ul", { class: "admin-boards" });
  const said = status();
  async function patch(board, body) {
    try {
      await api(`/api/v1/forum/boards/${board.id}`, { method: "PATCH", body });
      said.textContent = t("admin.done");
      return true;
    } catch (error) {
      said.textContent = errorText(error);
      return false;
    }
  }
  async function load() {
    const { boards } = await api("/api/v1/forum/boards?archived=true");
    clear(list);
    boards.forEach((board, index) => {
      const name = h("input", { value: board.name, "aria-label": `${t("admin.boardName")}: ${board.name}`, required: true });
      const description = h("input", { value: board.description, "aria-label": `${t("admin.boardDescription")}: ${board.name}` });
      const form = h("form", { class: "admin-board" },
        name, description,
        h("span", { class: "muted", text: board.archived ? t("admin.boardArchived") : t("admin.boardThreads", { count: board.thread_count }) }),
        h("button", { type: "submit", class: "btn", text: t("admin.saveBoard") }),
        h("button", { type: "button", class: "btn", text: board.archived ? t("admin.restore") : t("admin.archive"),
          "aria-label": `${board.archived ? t("admin.restore") : t("admin.archive")}: ${board.name}`, onclick: async () => {
            if (await patch(board, { archived: !board.archived })) load();
          } }),
        index > 0 ? h("button", { type: "button", class: "link", text: t("admin.moveUp"), "aria-label": `${t("admin.moveUp")}: ${board.name}`,
          onclick: () => move(boards, index, index - 1) }) : null,
        index < boards.length - 1 ? h("button", { type: "button", class: "link", text: t("admin.moveDown"), "aria-label": `${t("admin.moveDown")}: ${board.name}`,
          onclick: () => move(boards, index, index + 1) }) : null);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (await patch(board, { name: name.value, description: description.value })) load();
      });
      list.append(h("li", {}, form));
    });
  }
  async function move(boards, from, to) {
    // Number the boards 1, 2, 3… in the new order; only those that changed place are saved.
    const order = boards.slice();
    order.splice(to, 0, ...order.splice(from, 1));
    for (const [index, board] of order.entries()) {
      if (board.position !== index + 1 && !(await patch(board, { position: index + 1 }))) return;
    }
    load();
  }
  const form = newPlaceForm("board", "/api/v1/forum/boards", said, load, {
    title: t("admin.newBoard"), slug: t("admin.boardSlug"), name: t("admin.boardName"),
    description: t("admin.boardDescription"), create: t("admin.createBoard") });
  await load();
  return h("section", { class: "card" }, h("h2", { text: t("admin.boards") }), h("p", { class: "muted", text: t("admin.boardsIntro") }), list, form, said);
}

function rolesSection() {
  const who = h("input", { id: "role-who", required: true });
  const role = h("select", { id: "role-what" }, ["member", "specialist", "moderator", "admin"].map((r) => h("option", { value: r, text: t(`role.${r}`) })));
  const said = status();
  const form = h("form", { class: "card" },
    h("h2", { text: t("admin.roles") }),
    h("label", { for: "role-who", text: t("admin.rolePseudonym") }), who,
    h("label", { for: "role-what", text: t("admin.role") }), role,
    h("button", { type: "submit", class: "btn primary", text: t("admin.setRole") }), said);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("/api/v1/admin/roles", { method: "POST", body: { pseudonym: who.value, role: role.value } });
      said.textContent = t("admin.done");
    } catch (error) {
      said.textContent = errorText(error);
    }
  });
  return form;
}

// The rota counts days from Monday (0); the catalogue's week starts on Sunday.
function weekdayName(day) {
  return t("weekday")[(day + 1) % 7];
}

function minutes(text) {
  const [hours, mins] = text.split(":").map(Number);
  return hours * 60 + (mins || 0);
}

function clock(minute) {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

async function rotaSection() {
  const { slots } = await api("/api/v1/crisis/rota");
  const rows = h("tbody");
  const said = status();
  function addRow(slot = { pseudonym: "", weekday: 0, start_minute: 18 * 60, end_minute: 22 * 60 }) {
    const row = h("tr", {},
      h("td", {}, h("input", { class: "who", value: slot.pseudonym, "aria-label": t("admin.rolePseudonym") })),
      h("td", {}, h("select", { class: "day", "aria-label": t("admin.weekday") }, [0, 1, 2, 3, 4, 5, 6].map((i) => h("option", { value: String(i), text: weekdayName(i), selected: i === slot.weekday })))),
      h("td", {}, h("input", { class: "from", value: clock(slot.start_minute), "aria-label": t("admin.from"), pattern: "\\d{2}:\\d{2}" })),
      h("td", {}, h("input", { class: "to", value: clock(slot.end_minute), "aria-label": t("admin.to"), pattern: "\\d{2}:\\d{2}" })),
      h("td", {}, h("button", { type: "button", class: "link", text: t("admin.remove"), onclick: () => row.remove() })));
    rows.append(row);
  }
  slots.forEach(addRow);
  const save = h("button", { type: "button", class: "btn primary", text: t("admin.saveRota"), onclick: async () => {
    const body = [...rows.children].map((row) => ({
      pseudonym: row.querySelector(".who").value,
      weekday: Number(row.querySelector(".day").value),
      start_minute: minutes(row.querySelector(".from").value),
      end_minute: minutes(row.querySelector(".to").value),
    }));
    try {
      await api("/api/v1/crisis/rota", { method: "PUT", body: { slots: body } });
      said.textContent = t("admin.done");
    } catch (error) {
      said.textContent = errorText(error);
    }
  } });
  return h("section", { class: "card" },
    h("h2", { text: t("admin.rota") }),
    h("table", { class: "rota-table" }, h("thead", {}, h("tr", {},
      [t("admin.rolePseudonym"), t("admin.weekday"), t("admin.from"), t("admin.to"), ""].map((label) => h("th", { scope: "col", text: label })))), rows),
    h("button", { type: "button", class: "btn", text: t("admin.addSlot"), onclick: () => addRow() }), save, said);
}

export async function renderAdmin(main) {
  const isAdmin = getState().user?.role === "admin";
  const parts = [h("h1", { text: t("admin.title") }), await roomsSection(), await boardsSection()];
  if (isAdmin) parts.push(rolesSection(), await rotaSection());
  clear(main).append(h("section", { class: "page admin" }, parts));
}

// The "new room" and "new board" forms: a slug, a name and a description, posted to `url`;
// `words` are the already-translated heading and labels.
function newPlaceForm(kind, url, said, load, words) {
  const slug = h("input", { id: `${kind}-slug`, required: true });
  const name = h("input", { id: `${kind}-name`, required: true });
  const description = h("input", { id: `${kind}-description` });
  const form = h("form", {},
    h("h3", { text: words.title }),
    h("label", { for: `${kind}-slug`, text: words.slug }), slug,
    h("label", { for: `${kind}-name`, text: words.name }), name,
    h("label", { for: `${kind}-description`, text: words.description }), description,
    h("button", { type: "submit", class: "btn primary", text: words.create }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api(url, { method: "POST", body: { slug: slug.value, name: name.value, description: description.value } });
      form.reset();
      said.textContent = t("admin.done");
      load();
    } catch (error) {
      said.textContent = errorText(error);
    }
  });
  return form;
}
