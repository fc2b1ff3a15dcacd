--[[
acquire-3: pick an eligible key for MODEL and reserve one request (and an estimate of input tokens)
for its (project, model) budget, atomically, by Redis' clock.

All keys share the pool's prefix P (hash-tagged, e.g. "{gemini}:", on Redis Cluster, so they live
in one slot); per-project keys are built from P like BullMQ builds job keys from its prefix.

KEYS[1]  P.."lru:"..MODEL     zset project -> sequence number of its last admission for MODEL (a
                              counter, not a time: projects admitted in the same ms still rotate)
KEYS[2]  P.."rotation_log"    list of JSON rotation events, newest first, capped
KEYS[3]  P.."current_key"     fingerprint of the key most recently handed out (observability only)

ARGV[1]  P
ARGV[2]  MODEL
ARGV[3]  now in ms, or "" to use Redis TIME (tests inject a clock)
ARGV[4]  requests per rolling 60 s, per (project, model)
ARGV[5]  requests per quota day, per (project, model)
ARGV[6]  input tokens per rolling 60 s, 0 = no token budget
ARGV[7]  estimated input tokens of this request
ARGV[8]  lease id (unique; member of the window zset as "id:tokens")
ARGV[9]  rotation log size
ARGV[10..16]  quota days: start0, label0, start1, label1, start2, label2, end2 (day i = [start_i, start_i+1))
ARGV[17] number of projects N, then N times: project, K, K fingerprints

Per (project, model) "pm" = project..":"..MODEL:
  P.."window:"..pm      zset of admissions, score = ms, member = "leaseId:tokens" (rolling window)
  P.."usage:"..pm..":"..day   admissions this quota day
  P.."cooldown:"..pm    absolute deadline (ms) after a 429, only ever extended
  P.."exhausted:"..pm   hash {until, reason, since}: no quota for the day
  P.."invalid:"..fp     hash {reason, since}, no TTL: key skipped until an operator resets it

Returns
  {1, fingerprint, project, admittedAt, reservedTokens, event...}     admitted
  {2, retryAt, now, event...}   rate_limited: earliest moment a window slot frees or a cooldown ends
  {3, retryAt, now, event...}   quota_exhausted: every usable project is out for the day
  {4, -1, now, event...}        all_invalid: no usable key at all
  {5, now}                      Redis' clock is outside the day table: caller recomputes and retries
event = JSON of a rotation event this call caused (a project becoming available again, or
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
local estimate = tonumber(ARGV[7])
local leaseId = ARGV[8]
local logSize = tonumber(ARGV[9])

local day, reset
for i = 10, 14, 2 do
  local from, to = tonumber(ARGV[i]), tonumber(ARGV[i + 2])
  if now >= from and now < to then
    day = ARGV[i + 1]
    reset = to
    break
  end
end
if not day then return {5, now} end

local WINDOW = 60000
-- An admission counts while its score is > now - WINDOW, with no upper bound: a caller whose
-- injected clock lags another's still sees the other's admissions.
local windowFloor = '(' .. (now - WINDOW)
local GRACE = 86400000
local reserve = 0
if tpm > 0 then reserve = math.min(estimate, tpm) end

local events = {}
local function emit(ev)
  ev.at = now
  local json = cjson.encode(ev)
  redis.call('LPUSH', KEYS[2], json)
  events[#events + 1] = json
end

local projects = {}
local names = {}
local n = tonumber(ARGV[17])
local a = 18
for p = 1, n do
  local k = tonumber(ARGV[a + 1])
  local fps = {}
  for j = 1, k do fps[j] = ARGV[a + 1 + j] end
  projects[p] = { name = ARGV[a], fps = fps }
  names[p] = ARGV[a]
  a = a + 2 + k
end

local last = redis.call('ZMSCORE', KEYS[1], unpack(names))
local seq = 0
for p = 1, n do
  projects[p].last = tonumber(last[p]) or 0
  seq = math.max(seq, projects[p].last)
end
table.sort(projects, function(x, y)
  if x.last ~= y.last then return x.last < y.last end
  return x.name < y.name
end)

local function validKeys(pr)
  local keys = {}
  for j, fp in ipairs(pr.fps) do keys[j] = P .. 'invalid:' .. fp end
  if redis.call('EXISTS', unpack(keys)) == 0 then return pr.fps end
  local valid = {}
  for j, fp in ipairs(pr.fps) do
    if redis.call('EXISTS', keys[j]) == 0 then valid[#valid + 1] = fp end
  end
  return valid
end

-- Evaluates one project: returns eta (== now when eligible), exhausted flag, and the keys it needs.
local function evaluate(pr)
  local pm = pr.name .. ':' .. model
  local windowKey = P .. 'window:' .. pm
  local usageKey = P .. 'usage:' .. pm .. ':' .. day
  local coolKey = P .. 'cooldown:' .. pm
  local exhKey = P .. 'exhausted:' .. pm
  local eta = now
  local exhausted = false
  local used = tonumber(redis.call('GET', usageKey)) or 0

  local ex = redis.call('HMGET', exhKey, 'until', 'reason')
  if ex[1] then
    local untilT = tonumber(ex[1])
    if untilT > now and not (ex[2] == 'daily_limit' and used < rpd) then
      exhausted = true
      eta = math.max(eta, untilT)
    else
      redis.call('DEL', exhKey)
      emit({ event = 'available', project = pr.name, model = model, fingerprints = pr.fps,
             reason = (untilT > now) and 'limit_raised' or 'quota_day_reset', was = ex[2] })
    end
  end

  local cd = tonumber(redis.call('GET', coolKey))
  if cd then
    if cd > now then
      eta = math.max(eta, cd)
    else
      redis.call('DEL', coolKey)
      emit({ event = 'available', project = pr.name, model = model, fingerprints = pr.fps,
             reason = 'cooldown_over' })
    end
  end

  if used >= rpd then
    exhausted = true
    eta = math.max(eta, reset)
  end

  local inWindow = redis.call('ZCOUNT', windowKey, windowFloor, '+inf')
  if inWindow >= rpm then
    local e = redis.call('ZRANGEBYSCORE', windowKey, windowFloor, '+inf', 'WITHSCORES', 'LIMIT', inWindow - rpm, 1)
    eta = math.max(eta, tonumber(e[2]) + WINDOW)
  end

  if tpm > 0 and inWindow > 0 then
    local entries = redis.call('ZRANGEBYSCORE', windowKey, windowFloor, '+inf', 'WITHSCORES')
    local sum = 0
    for j = 1, #entries, 2 do sum = sum + tonumber(string.match(entries[j], ':(%d+)$')) end
    if sum + reserve > tpm then
      local freed = 0
      for j = 1, #entries, 2 do
        freed = freed + tonumber(string.match(entries[j], ':(%d+)$'))
        if sum - freed + reserve <= tpm then
          eta = math.max(eta, tonumber(entries[j + 1]) + WINDOW)
          break
        end
      end
    end
  end

  return eta, exhausted, windowKey, usageKey, exhKey
end

local best = nil
local anyUsable = false
local allExhausted = true
for _, pr in ipairs(projects) do
  local valid = validKeys(pr)
  if #valid > 0 then
    anyUsable = true
    local eta, exhausted, windowKey, usageKey, exhKey = evaluate(pr)
    if eta <= now then
      local used = redis.call('INCR', usageKey)
      if used == 1 then redis.call('PEXPIRE', usageKey, reset - now + GRACE) end
      local fp = valid[(used - 1) % #valid + 1]
      redis.call('ZADD', windowKey, now, leaseId .. ':' .. reserve)
      -- Keep two windows, so a caller whose clock lags by less than a window still counts them.
      redis.call('ZREMRANGEBYSCORE', windowKey, '-inf', now - 2 * WINDOW)
      redis.call('PEXPIRE', windowKey, 2 * WINDOW)
      redis.call('ZADD', KEYS[1], seq + 1, pr.name)
      redis.call('PEXPIRE', KEYS[1], GRACE)
      redis.call('SET', KEYS[3], fp)
      if used == rpd then
        redis.call('HSET', exhKey, 'until', reset, 'reason', 'daily_limit', 'since', now)
        redis.call('PEXPIRE', exhKey, reset - now + GRACE)
        emit({ event = 'exhausted', project = pr.name, model = model, fingerprints = pr.fps,
               reason = 'daily_limit', ['until'] = reset })
      end
      if #events > 0 then redis.call('LTRIM', KEYS[2], 0, logSize - 1) end
      return { 1, fp, pr.name, now, reserve, unpack(events) }
    end
    if not exhausted then allExhausted = false end
    if best == nil or eta < best then best = eta end
  end
end

if #events > 0 then redis.call('LTRIM', KEYS[2], 0, logSize - 1) end
if not anyUsable then return { 4, -1, now, unpack(events) } end
if allExhausted then return { 3, best, now, unpack(events) } end
return { 2, best, now, unpack(events) }
