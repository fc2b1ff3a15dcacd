--[[
  Counts users enqueued for a run, each once: a resumed fan-out that re-processes a page adds
  nobody twice.

  KEYS[1]  run summary hash   (recs:run:{run_id})
  KEYS[2]  enqueued-users set (recs:run:{run_id}:enqueued)
  ARGV[1]  TTL of the set, seconds
  ARGV[2..] tgids

  Returns: how many of the tgids were new.
]]
local added = 0
for i = 2, #ARGV, 5000 do
  added = added + redis.call('SADD', KEYS[2], unpack(ARGV, i, math.min(i + 4999, #ARGV)))
end
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[1]))
if added > 0 then
  redis.call('HINCRBY', KEYS[1], 'enqueued', added)
end
return added
