--[[
  Marks a run's fan-out complete; closes the run at once when every enqueued job already ended
  (or nobody was enqueued).

  KEYS[1]  run summary hash (recs:run:{run_id})
  ARGV[1]  now, ISO 8601

  Returns: 1 if the run is finished, 0 otherwise.
]]
redis.call('HSETNX', KEYS[1], 'fanout_finished_at', ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'finished_at', 'enqueued', 'succeeded', 'skipped', 'failed')
if h[1] then return 1 end
local done = tonumber(h[3] or '0') + tonumber(h[4] or '0') + tonumber(h[5] or '0')
if done >= tonumber(h[2] or '0') then
  redis.call('HSET', KEYS[1], 'finished_at', ARGV[1])
  return 1
end
return 0
