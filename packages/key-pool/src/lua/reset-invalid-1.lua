--[[
reset-invalid-1: clear the invalid mark of keys (an operator fixed or re-enabled them).

KEYS[1]  P.."rotation_log"

ARGV[1]  P
ARGV[2]  now in ms, or "" to use Redis TIME
ARGV[3]  rotation log size
ARGV[4..] pairs: fingerprint, project

Returns {fingerprint, event, fingerprint, event...}: the keys that were invalid and are not any
more, each with the JSON "available" rotation event also pushed to the log.
]]

local P = ARGV[1]
local now
if ARGV[2] ~= '' then
  now = tonumber(ARGV[2])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local logSize = tonumber(ARGV[3])
local reset = {}
for i = 4, #ARGV, 2 do
  local fp = ARGV[i]
  local key = P .. 'invalid:' .. fp
  local was = redis.call('HGET', key, 'reason')
  if was then
    redis.call('DEL', key)
    local json = cjson.encode({ at = now, event = 'available', project = ARGV[i + 1],
      fingerprint = fp, reason = 'operator_reset', was = was })
    redis.call('LPUSH', KEYS[1], json)
    reset[#reset + 1] = fp
    reset[#reset + 1] = json
  end
end
if #reset > 0 then redis.call('LTRIM', KEYS[1], 0, logSize - 1) end
return reset
