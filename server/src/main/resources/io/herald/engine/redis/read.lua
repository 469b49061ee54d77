-- Read: the stream's position and, with a limit, history (latest, or after a `since`). Creates no
-- key for a channel without a stream: it is at offset 0 under its slot's era, holding nothing.
-- KEYS: 1 stream hash, 2 history list, 3 the slot's era hash
-- ARGV: 1 now (ms), 2 history size, 3 history ttl (ms), 4 era period (ms), 5 limit (0 = position
--       only), 6 since offset (-1 = none), 7 since epoch, 8 pub/sub channel, 9 'publish' or 'spublish'
-- Returns {epoch, top, recovered (0/1), {entries}}.
local meta, list = KEYS[1], KEYS[2]
local now, size, ttl, period = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local limit, since = tonumber(ARGV[5]), tonumber(ARGV[6])
local epoch, top = stream(meta)
if not epoch then
  epoch = era(KEYS[3], now, period)
  local recovered = (since < 0 or (since == 0 and ARGV[7] == epoch)) and 1 or 0
  return {epoch, 0, recovered, {}}
end
-- a subscriber's node reads the position when it subscribes: its stream is kept a period longer
if subscribed(ARGV[8], ARGV[9]) then
  keepFor(meta, period)
end
if limit == 0 then
  return {epoch, top, 1, {}}
end
trim(list, size, ttl, now)
if since < 0 then
  return {epoch, top, 1, redis.call('LRANGE', list, -limit, -1)}
end
if ARGV[7] ~= epoch or since > top then
  return {epoch, top, 0, {}}
end
if since == top then
  return {epoch, top, 1, {}}
end
local head = redis.call('LINDEX', list, 0)
if not head then
  return {epoch, top, 0, {}}
end
local first = tonumber(string.match(head, '^(%d+) '))
if first > since + 1 then
  return {epoch, top, 0, {}}
end
local start = since + 1 - first
return {epoch, top, 1, redis.call('LRANGE', list, start, start + limit - 1)}
