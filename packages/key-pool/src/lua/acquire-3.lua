--[[
acquire-3: admit up to M requests for MODEL, atomically, by Redis' clock. For each request, in
order: pick an eligible key and reserve one request (and its estimated input tokens) against its
(project, model) budget. The pool coalesces the acquire() calls one process makes at the same
moment into one run; each admission obeys the same limits as if it ran alone.

All keys share the pool's prefix P (hash-tagged, e.g. "{gemini}:", on Redis Cluster, so they live
in one slot); per-project keys are built from P like BullMQ builds job keys from its prefix.

KEYS[1]  P.."last_project:"..MODEL   project most recently admitted for MODEL: the search for an
                                    eligible project starts after it, so projects take turns
                                    (least recently used first) whatever process asks
KEYS[2]  P.."rotation_log"    list of JSON rotation events, newest first, capped
KEYS[3]  P.."current_key"     fingerprint of the key most recently handed out (observability only)

ARGV[1]  P
ARGV[2]  MODEL
ARGV[3]  now in ms, or "" to use Redis TIME (tests inject a clock)
ARGV[4]  requests per rolling 60 s, per (project, model)
ARGV[5]  requests per quota day, per (project, model)
ARGV[6]  input tokens per rolling 60 s, 0 = no token budget
ARGV[7]  estimated input tokens of each request, comma-separated (M entries)
ARGV[8]  lease id prefix; request r's lease id is prefix..(ARGV[9] + r - 1) (unique; window
         zset members are "leaseId:tokens")
ARGV[9]  sequence number of the first request
ARGV[10..16]  quota days: start0, label0, start1, label1, start2, label2, end2 (day i = [start_i, start_i+1))
ARGV[17] rotation log size
ARGV[18] number of projects N, then N pairs: project, its fingerprints comma-separated
         (projects sorted by name, fingerprints sorted: the order of the config never matters)

Per (project, model) "pm" = project..":"..MODEL:
  P.."window:"..pm      zset of admissions, score = ms, member = "leaseId:tokens" (rolling window)
  P.."usage:"..pm..":"..day   admissions this quota day
  P.."cooldown:"..pm    absolute deadline (ms) after a 429, only ever extended
  P.."exhausted:"..pm   hash {until, reason, since}: no quota for the day
  P.."invalid:"..fp     hash {reason, since}, no TTL: key skipped until an operator resets it

Returns {admitted, code, retryAt, now, (fingerprint, project, reservedTokens) x admitted, event...}
  admitted = how many of the M requests (the first ones) got a key, all at `now`.
  When admitted < M, code says why the rest did not:
    2 rate_limited: retryAt = earliest moment a window slot frees or a cooldown ends
    3 quota_exhausted: every usable project is out for the day; retryAt = when the first returns
    4 all_invalid: no usable key at all; retryAt = -1
  (with a token budget, a later request with a smaller estimate is refused along with the first
  refused one: conservative, never an overrun)
  code 0 when all were admitted; code 5 (admitted 0): Redis' clock is outside the day table,
  the caller recomputes it and retries.
event = JSON of a rotation event this run caused (a project becoming available again, or
exhausted by reaching its daily limit), also pushed to the rotation log.
]]

local P = ARGV[1]
local model = ARGV[2]
local now
if ARGV[3] ~= '' then
  now = tonumber(ARGV[3])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local rpm = tonumber(ARGV[4])
local rpd = tonumber(ARGV[5])
local tpm = tonumber(ARGV[6])
local idPrefix = ARGV[8]
local seq0 = tonumber(ARGV[9])
local logSize = tonumber(ARGV[17])

local day, reset
for i = 10, 14, 2 do
  if now >= tonumber(ARGV[i]) and now < tonumber(ARGV[i + 2]) then
    day = ARGV[i + 1]
    reset = tonumber(ARGV[i + 2])
    break
  end
end
if not day then return {0, 5, -1, now} end

local estimates = {}
for e in string.gmatch(ARGV[7], '[^,]+') do
  local v = tonumber(e)
  if tpm > 0 then v = math.min(v, tpm) else v = 0 end
  estimates[#estimates + 1] = v
end

local WINDOW = 60000
-- An admission counts while its score is > now - WINDOW, with no upper bound: a caller whose
-- injected clock lags another's still sees the other's admissions.
local windowFloor = '(' .. (now - WINDOW)
local GRACE = 86400000

local events = {}
local function emit(ev)
  ev.at = now
  local json = cjson.encode(ev)
  redis.call('LPUSH', KEYS[2], json)
  events[#events + 1] = json
end

local n = tonumber(ARGV[18])
local lastProject = redis.call('GET', KEYS[1])
-- The next project to try: first (in name order) after the last one admitted; wraps around.
local cursor = 1
if lastProject then
  for p = 1, n do
    if ARGV[17 + 2 * p] > lastProject then
      cursor = p
      break
    end
  end
end

local function tokensIn(entries)
  local sum = 0
  for j = 1, #entries, 2 do sum = sum + tonumber(string.match(entries[j], ':(%d+)$')) end
  return sum
end

-- Project state, read from Redis once per run and kept up to date as this run admits.
local cache = {}
local function load(p)
  local c = cache[p]
  if c then return c end
  local name = ARGV[17 + 2 * p]
  local fps = {}
  for fp in string.gmatch(ARGV[18 + 2 * p], '[^,]+') do fps[#fps + 1] = fp end
  local pm = name .. ':' .. model
  c = { name = name, fps = fps, windowKey = P .. 'window:' .. pm, usageKey = P .. 'usage:' .. pm .. ':' .. day,
        exhKey = P .. 'exhausted:' .. pm, blockedUntil = 0, exhausted = false }
  cache[p] = c

  local invalidKeys = {}
  for j, fp in ipairs(fps) do invalidKeys[j] = P .. 'invalid:' .. fp end
  if redis.call('EXISTS', unpack(invalidKeys)) == 0 then
    c.valid = fps
  else
    c.valid = {}
    for j, fp in ipairs(fps) do
      if redis.call('EXISTS', invalidKeys[j]) == 0 then c.valid[#c.valid + 1] = fp end
    end
  end
  if #c.valid == 0 then return c end

  c.used = tonumber(redis.call('GET', c.usageKey)) or 0
  local coolKey = P .. 'cooldown:' .. pm
  if redis.call('EXISTS', c.exhKey, coolKey) > 0 then
    local ex = redis.call('HMGET', c.exhKey, 'until', 'reason')
    if ex[1] then
      local untilT = tonumber(ex[1])
      if untilT > now and not (ex[2] == 'daily_limit' and c.used < rpd) then
        c.exhausted = true
        c.blockedUntil = untilT
      else
        redis.call('DEL', c.exhKey)
        emit({ event = 'available', project = name, model = model, fingerprints = fps,
               reason = (untilT > now) and 'limit_raised' or 'quota_day_reset', was = ex[2] })
      end
    end
    local cd = tonumber(redis.call('GET', coolKey))
    if cd then
      if cd > now then
        c.blockedUntil = math.max(c.blockedUntil, cd)
      else
        redis.call('DEL', coolKey)
        emit({ event = 'available', project = name, model = model, fingerprints = fps,
               reason = 'cooldown_over' })
      end
    end
  end
  if c.used >= rpd then c.exhausted = true end
  c.inWindow = redis.call('ZCOUNT', c.windowKey, windowFloor, '+inf')
  c.tokens = 0
  if tpm > 0 and c.inWindow > 0 then
    c.tokens = tokensIn(redis.call('ZRANGEBYSCORE', c.windowKey, windowFloor, '+inf', 'WITHSCORES'))
  end
  return c
end

local function eligible(c, reserve)
  return #c.valid > 0 and not c.exhausted and c.blockedUntil <= now and c.inWindow < rpm
    and (tpm == 0 or c.tokens + reserve <= tpm)
end

-- Earliest moment project c could admit a request reserving `reserve` tokens (exact).
local function eta(c, reserve)
  local e = math.max(now, c.blockedUntil)
  if c.used >= rpd then e = math.max(e, reset) end
  if c.inWindow >= rpm then
    local x = redis.call('ZRANGEBYSCORE', c.windowKey, windowFloor, '+inf', 'WITHSCORES', 'LIMIT', c.inWindow - rpm, 1)
    e = math.max(e, tonumber(x[2]) + WINDOW)
  end
  if tpm > 0 and c.tokens + reserve > tpm then
    local entries = redis.call('ZRANGEBYSCORE', c.windowKey, windowFloor, '+inf', 'WITHSCORES')
    local freed = 0
    for j = 1, #entries, 2 do
      freed = freed + tonumber(string.match(entries[j], ':(%d+)$'))
      if c.tokens - freed + reserve <= tpm then
        e = math.max(e, tonumber(entries[j + 1]) + WINDOW)
        break
      end
    end
  end
  return e
end

local out = {}
local admitted = 0
local lastFp = nil
local code, retryAt = 0, -1
local touched = {}
for r = 1, #estimates do
  local reserve = estimates[r]
  local chosen = nil
  for i = 0, n - 1 do
    local p = (cursor - 1 + i) % n + 1
    local c = load(p)
    if eligible(c, reserve) then
      chosen = p
      break
    end
  end
  if not chosen then
    local best, anyUsable, allExhausted = nil, false, true
    for p = 1, n do
      local c = cache[p]
      if #c.valid > 0 then
        anyUsable = true
        if not c.exhausted then allExhausted = false end
        local e = eta(c, reserve)
        if best == nil or e < best then best = e end
      end
    end
    if not anyUsable then code = 4
    elseif allExhausted then code, retryAt = 3, best
    else code, retryAt = 2, best end
    break
  end
  local c = cache[chosen]
  c.used = redis.call('INCR', c.usageKey)
  if c.used == 1 then redis.call('PEXPIRE', c.usageKey, reset - now + GRACE) end
  local fp = c.valid[(c.used - 1) % #c.valid + 1]
  redis.call('ZADD', c.windowKey, now, idPrefix .. (seq0 + r - 1) .. ':' .. reserve)
  c.inWindow = c.inWindow + 1
  c.tokens = c.tokens + reserve
  if not touched[chosen] then
    touched[chosen] = true
    -- Keep two windows, so a caller whose clock lags by less than a window still counts them.
    redis.call('ZREMRANGEBYSCORE', c.windowKey, '-inf', now - 2 * WINDOW)
    redis.call('PEXPIRE', c.windowKey, 2 * WINDOW)
  end
  if c.used >= rpd then
    c.exhausted = true
    if c.used == rpd then
      redis.call('HSET', c.exhKey, 'until', reset, 'reason', 'daily_limit', 'since', now)
      redis.call('PEXPIRE', c.exhKey, reset - now + GRACE)
      emit({ event = 'exhausted', project = c.name, model = model, fingerprints = c.fps,
             reason = 'daily_limit', ['until'] = reset })
    end
  end
  admitted = admitted + 1
  out[#out + 1] = fp
  out[#out + 1] = c.name
  out[#out + 1] = reserve
  lastFp = fp
  cursor = chosen % n + 1
end

if admitted > 0 then
  redis.call('SET', KEYS[1], cache[(cursor - 2) % n + 1].name, 'PX', GRACE)
  redis.call('SET', KEYS[3], lastFp)
end
if #events > 0 then redis.call('LTRIM', KEYS[2], 0, logSize - 1) end
local reply = { admitted, code, retryAt, now }
for _, v in ipairs(out) do reply[#reply + 1] = v end
for _, v in ipairs(events) do reply[#reply + 1] = v end
return reply
