# The SSRF guard of cb_fetch with public_only (issue 12, item 5): every range
# of IANA's special-purpose registries is refused (the whole table is in
# t/unit/netguard.c), a name is resolved once and only its checked addresses
# are connected to, and a refused fetch sends nothing.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use CarBot::Test;
use CarBot::Stub;

my $t = CarBot::Test->new(test_plugins => ['testkit']);

sub fetch_public {
	my ($url) = @_;
	return $t->get("/t/fetch?public=1&timeout_ms=3000&url=$url")->{json};
}

subtest 'addresses the old guard let through are refused' => sub {
	for my $host ('[64:ff9b::7f00:1]', '[64:ff9b::a00:1]', '[2002:7f00:1::1]', '[::127.0.0.1]',
	              '[::ffff:198.18.0.1]', '198.18.0.1', '198.19.255.1', '192.0.0.1', '192.0.0.170',
	              '[fec0::1]', '192.0.2.1', '198.51.100.1', '203.0.113.1', '[2001:db8::1]',
	              '[2001::1]', '[100::1]', '255.255.255.255') {
		my $r = fetch_public("http://$host:9/x");
		is $r->{rc}, 'CB_EFETCH', "$host: refused";
		is $r->{error}, 'the address is not public (refused)', "$host: as not public";
	}
};

subtest 'a name is resolved once and its loopback answer never reached' => sub {
	my $hits = 0;
	my $stub = CarBot::Stub->new(routes => {'GET /ok' => sub { $hits++; [200, [], 'hello'] }});
	my $port = $stub->url('/ok') =~ s{.*:(\d+)/ok$}{$1}r;
	my $r = fetch_public("http://localhost:$port/ok");
	is $r->{rc}, 'CB_EFETCH', 'localhost (resolves to loopback): refused';
	like $r->{error}, qr/not public/, 'as not public';
	$r = $t->get("/t/fetch?url=http://localhost:$port/ok")->{json};
	is $r->{rc}, 'CB_OK', 'without public_only the same URL is fetched (so the stub works)';
	is $r->{body}, 'hello', 'with its body';
};

subtest 'an unresolvable name fails as a lookup, not as a refusal' => sub {
	my $r = fetch_public('http://no-such-host.invalid/x');
	is $r->{rc}, 'CB_EFETCH', 'an error';
	unlike $r->{error} // '', qr/not public/, 'that is not the guard';
};

done_testing;
