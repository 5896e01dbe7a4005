# Custom domains: a token, its check by DNS TXT (a local dnsmasq), by file
# and by <meta> (a loopback HTTP server), failures (wrong token, timeout),
# serving by the verified domain, and the TLS ask endpoint for Caddy.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use CarBot::Test;
use CarBot::Stub;
use CarBot::Auth;
use CarBot::Landing;

my $API = '/api/v1/landing-pages';
my $BASE = $CarBot::Landing::BASE;

# The loopback "web sites" of the domains: what each one shows depends on the
# Host header (the domain being checked) and on files the test writes.
my $sites = File::Temp::tempdir('carbot-sites-XXXXXX', TMPDIR => 1, CLEANUP => 1);
sub site_file { my ($host, $name) = @_; "$sites/$host.$name" }
sub put_site {
	my ($host, $name, $text) = @_;
	open my $fh, '>', site_file($host, $name) or die $!;
	print {$fh} $text;
	close $fh;
}
sub serve_site {
	my ($name) = @_;
	return sub {
		my ($req) = @_;
		my $host = $req->{headers}{host} // '';
		sleep 4 if $host =~ /^slow\./;
		return [200, ['Content-Type' => 'text/html'], 'x' x (600 * 1024)] if $host =~ /^huge\./;
		open my $fh, '<', site_file($host, $name) or return [404, [], 'no'];
		local $/;
		return [200, ['Content-Type' => $name eq 'file' ? 'text/plain' : 'text/html'], scalar <$fh>];
	};
}
my $stub = CarBot::Stub->new(routes => {
	'GET /.well-known/carbot-verification.txt' => serve_site('file'),
	'GET /' => serve_site('meta'),
});

my $t = CarBot::Landing::server(start => 0);
my $dns_port = $t->_reserve_port;
$t->write_conf(path => $t->conf_path, CarBot::Landing::options(
	conf => {fetch_private_ok => 'on'},
	landing => {verify_url => $stub->url(''), verify_timeout_ms => 1500, verify_per_hour => 8,
	            max_pages => 1000, dns_server => "127.0.0.1:$dns_port"}));
$t->start_carbotd;

my $u = CarBot::Landing::premium($t);
my $h = bearer($u->{access});

sub new_page {
	my ($user) = @_;
	return CarBot::Landing::published($t, $user // $u);
}

sub ask {
	my ($page, $domain, $method, %o) = @_;
	return $t->post("$API/$page->{id}/domain", json => {domain => $domain, $method ? (method => $method) : ()},
	                headers => $o{headers} // $h);
}

sub verify {
	my ($page, %o) = @_;
	return $t->post("$API/$page->{id}/domain/verify", headers => $o{headers} // $h,
	                $o{method} ? (json => {method => $o{method}}) : ());
}

subtest 'asking for a domain gives a token and instructions' => sub {
	my $p = new_page();
	my $r = ask($p, 'WWW.Werkstatt-Example.DE.', 'file');
	is $r->{status}, 201, 'status 201' or diag $r->{content};
	my $v = $r->{json};
	is $v->{domain}, 'www.werkstatt-example.de', 'normalised';
	is $v->{method}, 'file', 'method';
	is $v->{status}, 'pending', 'pending';
	like $v->{token}, qr/^[0-9a-f]{32}$/, 'a 128-bit token';
	like $v->{expires_at}, qr/^\d{4}-/, 'expires';
	is_deeply $v->{instructions}{dns}, {type => 'TXT', name => '_carbot-verification.www.werkstatt-example.de',
	                                    value => $v->{token}}, 'DNS instructions';
	is $v->{instructions}{file}{url}, 'https://www.werkstatt-example.de/.well-known/carbot-verification.txt', 'file URL';
	is $v->{instructions}{meta}{tag}, qq{<meta name="carbot-verification" content="$v->{token}">}, 'meta tag';
	is $v->{instructions}{routing}{value}, "$p->{subdomain}.$BASE", 'where to point the domain';
	my $g = $t->get("$API/$p->{id}/domain", headers => $h);
	is $g->{json}{verification}{token}, $v->{token}, 'GET shows it';
	is $g->{json}{custom_domain}, undef, 'no custom domain yet';
	my $again = ask($p, 'www.werkstatt-example.de');
	isnt $again->{json}{token}, $v->{token}, 'asking again replaces the token';
	is $again->{json}{method}, 'dns', 'method defaults to dns';
};

subtest 'domains are checked' => sub {
	my $p = new_page();
	for my $bad ('localhost', '127.0.0.1', 'nodot', "shop.$BASE", $BASE, '-bad.de', 'a..b.de',
	             'https://x.de', 'x.de/path', 'under_score.de', 'ex ample.de', 'x.123', ('a' x 64) . '.de') {
		my $r = ask($p, $bad);
		is $r->{status}, 400, "'$bad' refused";
		is $r->{json}{error}{details}[0]{field}, 'domain', '... on domain';
	}
	my $r = ask($p, 'example.de', 'carrier-pigeon');
	is $r->{status}, 400, 'unknown method: 400';
	is $r->{json}{error}{details}[0]{field}, 'method', '... on method';
	is ask($p, 'xn--bcher-kva.example', 'dns')->{status}, 201, 'an IDN in punycode is fine';
	is verify(new_page())->{status}, 409, 'verify with nothing pending: 409';
};

subtest 'the file method' => sub {
	my $p = new_page();
	my $v = ask($p, 'file-ok.example.de', 'file')->{json};
	put_site('file-ok.example.de', 'file', "wrong-token\n");
	my $r = verify($p);
	is $r->{status}, 422, 'a wrong token: 422';
	is $r->{json}{error}{code}, 'verification_failed', 'verification_failed';
	is $r->{json}{error}{details}[0]{issue}, 'token_not_found', 'token_not_found';
	is $t->get("$API/$p->{id}/domain", headers => $h)->{json}{verification}{status}, 'pending', 'still pending';
	like $t->get("$API/$p->{id}/domain", headers => $h)->{json}{verification}{last_error}, qr/token_not_found/,
	  'the last error is kept';
	put_site('file-ok.example.de', 'file', "$v->{token}\n");
	$r = verify($p);
	is $r->{status}, 200, 'the token: 200' or diag $r->{content};
	is $r->{json}{verified}, JSON::PP::true, 'verified';
	is $r->{json}{url}, 'http://file-ok.example.de/', 'its URL';
	my $pg = $t->get("$API/$p->{id}", headers => $h)->{json};
	is $pg->{custom_domain}, 'file-ok.example.de', 'the page has the domain';
	is $pg->{ssl_enabled}, JSON::PP::true, 'ssl_enabled';
	is $pg->{urls}{canonical}, 'http://file-ok.example.de/', 'canonical URL moves to it';
	my $served = CarBot::Landing::host_get($t, 'file-ok.example.de', '/');
	is $served->{status}, 200, 'served by the custom domain';
	like $served->{content}, qr{<link rel="canonical" href="http://file-ok\.example\.de/">}, 'canonical';
	like CarBot::Landing::host_get($t, "$p->{subdomain}.$BASE", '/')->{content},
	  qr{<link rel="canonical" href="http://file-ok\.example\.de/">}, 'the subdomain points to it too';
	is CarBot::Landing::host_get($t, 'file-ok.example.de', '/robots.txt')->{content},
	  "User-agent: *\nAllow: /\nSitemap: http://file-ok.example.de/sitemap.xml\n", 'robots.txt';
	is $t->get("$API/$p->{id}/domain", headers => $h)->{json}{verification}{status}, 'verified', 'GET: verified';
};

subtest 'the meta method' => sub {
	my $p = new_page();
	my $v = ask($p, 'meta-ok.example.de', 'meta')->{json};
	put_site('meta-ok.example.de', 'meta', qq{<html><head><meta name="carbot-verification" content="nope"></head></html>});
	is verify($p)->{status}, 422, 'a wrong token: 422';
	put_site('meta-ok.example.de', 'meta', qq{<!doctype html><HTML><head><title>x</title>\n<META CONTENT='$v->{token}'\n  name=carbot-verification /></head><body></body></html>});
	my $r = verify($p);
	is $r->{status}, 200, 'the tag (any case, order, quotes): 200' or diag $r->{content};
	is $t->get("$API/$p->{id}", headers => $h)->{json}{custom_domain}, 'meta-ok.example.de', 'domain set';
};

subtest 'the DNS method' => sub {
	SKIP: {
		skip 'dnsmasq is not installed (Debian: dnsmasq-base)', 6
		  unless grep { -x } '/usr/sbin/dnsmasq', '/usr/bin/dnsmasq';
		my $p = new_page();
		my $v = ask($p, 'dns-ok.example.de', 'dns')->{json};
		my $dns = CarBot::Landing::DNS->start($t, $dns_port,
			'_carbot-verification.dns-ok.example.de' => 'some-other-value');
		my $r = verify($p);
		is $r->{status}, 422, 'a TXT record with another value: 422';
		is $r->{json}{error}{details}[0]{issue}, 'token_not_found', 'token_not_found';
		undef $dns;
		$dns = CarBot::Landing::DNS->start($t, $dns_port,
			'_carbot-verification.dns-ok.example.de' => $v->{token},
			'_carbot-verification.other.example.de' => 'carbot-verification=x');
		$r = verify($p);
		is $r->{status}, 200, 'the token: 200' or diag $r->{content};
		is $t->get("$API/$p->{id}", headers => $h)->{json}{custom_domain}, 'dns-ok.example.de', 'domain set';
		my $q = new_page();
		ask($q, 'missing.example.de', 'dns');
		$r = verify($q);
		is $r->{status}, 422, 'no record at all: 422';
		is $r->{json}{error}{details}[0]{issue}, 'no_record', 'no_record';
	}
};

subtest 'one token, any method: verify may name another' => sub {
	my $p = new_page();
	my $v = ask($p, 'switch.example.de', 'dns')->{json};
	put_site('switch.example.de', 'file', $v->{token});
	my $r = verify($p, method => 'file');
	is $r->{status}, 200, 'checked by file' or diag $r->{content};
	is $r->{json}{method}, 'file', 'method file';
	is verify(new_page(), method => 'smoke')->{status}, 400, 'an unknown method: 400';
};

subtest 'timeouts and size caps' => sub {
	my $p = new_page();
	ask($p, 'slow.example.de', 'file');
	my $t0 = time;
	my $r = verify($p);
	my $took = time - $t0;
	is $r->{status}, 422, 'a slow site: 422';
	is $r->{json}{error}{details}[0]{issue}, 'timeout', 'timeout';
	ok $took < 3.5, sprintf('gave up after verify_timeout_ms (%.1f s)', $took);
	$p = new_page();
	ask($p, 'huge.example.de', 'meta');
	$r = verify($p);
	is $r->{json}{error}{details}[0]{issue}, 'too_large', 'a huge home page: too_large';
	$p = new_page();
	ask($p, 'dns-slow.example.de', 'dns');
	# a "DNS server" that reads queries and never answers
	my $mute = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $dns_port, Proto => 'udp')
	  or die "udp $dns_port: $!";
	$t0 = time;
	$r = verify($p);
	$took = time - $t0;
	is $r->{status}, 422, 'a DNS server that does not answer: 422';
	is $r->{json}{error}{details}[0]{issue}, 'timeout', 'timeout';
	ok $took < 3.5, sprintf('gave up in time (%.1f s)', $took);
	close $mute;
	$p = new_page();
	ask($p, 'nosite.example.de', 'file');
	$r = verify($p);
	is $r->{json}{error}{details}[0]{issue}, 'bad_status', 'a 404: bad_status';
};

subtest 'a token expires' => sub {
	my $p = new_page();
	ask($p, 'late.example.de', 'file');
	$t->sql("UPDATE domain_verifications SET expires_at = now() - interval '1 second'
	         WHERE landing_page_id = :'p1'", $p->{id});
	my $r = verify($p);
	is $r->{status}, 409, 'expired: 409';
	is $r->{json}{error}{code}, 'verification_expired', 'verification_expired';
	is $t->get("$API/$p->{id}/domain", headers => $h)->{json}{verification}{status}, 'expired', 'GET: expired';
};

subtest 'checks are rate limited per page' => sub {
	my $p = new_page();
	ask($p, 'limited.example.de', 'file');
	my @st = map { verify($p)->{status} } 1 .. 9;
	is_deeply [@st[0 .. 7]], [(422) x 8], 'verify_per_hour checks run';
	is $st[8], 429, 'then 429';
};

subtest 'only the owner, only premium' => sub {
	my $p = new_page();
	my $other = CarBot::Landing::premium($t);
	is ask($p, 'mine.example.de', 'dns', headers => bearer($other->{access}))->{status}, 404, 'another user: 404';
	ask($p, 'mine.example.de', 'dns');
	is verify($p, headers => bearer($other->{access}))->{status}, 404, 'verify of another user\'s page: 404';
	my $basic = CarBot::Landing::premium($t, 'basic');
	is ask($p, 'mine.example.de', 'dns', headers => bearer($basic->{access}))->{status}, 403, 'basic: 403';
};

subtest 'a newer proof moves the domain; DELETE removes it' => sub {
	my $a = new_page();
	my $v = ask($a, 'moving.example.de', 'file')->{json};
	put_site('moving.example.de', 'file', $v->{token});
	is verify($a)->{status}, 200, 'first owner verified';
	my $other = CarBot::Landing::premium($t);
	my $b = new_page($other);
	my $w = ask($b, 'moving.example.de', 'file', headers => bearer($other->{access}))->{json};
	put_site('moving.example.de', 'file', $w->{token});
	is verify($b, headers => bearer($other->{access}))->{status}, 200, 'the new owner proves control';
	is $t->get("$API/$a->{id}", headers => $h)->{json}{custom_domain}, undef, 'the old page lost it';
	like CarBot::Landing::host_get($t, 'moving.example.de', '/')->{content}, qr/\Q$b->{id}\E/, 'serves the new page';
	is $t->del("$API/$b->{id}/domain", headers => bearer($other->{access}))->{status}, 204, 'DELETE: 204';
	is CarBot::Landing::host_get($t, 'moving.example.de', '/')->{status}, 404, 'no longer served';
};

subtest 'the TLS ask endpoint answers for verified, published domains only' => sub {
	my $p = new_page();
	my $v = ask($p, 'tls.example.de', 'file')->{json};
	my $tls = sub { $t->get('/internal/tls/ask?domain=' . shift)->{status} };
	is $tls->('tls.example.de'), 404, 'pending: 404';
	put_site('tls.example.de', 'file', $v->{token});
	verify($p);
	is $tls->('tls.example.de'), 200, 'verified and published: 200';
	is $tls->('TLS.Example.DE'), 200, 'case-insensitive';
	is $tls->('other.example.de'), 404, 'unknown: 404';
	is $tls->("$p->{subdomain}.$BASE"), 404, 'subdomains: 404 (tls_ask_subdomains off)';
	is $t->get('/internal/tls/ask')->{status}, 400, 'no domain: 400';
	$t->post("$API/$p->{id}/unpublish", headers => $h);
	is $tls->('tls.example.de'), 404, 'unpublished: 404';
};

$t->stop_carbotd;

subtest 'without fetch_private_ok, checks never reach private addresses' => sub {
	my $s = CarBot::Landing::server(landing => {verify_url => $stub->url(''), verify_timeout_ms => 1500});
	my $owner = CarBot::Landing::premium($s);
	my $p = CarBot::Landing::published($s, $owner);
	my $v = $s->post("$API/$p->{id}/domain", json => {domain => 'ssrf.example.de', method => 'file'},
	                 headers => bearer($owner->{access}))->{json};
	put_site('ssrf.example.de', 'file', $v->{token});
	my $r = $s->post("$API/$p->{id}/domain/verify", headers => bearer($owner->{access}));
	is $r->{status}, 422, 'refused';
	is $r->{json}{error}{details}[0]{issue}, 'unreachable', 'unreachable';
	like $r->{json}{error}{details}[0]{message}, qr/not public/, 'the address is not public';
};

done_testing;
