-- steady_hits.lua - a wrk script for a steady background load of pixel hits.
--
-- Every connection sends a request, waits for the answer, then waits DELAY_MS (env, default 5)
-- before the next one, so the rate is about connections x 1000 / (DELAY_MS + latency) and does
-- not depend on how fast the server is (plain wrk would go flat out). Hits are spread over
-- CAMPAIGNS (default 1000) x PIXELS (default 10) keys named campaign-<n>/pixel-<m>:
-- ~95 % views, ~4 % clicks, ~1 % conversions with a value. Keys are drawn at random, unless
-- ORDER=cycle (env): then each wrk thread visits campaign 1, 2, ... CAMPAIGNS, then again with
-- the next pixel, so at a rate of R hits/s every campaign is hit R / CAMPAIGNS times a second
-- (none is left out of a tick by chance, as ~e^-(R/CAMPAIGNS) of them are with random keys).
--
--   DELAY_MS=5 wrk -t1 -c100 -d60s -s steady_hits.lua http://127.0.0.1:8080
local delay_ms = tonumber(os.getenv("DELAY_MS") or "5")
local campaigns = tonumber(os.getenv("CAMPAIGNS") or "1000")
local pixels = tonumber(os.getenv("PIXELS") or "10")
local cycle = os.getenv("ORDER") == "cycle"
local counter = 0

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
  local campaign, pixel
  if cycle then
    campaign = counter % campaigns + 1
    pixel = math.floor(counter / campaigns) % pixels + 1
    counter = counter + 1
  else
    campaign = math.random(1, campaigns)
    pixel = math.random(1, pixels)
  end
  return wrk.format("GET", "/p/campaign-" .. campaign .. "/pixel-" .. pixel .. ".gif" .. kind)
end

function delay()
  return delay_ms
end
