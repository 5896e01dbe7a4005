/* netguard.c — the SSRF guard's list of addresses that are not the public
 * internet.
 *
 * The table is IANA's IPv4 and IPv6 Special-Purpose Address Registries
 * (iana-ipv4-special-registry, iana-ipv6-special-registry) entry by entry,
 * including those marked globally reachable (anycast services, AS112): a
 * user-supplied URL has no business with any of them. Multicast and the
 * deprecated site-local fec0::/10 are added. Where a range contains more
 * specific entries (2001::/23, 192.0.0.0/24), the covering range is listed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "netguard.h"

struct range {
	const char *prefix;
	int bits;
};

static const struct range v4[] = {
    {"0.0.0.0", 8},       /* "this network" (RFC 791), 0.0.0.0/32 inside */
    {"10.0.0.0", 8},      /* private (RFC 1918) */
    {"100.64.0.0", 10},   /* shared address space, carrier-grade NAT (RFC 6598) */
    {"127.0.0.0", 8},     /* loopback */
    {"169.254.0.0", 16},  /* link-local, cloud metadata services */
    {"172.16.0.0", 12},   /* private */
    {"192.0.0.0", 24},    /* IETF protocol assignments: DS-Lite, PCP/TURN anycast, NAT64 */
    {"192.0.2.0", 24},    /* TEST-NET-1 */
    {"192.31.196.0", 24}, /* AS112-v4 */
    {"192.52.193.0", 24}, /* AMT */
    {"192.88.99.0", 24},  /* deprecated 6to4 relay anycast */
    {"192.168.0.0", 16},  /* private */
    {"192.175.48.0", 24}, /* direct delegation AS112 */
    {"198.18.0.0", 15},   /* benchmarking (RFC 2544) */
    {"198.51.100.0", 24}, /* TEST-NET-2 */
    {"203.0.113.0", 24},  /* TEST-NET-3 */
    {"224.0.0.0", 4},     /* multicast */
    {"240.0.0.0", 4},     /* reserved, 255.255.255.255/32 broadcast inside */
};

static const struct range v6[] = {
    {"::", 96},             /* ::, ::1 and IPv4-compatible ::a.b.c.d (deprecated) */
    {"64:ff9b::", 96},      /* IPv4/IPv6 translation, NAT64 (RFC 6052) */
    {"64:ff9b:1::", 48},    /* local-use translation (RFC 8215) */
    {"100::", 64},          /* discard-only (RFC 6666) */
    {"100:0:0:1::", 64},    /* dummy prefix (RFC 9780) */
    {"2001::", 23},         /* IETF protocol assignments: Teredo, benchmarking, ORCHID, AMT */
    {"2001:db8::", 32},     /* documentation */
    {"2002::", 16},         /* 6to4: reaches any IPv4 address */
    {"2620:4f:8000::", 48}, /* direct delegation AS112 */
    {"3fff::", 20},         /* documentation (RFC 9637) */
    {"5f00::", 16},         /* SRv6 SIDs (RFC 9602) */
    {"fc00::", 7},          /* unique local */
    {"fe80::", 10},         /* link-local */
    {"fec0::", 10},         /* site-local (deprecated) */
    {"ff00::", 8},          /* multicast */
};

static int in_prefix(const unsigned char *addr, const unsigned char *pfx, int bits)
{
	int whole = bits / 8, rest = bits % 8;

	if (memcmp(addr, pfx, (size_t)whole) != 0)
		return 0;
	if (!rest)
		return 1;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (addr[whole] & mask) == (pfx[whole] & mask);
}

static int listed(int family, const unsigned char *addr, const struct range *t, size_t n)
{
	unsigned char pfx[16];

	for (size_t i = 0; i < n; i++)
		if (inet_pton(family, t[i].prefix, pfx) == 1 && in_prefix(addr, pfx, t[i].bits))
			return 1;
	return 0;
}

static int v4_non_public(const unsigned char *a)
{
	return listed(AF_INET, a, v4, sizeof v4 / sizeof v4[0]);
}

static int v6_non_public(const unsigned char *b)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (memcmp(b, mapped, 12) == 0) /* ::ffff:0:0/96: the IPv4 address decides */
		return v4_non_public(b + 12);
	return listed(AF_INET6, b, v6, sizeof v6 / sizeof v6[0]);
}

int netguard_non_public(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return v4_non_public(
		    (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr.s_addr);
	if (sa->sa_family == AF_INET6)
		return v6_non_public(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
	return 1;
}

int netguard_non_public_text(const char *text)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, text, a) == 1)
		return v4_non_public(a);
	if (inet_pton(AF_INET6, text, a) == 1)
		return v6_non_public(a);
	return -1;
}
