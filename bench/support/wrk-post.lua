-- The wrk side of bench/ingest.ts (BENCH_GENERATOR=wrk): posts each pre-signed GHL webhook of
-- the file given after `--` (one "signature<TAB>body" per line) once, over all of wrk's
-- connections (wrk -t1: one Lua state), says "answered all" when every one has been answered (bench/ingest.ts then
-- stops wrk with SIGINT, which ends the run there), and prints one JSON line.
--
--   wrk -t1 -c50 -d600s -s bench/support/wrk-post.lua http://127.0.0.1:PORT/webhooks/ghl -- bodies.tsv
local requests = {}
local sent = 0
local answered = 0

function init(args)
  for line in io.lines(args[1]) do
    local signature, body = line:match("^([^\t]+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", nil, {
      ["Content-Type"] = "application/json",
      ["x-ghl-signature"] = signature,
    }, body)
  end
end

local verified = false

function request()
  -- wrk calls request() once while setting up, to check the request (script_verify_request),
  -- and sends nothing for that call: it must not use up an event.
  if not verified then
    verified = true
    return requests[1]
  end
  -- Past the last event, connections still waiting for their turn resend the last one: a
  -- duplicate, answered 200 without a second row, at most one per connection.
  sent = sent + 1
  return requests[math.min(sent, #requests)]
end

function response()
  answered = answered + 1
  if answered == #requests then
    io.write("answered all\n")
    io.flush()
  end
end

-- Runs in wrk's main Lua state, which sees none of the thread's variables: failures are wrk's
-- own counts (status >= 400, socket errors and timeouts).
function done(summary, latency)
  local errors = summary.errors
  io.write(string.format(
    '{"count":%d,"failures":%d,"perSecond":%f,"p50":%f,"p99":%f}\n',
    summary.requests, errors.status + errors.connect + errors.read + errors.write + errors.timeout,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
