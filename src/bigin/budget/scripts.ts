/**
 * The shared call budget's Lua scripts. Each runs atomically in Redis and reads the time from
 * Redis (TIME), so replicas with skewed clocks agree on when a lease expires.
 *
 * Keys of one credential (the same hash tag, `{key}`):
 *   leases   sorted set: slot holder id → when its lease expires (ms)
 *   queue    sorted set: waiting id → ticket (first come, first served)
 *   waiters  sorted set: waiting id → when its place expires (ms), renewed while it waits
 *   ticket   counter of tickets
 *   backoff  hash: `until` (ms) new calls wait for after a 429, `strikes` (429s in a row)
 * and the deployment's credits (hash): `m<minute>` → credits spent that minute, `total`, and
 * `oldest`, the oldest minute still counted.
 *
 * Ids are `<replica>|<n>`: a slot handed to a waiter is announced on `<channel prefix><replica>`.
 */

const CLOCK = `
local clock = redis.call("TIME")
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/** Credits over the rolling 24 h in one-minute buckets; `trim` drops the minutes that left. */
const CREDITS = `
local MINUTE, WINDOW = 60000, 1440
local function trim(credits)
  local first = math.floor(now / MINUTE) - WINDOW + 1
  local oldest = tonumber(redis.call("HGET", credits, "oldest") or first)
  if oldest < first then
    if first - oldest >= WINDOW then
      redis.call("DEL", credits)
    else
      for m = oldest, first - 1 do
        local spent = redis.call("HGET", credits, "m" .. m)
        if spent then
          redis.call("HINCRBY", credits, "total", -tonumber(spent))
          redis.call("HDEL", credits, "m" .. m)
        end
      end
      redis.call("HSET", credits, "oldest", first)
    end
  end
  return tonumber(redis.call("HGET", credits, "total") or "0")
end
local function spend(credits, amount)
  if amount <= 0 then return end
  local minute = math.floor(now / MINUTE)
  redis.call("HINCRBY", credits, "m" .. minute, amount)
  redis.call("HINCRBY", credits, "total", amount)
  redis.call("HSETNX", credits, "oldest", minute)
  redis.call("PEXPIRE", credits, (WINDOW + 1) * MINUTE)
end
`;

/** KEYS: leases, queue, waiters, ticket, backoff, credits. ARGV: max, ttl ms, channel prefix. */
const BUDGET = `
${CLOCK}
${CREDITS}
local leases, queue, waiters, ticket, backoff, credits = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local max, ttl, prefix = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
-- Keys of a credential nobody uses any more go away on their own.
local IDLE = 60000

local function pausedFor()
  local untilMs = tonumber(redis.call("HGET", backoff, "until") or "0")
  if untilMs > now then return untilMs - now end
  return 0
end

-- Drops expired leases (a replica that died holding them) and places (one that died waiting).
local function purge()
  redis.call("ZREMRANGEBYSCORE", leases, "-inf", now)
  for _, id in ipairs(redis.call("ZRANGEBYSCORE", waiters, "-inf", now)) do
    redis.call("ZREM", queue, id)
    redis.call("ZREM", waiters, id)
  end
end

-- Hands free slots to the oldest waiters and tells their replicas. A handed slot keeps the
-- expiry of the waiter's place: a waiter whose replica died gives it back as soon.
local function pump()
  if pausedFor() > 0 then return end
  local free = max - redis.call("ZCARD", leases)
  while free > 0 do
    local head = redis.call("ZPOPMIN", queue)
    if #head == 0 then return end
    local id = head[1]
    local expires = redis.call("ZSCORE", waiters, id)
    redis.call("ZREM", waiters, id)
    if expires then
      redis.call("ZADD", leases, expires, id)
      redis.call("PUBLISH", prefix .. string.match(id, "^[^|]+"), id)
      free = free - 1
    end
  end
end

local function touch()
  for _, key in ipairs({leases, queue, waiters, ticket}) do redis.call("PEXPIRE", key, IDLE) end
end
`;

/**
 * ARGV 4: id, 5: longest pause worth waiting for (ms), 6: daily credit budget (0: none).
 * → {"granted", 0, credits} | {"queued", pause ms, credits} | {"paused", pause ms, credits}
 *   | {"credits", ms until under the budget, credits}
 */
export const ACQUIRE = `
${BUDGET}
purge()
pump()
local total = trim(credits)
local budget = tonumber(ARGV[6])
if budget > 0 and total >= budget then
  local left = total
  local minute = math.floor(now / MINUTE)
  for m = tonumber(redis.call("HGET", credits, "oldest") or minute), minute do
    left = left - tonumber(redis.call("HGET", credits, "m" .. m) or "0")
    if left < budget then return {"credits", (m + WINDOW) * MINUTE - now, total} end
  end
  return {"credits", WINDOW * MINUTE, total}
end
local paused = pausedFor()
if paused > tonumber(ARGV[5]) then return {"paused", paused, total} end
local id = ARGV[4]
if paused == 0 and redis.call("ZCARD", queue) == 0 and redis.call("ZCARD", leases) < max then
  redis.call("ZADD", leases, now + ttl, id)
  touch()
  return {"granted", 0, total}
end
redis.call("ZADD", queue, redis.call("INCR", ticket), id)
redis.call("ZADD", waiters, now + ttl, id)
touch()
return {"queued", paused, total}
`;

/**
 * Gives back slots or places. ARGV 4: credits the calls spent, 5…: ids. Hands the freed slots
 * on. → the deployment's credits.
 */
export const RELEASE = `
${BUDGET}
for i = 5, #ARGV do
  redis.call("ZREM", leases, ARGV[i])
  redis.call("ZREM", queue, ARGV[i])
  redis.call("ZREM", waiters, ARGV[i])
end
spend(credits, tonumber(ARGV[4]))
purge()
pump()
touch()
return trim(credits)
`;

/**
 * Keeps a replica's leases and places alive. ARGV 4: credits spent without Redis, 5: n, then n
 * lease ids (re-added if they expired: the calls are still running), then waiting ids (a place
 * that expired goes back in at the end). → {pause ms, credits, ids handed a slot…}
 */
export const HEARTBEAT = `
${BUDGET}
spend(credits, tonumber(ARGV[4]))
local expires = now + ttl
local n = tonumber(ARGV[5])
for i = 6, 5 + n do redis.call("ZADD", leases, expires, ARGV[i]) end
for i = 6 + n, #ARGV do
  local id = ARGV[i]
  if redis.call("ZSCORE", waiters, id) then
    redis.call("ZADD", waiters, expires, id)
  elseif not redis.call("ZSCORE", leases, id) then
    redis.call("ZADD", queue, redis.call("INCR", ticket), id)
    redis.call("ZADD", waiters, expires, id)
  end
end
purge()
pump()
touch()
-- Waiters handed a slot (now or earlier: an announcement can be lost while reconnecting).
local granted = {}
for i = 6 + n, #ARGV do
  if redis.call("ZSCORE", leases, ARGV[i]) then
    redis.call("ZADD", leases, expires, ARGV[i])
    granted[#granted + 1] = ARGV[i]
  end
end
return {pausedFor(), trim(credits), unpack(granted)}
`;

/**
 * After a 429: new calls wait until `until`. ARGV 4: Retry-After in ms (-1: none), 5: first
 * back-off (ms), 6: longest. Without Retry-After the pause doubles with each 429 that comes
 * after the last pause ended (within 30 s). → the pause in ms.
 */
export const BACK_OFF = `
${BUDGET}
local untilMs = tonumber(redis.call("HGET", backoff, "until") or "0")
local pause = tonumber(ARGV[4])
if pause < 0 then
  local strikes = tonumber(redis.call("HGET", backoff, "strikes") or "0")
  if now >= untilMs or strikes == 0 then
    strikes = strikes + 1
    redis.call("HSET", backoff, "strikes", strikes)
  end
  pause = math.min(tonumber(ARGV[5]) * 2 ^ (strikes - 1), tonumber(ARGV[6]))
end
if now + pause > untilMs then
  untilMs = math.floor(now + pause)
  redis.call("HSET", backoff, "until", untilMs)
end
redis.call("PEXPIRE", backoff, untilMs - now + 30000)
return untilMs - now
`;

/**
 * A replica says it is alive and records credits it spent without Redis. KEYS: replicas (sorted
 * set: replica → last seen), credits. ARGV 1: replica, 2: how long a silent replica still
 * counts (ms), 3: credits. → {live replicas, the deployment's credits}
 */
export const PRESENCE = `
${CLOCK}
${CREDITS}
redis.call("ZADD", KEYS[1], now, ARGV[1])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - tonumber(ARGV[2]))
redis.call("PEXPIRE", KEYS[1], tonumber(ARGV[2]))
spend(KEYS[2], tonumber(ARGV[3]))
return {redis.call("ZCARD", KEYS[1]), trim(KEYS[2])}
`;

/** A replica leaves (a clean stop). KEYS: replicas. ARGV 1: replica. */
export const LEAVE = `return redis.call("ZREM", KEYS[1], ARGV[1])`;
