-- The checkout mix at now: 8 payment functions, each with and without a 15-minute lookahead.
local functions = { "webcollect.credit_card", "webcollect.convenience_store", "webcollect.carrier", "webcollect.id_payment",
  "webcollect.kuroneko_pay", "webcollect.reauth", "atobarai.credit_card", "atobarai.au_kantan" }
local paths = {}
for _, f in ipairs(functions) do
  paths[#paths + 1] = "/v1/availability?function=" .. f
  paths[#paths + 1] = "/v1/availability?function=" .. f .. "&for=15m"
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
