-- The requests of scan_wrk.py's wrk runs, and their outcome as one line wrk prints at the end.
--
-- Arguments after "--": mode (bare | floor | scan), the plan file scan_wrk.py wrote (lines
-- "base URL", "deployment ID", "idle PATH", "token TOKEN", "box CODE"), a run id that keeps idempotency keys
-- fresh across runs, the lag L, and the number of wrk threads.
--
-- scan: each thread scans its own slice of the boxes, out in order; a box is sent back in only
-- after the answer to its check-out came (so a check-in never overtakes it, however long a worker
-- waits for SQLite's lock) and L more boxes went out after it (L > connections), so outs and ins
-- alternate once L are out. When its slice runs out the thread checks in what is still out, stops
-- and says so ("exhausted"); the rate is then taken over the time it ran (monotonic clock, below).
-- floor: the same bodies, round and round (the floor only reads the code).

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } scan_wrk_timespec;
int clock_gettime(int clock, scan_wrk_timespec *tp);
]]
local clock = ffi.new("scan_wrk_timespec")

-- Seconds on the monotonic clock: a thread that ran out of boxes is timed to its last answer.
local function now()
   ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
   return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local threads = {}
local next_slot = 0

function setup(thread)
   thread:set("slot", next_slot)
   next_slot = next_slot + 1
   table.insert(threads, thread)
end

local function split(line)
   local key, value = line:match("^(%S+) (.*)$")
   return key, value
end

function init(args)
   mode, run, lag, slots = args[1], args[3], tonumber(args[4]), tonumber(args[5])
   tokens, boxes, index_of, step, failures, answered, exhausted, first_failure = {}, {}, {}, 0, 0, 0, 0, ""
   started, finished = 0, 0
   -- Boxes whose check-out was answered, oldest first, waiting for their check-in.
   out_queue, out_head, out_tail, next_out = {}, 1, 1, 1
   local index = 0
   for line in io.lines(args[2]) do
      local key, value = split(line)
      if key == "base" then base = value
      elseif key == "deployment" then deployment = value
      elseif key == "idle" then idle_request = wrk.format("GET", value)
      elseif key == "token" then table.insert(tokens, value)
      elseif key == "box" then
         if index % slots == slot then
            table.insert(boxes, value)
            index_of[value] = #boxes
         end
         index = index + 1
      end
   end
   if mode == "bare" then
      bare_request = wrk.format("GET", wrk.path)
   end
end

local function scan(action, box, k)
   local key = string.format("%s-%d-%d", run, slot, k)
   local extra = ""
   if action == "check_out" then extra = string.format(',"deployment_id":%s', deployment) end
   local body = string.format('{"code":"%s/k/%s","action":"%s","idempotency_key":"%s","station":"PDA-%02d"%s}',
                              base, boxes[box], action, key, slot, extra)
   local headers = {["Authorization"] = "Bearer " .. tokens[(k % #tokens) + 1],
                    ["Content-Type"] = "application/json"}
   return wrk.format("POST", wrk.path, headers, body)
end

function request()
   if started == 0 then started = now() end
   if mode == "bare" then return bare_request end
   local k = step
   step = step + 1
   if mode == "floor" then return scan("check_out", (k % #boxes) + 1, k) end
   -- A box comes back in only once its check-out was answered, and after L more boxes were.
   local waiting = out_tail - out_head
   if waiting > lag or (waiting > 0 and next_out > #boxes) then
      local box = out_queue[out_head]
      out_queue[out_head] = nil
      out_head = out_head + 1
      return scan("check_in", box, k)
   end
   if next_out <= #boxes then
      next_out = next_out + 1
      return scan("check_out", next_out - 1, k)
   end
   -- Every box is out or back, and none is waiting: this thread is done.
   exhausted = 1
   wrk.thread:stop()
   return idle_request
end

function response(status, headers, body)
   answered = answered + 1
   finished = now()
   if status < 200 or status > 299 then
      failures = failures + 1
      if first_failure == "" then
         first_failure = status .. " " .. string.sub(body or "", 1, 200):gsub("[\r\n]", " ")
      end
   elseif status == 201 and mode == "scan" then
      -- A check-out went through: the answer names the box (its label URL comes first).
      for code in string.gmatch(body, '"code":"([^"]*)"') do
         local box = index_of[code:match("([^/]+)$")]
         if box then
            out_queue[out_tail] = box
            out_tail = out_tail + 1
            break
         end
      end
   end
end

function done(summary, latency, requests)
   local failures, answered, exhausted, first, started, finished = 0, 0, 0, "", nil, 0
   for _, thread in ipairs(threads) do
      local began = thread:get("started")
      if began > 0 and (started == nil or began < started) then started = began end
      finished = math.max(finished, thread:get("finished"))
      failures = failures + thread:get("failures")
      answered = answered + thread:get("answered")
      exhausted = exhausted + thread:get("exhausted")
      if first == "" then first = thread:get("first_failure") end
   end
   local e = summary.errors
   io.write(string.format(
      "scan_wrk requests=%d duration_us=%d p50_us=%d p99_us=%d mean_us=%.0f max_us=%d non2xx=%d answered=%d "
         .. "socket_errors=%d timeouts=%d exhausted=%d span_us=%d first_failure=%s\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
      latency.max, failures, answered, e.connect + e.read + e.write, e.timeout, exhausted,
      ((finished - (started or finished)) * 1e6), first))
end
