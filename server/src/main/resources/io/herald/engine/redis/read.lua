-- Read: the stream's position and, with a limit, history (latest, or after a `since`).
-- KEYS: 1 stream hash, 2 history list
-- ARGV: 1 now (ms), 2 history size, 3 history ttl (ms), 4 stream idle (ms), 5 limit (0 = position
--       only), 6 since offset (-1 = none), 7 since epoch
-- Returns {epoch, top, recovered (0/1), {entries}}.
local meta, list = KEYS[1], KEYS[2]
local now, size, ttl, idle = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local limit, since = tonumber(ARGV[5]), tonumber(ARGV[6])
local epoch, top = stream(meta, list)
redis.call('PEXPIRE', meta, math.max(idle, ttl))
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
