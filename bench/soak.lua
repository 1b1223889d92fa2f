-- wrk script for bench/soak.sh: alternates two queries and counts wrong answers.
-- 1. a seed answer that no rewrite touches: must stay "unavailable";
-- 2. the answer about the rewritten notice: "unavailable" or "available" (it flips), never
--    anything else.
-- Responses arrive on many connections in any order, so each is told apart by its body.
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
end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n % 2) + 1])
end
function response(status, headers, body)
  if status ~= 200 then return end
  local unavailable = body:find('"status": "unavailable"', 1, true) ~= nil
  local available = body:find('"status": "available"', 1, true) ~= nil
  local ok
  if body:find('"function": "webcollect.credit_card"', 1, true) then
    ok = unavailable
  elseif body:find('"function": "atobarai"', 1, true) then
    ok = unavailable or available
  else
    ok = false
  end
  if not ok then wrong = wrong + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("wrong") end
  io.write(string.format("wrong answers: %d\n", total))
end
