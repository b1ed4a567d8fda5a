-- wrk script: POST /v1/conversions, each request a batch of $BATCH conversions with event ids
-- no other request uses (thread, request counter, item), so every item is new.
local batch = tonumber(os.getenv("BATCH") or "100")
local token = os.getenv("TOKEN") or ""
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  counter = 0
  run = tostring(os.time()) .. "-" .. tostring(tid)
end

function request()
  counter = counter + 1
  local items = {}
  for i = 1, batch do
    items[i] = string.format('{"campaign":"pb%d","pixel":"p%d","event_id":"%s-%d-%d","value":%d}',
      i % 10, i % 7, run, counter, i, 100 + i)
  end
  local body = '{"conversions":[' .. table.concat(items, ",") .. ']}'
  return wrk.format("POST", "/v1/conversions",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
