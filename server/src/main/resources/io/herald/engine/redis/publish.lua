-- Publish: next offset, append to history, fan out, in one atomic step per channel.
-- KEYS: 1 stream hash, 2 history list, 3 the slot's era hash, 4 idempotency key (optional)
-- ARGV: 1 payload, 2 now (ms), 3 history size, 4 history ttl (ms), 5 era period (ms),
--       6 pub/sub channel, 7 'publish' or 'spublish', 8 idempotency window (ms)
-- Returns {0, epoch, entry} when published, {1, epoch, offset} with the first publication's offset
-- for a repeated idempotency key.
local meta, list, idem = KEYS[1], KEYS[2], KEYS[4]
local now, size, ttl, period = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local window = tonumber(ARGV[8])
local eraEpoch, eraStart = era(KEYS[3], now, period)
local epoch, top = stream(meta)
if not epoch then
  -- the first publication continues from offset 0 under the epoch the channel reported
  epoch = eraEpoch
  redis.call('HSET', meta, 'epoch', epoch, 'top', 0)
  redis.call('DEL', list)
end
if idem then
  local seen = redis.call('GET', idem)
  if seen then
    -- '<epoch> <offset> <timestamp>'; records of earlier versions continue with the payload
    local seenEpoch, offset, ts = string.match(seen, '^(%S+) (%d+) (%d+)')
    if seenEpoch == epoch and now - tonumber(ts) <= window then
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
-- the stream outlives what it holds (history, idempotency keys), its era if it was made in the
-- current one, and, while a node has subscribers, a whole period, so they never see it restart
local keep = margin(period)
if size > 0 then
  keep = math.max(keep, ttl)
end
if idem then
  keep = math.max(keep, window + 60000)
end
if epoch == eraEpoch then
  keep = math.max(keep, math.min(eraStart + period - now, period) + margin(period))
end
if subscribed(ARGV[6], ARGV[7]) then
  keep = math.max(keep, period)
end
keepFor(meta, keep)
if idem then
  -- where the publication went, not its payload: every publish has a key, so a copy of each payload
  -- would be held for the whole window. The window is checked against the caller's clock above; the
  -- expiry only collects garbage.
  redis.call('SET', idem, epoch .. ' ' .. top .. ' ' .. ARGV[2], 'PX', window + 60000)
end
redis.call(ARGV[7], ARGV[6], 'p' .. epoch .. ' ' .. entry)
return {0, epoch, entry}
