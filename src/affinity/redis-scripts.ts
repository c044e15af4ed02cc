// The Lua that adds to one row of affinity scores in Redis. A row is a sorted set (member ->
// stored value) and a hash (epoch, total); the script keeps them consistent and applies the
// decay scheme of decay.ts, renormalising the row when its factor grows too large. Running it
// as one script makes each row's update atomic, so replicas that train the same row at the
// same time, or renormalise it, never interleave.

/**
 * KEYS: [scores zset, meta hash]
 * ARGV: [now ms, half-life ms (0 = no decay), max exponent, prune below, ttl ms (0 = none),
 *        by, member...]
 */
export const ADD_TO_ROW = `
local now = tonumber(ARGV[1])
local half = tonumber(ARGV[2])
local maxExp = tonumber(ARGV[3])
local pruneBelow = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local by = tonumber(ARGV[6])
local function num(x) return string.format('%.17g', x) end

local epoch = tonumber(redis.call('HGET', KEYS[2], 'epoch'))
if not epoch then
  epoch = now
  redis.call('HSET', KEYS[2], 'epoch', num(now), 'total', '0')
end
local exp = 0
if half > 0 then exp = (now - epoch) / half end

if exp > maxExp then
  local shrink = 2 ^ (-exp)
  local rows = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  local total = 0
  for i = 1, #rows, 2 do
    local v = tonumber(rows[i + 1]) * shrink
    if v < pruneBelow then
      redis.call('ZREM', KEYS[1], rows[i])
    else
      redis.call('ZADD', KEYS[1], num(v), rows[i])
      total = total + v
    end
  end
  redis.call('HSET', KEYS[2], 'epoch', num(now), 'total', num(total))
  exp = 0
end

local inc = by * (2 ^ exp)
for i = 7, #ARGV do
  redis.call('ZINCRBY', KEYS[1], num(inc), ARGV[i])
end
redis.call('HINCRBYFLOAT', KEYS[2], 'total', num(inc * (#ARGV - 6)))
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return #ARGV - 6
`;
