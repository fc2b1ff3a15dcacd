--[[
status-1: read-only snapshot of the pool at one instant of Redis' clock. Key layout: see acquire-3.lua.

KEYS[1]  P.."current_key"

ARGV[1]  P
ARGV[2]  now in ms, or "" to use Redis TIME
ARGV[3..9]  quota days (as in acquire-3)
ARGV[10] models with their requests per rolling 60 s: "model=rpm,model=rpm" (the rpm finds when a
         full window frees a slot)
ARGV[11] number of projects N, then N times: project, K, K fingerprints

Returns JSON {now, day, reset, lastKey, projects: [{name, models: [{model, usedToday,
  usedLastMinute, tokensLastMinute, windowFreeAt, cooldownUntil, exhaustedUntil, exhaustedReason}]}],
  invalid: {fingerprint: {reason, since}}}, or JSON {clock: now} when Redis' clock is outside the
  day table.
]]

local P = ARGV[1]
local now
if ARGV[2] ~= '' then
  now = tonumber(ARGV[2])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local day, reset
for i = 3, 7, 2 do
  if now >= tonumber(ARGV[i]) and now < tonumber(ARGV[i + 2]) then
    day = ARGV[i + 1]
    reset = tonumber(ARGV[i + 2])
    break
  end
end
if not day then return cjson.encode({ clock = now }) end

local models = {}
local rpms = {}
for m, r in string.gmatch(ARGV[10], '([^,=]+)=(%d+)') do
  models[#models + 1] = m
  rpms[m] = tonumber(r)
end
local WINDOW = 60000
local floor = '(' .. (now - WINDOW)

local out = { now = now, day = day, reset = reset, projects = {}, invalid = {} }
out.lastKey = redis.call('GET', KEYS[1]) or cjson.null
local hasInvalid = false
local a = 12
for p = 1, tonumber(ARGV[11]) do
  local name = ARGV[a]
  local k = tonumber(ARGV[a + 1])
  for j = 1, k do
    local fp = ARGV[a + 1 + j]
    local inv = redis.call('HMGET', P .. 'invalid:' .. fp, 'reason', 'since')
    if inv[2] then
      out.invalid[fp] = { reason = inv[1] or 'unknown', since = tonumber(inv[2]) }
      hasInvalid = true
    end
  end
  a = a + 2 + k
  local project = { name = name, models = {} }
  for _, model in ipairs(models) do
    local pm = name .. ':' .. model
    local windowKey = P .. 'window:' .. pm
    local entries = redis.call('ZRANGEBYSCORE', windowKey, floor, '+inf', 'WITHSCORES')
    local tokens = 0
    for j = 1, #entries, 2 do tokens = tokens + (tonumber(string.match(entries[j], ':(%d+)$')) or 0) end
    local inWindow = #entries / 2
    local windowFreeAt = cjson.null
    local rpm = rpms[model]
    if inWindow >= rpm then windowFreeAt = tonumber(entries[(inWindow - rpm) * 2 + 2]) + WINDOW end
    local cd = tonumber(redis.call('GET', P .. 'cooldown:' .. pm))
    local ex = redis.call('HMGET', P .. 'exhausted:' .. pm, 'until', 'reason')
    local exUntil = tonumber(ex[1])
    local m = {
      model = model,
      usedToday = tonumber(redis.call('GET', P .. 'usage:' .. pm .. ':' .. day)) or 0,
      usedLastMinute = inWindow,
      tokensLastMinute = tokens,
      windowFreeAt = windowFreeAt,
      cooldownUntil = (cd and cd > now) and cd or cjson.null,
      exhaustedUntil = (exUntil and exUntil > now) and exUntil or cjson.null,
      exhaustedReason = (exUntil and exUntil > now) and ex[2] or cjson.null,
    }
    project.models[#project.models + 1] = m
  end
  out.projects[#out.projects + 1] = project
end
if not hasInvalid then out.invalid = cjson.null end
return cjson.encode(out)
