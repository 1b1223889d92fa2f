// The TypeScript client (openapi-typescript types + openapi-fetch) generated from mado's
// document, against live servers: node client.js URL OTHER_URL (see client.py for the two).
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type Answer = components["schemas"]["Answer"];
type AnswerSet = components["schemas"]["AnswerSet"];
type ErrorBody = components["schemas"]["ErrorBody"];

const [url, other] = process.argv.slice(2);
const api = createClient<paths>({ baseUrl: url });
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`typescript client: ${what}`);
}

// An answer.
const one = await api.GET("/v1/availability", { params: { query: { function: ["webcollect.credit_card"], for: "1h30m" } } });
check(one.response.status === 200 && one.data !== undefined, `answer: ${one.response.status}`);
const answer = one.data as Answer;
check(answer.status === "unavailable" && answer.at === "2023-11-13T02:30:00+09:00", `answer: ${JSON.stringify(answer).slice(0, 200)}`);

// An answer set.
const set = await api.GET("/v1/availability", { params: { query: { function: ["webcollect.credit_card", "atobarai.bank_transfer"] } } });
const answers = (set.data as AnswerSet).answers;
check(set.response.status === 200 && answers.map((a) => a.function).join() === "webcollect.credit_card,atobarai.bank_transfer", "answer set");

// A window list.
const list = await api.GET("/v1/windows", { params: { query: { from: "2023-11-01", to: "2023-12-01" } } });
check(list.response.status === 200 && !!list.data?.windows.some((w) => w.uid === "2023-08-28-db-upgrade/all-functions"), "window list");

// The zones `tz` takes.
const zones = await api.GET("/v1/zones");
check(zones.response.status === 200 && !!zones.data?.zones.includes("Asia/Tokyo"), "zones");

// A 400: a lookahead the server does not read.
const bad = await api.GET("/v1/availability", { params: { query: { function: ["webcollect.credit_card"], for: "1h90m" } } });
const badBody = bad.error as ErrorBody;
check(bad.response.status === 400 && badBody.error === "bad_request" && badBody.parameter === "for", `400: ${JSON.stringify(badBody)}`);

// A 404: a function the other server's catalogue does not have.
const gone = await createClient<paths>({ baseUrl: other }).GET("/v1/availability", { params: { query: { function: ["testenv"] } } });
check(gone.response.status === 404 && (gone.error as ErrorBody).error === "unknown_function", `404: ${gone.response.status}`);

console.log("typescript client: answer, answer set, window list, zones, 400 and 404 parsed");
