/** Default bounds of the network operations, so that no call can run away with time or memory. */

/** Most prefixes `splitPrefix`/`splitCount` return unless the caller raises the limit. */
export const DEFAULT_SPLIT_LIMIT = 65536;

/** Most host requests `splitHosts` accepts. */
export const MAX_HOST_REQUESTS = 65536;
