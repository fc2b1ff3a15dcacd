--[[
  Counts one user's outcome in a run summary, once per user, and closes the run when it was the
  last one.

  KEYS[1]  run summary hash   (recs:run:{run_id})
  KEYS[2]  counted-users set  (recs:run:{run_id}:done)
  ARGV[1]  tgid
  ARGV[2]  outcome field: succeeded | skipped | failed
  ARGV[3]  fallback field (fallback_stale | fallback_rules) or ''
  ARGV[4]  now, ISO 8601 (finished_at)
  ARGV[5]  TTL of both keys, seconds

  Returns: -1 already counted (a retried or re-run job), 0 counted, 1 counted and the run finished.
]]
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
  return -1
end
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
if ARGV[3] ~= '' then
  redis.call('HINCRBY', KEYS[1], 'fallback', 1)
  redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
end

local h = redis.call('HMGET', KEYS[1], 'fanout_finished_at', 'finished_at', 'enqueued', 'succeeded', 'skipped', 'failed')
if h[1] and not h[2] then
  local done = tonumber(h[4] or '0') + tonumber(h[5] or '0') + tonumber(h[6] or '0')
  if done >= tonumber(h[3] or '0') then
    redis.call('HSET', KEYS[1], 'finished_at', ARGV[4])
    return 1
  end
end
return 0
