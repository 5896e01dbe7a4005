# Domain verification: carbotd fetches the verification URL of a key's domain
# (here a real HTTP server on loopback) and marks the domain verified when the
# key's verification token is there. Failures: wrong token, non-200, timeout,
# oversized body, redirect to another host, a non-public address.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp ();
use Time::HiRes qw(time);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;
use CarBot::Stub;

# The stub serves /DOMAIN/carbot-verification from files the test writes
# (its handlers run in forked children, which see files, not variables).
my $dir = File::Temp::tempdir(CLEANUP => 1);
sub token_of { my ($d) = @_; open my $fh, '<', "$dir/$d" or return 'none'; local $/; <$fh> }
my %routes = (
	'ok.example.de' => sub { [200, ['Content-Type' => 'text/plain'], "carbot-verification=" . token_of('ok.example.de') . "\n"] },
	'wrong.example.de' => sub { [200, [], 'cbv_' . ('0' x 32)] },
	'gone.example.de' => sub { [404, [], token_of('gone.example.de')] },
	'slow.example.de' => sub { sleep 3; [200, [], token_of('slow.example.de')] },
	'big.example.de' => sub { [200, [], ('x' x 70000) . token_of('big.example.de')] },
	# same port, other host name ("localhost" is not "127.0.0.1")
	'away.example.de' => sub {
		my ($port) = $_[0]{headers}{host} =~ /:(\d+)$/;
		[302, [Location => "http://localhost:$port/ok.example.de/carbot-verification"], '']
	},
	'moved.example.de' => sub { [301, [Location => '/moved/target'], ''] },
	'key.example.de' => sub { [200, [], token_of('key.example.de')] },
);
my $stub = CarBot::Stub->new(routes => {
	(map { my $d = $_; ("GET /$d/carbot-verification" => $routes{$d}) } keys %routes),
	'GET /moved/target' => sub { [200, [], token_of('moved.example.de')] },
});

my $t = CarBot::Keys::server(keys => {
	verification_url => $stub->url('/{domain}/carbot-verification'),
	verify_timeout_ms => 1000, verify_per_hour => 4, require_verified => 'on'});

sub verify {
	my ($u, $k) = @_;
	return $t->post("/api/v1/client-keys/$k->{id}/verify-domain", headers => bearer($u->{access}));
}

# A premium user (verifying needs update:own_keys) with a key for domain,
# whose token the stub will serve.
sub setup {
	my ($domain) = @_;
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = CarBot::Keys::create($t, $u, domain => $domain);
	open my $fh, '>', "$dir/$domain" or die $!;
	print {$fh} $k->{json}{verification_token};
	close $fh;
	return ($u, $k);
}

sub failed_because {
	my ($r, $reason, $name) = @_;
	is $r->{status}, 422, "$name: 422";
	is $r->{json}{error}{code}, 'verification_failed', "$name: verification_failed";
	is $r->{json}{error}{details}[0]{reason}, $reason, "$name: reason $reason";
}

subtest 'the token at the verification URL verifies the domain' => sub {
	my ($u, $k) = setup('ok.example.de');
	my $origin = 'https://ok.example.de';
	my $p = CarBot::Keys::probe($t, $k->{key}, $origin);
	is $p->{status}, 403, 'with require_verified, an unverified prod key is refused';
	is $p->{json}{error}{code}, 'domain_not_verified', 'domain_not_verified';
	my $r = verify($u, $k);
	is $r->{status}, 200, 'verified: 200';
	ok $r->{json}{domain_verified}, 'domain_verified';
	like $r->{json}{domain_verified_at}, qr/Z$/, 'domain_verified_at';
	ok $t->get("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}))->{json}{domain_verified},
		'stored';
	is CarBot::Keys::probe($t, $k->{key}, $origin)->{status}, 200, 'the key works at once';
};

subtest 'the key itself at the URL does not verify: the token is needed' => sub {
	my ($u, $k) = setup('key.example.de');
	open my $fh, '>', "$dir/key.example.de" or die $!;
	print {$fh} $k->{key};
	close $fh;
	failed_because(verify($u, $k), 'token_not_found', 'the secret key published');
};

subtest 'failures: 422 with the reason, the domain stays unverified' => sub {
	my ($u, $k) = setup('wrong.example.de');
	failed_because(verify($u, $k), 'token_not_found', 'another token');
	ok !$t->get("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}))->{json}{domain_verified},
		'not verified';
	is verify($u, $k)->{json}{error}{details}[0]{url}, $stub->url('/wrong.example.de/carbot-verification'),
		'the details name the URL fetched';

	($u, $k) = setup('gone.example.de');
	my $r = verify($u, $k);
	failed_because($r, 'http_status', 'token under a 404');
	is $r->{json}{error}{details}[0]{status}, 404, 'the status is given';
};

subtest 'a slow server: given up after verify_timeout_ms' => sub {
	my ($u, $k) = setup('slow.example.de');
	my $t0 = time;
	failed_because(verify($u, $k), 'timeout', 'timeout');
	my $took = time - $t0;
	ok $took < 2.5, sprintf('answered after %.1f s, not after the server\'s 3 s', $took);
};

subtest 'an oversized answer: refused at verify_max_bytes' => sub {
	my ($u, $k) = setup('big.example.de');
	failed_because(verify($u, $k), 'too_big', '70000 bytes');
};

subtest 'redirects: within the host followed, to another host refused' => sub {
	my ($u, $k) = setup('away.example.de');
	failed_because(verify($u, $k), 'redirect', 'to another host');
	($u, $k) = setup('moved.example.de');
	my $r = verify($u, $k);
	is $r->{status}, 200, 'within the same host: followed and verified';
};

subtest 'verification attempts are rate limited per user' => sub {
	my ($u, $k) = setup('wrong.example.de');
	my @s = map { verify($u, $k)->{status} } 1 .. 5;
	is_deeply \@s, [422, 422, 422, 422, 429], 'verify_per_hour = 4';
	my $r = verify($u, $k);
	ok $r->{headers}{'retry-after'} > 0, 'Retry-After';
};

subtest 'a revoked key cannot be verified' => sub {
	my ($u, $k) = setup('ok.example.de');
	$t->del("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}));
	my $r = verify($u, $k);
	is $r->{status}, 409, 'answers 409';
	is $r->{json}{error}{code}, 'key_revoked';
};

subtest 'require_verified spares test keys' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = CarBot::Keys::create($t, $u, domain => 'localhost', environment => 'test');
	is CarBot::Keys::probe($t, $k->{key}, 'http://localhost:3000')->{status}, 200, 'a test key works unverified';
};

$t->stop_carbotd;

# Without fetch_private_ok the core refuses non-public addresses: a domain
# (user input) cannot make carbotd fetch from the operator's network.
my $prod = CarBot::Keys::server(conf => {fetch_private_ok => 'off'},
	keys => {verification_url => $stub->url('/{domain}/carbot-verification')});

subtest 'SSRF guard: a loopback address is refused' => sub {
	my $u = CarBot::Keys::user($prod, 'premium');
	my $k = CarBot::Keys::create($prod, $u, domain => 'ok.example.de');
	my $r = $prod->post("/api/v1/client-keys/$k->{id}/verify-domain", headers => bearer($u->{access}));
	is $r->{status}, 422, 'answers 422';
	is $r->{json}{error}{details}[0]{reason}, 'not_public', 'reason not_public';
};

done_testing;
