# The client-key authenticator (through the keysprobe test plugin's
# CB_AUTH_CLIENT_KEY route) and the keys.v1 validation service: key from the
# header or the JSON body, Origin binding, revocation and rotation at once
# despite the cache, expiry, per-key and per-IP rate limits.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::INET;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;

# Requests come "through a proxy" so each subtest can be its own client IP.
my $t = CarBot::Keys::server(conf => {trusted_proxies => '127.0.0.1'},
                             keys => {key_rate_limit => 10, ip_rate_limit => 8});
my $ip = 0;
my @all_keys;

sub new_ip { sprintf '198.51.100.%d', ++$ip }
sub key_for {
	my ($u, %o) = @_;
	my $k = CarBot::Keys::create($t, $u, %o);
	push @all_keys, $k->{key};
	return $k;
}
sub probe {
	my ($key, $origin, %o) = @_;
	my $from = delete $o{ip} // new_ip();
	return CarBot::Keys::probe($t, $key, $origin, headers => {'X-Forwarded-For' => $from}, %o);
}

subtest 'a valid key from its origin: the handler sees key.* attributes' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = key_for($u, domain => 'shop.example.de');
	my $r = probe($k->{key}, 'https://shop.example.de');
	is $r->{status}, 200, 'allowed';
	is_deeply $r->{json}, {'key.id' => $k->{id}, 'key.user_id' => $u->{id}, 'key.tier' => 'premium',
	                       'key.environment' => 'prod', 'key.domain' => 'shop.example.de'},
		'key.id, key.user_id, key.tier, key.environment, key.domain';
	is $r->{headers}{'ratelimit-limit'}, 10, 'RateLimit headers of the per-key limit';
	$r = $t->get('/t/widget-probe', headers => {'X-CarBot-Key' => $k->{key}, Origin => 'https://shop.example.de',
	                                          'X-Forwarded-For' => new_ip()});
	is $r->{status}, 200, 'GET with the header works too';
	my $g = $t->get("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}));
	ok $g->{json}{last_used_at}, 'last_used_at is set';
};

subtest 'the key may come as client_key in the JSON body' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = key_for($u, domain => 'body.example.de');
	my $r = probe(undef, 'https://body.example.de', json => {client_key => $k->{key}, message => 'Hallo'});
	is $r->{status}, 200, 'allowed';
	is $r->{json}{'key.id'}, $k->{id}, 'the key of the body';
	$r = probe(undef, 'https://body.example.de', json => {client_key => 42});
	is $r->{status}, 401, 'client_key not a string: 401';
	$r = $t->post('/t/widget-probe', headers => {'Content-Type' => 'application/json', Origin => 'https://body.example.de',
	                                           'X-Forwarded-For' => new_ip()}, body => '{"client_key":');
	is $r->{status}, 400, 'malformed JSON: 400';
};

subtest 'no key, a malformed or unknown key: 401 invalid_client_key' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = key_for($u, domain => 'unknown.example.de');
	my $origin = 'https://unknown.example.de';
	my %cases = (
		'no key' => undef,
		'not a key' => 'hello',
		'too short' => substr($k->{key}, 0, 39),
		'upper case' => uc $k->{key},
		'another prefix' => 'cb_live_' . substr($k->{key}, 8),
		'test prefix on a prod key' => 'cb_test_' . substr($k->{key}, 8),
		'unknown' => 'cb_prod_' . ('0' x 32),
		'SQL' => "cb_prod_' OR '1'='1",
	);
	for my $name (sort keys %cases) {
		my $r = probe($cases{$name}, $origin);
		is $r->{status}, 401, "$name: 401";
		is $r->{json}{error}{code}, 'invalid_client_key', "$name: invalid_client_key";
	}
	is probe($k->{key}, $origin)->{status}, 200, 'the real key works';
};

subtest 'origin: the key\'s domain or a subdomain, http or https, default ports' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = key_for($u, domain => 'werkstatt.example.de');
	my @yes = ('https://werkstatt.example.de', 'http://werkstatt.example.de', 'https://www.werkstatt.example.de',
	           'https://a.b.werkstatt.example.de', 'https://werkstatt.example.de:443',
	           'http://werkstatt.example.de:80', 'HTTPS://WERKSTATT.EXAMPLE.DE');
	my @no = (undef, '', 'null', 'https://example.de', 'https://evilwerkstatt.example.de',
	          'https://werkstatt.example.de.evil.com', 'https://werkstatt.example.de:8443',
	          'http://werkstatt.example.de:443', 'ftp://werkstatt.example.de', 'werkstatt.example.de',
	          'https://werkstatt.example.de/path', 'https://user@werkstatt.example.de',
	          'https://werkstatt.example.de:', 'https://werkstatt.example.de:99999', 'https://.werkstatt.example.de');
	for my $o (@yes) {
		is probe($k->{key}, $o)->{status}, 200, "$o: allowed";
	}
	for my $o (@no) {
		my $r = probe($k->{key}, $o);
		is $r->{status}, 403, (defined $o ? "'$o'" : 'no Origin') . ': 403';
		is $r->{json}{error}{code}, 'origin_not_allowed', 'origin_not_allowed';
	}
	my $r = probe($k->{key}, 'https://evil.example.com');
	is $r->{headers}{'access-control-allow-origin'}, 'https://evil.example.com',
		'a refusal echoes the origin so the widget can read why';
	like $r->{headers}{vary} // '', qr/Origin/, 'with Vary: Origin';
	$r = probe('cb_test_' . ('0' x 32), 'https://evil.example.com');
	is $r->{status}, 401, 'an unknown key: 401';
	is $r->{headers}{'access-control-allow-origin'}, 'https://evil.example.com', 'readable too';
	ok !defined probe($k->{key}, 'ftp://werkstatt.example.de')->{headers}{'access-control-allow-origin'},
		'a malformed origin is not echoed';
	my $idn = key_for($u, domain => "m\x{fc}ller-kfz.de");
	is probe($idn->{key}, 'https://xn--mller-kfz-q9a.de')->{status}, 200, 'an IDN domain matches its punycode Origin';
};

subtest 'test keys: localhost and 127.0.0.1 on any port' => sub {
	my $u = CarBot::Keys::user($t);
	my $lh = key_for($u, domain => 'localhost', environment => 'test');
	my $ip4 = key_for($u, domain => '127.0.0.1', environment => 'test');
	is probe($lh->{key}, 'http://localhost:3000')->{status}, 200, 'localhost:3000';
	is probe($lh->{key}, 'http://localhost')->{status}, 200, 'localhost';
	is probe($lh->{key}, 'https://localhost:5173')->{status}, 200, 'https on another port';
	is probe($lh->{key}, 'http://127.0.0.1:3000')->{status}, 200,
		'a localhost key takes 127.0.0.1 too ("any localhost page")';
	is probe($ip4->{key}, 'http://127.0.0.1:8080')->{status}, 200, '127.0.0.1:8080';
	is probe($ip4->{key}, 'http://localhost:8080')->{status}, 200, 'a 127.0.0.1 key takes localhost';
	is probe($lh->{key}, 'http://127.0.0.2:3000')->{status}, 403, 'but no other loopback address';
	is probe($lh->{key}, 'http://shop.localhost:3000')->{status}, 403, 'nor a name under localhost';
	is probe($ip4->{key}, 'http://x.127.0.0.1')->{status}, 403, 'no "subdomains" of an address';
	my $tk = key_for($u, domain => 'staging.example.de', environment => 'test');
	is probe($tk->{key}, 'https://staging.example.de:8443')->{status}, 403, 'other test keys: default ports only';
	is probe($tk->{key}, 'https://staging.example.de')->{status}, 200, 'and their domain';
	is probe($tk->{key}, 'http://localhost:3000')->{status}, 403, 'not localhost';
};

subtest 'validations are cached; changes through the API take effect at once' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = key_for($u, domain => 'cache.example.de');
	my $origin = 'https://cache.example.de';
	is probe($k->{key}, $origin)->{status}, 200, 'works (and is now cached)';
	$t->sql("UPDATE client_keys SET is_active = false WHERE id = :'p1'", $k->{id});
	is probe($k->{key}, $origin)->{status}, 200, 'a change behind the plugin\'s back: the cache still answers';
	my $r = $t->patch("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}),
	                  json => {is_active => JSON::PP::false});
	is $r->{status}, 200, 'switched off through the API';
	$r = probe($k->{key}, $origin);
	is $r->{status}, 401, 'refused at once';
	like $r->{json}{error}{message}, qr/switched off/, 'because it is switched off';
	$t->patch("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}), json => {is_active => JSON::PP::true});
	is probe($k->{key}, $origin)->{status}, 200, 'on again: allowed at once';
};

subtest 'revoked and rotated keys are refused at once, by both ways in' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $origin = 'https://rot.example.de';
	my $k = key_for($u, domain => 'rot.example.de');
	is probe($k->{key}, $origin)->{status}, 200, 'works';
	is CarBot::Keys::validate($t, $k->{key}, $origin)->{status}, 'ok', 'service: ok';
	my $r = $t->post("/api/v1/client-keys/$k->{id}/rotate", headers => bearer($u->{access}));
	my $new = $r->{json}{key};
	push @all_keys, $new;
	is probe($k->{key}, $origin)->{status}, 401, 'rotated: the old key is refused';
	is CarBot::Keys::validate($t, $k->{key}, $origin)->{status}, 'unknown', 'service: unknown';
	is probe($new, $origin)->{status}, 200, 'the new key works';
	$t->del("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}));
	$r = probe($new, $origin);
	is $r->{status}, 401, 'revoked: refused at once';
	like $r->{json}{error}{message}, qr/revoked/, 'because it is revoked';
	is CarBot::Keys::validate($t, $new, $origin)->{status}, 'revoked', 'service: revoked';
};

subtest 'expired keys and deleted owners are refused' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = key_for($u, domain => 'old.example.de');
	$t->sql("UPDATE client_keys SET expires_at = now() - interval '1 second' WHERE id = :'p1'", $k->{id});
	my $r = probe($k->{key}, 'https://old.example.de');
	is $r->{status}, 401, 'expired: 401';
	like $r->{json}{error}{message}, qr/expired/, 'says expired';
	is CarBot::Keys::validate($t, $k->{key}, 'https://old.example.de')->{status}, 'expired', 'service: expired';
	is $t->get("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}))->{json}{status}, 'expired',
		'the listing says expired';
	my $r2 = $t->post("/api/v1/client-keys/$k->{id}/rotate", headers => bearer($u->{access}));
	push @all_keys, $r2->{json}{key};
	is probe($r2->{json}{key}, 'https://old.example.de')->{status}, 200, 'rotating renews it';

	my $v = CarBot::Keys::user($t);
	my $gone = key_for($v, domain => 'gone.example.de');
	$t->sql("UPDATE users SET deleted_at = now() WHERE id = :'p1'", $v->{id});
	is probe($gone->{key}, 'https://gone.example.de')->{status}, 401, 'owner deleted: 401';
};

subtest 'per-key rate limit: key_rate_limit per window, then 429 and a block' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = key_for($u, domain => 'busy.example.de');
	my @r = map { probe($k->{key}, 'https://busy.example.de') } 1 .. 11;
	is_deeply [map { $_->{status} } @r], [(200) x 10, 429], 'ten, then 429 (each from another IP)';
	is $r[10]{json}{error}{code}, 'rate_limited', 'rate_limited';
	ok $r[10]{headers}{'retry-after'} > 3000, 'Retry-After: the hour-long block';
	is_deeply [map { $_->{headers}{'ratelimit-remaining'} } @r[6 .. 9]], [3, 2, 1, 0], 'RateLimit-Remaining';
	is probe($k->{key}, 'https://busy.example.de')->{status}, 429, 'still blocked';
	my $other = key_for($u, domain => 'calm.example.de');
	is probe($other->{key}, 'https://calm.example.de')->{status}, 200, 'another key of the same user is not affected';
};

subtest 'per-IP rate limit: ip_rate_limit per window and client key' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = key_for($u, domain => 'ip.example.de');
	my $from = new_ip();
	my @s = map { probe('cb_prod_' . ('1' x 32), 'https://ip.example.de', ip => $from)->{status} } 1 .. 8;
	is_deeply \@s, [(401) x 8], 'eight guesses of one key: 401 each';
	my $r = probe('cb_prod_' . ('1' x 32), 'https://ip.example.de', ip => $from);
	is $r->{status}, 429, 'the ninth with that key from that IP: 429';
	ok $r->{headers}{'retry-after'} > 0, 'Retry-After';
	is probe($k->{key}, 'https://ip.example.de', ip => $from)->{status}, 200,
		'a real key from the same IP still works';
	is probe('cb_prod_' . ('1' x 32), 'https://ip.example.de')->{status}, 401, 'another IP is fine';
};

subtest 'one business\'s visitors cannot exhaust another\'s (shared address)' => sub {
	my $busy = key_for(CarBot::Keys::user($t), domain => 'busy-ip.example.de');
	my $calm = key_for(CarBot::Keys::user($t), domain => 'calm-ip.example.de');
	my $office = new_ip();
	my @s = map { probe($busy->{key}, 'https://busy-ip.example.de', ip => $office)->{status} } 1 .. 8;
	is_deeply \@s, [(200) x 8], 'eight calls to the busy widget from one office address';
	is probe($busy->{key}, 'https://busy-ip.example.de', ip => $office)->{status}, 429,
		'then its IP budget is used up';
	my @c = map { probe($calm->{key}, 'https://calm-ip.example.de', ip => $office)->{status} } 1 .. 8;
	is_deeply \@c, [(200) x 8], 'the other business\'s widget from the same address: its own budget';
};

subtest 'per IP over all keys: ip_all_limit (default five keys\' worth)' => sub {
	my $k = key_for(CarBot::Keys::user($t), domain => 'many.example.de');
	my $from = new_ip();
	my @s = map { probe('cb_prod_' . sprintf('%032d', $_), 'https://many.example.de', ip => $from)->{status} } 1 .. 40;
	is_deeply [grep { $_ != 401 } @s], [], 'forty made-up keys from one IP: 401 each';
	my $r = probe($k->{key}, 'https://many.example.de', ip => $from);
	is $r->{status}, 429, 'then that IP is refused whatever the key (5 x ip_rate_limit)';
	ok $r->{headers}{'retry-after'} > 0, 'Retry-After';
};

subtest 'the service\'s validate(): the key\'s owner, tier and limits' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = key_for($u, domain => 'svc.example.de', usage_limit => 1234);
	my $v = CarBot::Keys::validate($t, $k->{key}, 'https://svc.example.de');
	is $v->{status}, 'ok', 'ok';
	is_deeply [@$v{qw(id user_id tier environment domain usage_limit)}],
		[$k->{id}, $u->{id}, 'premium', 'prod', 'svc.example.de', 1234], 'the facts';
	is_deeply [@$v{qw(conversations_max messages_max)}], [5000, 1234], 'the limits: tier and usage_limit';
	ok $v->{period_end} > $v->{period_start}, 'the period';
	is CarBot::Keys::validate($t, $k->{key}, 'https://other.de')->{status}, 'origin_not_allowed', 'wrong origin';
	is CarBot::Keys::validate($t, $k->{key})->{status}, 'origin_not_allowed', 'no origin';
	is CarBot::Keys::validate($t, 'nonsense', 'https://svc.example.de')->{status}, 'unknown', 'unknown';
};

# A minimal RESP client: one command, its reply (arrays as arrayrefs).
sub redis {
	my (@cmd) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->redis_port, Proto => 'tcp')
	  or die "redis: $!";
	print {$s} '*' . @cmd . "\r\n" . join('', map { '$' . length($_) . "\r\n$_\r\n" } @cmd);
	my $read;
	$read = sub {
		my $l = <$s> // die 'redis closed';
		$l =~ s/\r\n$//;
		my ($type, $v) = (substr($l, 0, 1), substr($l, 1));
		return $v if $type eq '+' || $type eq ':' || $type eq '-';
		if ($type eq '$') {
			return undef if $v < 0;
			read $s, my $buf, $v + 2;
			return substr $buf, 0, $v;
		}
		return [map { $read->() } 1 .. $v] if $type eq '*';
		die "redis: unexpected $l";
	};
	return $read->();
}

subtest 'no key in clear in Redis: neither in names nor in cached records' => sub {
	my $names = redis('KEYS', '*');
	ok scalar(@$names) > 5, scalar(@$names) . ' Redis keys';
	my @values = map { redis('TYPE', $_) eq 'string' ? redis('GET', $_) // '' : '' } @$names;
	ok scalar(grep { /^keys:rec:/ } @$names), 'cached key records among them';
	my $all = join "\n", @$names, @values;
	my @leaks = grep { my $hex = substr $_, 8; $all =~ /$hex/ } grep { defined } @all_keys;
	is_deeply \@leaks, [], 'none of the keys';
};

subtest 'no key in clear in the log' => sub {
	my $log = $t->log;
	ok length $log > 1000, 'there is a log';
	my @leaks = grep { my $hex = substr $_, 8; $log =~ /$hex/ } grep { defined } @all_keys;
	is_deeply \@leaks, [], scalar(@all_keys) . ' keys, none in the log';
};

done_testing;
