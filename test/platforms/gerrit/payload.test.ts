/** A queued Gerrit job may come back from a shared Redis: its payload is checked before it is used. */
import type { ReviewJob } from "../../../src/platforms/adapter.js";
import { gerritJobPayload } from "../../../src/platforms/gerrit/events.js";

const job: ReviewJob = {
  eventId: "patchset-created:42:3:1700000000",
  platform: "gerrit",
  repository: "openstack/nova",
  change: "42",
  revision: "3",
  payload: { project: "openstack/nova", branch: "master", number: 42, patchSet: 3, trigger: "patchset-created" },
};

test("a payload as the bot queued it passes; a poisoned one is refused with what is wrong", () => {
  expect(gerritJobPayload(job)).toMatchObject({ project: "openstack/nova", number: 42, patchSet: 3 });
  expect(() => gerritJobPayload({ ...job, payload: { ...job.payload, number: "42; DROP" } })).toThrow(
    "Gerrit job patchset-created:42:3:1700000000 has an invalid payload: number Invalid input: expected number, received string",
  );
  expect(() => gerritJobPayload({ ...job, payload: { ...job.payload, requester: { username: 7 } } })).toThrow(/requester\.username/);
  expect(() => gerritJobPayload({ ...job, repository: "openstack/secret" })).toThrow("it names openstack/nova 42, the job openstack/secret 42");
});
