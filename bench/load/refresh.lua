-- refresh.lua: POST /api/token/refresh/ with rotation and blacklist-after-rotation on, so every
-- refresh token is good exactly once. Each thread keeps one chain: it starts from its own
-- login's refresh token (the script arguments, one per thread, in thread order) and sends the
-- refresh token of the previous answer with the next request. That is only correct with one
-- connection per thread (wrk -c equal to -t): a thread's next request is then built after its
-- previous answer was read. Every answer that is not a 200 with a new refresh token counts in
-- "failed", which must stay 0; after the first failure the chain is broken and every later
-- request of that thread fails too, which makes a failure impossible to miss.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local register = setup
local nthreads = 0

function setup(thread)
   register(thread)
   nthreads = nthreads + 1
   thread:set("index", nthreads)
end

refresh = ""
failed = 0

function init(args)
   refresh = args[index] or error("refresh.lua: no refresh token for thread " .. tostring(index) ..
      "; pass one per thread after --")
end

local headers = { ["Content-Type"] = "application/json" }

function request()
   return wrk.format("POST", nil, headers, '{"refresh":"' .. refresh .. '"}')
end

function response(status, _, body)
   local next = status == 200 and body:match('"refresh":"([^"]+)"')
   if next then
      refresh = next
   else
      failed = failed + 1
   end
end
