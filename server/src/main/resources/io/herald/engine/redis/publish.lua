-- Publish: next offset, append to history, fan out, in one atomic step per channel.
-- KEYS: 1 stream hash, 2 history list, 3 idempotency key (optional)
-- ARGV: 1 payload, 2 now (ms), 3 history size, 4 history ttl (ms), 5 stream idle (ms),
--       6 pub/sub channel, 7 'publish' or 'spublish', 8 idempotency window (ms)
-- Returns {0, epoch, entry} when published, {1, epoch, offset} with the first publication's offset
-- for a repeated idempotency key.
local meta, list, idem = KEYS[1], KEYS[2], KEYS[3]
local now, size, ttl, idle = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local epoch, top = stream(meta, list)
if idem then
  local seen = redis.call('GET', idem)
  if seen then
    -- '<epoch> <offset> <timestamp>'; records of earlier versions continue with the payload
    local seenEpoch, offset, ts = string.match(seen, '^(%S+) (%d+) (%d+)')
    if seenEpoch == epoch and now - tonumber(ts) <= tonumber(ARGV[8]) then
      return {1, epoch, tonumber(offset)}
    end
  end
end
top = redis.call('HINCRBY', meta, 'top', 1)
local entry = top .. ' ' .. ARGV[2] .. ' ' .. ARGV[1]
if size > 0 then
  redis.call('RPUSH', list, entry)
  redis.call('PEXPIRE', list, ttl)
end
trim(list, size, ttl, now)
redis.call('PEXPIRE', meta, math.max(idle, ttl))
if idem then
  -- where the publication went, not its payload: every publish has a key, so a copy of each payload
  -- would be held for the whole window. The window is checked against the caller's clock above; the
  -- expiry only collects garbage.
  redis.call('SET', idem, epoch .. ' ' .. top .. ' ' .. ARGV[2], 'PX', tonumber(ARGV[8]) + 60000)
end
redis.call(ARGV[7], ARGV[6], 'p' .. epoch .. ' ' .. entry)
return {0, epoch, entry}
