-- Drops expired presence entries and returns the rest as {client id, info JSON, ...}.
-- KEYS: 1 info hash, 2 expiry sorted set
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, client in ipairs(expired) do
  redis.call('HDEL', KEYS[1], client)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return redis.call('HGETALL', KEYS[1])
