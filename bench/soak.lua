-- wrk script for bench/soak.sh: alternates two queries and counts wrong answers.
-- 1. a seed answer that no rewrite touches: must stay "unavailable";
-- 2. the answer about the rewritten notice: "unavailable" or "available" (it flips), never
--    anything else.
local paths = {
  "/v1/availability?function=webcollect.credit_card&at=2023-11-13T03:00%2B09:00&as_of=2024-01-01",
  "/v1/availability?function=atobarai&at=2030-01-01T02:30%2B09:00&as_of=2029-12-31",
}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  n = 0
  wrong = 0
  last = 1
end
function request()
  n = n + 1
  last = (n % 2) + 1
  return wrk.format("GET", paths[last])
end
function response(status, headers, body)
  if status ~= 200 then return end
  local ok
  if last == 1 then
    ok = body:find('"status": "unavailable"', 1, true) ~= nil
  else
    ok = body:find('"status": "unavailable"', 1, true) ~= nil or body:find('"status": "available"', 1, true) ~= nil
  end
  if not ok then wrong = wrong + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("wrong") end
  io.write(string.format("wrong answers: %d\n", total))
end
