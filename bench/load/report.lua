-- report.lua: wrk's done() for run.sh. It prints one machine-readable line after wrk's own
-- report, so run.sh never has to parse wrk's human-oriented text (whose units change with the
-- magnitude: "850.00us", "1.20ms").
--
--   RESULT requests=N seconds=S rps=R p50_us=N p99_us=N status_errors=N socket_errors=N failed=N
--
-- status_errors counts answers with a status above 399 (wrk's own count); failed is a script's
-- own count of bad answers (refresh.lua: anything but a 200 carrying a new refresh token), read
-- from every thread's "failed" global; scripts without one report 0.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function report(summary, latency)
   local failed = 0
   for _, t in ipairs(threads) do
      failed = failed + (tonumber(t:get("failed")) or 0)
   end
   local e = summary.errors
   local seconds = summary.duration / 1e6
   io.write(string.format(
      "RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d status_errors=%d socket_errors=%d failed=%d\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50.0), latency:percentile(99.0),
      e.status, e.connect + e.read + e.write + e.timeout, failed))
end

done = report
