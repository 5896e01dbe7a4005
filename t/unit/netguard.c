/* netguard: the SSRF guard against IANA's special-purpose registries, range
 * by range: the first and last address of each, and public neighbours. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "netguard.h"
#include "tap.h"

static const struct {
	const char *addr;
	int non_public;
	const char *why;
} cases[] = {
    /* IPv4 special-purpose registry */
    {"0.0.0.0", 1, "this host"},
    {"0.255.255.255", 1, "end of 0.0.0.0/8"},
    {"1.0.0.0", 0, "after 0.0.0.0/8"},
    {"10.0.0.0", 1, "private 10/8"},
    {"10.255.255.255", 1, "end of 10/8"},
    {"11.0.0.0", 0, "after 10/8"},
    {"100.63.255.255", 0, "before 100.64/10"},
    {"100.64.0.0", 1, "shared address space"},
    {"100.127.255.255", 1, "end of 100.64/10"},
    {"100.128.0.0", 0, "after 100.64/10"},
    {"127.0.0.1", 1, "loopback"},
    {"127.255.255.254", 1, "end of 127/8"},
    {"169.254.169.254", 1, "link-local (metadata service)"},
    {"169.255.0.0", 0, "after 169.254/16"},
    {"172.15.255.255", 0, "before 172.16/12"},
    {"172.16.0.0", 1, "private 172.16/12"},
    {"172.31.255.255", 1, "end of 172.16/12"},
    {"172.32.0.0", 0, "after 172.16/12"},
    {"192.0.0.0", 1, "IETF protocol assignments"},
    {"192.0.0.9", 1, "PCP anycast"},
    {"192.0.0.170", 1, "NAT64 discovery"},
    {"192.0.0.255", 1, "end of 192.0.0/24"},
    {"192.0.1.0", 0, "after 192.0.0/24"},
    {"192.0.2.1", 1, "TEST-NET-1"},
    {"192.0.3.0", 0, "after TEST-NET-1"},
    {"192.31.196.1", 1, "AS112-v4"},
    {"192.52.193.1", 1, "AMT"},
    {"192.88.99.1", 1, "6to4 relay anycast"},
    {"192.88.100.0", 0, "after 192.88.99/24"},
    {"192.167.255.255", 0, "before 192.168/16"},
    {"192.168.1.1", 1, "private 192.168/16"},
    {"192.169.0.0", 0, "after 192.168/16"},
    {"192.175.48.1", 1, "AS112 direct delegation"},
    {"198.17.255.255", 0, "before 198.18/15"},
    {"198.18.0.0", 1, "benchmarking"},
    {"198.19.255.255", 1, "end of 198.18/15"},
    {"198.20.0.0", 0, "after 198.18/15"},
    {"198.51.100.7", 1, "TEST-NET-2"},
    {"203.0.113.7", 1, "TEST-NET-3"},
    {"203.0.114.0", 0, "after TEST-NET-3"},
    {"224.0.0.1", 1, "multicast"},
    {"239.255.255.255", 1, "end of multicast"},
    {"240.0.0.1", 1, "reserved"},
    {"255.255.255.255", 1, "limited broadcast"},
    {"223.255.255.255", 0, "last unicast before multicast"},
    {"8.8.8.8", 0, "a public resolver"},
    {"93.184.215.14", 0, "a public host"},
    /* IPv6 special-purpose registry */
    {"::", 1, "unspecified"},
    {"::1", 1, "loopback"},
    {"::127.0.0.1", 1, "IPv4-compatible loopback"},
    {"::8.8.8.8", 1, "IPv4-compatible, deprecated: never public"},
    {"::1:0:0:0", 0, "just after ::/96... and not mapped"},
    {"::ffff:127.0.0.1", 1, "IPv4-mapped loopback"},
    {"::ffff:10.1.2.3", 1, "IPv4-mapped private"},
    {"::ffff:198.18.0.1", 1, "IPv4-mapped benchmarking"},
    {"::ffff:8.8.8.8", 0, "IPv4-mapped public"},
    {"64:ff9b::7f00:1", 1, "NAT64 of 127.0.0.1"},
    {"64:ff9b::808:808", 1, "NAT64 of a public address: still translation"},
    {"64:ff9b:1::1", 1, "local-use translation"},
    {"100::1", 1, "discard-only"},
    {"100:0:0:1::1", 1, "dummy prefix"},
    {"2001::1", 1, "Teredo"},
    {"2001:2::1", 1, "benchmarking"},
    {"2001:1ff:ffff::1", 1, "end of 2001::/23"},
    {"2001:200::1", 0, "after 2001::/23 (WIDE)"},
    {"2001:db8::1", 1, "documentation"},
    {"2001:db9::1", 0, "after 2001:db8::/32"},
    {"2002:7f00:1::1", 1, "6to4 of 127.0.0.1"},
    {"2002:808:808::1", 1, "6to4 of a public address: still 6to4"},
    {"2003::1", 0, "after 2002::/16"},
    {"2620:4f:8000::1", 1, "AS112 direct delegation"},
    {"3fff::1", 1, "documentation (3fff::/20)"},
    {"3fff:1000::1", 0, "after 3fff::/20"},
    {"5f00::1", 1, "SRv6 SIDs"},
    {"fc00::1", 1, "unique local"},
    {"fdff:ffff::1", 1, "end of fc00::/7"},
    {"fe80::1", 1, "link-local"},
    {"febf:ffff::1", 1, "end of fe80::/10"},
    {"fec0::1", 1, "site-local"},
    {"feff:ffff::1", 1, "end of fec0::/10"},
    {"ff02::1", 1, "multicast"},
    {"2a00:1450:4001::1", 0, "a public host"},
    {"2606:4700::1111", 0, "a public resolver"},
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		is_int(netguard_non_public_text(cases[i].addr), cases[i].non_public, "%s: %s (%s)",
		       cases[i].addr, cases[i].non_public ? "refused" : "public", cases[i].why);

	is_int(netguard_non_public_text("not an address"), -1, "text that is no address: -1");

	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
	inet_pton(AF_INET6, "64:ff9b::a00:1", &s6.sin6_addr);
	ok(netguard_non_public((struct sockaddr *)&s6), "a sockaddr_in6 is judged the same");
	struct sockaddr_in s4 = {.sin_family = AF_INET};
	inet_pton(AF_INET, "198.51.100.1", &s4.sin_addr);
	ok(netguard_non_public((struct sockaddr *)&s4), "a sockaddr_in too");
	struct sockaddr su = {.sa_family = AF_UNIX};
	ok(netguard_non_public(&su), "any other family is refused");
	return done_testing();
}
