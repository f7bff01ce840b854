-- bench/batch.lua - wrk: POST /api/v1/check with pre-built bodies of 1,000 selectors each
-- (BENCH_BODIES = path prefix, BENCH_NBODIES = count: PREFIX0.json .. PREFIX<N-1>.json).
-- Bodies are read and formatted once in init, so the client only cycles through them.
local token = os.getenv("BENCH_TOKEN") or ""
local prefix = os.getenv("BENCH_BODIES")
local nbodies = tonumber(os.getenv("BENCH_NBODIES") or "1")
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
local reqs = {}
local i = 0
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
end

function init(args)
   for b = 0, nbodies - 1 do
      local f = assert(io.open(prefix .. b .. ".json", "rb"))
      reqs[#reqs + 1] = wrk.format("POST", nil, headers, f:read("*a"))
      f:close()
   end
   i = (tid or 1) * 7
end

function request()
   i = i + 1
   return reqs[(i % #reqs) + 1]
end
