-- steady_hits.lua - a wrk script for a steady background load of pixel hits.
--
-- Every connection sends a request, waits for the answer, then waits DELAY_MS (env, default 5)
-- before the next one, so the rate is about connections x 1000 / (DELAY_MS + latency) and does
-- not depend on how fast the server is (plain wrk would go flat out). Hits are spread over
-- CAMPAIGNS (default 1000) x PIXELS (default 10) keys named campaign-<n>/pixel-<m>:
-- ~95 % views, ~4 % clicks, ~1 % conversions with a value.
--
--   DELAY_MS=5 wrk -t1 -c100 -d60s -s steady_hits.lua http://127.0.0.1:8080
local delay_ms = tonumber(os.getenv("DELAY_MS") or "5")
local campaigns = tonumber(os.getenv("CAMPAIGNS") or "1000")
local pixels = tonumber(os.getenv("PIXELS") or "10")

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 1000)
end

function request()
  local kind = ""
  local roll = math.random()
  if roll < 0.04 then
    kind = "?e=click"
  elseif roll < 0.05 then
    kind = "?e=conversion&v=" .. math.random(500, 20000)
  end
  return wrk.format("GET", "/p/campaign-" .. math.random(1, campaigns) .. "/pixel-" ..
    math.random(1, pixels) .. ".gif" .. kind)
end

function delay()
  return delay_ms
end
