-- bench/check1.lua - wrk: POST /api/v1/check with ONE selector per request.
-- BENCH_HIT_PCT percent of the requests (default 1) carry a key known to the database
-- (read from BENCH_HITS, one canonical key a line); the others a random canonical key made
-- here, on the fly, that no report names (phone and account number shapes outside the
-- generated ranges), as in partner screening where nearly every check is a no-hit.
local token = os.getenv("BENCH_TOKEN") or ""
local hitpct = tonumber(os.getenv("BENCH_HIT_PCT") or "1")
local hitsfile = os.getenv("BENCH_HITS")
local counter = 0
local hits = {}
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
local dial = { "60", "66", "65", "62", "63", "84", "855" }
local banks = { "MY:MBBEMYKL", "TH:KASITHBK", "SG:DBSSSGSG", "ID:CENAIDJA", "PH:BNORPHMM", "VN:VTCBVNVX" }

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
end

function init(args)
   math.randomseed(7919 * (tid or 1) + 17)
   if hitsfile and hitpct > 0 then
      for l in io.lines(hitsfile) do hits[#hits + 1] = l end
   end
end

local function nohit()
   local r = math.random(100)
   if r <= 45 then      -- a subscriber number under a prefix no generated phone uses
      return string.format("phone:+%s9%08d", dial[math.random(#dial)], math.random(0, 99999999))
   elseif r <= 85 then  -- 15 account digits: longer than any generated account of these banks
      return string.format("bank_account:%s:%07d%08d", banks[math.random(#banks)],
         math.random(0, 9999999), math.random(0, 99999999))
   elseif r <= 93 then
      return string.format("ewallet:grabpay:09%09d", math.random(0, 999999999))
   else
      return string.format("crypto:eth:0x%08x%08x%08x%08x%08x", math.random(0, 0x7fffffff),
         math.random(0, 0x7fffffff), math.random(0, 0x7fffffff), math.random(0, 0x7fffffff),
         math.random(0, 0x7fffffff))
   end
end

function request()
   local key
   if #hits > 0 and math.random() * 100 < hitpct then
      key = hits[math.random(#hits)]
   else
      key = nohit()
   end
   return wrk.format("POST", nil, headers, '{"selectors":[{"key":"' .. key .. '"}]}')
end
