-- wrk script: POST orders with unique external ids; counts answers by status.
-- SKU_MODE "hot" sends every order for HOT; "spread" picks one of 1,000 SKUs.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  mode = args[1] or "hot"
  token = args[2]
  counter = 0
  created = 0
  refused = 0
  other = 0
  math.randomseed(tid * 7919)
end

function request()
  counter = counter + 1
  local sku = "HOT"
  if mode == "spread" then sku = "S" .. math.random(1, 1000) end
  local body = '{"external_id":"' .. mode .. '-' .. tid .. '-' .. counter ..
    '","ship_to":{"name":"Buyer","street1":"1 Main St","city":"Town","zip":"10001"},' ..
    '"backorder":"refuse","lines":[{"sku":"' .. sku .. '","qty":1}]}'
  return wrk.format("POST", "/api/v1/orders",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 409 then refused = refused + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local c, r, o = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created"); r = r + t:get("refused"); o = o + t:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"created": %d, "refused": %d, "other": %d, "requests": %d, "seconds": %.3f, ' ..
    '"p50_ms": %.2f, "p99_ms": %.2f, "socket_errors": %d}\n',
    c, r, o, summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout))
end
