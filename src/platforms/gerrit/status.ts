/** The Gerrit bot's part of the status page: where its events come from and how far it has caught up. */
import type { StatusSection } from "../adapter.js";
import type { SshEventStream } from "./ssh-events.js";

const at = (d: Date | number | undefined) => (d === undefined ? undefined : (typeof d === "number" ? new Date(d * 1000) : d).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC"));

export function eventStatus(state: {
  events: "ssh" | "webhook";
  stream?: SshEventStream;
  lastEventAt?: Date;
  /** Epoch seconds (Gerrit's clock): events up to here are handled. */
  cursor?: number;
  reconciled?: number;
}): StatusSection {
  const rows: StatusSection["rows"] = [];
  if (state.events === "ssh") {
    const s = state.stream;
    rows.push(
      s?.connected
        ? { label: "stream-events", value: `connected since ${at(s.connectedSince) ?? "?"}` }
        : { label: "stream-events", value: `not connected (${s?.lastError ?? "connecting"})`, warn: true },
    );
  } else {
    rows.push({ label: "events", value: "webhooks plugin" });
    rows.push({ label: "last reconciliation", value: at(state.reconciled) ?? "none yet" });
  }
  rows.push({ label: "last event", value: at(state.lastEventAt) ?? "none since start" });
  rows.push({ label: "catch-up cursor", value: at(state.cursor) ?? "none (a first start catches up ten minutes)" });
  return { title: "Gerrit events", rows };
}
