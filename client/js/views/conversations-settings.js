// Settings for private messages: who may message me, read markers, and the block list.
import { api } from "../api.js";
import { h, clear } from "../dom.js";
import { t } from "../i18n.js";

const CHOICES = ["anyone", "shared", "helpers", "nobody"];

export async function renderMessagingSettings(main) {
  const status = h("p", { role: "status", class: "muted" });
  const prefsForm = h("form", { class: "card" });
  const blockList = h("ul", { class: "block-list" });
  const blockForm = h("form", { class: "inline-form" },
    h("label", { for: "block-name", text: t("blocks.addLabel") }),
    h("input", { id: "block-name", name: "pseudonym", autocomplete: "off", required: true, maxlength: 64 }),
    h("button", { type: "submit", class: "btn", text: t("blocks.add") }));
  const blockError = h("p", { class: "form-error", role: "alert", hidden: true });

  clear(main).append(h("section", { class: "page" },
    h("h1", { text: t("settings.messagingTitle") }),
    h("p", { class: "muted", text: t("dm.privacy") }),
    prefsForm, status,
    h("h2", { text: t("blocks.title") }),
    h("p", { class: "muted", text: t("blocks.intro") }),
    blockForm, blockError, blockList));

  const { messaging } = await api("/api/v1/me/messaging");
  const fieldset = h("fieldset", {}, h("legend", { text: t("settings.whoLegend") }));
  for (const choice of CHOICES) {
    fieldset.append(h("label", { class: "check" },
      h("input", { type: "radio", name: "who", value: choice, checked: messaging.who_can_message === choice }),
      t(`settings.who.${choice}`)));
  }
  const receipts = h("input", { type: "checkbox", name: "receipts", checked: messaging.read_receipts });
  prefsForm.append(fieldset,
    h("label", { class: "check" }, receipts, t("settings.readReceipts")),
    h("p", { class: "hint", text: t("settings.readReceiptsHint") }),
    h("p", { class: "hint", text: t("settings.newAccounts") }));
  prefsForm.addEventListener("change", async () => {
    const who = prefsForm.querySelector('input[name="who"]:checked').value;
    try {
      await api("/api/v1/me/messaging", { method: "PUT", body: { who_can_message: who, read_receipts: receipts.checked } });
      status.textContent = t("settings.saved");
    } catch (error) {
      status.textContent = error.detail || t("error.generic");
    }
  });

  async function loadBlocks() {
    const { blocks } = await api("/api/v1/blocks");
    clear(blockList);
    if (!blocks.length) blockList.append(h("li", { class: "muted", text: t("blocks.empty") }));
    for (const block of blocks) {
      blockList.append(h("li", {}, h("span", { text: block.user.pseudonym }), " ",
        h("button", { type: "button", class: "link", text: t("blocks.remove"), onclick: async () => {
          await api(`/api/v1/blocks/${block.user.id}`, { method: "DELETE" }).catch(() => null);
          loadBlocks();
        } })));
    }
  }
  blockForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    blockError.hidden = true;
    try {
      await api("/api/v1/blocks", { method: "POST", body: { pseudonym: blockForm.pseudonym.value } });
      blockForm.reset();
      loadBlocks();
    } catch (error) {
      blockError.textContent = error.detail || t("error.generic");
      blockError.hidden = false;
    }
  });
  await loadBlocks();
}
