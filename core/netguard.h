/* netguard.h — which addresses a URL from user input may reach (netguard.c). */
#ifndef CORE_NETGUARD_H
#define CORE_NETGUARD_H

#include <sys/socket.h>

/* 1 when sa is in a range of IANA's IPv4 or IPv6 Special-Purpose Address
 * Registry (loopback, private, shared, link-local, documentation,
 * benchmarking, translation, 6to4, Teredo, ...), multicast, or not IPv4/IPv6
 * at all; 0 for an ordinary public address. An IPv4-mapped IPv6 address is
 * judged by its IPv4 part. */
int netguard_non_public(const struct sockaddr *sa);

/* The same for an address in text ("192.0.2.1", "2001:db8::1"); -1 when text
 * is not an IP address. */
int netguard_non_public_text(const char *text);

#endif
