-- Shared by publish.lua and read.lua (prepended to each): the channel's stream metadata.
-- A stream is a hash {epoch, top}. The epoch is made here, inside Redis, when the hash is missing:
-- a new channel, a stream that expired unused, or data Redis lost. A new epoch always starts a new
-- offset counter and an empty history, so a node never pairs an old offset with a new epoch.
local function stream(meta, list)
  local epoch = redis.call('HGET', meta, 'epoch')
  if epoch then
    return epoch, tonumber(redis.call('HGET', meta, 'top'))
  end
  local t = redis.call('TIME')
  epoch = string.sub(redis.sha1hex(t[1] .. '.' .. t[2] .. '.' .. meta), 1, 12)
  redis.call('HSET', meta, 'epoch', epoch, 'top', 0)
  redis.call('DEL', list)
  return epoch, 0
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
