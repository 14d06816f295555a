/** The thread policy shared by the platforms: post, already there, resolve, never reopen. */
import { planThreads, type ExistingThread } from "../../src/review/plan.js";

const c = (fingerprint: string) => ({ fingerprint });
const t = (fingerprint: string, resolved: boolean, byPerson = false): ExistingThread & { id: string } => ({ id: `${fingerprint}-${resolved}-${byPerson}`, fingerprint, resolved, byPerson });

test("an open thread means already there; no thread means post", () => {
  const plan = planThreads([c("a"), c("b")], [t("a", false)]);
  expect(plan.toPost).toEqual([c("b")]);
  expect(plan.alreadyThere).toEqual([c("a")]);
  expect(plan.toResolve).toEqual([]);
});

test("a thread a person resolved or answered is never reopened nor posted again", () => {
  const plan = planThreads([c("a")], [t("a", true, true)]);
  expect(plan.toPost).toEqual([]);
  expect(plan.alreadyThere).toEqual([c("a")]);
});

test("a finding we resolved as fixed that comes back gets a new thread", () => {
  expect(planThreads([c("a")], [t("a", true)]).toPost).toEqual([c("a")]);
});

test("open threads whose finding is gone are resolved, unless the finding is still there but not inline", () => {
  const threads = [t("gone", false), t("listed", false), t("done", true), t("answered", false, true)];
  expect(planThreads([], threads, new Set(["listed"])).toResolve.map((x) => x.fingerprint)).toEqual(["gone", "answered"]);
});

test("of several threads for one fingerprint, the open one counts", () => {
  const plan = planThreads([c("a")], [t("a", true), t("a", false)]);
  expect(plan.alreadyThere).toEqual([c("a")]);
  expect(plan.toResolve).toEqual([]);
});
