--[[
report-1: record what a Gemini call told us about a key or its (project, model) budget, atomically
and visibly to every process. Key layout: see acquire-3.lua.

KEYS[1]  P.."rotation_log"

ARGV[1]  P
ARGV[2]  model
ARGV[3]  project
ARGV[4]  fingerprint of the key the call used
ARGV[5]  now in ms, or "" to use Redis TIME
ARGV[6]  rotation log size
ARGV[7..13]  quota days (as in acquire-3)
ARGV[14] fingerprints of the project, comma-separated (for the rotation event)
ARGV[15] op, then its arguments:
  "cooldown"  ARGV[16] retryDelay ms (0 when absent), ARGV[17] jitter ms, ARGV[18] reason
              deadline = max(now + retryDelay, end of the current 60 s window) + jitter, where
              the window ends when its oldest admission leaves it (now + 60 s when it holds none);
              an existing later deadline is kept: cooldowns are only ever extended
  "exhausted" ARGV[16] reason (daily_quota | zero_quota): out until the next Pacific midnight
  "invalid"   ARGV[16] reason: P.."invalid:"..fp = {reason, since}, no TTL
  "settle"    ARGV[16] lease id, ARGV[17] reserved tokens, ARGV[18] actual tokens

Returns {code, value, now, event...}
  cooldown:  code 1 started (value = deadline), 2 extended (deadline), 3 kept (the longer existing deadline)
  exhausted: code 1 started (value = until), 3 already exhausted (existing until)
  invalid:   code 1 marked (value = since), 3 already invalid (value = existing since)
  settle:    code 1 settled, 3 reservation no longer in the window
  code 5, value = now: Redis' clock is outside the day table
]]

local P = ARGV[1]
local model = ARGV[2]
local project = ARGV[3]
local fp = ARGV[4]
local now
if ARGV[5] ~= '' then
  now = tonumber(ARGV[5])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local logSize = tonumber(ARGV[6])
local reset
for i = 7, 11, 2 do
  if now >= tonumber(ARGV[i]) and now < tonumber(ARGV[i + 2]) then
    reset = tonumber(ARGV[i + 2])
    break
  end
end
if not reset then return {5, now, now} end

local fingerprints = {}
for f in string.gmatch(ARGV[14], '[^,]+') do fingerprints[#fingerprints + 1] = f end
local op = ARGV[15]
local pm = project .. ':' .. model
local WINDOW = 60000
local GRACE = 86400000

local function logged(code, value, ev)
  ev.at = now
  ev.project = project
  ev.fingerprint = fp
  local json = cjson.encode(ev)
  redis.call('LPUSH', KEYS[1], json)
  redis.call('LTRIM', KEYS[1], 0, logSize - 1)
  return {code, value, now, json}
end

if op == 'cooldown' then
  local retryDelay = tonumber(ARGV[16])
  local jitter = tonumber(ARGV[17])
  local first = redis.call('ZRANGEBYSCORE', P .. 'window:' .. pm, '(' .. (now - WINDOW), '+inf',
    'WITHSCORES', 'LIMIT', 0, 1)
  local windowEnd = now + WINDOW
  if first[2] then windowEnd = tonumber(first[2]) + WINDOW end
  local deadline = math.max(now + retryDelay, windowEnd) + jitter
  local key = P .. 'cooldown:' .. pm
  local old = tonumber(redis.call('GET', key))
  if old and old >= deadline then return {3, old, now} end
  redis.call('SET', key, deadline, 'PX', deadline - now + GRACE)
  if old and old > now then return {2, deadline, now} end
  return logged(1, deadline, { event = 'cooling', model = model, fingerprints = fingerprints,
    reason = ARGV[18], ['until'] = deadline, retryDelayMs = retryDelay })
end

if op == 'exhausted' then
  local key = P .. 'exhausted:' .. pm
  local old = tonumber(redis.call('HGET', key, 'until'))
  -- An existing marker for today (a 429 or the daily limit reached) already ends at `reset`.
  if old and old > now then return {3, old, now} end
  redis.call('HSET', key, 'until', reset, 'reason', ARGV[16], 'since', now)
  redis.call('PEXPIRE', key, reset - now + GRACE)
  return logged(1, reset, { event = 'exhausted', model = model, fingerprints = fingerprints,
    reason = ARGV[16], ['until'] = reset })
end

if op == 'invalid' then
  local key = P .. 'invalid:' .. fp
  local since = tonumber(redis.call('HGET', key, 'since'))
  if since then return {3, since, now} end
  redis.call('HSET', key, 'reason', ARGV[16], 'since', now)
  return logged(1, now, { event = 'invalid', reason = ARGV[16] })
end

if op == 'settle' then
  local key = P .. 'window:' .. pm
  local old = ARGV[16] .. ':' .. ARGV[17]
  local score = redis.call('ZSCORE', key, old)
  if not score then return {3, 0, now} end
  redis.call('ZREM', key, old)
  redis.call('ZADD', key, score, ARGV[16] .. ':' .. ARGV[18])
  return {1, tonumber(ARGV[18]), now}
end

return redis.error_reply('report-1: unknown op ' .. tostring(op))
