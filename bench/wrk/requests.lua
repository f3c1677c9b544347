-- One wrk scenario: a method, bodies and paths, each request taking the next path.
--
--   wrk ... -s bench/wrk/requests.lua URL -- METHOD N BODY_1 .. BODY_N PATH [PATH ...]
--
-- N bodies ("" for no body) are used in turn, the next one after each pass over
-- the paths, so that repeated writes to one path really change it. Headers
-- (Authorization, Content-Type) come from wrk's -H options. Every request is built once in
-- init, so that wrk, which shares the machine's cores with the server, spends
-- as little as possible per request. done() prints one line of JSON that
-- bench/loadgen.py reads: counts, socket errors and latency percentiles in µs.

local requests = {}
local next_index = 1

function init(args)
  local method, bodies = args[1], tonumber(args[2])
  for b = 1, bodies do
    local body = args[2 + b]
    if body == "" then
      body = nil
    end
    for i = 3 + bodies, #args do
      requests[#requests + 1] = wrk.format(method, args[i], nil, body)
    end
  end
end

function request()
  local built = requests[next_index]
  next_index = next_index % #requests + 1
  return built
end

function done(summary, latency, requests_)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d,'
      .. ' "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d,'
      .. ' "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
