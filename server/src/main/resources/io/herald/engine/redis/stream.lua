-- Shared by publish.lua and read.lua (prepended to each): the channel's stream and its slot's era.

-- A stream is a hash {epoch, top}, made by the first publish only. Returns nil, 0 when the channel
-- has none: it never had a publication, its keys expired, or Redis lost them.
local function stream(meta)
  local s = redis.call('HMGET', meta, 'epoch', 'top')
  if s[1] then
    return s[1], tonumber(s[2])
  end
  return nil, 0
end

-- The era: a hash {epoch, start} per Redis Cluster slot (not per channel), whose epoch every channel
-- of the slot without a stream reports, and which a first publish gives its new stream. It is made
-- here, inside Redis, when missing (so Redis losing its data makes a new one) and replaced once it is
-- `period` ms old by the caller's clock (or that far ahead of it). A stream made under an era lives
-- until that era is over (see keepFor), so a channel never gets a second stream under one epoch.
local function era(key, now, period)
  local e = redis.call('HMGET', key, 'epoch', 'start')
  if e[1] then
    local age = now - tonumber(e[2])
    if age < period and age > -period then
      return e[1], tonumber(e[2])
    end
  end
  local t = redis.call('TIME')
  local epoch = string.sub(redis.sha1hex(t[1] .. '.' .. t[2] .. '.' .. key .. '.' .. (e[1] or '')), 1, 12)
  redis.call('HSET', key, 'epoch', epoch, 'start', now)
  return epoch, now
end

-- How long past an era's end (by the clock of the node that made the stream) a stream of that era is
-- kept, so nodes whose clocks differ by up to this much agree that it outlived the era.
local function margin(period)
  return math.min(math.floor(period / 10), 60000)
end

-- Whether any node is subscribed to the channel's pub/sub channel (`kind` is 'publish' or 'spublish').
local function subscribed(fanout, kind)
  local sub = kind == 'spublish' and 'SHARDNUMSUB' or 'NUMSUB'
  return redis.call('PUBSUB', sub, fanout)[2] > 0
end

-- Makes `key` (which exists) live at least `ms` more milliseconds; never shortens its life.
local function keepFor(key, ms)
  local ttl = redis.call('PTTL', key)
  if ttl == -1 or (ttl >= 0 and ttl < ms) then
    redis.call('PEXPIRE', key, ms)
  end
end

-- History entries are "<offset> <timestamp ms> <payload>". Trims to the last `size` entries and
-- drops those `ttl` ms old or older, by the caller's clock.
local function trim(list, size, ttl, now)
  if size <= 0 then
    redis.call('DEL', list)
    return
  end
  redis.call('LTRIM', list, -size, -1)
  while true do
    local head = redis.call('LINDEX', list, 0)
    if not head then
      return
    end
    local ts = tonumber(string.match(head, '^%d+ (%d+) '))
    if ts > now - ttl then
      return
    end
    redis.call('LPOP', list)
  end
end
