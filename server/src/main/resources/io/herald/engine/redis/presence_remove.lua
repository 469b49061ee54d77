-- Removes one presence entry. KEYS: 1 info hash, 2 expiry sorted set; ARGV: 1 client id
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
