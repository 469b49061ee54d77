-- The cluster-wide state behind webhooks and presence across nodes, all under one hash tag so every
-- step below is one atomic script (see RedisHookStore for the key layout).
-- KEYS: 1 base (`<prefix>:{wh}`)
-- ARGV: 1 operation, 2 hooks ("id mask vacate_ms max_age_ms max_queue scope" joined by ";"; scope as in
--       HookStore.inScope: "*", "+prefix" or "-prefix1,prefix2"), 3 event bits
--       ("occupied vacated join leave publish"), then the operation's own arguments.
-- Returns {counts, result}: counts is {hook id, events queued, events refused by a full queue, ...}.
local base = KEYS[1]
local op = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local hooks = {}
local byId = {}
for spec in string.gmatch(ARGV[2], '[^;]+') do
  local id, mask, vac, age, maxq, scope = string.match(spec, '^(%S+) (%d+) (%d+) (%d+) (%d+) (%S+)$')
  local h = {id = id, mask = tonumber(mask), vac = tonumber(vac), age = tonumber(age), maxq = tonumber(maxq),
             scope = scope}
  table.insert(hooks, h)
  byId[id] = h
end
local bits = {}
for b in string.gmatch(ARGV[3], '%d+') do
  table.insert(bits, tonumber(b))
end
local OCC, VAC, JOIN, LEAVE, PUB = bits[1], bits[2], bits[3], bits[4], bits[5]
local counts = {}
local function count(id, queued, refused)
  local c = counts[id]
  if not c then
    c = {0, 0}
    counts[id] = c
  end
  c[1] = c[1] + queued
  c[2] = c[2] + refused
end

local function wants(h, b)
  return bit.band(h.mask, b) ~= 0
end

-- Whether a hook hears of a channel (its scope): every channel, those with a prefix, or all but some prefixes.
local function hears(h, ch)
  local s = h.scope
  if s == '*' then
    return true
  end
  local kind = string.sub(s, 1, 1)
  local rest = string.sub(s, 2)
  if kind == '+' then
    return string.sub(ch, 1, #rest) == rest
  end
  for p in string.gmatch(rest, '[^,]+') do
    if string.sub(ch, 1, #p) == p then
      return false
    end
  end
  return true
end

-- Queues one event for hook h: the channel's next seq (a seq is used even when the queue is full, so
-- a receiver sees the gap), appended to the channel's list, the channel marked ready.
local function emit(h, b, ch, payload)
  if not wants(h, b) or not hears(h, ch) then
    return
  end
  local seq = redis.call('HINCRBY', base .. ':seq:' .. h.id, ch, 1)
  local n = redis.call('INCR', base .. ':n:' .. h.id)
  if n > h.maxq then
    redis.call('DECR', base .. ':n:' .. h.id)
    count(h.id, 0, 1)
    return
  end
  redis.call('RPUSH', base .. ':q:' .. h.id .. ':' .. ch, seq .. ' ' .. now .. ' ' .. b .. ' ' .. payload)
  redis.call('ZADD', base .. ':r:' .. h.id, 'NX', now, ch)
  count(h.id, 1, 0)
end

local function userField(user)
  return '"user":' .. cjson.encode(user)
end

-- A node occupies a channel; the first node makes it occupied for each hook not already told so
-- (a channel vacated and re-occupied within vacate_delay stays occupied: no event at all).
local function occupy(node, ch)
  redis.call('HSET', base .. ':m:' .. node, 'o' .. ch, '1')
  local okey = base .. ':o:' .. ch
  if redis.call('SADD', okey, node) == 1 and redis.call('SCARD', okey) == 1 then
    for _, h in ipairs(hooks) do
      if (wants(h, OCC) or wants(h, VAC)) and hears(h, ch) then
        redis.call('ZREM', base .. ':vac', h.id .. ' ' .. ch)
        if redis.call('HSETNX', base .. ':st:' .. h.id, ch, '1') == 1 then
          emit(h, OCC, ch, '')
        end
      end
    end
  end
end

-- The last node out schedules the vacated check of each hook after its vacate_delay.
local function vacate(node, ch)
  redis.call('HDEL', base .. ':m:' .. node, 'o' .. ch)
  local okey = base .. ':o:' .. ch
  if redis.call('SREM', okey, node) == 1 and redis.call('SCARD', okey) == 0 then
    for _, h in ipairs(hooks) do
      if redis.call('HEXISTS', base .. ':st:' .. h.id, ch) == 1 then
        redis.call('ZADD', base .. ':vac', now + h.vac, h.id .. ' ' .. ch)
      end
    end
  end
end

-- A connection joins a channel's presence; a user's first connection is a presence_join.
local function join(node, ch, client, user, info)
  local f = 'p' .. ch .. ' ' .. client
  if redis.call('HSETNX', base .. ':m:' .. node, f, info) == 0 then
    redis.call('HSET', base .. ':m:' .. node, f, info)
    return
  end
  if redis.call('HINCRBY', base .. ':u:' .. ch, user, 1) == 1 then
    for _, h in ipairs(hooks) do
      emit(h, JOIN, ch, userField(user))
    end
  end
end

-- A connection leaves; a user's last connection is a presence_leave. True when the entry existed.
local function leave(node, ch, client, user)
  if redis.call('HDEL', base .. ':m:' .. node, 'p' .. ch .. ' ' .. client) == 0 then
    return false
  end
  local ukey = base .. ':u:' .. ch
  if redis.call('HINCRBY', ukey, user, -1) <= 0 then
    redis.call('HDEL', ukey, user)
    for _, h in ipairs(hooks) do
      emit(h, LEAVE, ch, userField(user))
    end
  end
  return true
end

local result = {}
if op == 'occupy' then
  occupy(ARGV[4], ARGV[5])
elseif op == 'vacate' then
  vacate(ARGV[4], ARGV[5])
elseif op == 'join' then
  join(ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
elseif op == 'leave' then
  leave(ARGV[4], ARGV[5], ARGV[6], ARGV[7])
elseif op == 'publish' then
  for _, h in ipairs(hooks) do
    emit(h, PUB, ARGV[4], ARGV[5])
  end
elseif op == 'emit' then
  -- ARGV 4 channel, 5 event bit, 6 fields: an event the script does not derive itself
  local b = tonumber(ARGV[5])
  for _, h in ipairs(hooks) do
    emit(h, b, ARGV[4], ARGV[6])
  end
elseif op == 'tick' then
  -- ARGV 4 node, 5 ttl ms. Result: {1 if this node was not registered (new, or swept as dead), dead nodes...}
  local alive = base .. ':alive'
  local fresh = redis.call('ZADD', alive, now + tonumber(ARGV[5]), ARGV[4])
  table.insert(result, fresh)
  local due = redis.call('ZRANGEBYSCORE', alive, '-inf', now, 'LIMIT', 0, 10)
  for _, n in ipairs(due) do
    table.insert(result, n)
  end
  -- vacated checks that are due: still empty and still announced as occupied
  local vkey = base .. ':vac'
  local pending = redis.call('ZRANGEBYSCORE', vkey, '-inf', now, 'LIMIT', 0, 200)
  for _, member in ipairs(pending) do
    local id, ch = string.match(member, '^(%S+) (.+)$')
    local h = byId[id]
    if h then
      redis.call('ZREM', vkey, member)
      if redis.call('SCARD', base .. ':o:' .. ch) == 0 and redis.call('HDEL', base .. ':st:' .. h.id, ch) == 1 then
        emit(h, VAC, ch, '')
      end
    end
  end
elseif op == 'sweep' then
  -- ARGV 4 dead node. Removes up to 100 of its entries as if it had left; result: {done, channel,
  -- client info JSON, ...} for the leave pushes it owed. Entries go once: each call removes what it returns.
  local dead = ARGV[4]
  local alive = base .. ':alive'
  local score = redis.call('ZSCORE', alive, dead)
  if (not score) or tonumber(score) > now then
    return {{}, {1}}
  end
  local mkey = base .. ':m:' .. dead
  local page = redis.call('HSCAN', mkey, 0, 'COUNT', 100)
  local fields = page[2]
  local done = 0
  local removed = {}
  for i = 1, #fields, 2 do
    local f, v = fields[i], fields[i + 1]
    if string.sub(f, 1, 1) == 'o' then
      vacate(dead, string.sub(f, 2))
    else
      local ch, client = string.match(f, '^p(%S+) (.+)$')
      local user = cjson.decode(v).u
      if leave(dead, ch, client, user) then
        table.insert(removed, ch)
        table.insert(removed, v)
      end
    end
  end
  if redis.call('HLEN', mkey) == 0 then
    redis.call('ZREM', alive, dead)
    done = 1
  end
  table.insert(result, done)
  for _, x in ipairs(removed) do
    table.insert(result, x)
  end
elseif op == 'claim' then
  -- ARGV 4 hook id, 5 channels, 6 events per channel, 7 lease ms. Result per claimed channel:
  -- {channel, attempts, dropped past max_age, {events...}}; the channel is leased (not ready) meanwhile.
  local h = byId[ARGV[4]]
  local rk = base .. ':r:' .. h.id
  local chans = redis.call('ZRANGEBYSCORE', rk, '-inf', now, 'LIMIT', 0, tonumber(ARGV[5]))
  for _, ch in ipairs(chans) do
    local qk = base .. ':q:' .. h.id .. ':' .. ch
    local old = 0
    while old < 1000 do
      local e = redis.call('LINDEX', qk, 0)
      if not e then
        break
      end
      local at = tonumber(string.match(e, '^%d+ (%d+) '))
      if at >= now - h.age then
        break
      end
      redis.call('LPOP', qk)
      old = old + 1
    end
    if old > 0 then
      redis.call('DECRBY', base .. ':n:' .. h.id, old)
    end
    local events = redis.call('LRANGE', qk, 0, tonumber(ARGV[6]) - 1)
    local attempts = tonumber(redis.call('HGET', base .. ':a:' .. h.id, ch) or '0')
    if #events == 0 then
      redis.call('ZREM', rk, ch)
      redis.call('HDEL', base .. ':a:' .. h.id, ch)
    else
      redis.call('ZADD', rk, now + tonumber(ARGV[7]), ch)
    end
    table.insert(result, {ch, attempts, old, events})
  end
elseif op == 'ack' then
  -- ARGV 4 hook id, 5 channel, 6 first seq of the batch, 7 events in it
  local h = byId[ARGV[4]]
  local ch = ARGV[5]
  local qk = base .. ':q:' .. h.id .. ':' .. ch
  local rk = base .. ':r:' .. h.id
  local head = redis.call('LINDEX', qk, 0)
  if head and string.match(head, '^(%d+) ') == ARGV[6] then
    local n = tonumber(ARGV[7])
    redis.call('LTRIM', qk, n, -1)
    redis.call('DECRBY', base .. ':n:' .. h.id, n)
  end
  redis.call('HDEL', base .. ':a:' .. h.id, ch)
  if redis.call('LLEN', qk) > 0 then
    redis.call('ZADD', rk, now, ch)
  else
    redis.call('ZREM', rk, ch)
  end
elseif op == 'fail' then
  -- ARGV 4 hook id, 5 channel, 6 first retry delay ms, 7 longest delay ms. Exponential backoff, but
  -- never past the moment the oldest event reaches max_age (it is dropped then).
  local h = byId[ARGV[4]]
  local ch = ARGV[5]
  local attempts = redis.call('HINCRBY', base .. ':a:' .. h.id, ch, 1)
  local delay = math.min(tonumber(ARGV[6]) * math.pow(2, math.min(attempts - 1, 30)), tonumber(ARGV[7]))
  local due = now + delay
  local head = redis.call('LINDEX', base .. ':q:' .. h.id .. ':' .. ch, 0)
  if head then
    local expires = tonumber(string.match(head, '^%d+ (%d+) ')) + h.age + 1
    if expires < due then
      due = math.max(now, expires)
    end
  end
  redis.call('ZADD', base .. ':r:' .. h.id, 'XX', due, ch)
  table.insert(result, attempts)
elseif op == 'depth' then
  table.insert(result, tonumber(redis.call('GET', base .. ':n:' .. ARGV[4]) or '0'))
elseif op == 'withdraw' then
  -- a node shutting down: sweepable at once by the others (its remaining entries are owed leaves)
  redis.call('ZADD', base .. ':alive', 'XX', 0, ARGV[4])
end
local flat = {}
for id, c in pairs(counts) do
  table.insert(flat, id)
  table.insert(flat, c[1])
  table.insert(flat, c[2])
end
return {flat, result}
