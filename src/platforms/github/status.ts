/** The GitHub App's part of the status page: the write budget left of each installation this process wrote for. */
import type { StatusSection } from "../adapter.js";
import type { WriteBudget } from "./budget.js";

export async function budgetStatus(budget: WriteBudget, installations: ReadonlySet<number>): Promise<StatusSection> {
  const rows: StatusSection["rows"] = [];
  for (const id of [...installations].sort((a, b) => a - b)) {
    if (!budget.left) break;
    const left = await budget.left(id);
    const { perMinute, perHour } = budget.limits;
    const paused = left.pausedMs > 0 ? `; GitHub asked to wait ${Math.ceil(left.pausedMs / 1000)} s` : "";
    rows.push({
      label: `installation ${id}`,
      value: `${left.minute}/${perMinute} writes left this minute, ${left.hour}/${perHour} this hour${paused}`,
      warn: left.pausedMs > 0 || left.minute < perMinute / 4 || left.hour < perHour / 4,
    });
  }
  if (rows.length === 0) rows.push({ label: "write budget", value: "no installation has had a review from this instance yet" });
  return { title: "GitHub write budget", rows };
}
