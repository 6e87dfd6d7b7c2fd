-- One benchmark scenario for wrk, described by environment variables that
-- bench/run.py sets:
--   BENCH_METHOD        GET or POST
--   BENCH_PATHS         one path, or several separated by "|", taken in turn
--   BENCH_BODY          request body; "{n}" becomes a per-thread request counter
--   BENCH_CONTENT_TYPE  content type of the body
--   BENCH_TOKEN         a JWT access token, sent as "Authorization: Bearer ..."
-- When done, prints one line "BENCH_JSON {...}" with exact latency percentiles
-- (wrk's --latency table has no p95) and the error counts.

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^|]+") do
  paths[#paths + 1] = path
end

local headers = {}
local content_type = os.getenv("BENCH_CONTENT_TYPE")
if content_type and content_type ~= "" then
  headers["Content-Type"] = content_type
end
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  headers["Authorization"] = "Bearer " .. token
end

local counter = 0
local fixed = nil
if #paths == 1 and (body == nil or not string.find(body, "{n}", 1, true)) then
  -- Same request every time: build it once.
  fixed = wrk.format(method, paths[1], headers, body)
end

request = function()
  if fixed then
    return fixed
  end
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  local this_body = body
  if this_body then
    this_body = string.gsub(this_body, "{n}", tostring(counter))
  end
  return wrk.format(method, path, headers, this_body)
end

done = function(summary, latency, requests)
  local ms = function(us) return us / 1000.0 end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_s": %.3f, "p50_ms": %.3f, "p90_ms": %.3f, '
      .. '"p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "errors_connect": %d, '
      .. '"errors_read": %d, "errors_write": %d, "errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration / 1e6,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(95)),
    ms(latency:percentile(99)), ms(latency.max),
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
