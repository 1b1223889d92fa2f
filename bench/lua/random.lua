-- Random explicit instants, 2019 to 2031, over the same 8 functions: no two requests alike.
local functions = { "webcollect.credit_card", "webcollect.convenience_store", "webcollect.carrier", "webcollect.id_payment",
  "webcollect.kuroneko_pay", "webcollect.reauth", "atobarai.credit_card", "atobarai.au_kantan" }
local seeded = false
request = function()
  if not seeded then
    math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
    seeded = true
  end
  local t = math.random(1546300800, 1924992000)
  local f = functions[math.random(#functions)]
  return wrk.format("GET", "/v1/availability?function=" .. f .. "&at=" .. os.date("!%Y-%m-%dT%H:%M:%SZ", t))
end
