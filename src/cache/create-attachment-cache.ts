import type { SharedRedis } from "../redis.js";
import type { AttachmentCache } from "./attachment-cache.js";
import { MemoryAttachmentCache } from "./memory-attachment-cache.js";
import { RedisAttachmentCache } from "./redis-attachment-cache.js";

/**
 * The response cache for ATTACHMENT_CACHE_TTL_SECONDS: in Redis when there is one (shared by
 * replicas), else in this process. Undefined when the TTL is 0 (off).
 */
export function createAttachmentCache(options: {
  ttlSeconds: number;
  redis?: SharedRedis | undefined;
  onLookup?: (hit: boolean) => void;
}): AttachmentCache | undefined {
  if (options.ttlSeconds <= 0) return undefined;
  const settings = {
    ttlSeconds: options.ttlSeconds,
    ...(options.onLookup && { onLookup: options.onLookup }),
  };
  return options.redis
    ? new RedisAttachmentCache(options.redis, settings)
    : new MemoryAttachmentCache(settings);
}
