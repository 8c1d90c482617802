-- wrk script for bench/api_bench.py: each wrk thread holds one connection and walks one engagement's first
-- step, submit then request_rework, sending the ETag of the previous response in If-Match.
-- BENCH_STATES names a file with one line per thread: "<engagement id> <ETag> <turn>" (turn 0: submit next).

local counter = 0
local bodies = {
  [0] = '{"event":"submit"}',
  [1] = '{"event":"request_rework","comment":"A reprendre"}',
}

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
end

function init(args)
  local n = 0
  for line in io.lines(os.getenv("BENCH_STATES")) do
    n = n + 1
    if n == index then
      local id, tag, turn_text = line:match("^(%S+) (%S+) (%S+)$")
      path = "/engagements/" .. id .. "/steps/" .. os.getenv("BENCH_STEP") .. "/events"
      etag = tag
      turn = tonumber(turn_text)
    end
  end
  headers = {
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
    ["Content-Type"] = "application/json",
  }
end

function request()
  headers["If-Match"] = etag
  return wrk.format("POST", path, headers, bodies[turn])
end

function response(status, response_headers, body)
  if status == 200 then
    etag = response_headers["etag"] or response_headers["ETag"]
    turn = 1 - turn
  end
end

-- One line for the Python side: requests, duration (µs), non-2xx, socket errors, p50, p95, p99 (µs).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %.0f %.0f %.0f\n", summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
