import type { AttachmentPage } from "../bigin/attachments.js";
import type { SharedRedis } from "../redis.js";
import {
  type AttachmentCache,
  type CacheLookup,
  type PageAddress,
  fieldsTag,
  pageTag,
  recordTag,
} from "./attachment-cache.js";

const PREFIX = "bigin-attachments:pages:";
/** How long a record's invalidation counter is kept: far longer than any Bigin call. */
const VERSION_TTL_MS = 24 * 60 * 60 * 1000;

// Times come from Redis (TIME), so replicas with skewed clocks agree on expiry.
const NOW_MS = `local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: page group (hash: field set → "expiresAt|json"), record version.
 * ARGV: wanted field set. Returns { version, json of a live covering page? }.
 */
const LOOKUP = `${NOW_MS}
local version = redis.call("GET", KEYS[2]) or "0"
local entries = redis.call("HGETALL", KEYS[1])
for i = 1, #entries, 2 do
  local have = {}
  for name in string.gmatch(entries[i], "[^,]+") do have[name] = true end
  local covers = true
  for name in string.gmatch(ARGV[1], "[^,]+") do
    if not have[name] then covers = false break end
  end
  if covers then
    local value = entries[i + 1]
    local bar = string.find(value, "|", 1, true)
    if bar and tonumber(string.sub(value, 1, bar - 1)) > now then
      return { version, string.sub(value, bar + 1) }
    end
  end
end
return { version }`;

/**
 * KEYS: page group, record version, record index (set of its page groups).
 * ARGV: field set, json, ttl ms, version seen at lookup. Stores nothing when the record was
 * invalidated since; drops expired field sets of the group.
 */
const STORE = `${NOW_MS}
if (redis.call("GET", KEYS[2]) or "0") ~= ARGV[4] then return 0 end
local ttl = tonumber(ARGV[3])
local entries = redis.call("HGETALL", KEYS[1])
for i = 1, #entries, 2 do
  local value = entries[i + 1]
  local bar = string.find(value, "|", 1, true)
  if not bar or tonumber(string.sub(value, 1, bar - 1)) <= now then
    redis.call("HDEL", KEYS[1], entries[i])
  end
end
redis.call("HSET", KEYS[1], ARGV[1], (now + ttl) .. "|" .. ARGV[2])
redis.call("PEXPIRE", KEYS[1], ttl)
redis.call("SADD", KEYS[3], KEYS[1])
redis.call("PEXPIRE", KEYS[3], ttl)
return 1`;

/** KEYS: record index, record version. ARGV: version ttl ms. */
const INVALIDATE = `local groups = redis.call("SMEMBERS", KEYS[1])
for _, group in ipairs(groups) do redis.call("DEL", group) end
redis.call("DEL", KEYS[1])
redis.call("INCR", KEYS[2])
redis.call("PEXPIRE", KEYS[2], ARGV[1])
return #groups`;

/**
 * An AttachmentCache in Redis, shared by replicas. A record's keys share a hash tag, so a
 * script touching them stays on one slot should the keys ever be spread over a cluster. While
 * Redis is down every lookup is a miss and nothing is stored.
 */
export class RedisAttachmentCache implements AttachmentCache {
  private readonly scripts;

  constructor(
    private readonly redis: SharedRedis,
    private readonly options: { ttlSeconds: number; onLookup?: (hit: boolean) => void },
  ) {
    this.scripts = {
      lookup: redis.script(LOOKUP, 2),
      store: redis.script(STORE, 3),
      invalidate: redis.script(INVALIDATE, 2),
    };
  }

  async lookup(address: PageAddress, fields: readonly string[]): Promise<CacheLookup> {
    const keys = recordKeys(address.module, address.recordId);
    let found: CacheLookup = { page: undefined, version: "" };
    try {
      const reply = (await this.scripts.lookup(
        `${keys.base}:${pageTag(address)}`,
        keys.version,
        fieldsTag(fields),
      )) as [string, string?];
      const [version, json] = reply;
      found = { page: json === undefined ? undefined : parsePage(json), version };
    } catch (error) {
      this.redis.failed("attachment cache lookup: calling Bigin without the cache", error);
    }
    this.options.onLookup?.(found.page !== undefined);
    return found;
  }

  async store(
    address: PageAddress,
    fields: readonly string[],
    page: AttachmentPage,
    version: string,
  ): Promise<void> {
    // A failed lookup has no version: store nothing rather than risk a stale page.
    if (version === "") return;
    const keys = recordKeys(address.module, address.recordId);
    try {
      await this.scripts.store(
        `${keys.base}:${pageTag(address)}`,
        keys.version,
        keys.index,
        fieldsTag(fields),
        JSON.stringify(page),
        String(this.options.ttlSeconds * 1000),
        version,
      );
    } catch (error) {
      this.redis.failed("attachment cache store", error);
    }
  }

  async invalidateRecord(module: string, recordId: string): Promise<void> {
    const keys = recordKeys(module, recordId);
    try {
      await this.scripts.invalidate(keys.index, keys.version, String(VERSION_TTL_MS));
    } catch (error) {
      this.redis.failed("attachment cache invalidation", error);
    }
  }
}

function recordKeys(module: string, recordId: string) {
  const base = `${PREFIX}{${recordTag(module, recordId)}}`;
  return { base, index: `${base}:index`, version: `${base}:version` };
}

function parsePage(json: string): AttachmentPage | undefined {
  try {
    const page = JSON.parse(json) as AttachmentPage;
    return Array.isArray(page?.data) && typeof page.info === "object" ? page : undefined;
  } catch {
    return undefined;
  }
}
