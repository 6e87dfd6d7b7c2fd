-- One benchmark scenario for wrk: a mix of requests taken in turn, described by
-- environment variables that bench/run.py sets:
--   BENCH_REQUESTS  a file with a line per request: method, path and body apart
--                   by tabs; a body is JSON, and "{n}" in it becomes a
--                   per-thread request counter
--   BENCH_TOKEN     a JWT access token, sent as "Authorization: Bearer ..."
-- When done, prints one line "BENCH_JSON {...}" with exact latency percentiles
-- (wrk's --latency table has no p95) and the error counts.

local token = os.getenv("BENCH_TOKEN")
local mix = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do
  local method, path, body = string.match(line, "^([^\t]+)\t([^\t]+)\t(.*)$")
  local headers = {}
  if token and token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  if body == "" then
    body = nil
  else
    headers["Content-Type"] = "application/json"
  end
  local entry = {method = method, path = path, headers = headers, body = body}
  if body == nil or not string.find(body, "{n}", 1, true) then
    entry.built = wrk.format(method, path, headers, body)  -- the same every time
  end
  mix[#mix + 1] = entry
end

-- Each thread starts at its own place in the mix (0.618 of it apart, so any
-- number of threads spread out), not sending the same request at the same moment.
local threads = 0
setup = function(thread)
  thread:set("start", threads)
  threads = threads + 1
end

local counter = nil

request = function()
  if counter == nil then
    counter = math.floor((start or 0) * #mix * 0.618)
  end
  counter = counter + 1
  local entry = mix[(counter % #mix) + 1]
  if entry.built then
    return entry.built
  end
  local body = string.gsub(entry.body, "{n}", tostring(counter))
  return wrk.format(entry.method, entry.path, entry.headers, body)
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
