-- Adds or refreshes one presence entry. Entries expire one by one: the sorted set holds each
-- client's expiry (Redis time, ms), the hash its info. Both keys outlive their newest entry.
-- KEYS: 1 info hash, 2 expiry sorted set; ARGV: 1 client id, 2 info JSON, 3 ttl (ms)
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
