import type { OutboundMessage } from "../../domain/channels.js";

// The Cloud API's limits for interactive messages (characters).
const TEXT_MAX = 4096;
const INTERACTIVE_BODY_MAX = 1024;
const BUTTONS_MAX = 3;
const BUTTON_TITLE_MAX = 20;
const BUTTON_ID_MAX = 256;
const ROWS_MAX = 10;
const ROW_TITLE_MAX = 24;
const ROW_DESCRIPTION_MAX = 72;
const ROW_ID_MAX = 200;
/** Understood in French and English alike, the two chat locales. */
const LIST_BUTTON = "Options";

/** The message part of a Graph `/messages` request (`messaging_product` and `to` are added by the sender). */
export type CloudMessageBody =
  | { type: "text"; text: { body: string; preview_url: false } }
  | {
      type: "interactive";
      interactive:
        | {
            type: "button";
            body: { text: string };
            action: { buttons: { type: "reply"; reply: { id: string; title: string } }[] };
          }
        | {
            type: "list";
            body: { text: string };
            action: { button: string; sections: { rows: ListRow[] }[] };
          };
    };

interface ListRow {
  id: string;
  title: string;
  description?: string;
}

/**
 * A reply as a Cloud API message. Choices become reply buttons when there are at most three
 * with short labels, else a list (up to ten rows; a long label is split into the row's title and
 * description), else numbered lines, which the engine reads back as "1", "2"…
 */
export function renderCloudMessage(message: OutboundMessage): CloudMessageBody {
  const choices = message.choices ?? [];
  if (choices.length > 0 && message.text.length <= INTERACTIVE_BODY_MAX) {
    if (
      choices.length <= BUTTONS_MAX &&
      choices.every((c) => c.label.length <= BUTTON_TITLE_MAX && c.id.length <= BUTTON_ID_MAX)
    ) {
      return {
        type: "interactive",
        interactive: {
          type: "button",
          body: { text: message.text },
          action: { buttons: choices.map((c) => ({ type: "reply", reply: { id: c.id, title: c.label } })) },
        },
      };
    }
    const rows = choices.length <= ROWS_MAX ? choices.map(listRow) : [];
    if (rows.length > 0 && rows.every((r): r is ListRow => r !== null)) {
      return {
        type: "interactive",
        interactive: {
          type: "list",
          body: { text: message.text },
          action: { button: LIST_BUTTON, sections: [{ rows }] },
        },
      };
    }
  }
  const lines = [message.text];
  choices.forEach((c, i) => lines.push(`${i + 1}. ${c.label}`));
  const body = lines.join("\n");
  return {
    type: "text",
    text: { body: body.length > TEXT_MAX ? `${body.slice(0, TEXT_MAX - 1)}…` : body, preview_url: false },
  };
}

/** A choice as a list row, or null when it cannot be one. */
export function listRow(choice: { id: string; label: string }): ListRow | null {
  if (choice.id.length > ROW_ID_MAX) return null;
  const label = choice.label.trim();
  if (label.length <= ROW_TITLE_MAX) return { id: choice.id, title: label };
  // Cut at the last word boundary that fits, e.g. "mardi 1 décembre à 15:00" | "Dr Martin".
  const cut = label.lastIndexOf(" ", ROW_TITLE_MAX);
  let title: string;
  let description: string;
  if (cut > 0) {
    title = label.slice(0, cut).replace(/[\s,;:—–-]+$/, "");
    description = label.slice(cut).replace(/^[\s,;:—–-]+/, "");
  } else {
    title = `${label.slice(0, ROW_TITLE_MAX - 1)}…`;
    description = label;
  }
  if (!title || description.length > ROW_DESCRIPTION_MAX) return null;
  return description ? { id: choice.id, title, description } : { id: choice.id, title };
}
