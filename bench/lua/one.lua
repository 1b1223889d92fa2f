-- One URL, as a CDN edge or a polling page would ask it.
request = function()
  return wrk.format("GET", "/v1/availability?function=webcollect.credit_card&for=15m")
end
