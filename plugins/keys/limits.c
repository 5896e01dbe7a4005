/* limits.c — what each subscription tier allows a client key: the spec's
 * clientKeyLimits (conversations and messages per period; enterprise
 * unlimited), overridable in the settings, and the bounds of usage_limit.
 *
 * usage_limit (the spec's 100..1,000,000) is the owner's own cap on a key's
 * messages per period. Its default and its ceiling are the tier's message
 * limit (1,000,000 for unlimited tiers), so a basic key cannot be given more
 * than basic allows; the smaller of the two applies.
 */
#include <string.h>

#include "keys.h"

int tier_index(const char *tier)
{
	if (!tier)
		return -1;
	if (strcmp(tier, "basic") == 0)
		return TIER_BASIC;
	if (strcmp(tier, "premium") == 0)
		return TIER_PREMIUM;
	if (strcmp(tier, "enterprise") == 0)
		return TIER_ENTERPRISE;
	return -1;
}

/* An unknown tier is treated as the smallest, never as unlimited. */
static int tier_or_basic(const char *tier)
{
	int t = tier_index(tier);

	return t < 0 ? TIER_BASIC : t;
}

long long tier_conversations(const char *tier)
{
	return keys_cf.conversations[tier_or_basic(tier)];
}

long long tier_messages(const char *tier)
{
	return keys_cf.messages[tier_or_basic(tier)];
}

long long tier_max_keys(const char *tier)
{
	return keys_cf.max_keys[tier_or_basic(tier)];
}

long long usage_limit_max(const char *tier)
{
	long long m = tier_messages(tier);

	if (m < 0 || m > USAGE_LIMIT_MAX)
		return USAGE_LIMIT_MAX;
	return m < USAGE_LIMIT_MIN ? USAGE_LIMIT_MIN : m;
}

long long messages_max(const char *tier, long long usage_limit, const char **name)
{
	long long m = tier_messages(tier);

	if (m >= 0 && m <= usage_limit) {
		*name = "messages";
		return m;
	}
	*name = "usage_limit";
	return usage_limit;
}
