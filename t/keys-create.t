# Creating client keys: the key's format, shown once, hashed at rest, the
# domain rules (IDN, blocklist, localhost for test keys), duplicates, input
# checks, usage_limit bounds by tier, and bearer authentication.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(hmac_sha256_hex);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;

my $t = CarBot::Keys::server(keys => {domain_blocklist => 'evil.example, *.blocked.test ,',
                                      max_keys_per_user => 4});
my $KEY_RE = qr/^cb_prod_[0-9a-f]{32}$/;

sub create { CarBot::Keys::create($t, @_) }

subtest 'a new key: 201, the spec\'s format, its id, shown once' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = create($u, domain => 'example.com', description => 'Test website key');
	is $k->{status}, 201, 'created';
	like $k->{key}, $KEY_RE, 'cb_prod_ + 32 hex characters';
	is length $k->{key}, 40, '8 + 32 characters';
	like $k->{id}, qr/^[0-9a-f-]{36}$/, 'an id';
	my $j = $k->{json};
	is $j->{domain}, 'example.com', 'domain';
	is $j->{environment}, 'prod', 'prod by default';
	is $j->{usage_limit}, 10000, 'basic: the tier\'s message limit by default';
	like $j->{created_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'created_at';
	is $j->{masked_key}, "cb_prod_\x{2026}" . substr($k->{key}, -4), 'masked form: prefix and last four';
	is $j->{status}, 'active', 'active';
	ok !$j->{domain_verified}, 'domain not verified yet';
	like $j->{verification_token}, qr/^cbv_[0-9a-f]{32}$/, 'a verification token';
	isnt $j->{verification_token}, $k->{key}, 'which is not the key';
	like $k->{headers}{'cache-control'}, qr/no-store/, 'Cache-Control: no-store';

	my $g = $t->get("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}));
	is $g->{status}, 200, 'readable';
	ok !exists $g->{json}{key}, 'GET has no key field';
	is $g->{json}{masked_key}, $j->{masked_key}, 'only the masked form';
	my $l = $t->get('/api/v1/client-keys', headers => bearer($u->{access}));
	my $hex = substr $k->{key}, 8;
	unlike $g->{content} . $l->{content}, qr/$hex/, 'the key never appears again';
	unlike $g->{content} . $l->{content}, qr/\Q$k->{key}\E/, 'not even whole';
};

subtest 'keys are random: two keys differ' => sub {
	my $u = CarBot::Keys::user($t);
	my $a = create($u);
	my $b = create($u);
	isnt $a->{key}, $b->{key}, 'different keys';
	isnt $a->{json}{verification_token}, $b->{json}{verification_token}, 'different tokens';
};

subtest 'a test key starts with cb_test_' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = create($u, environment => 'test');
	is $k->{status}, 201;
	like $k->{key}, qr/^cb_test_[0-9a-f]{32}$/, 'cb_test_ prefix';
	is $k->{json}{environment}, 'test';
	is $k->{json}{masked_key}, "cb_test_\x{2026}" . substr($k->{key}, -4), 'masked as a test key';
};

subtest 'no key in clear anywhere in the database' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = create($u);
	my $hex = substr $k->{key}, 8;
	my $tables = $t->sql("SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) "
	                   . "FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
	ok scalar(@$tables) >= 4, scalar(@$tables) . ' tables scanned';
	my @found;
	for my $tbl (map { $_->[0] } @$tables) {
		# a row cast to text: every column, bytea as hex, jsonb as text
		my $n = $t->sql("SELECT count(*) FROM $tbl t WHERE t::text LIKE '%' || :'p1' || '%'"
		              . " OR t::text ILIKE '%' || :'p2' || '%'", $k->{key}, $hex)->[0][0];
		push @found, $tbl if $n;
	}
	is_deeply \@found, [], 'neither the key nor its random part in any row';
	my $row = $t->sql("SELECT encode(key_hash, 'hex'), key_last4 FROM client_keys WHERE id = :'p1'",
	                  $k->{id})->[0];
	is $row->[0], hmac_sha256_hex($k->{key}, $KEY_SECRET), 'stored: HMAC-SHA-256 under key_secret';
	is $row->[1], substr($k->{key}, -4), 'and the last four for display';
	my $cols = $t->sql("SELECT string_agg(column_name, ',') FROM information_schema.columns "
	                 . "WHERE table_name = 'client_keys' AND column_name IN ('key_value', 'key')")->[0][0];
	ok !$cols, 'no key_value column';
	unlike $t->log, qr/$hex/, 'nor in the log';
};

subtest 'domains are normalised: case, trailing dot, IDN as punycode' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	is create($u, domain => 'Shop.Example.DE')->{json}{domain}, 'shop.example.de', 'lower-cased';
	is create($u, domain => 'fqdn.example.de.')->{json}{domain}, 'fqdn.example.de', 'one trailing dot dropped';
	my $k = create($u, domain => "m\x{fc}ller-kfz.de");
	is $k->{status}, 201, 'IDN accepted';
	is $k->{json}{domain}, 'xn--mller-kfz-q9a.de', 'stored as punycode (the form browsers send)';
	my $again = create($u, domain => "M\x{dc}LLER-KFZ.de");
	is $again->{status}, 409, 'the same IDN in upper case is the same domain: 409';
};

subtest 'subdomains of any depth; 253 characters is the most' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	is create($u, domain => 'a.b.shop.example.de')->{status}, 201, 'deep subdomain';
	my $long = join('.', ('a' x 63) x 3, 'b' x 58, 'de');
	is length $long, 253, '253 characters';
	is create($u, domain => $long)->{status}, 201, 'accepted';
	is create($u, domain => ('x' x 63) . '.de')->{status}, 201, 'label of 63';
};

subtest 'bad domains: 400 with a detail for domain' => sub {
	my $u = CarBot::Keys::user($t);
	my @bad = (
		['', 'empty'],
		[' ', 'a space'],
		['shop example.de', 'space inside'],
		[' example.de', 'leading space'],
		['http://x.de', 'a URL'],
		['https://x.de/', 'a URL with a path'],
		['x.de/path', 'a path'],
		['x.de:8080', 'a port'],
		['user@x.de', 'an at sign'],
		['-a.de', 'leading hyphen'],
		['a-.de', 'trailing hyphen in a label'],
		['a..de', 'empty label'],
		['.a.de', 'leading dot'],
		['a.de..', 'two trailing dots'],
		['.', 'just a dot'],
		['de', 'a single label'],
		['a.d', 'one-letter TLD'],
		['a.d3', 'TLD with a digit'],
		['1.2.3.4', 'an IP address'],
		['x_y.de', 'underscore'],
		['*.x.de', 'wildcard'],
		[('a' x 64) . '.de', 'label of 64'],
		[join('.', ('a' x 63) x 3, 'b' x 59, 'de'), '254 characters'],
		['a' x 300, '300 characters'],
		['xn--zz.de', 'invalid punycode'],
		["\x{1F600}.de", 'an emoji'],
		['localhost', 'localhost on a prod key'],
		['127.0.0.1', '127.0.0.1 on a prod key'],
		['evil.example', 'blocked'],
		['shop.evil.example', 'subdomain of a blocked one'],
		['EVIL.example', 'blocked, in capitals'],
		['x.blocked.test', 'blocked by a *. entry'],
	);
	for my $case (@bad) {
		my ($d, $why) = @$case;
		my $r = create($u, domain => $d);
		is $r->{status}, 400, "$why: 400";
		my @det = grep { $_->{field} eq 'domain' } @{$r->{json}{error}{details} || []};
		is scalar @det, 1, "$why: one detail for domain" or diag explain $r->{json};
	}
	my $nul = create($u, domain => "x.de\x{0}");
	is $nul->{status}, 400, 'NUL: 400 (refused by the JSON parser already)';
	is create($u, domain => 'notevil.example')->{status}, 201, 'a name that merely ends like a blocked one is fine';
	my $r = create($u, domain => 'localhost');
	like $r->{json}{error}{details}[0]{message}, qr/test keys/, 'localhost: the message says why';
	$r = create($u, domain => 'evil.example');
	like $r->{json}{error}{details}[0]{message}, qr/not allowed/, 'blocked: not allowed';
};

subtest 'localhost and 127.0.0.1 are fine for test keys' => sub {
	my $u = CarBot::Keys::user($t);
	is create($u, domain => 'localhost', environment => 'test')->{status}, 201, 'localhost';
	is create($u, domain => '127.0.0.1', environment => 'test')->{status}, 201, '127.0.0.1';
};

subtest 'duplicate domain of the same user: 409 (the spec\'s test)' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $first = create($u, domain => 'duplicate.com');
	is $first->{status}, 201, 'first';
	my $dup = create($u, domain => 'duplicate.com');
	is $dup->{status}, 409, 'second: 409';
	is $dup->{json}{error}{code}, 'domain_taken', 'domain_taken';
	is create($u, domain => 'DUPLICATE.com.')->{status}, 409, 'also when spelled differently';
	is create($u, domain => 'duplicate.com', environment => 'test')->{status}, 201,
		'a test key for the same domain is another key';
	my $other = CarBot::Keys::user($t);
	is create($other, domain => 'duplicate.com')->{status}, 201, 'another user may have it';
	is $t->del("/api/v1/client-keys/$first->{id}", headers => bearer($u->{access}))->{status}, 204,
		'revoked';
	is create($u, domain => 'duplicate.com')->{status}, 201, 'a revoked key frees its domain';
};

subtest 'input checks: types, missing fields, lengths, unknown fields' => sub {
	my $u = CarBot::Keys::user($t);
	my $post = sub { $t->post('/api/v1/client-keys', headers => bearer($u->{access}), @_) };
	my $fields = sub { [sort map { "$_->{field}:$_->{issue}" } @{$_[0]{json}{error}{details}}] };

	my $r = $post->(json => {});
	is $r->{status}, 400, 'empty object: 400';
	is $r->{json}{error}{code}, 'validation_failed', 'validation_failed';
	is_deeply $fields->($r), ['domain:missing'], 'domain is missing';

	$r = $post->(json => {domain => 5, description => [], usage_limit => '500', environment => 1});
	is_deeply $fields->($r), [qw(description:type domain:type environment:type usage_limit:type)],
		'every wrong type at once';

	$r = $post->(json => {domain => 'ok.de', usage_limit => 99});
	is_deeply $fields->($r), ['usage_limit:range'], 'usage_limit 99: range';
	$r = $post->(json => {domain => 'ok.de', usage_limit => 150.5});
	is_deeply $fields->($r), ['usage_limit:type'], 'a fraction: type';
	$r = $post->(json => {domain => 'ok.de', usage_limit => 10001});
	is_deeply $fields->($r), ['usage_limit:range'], 'over the basic tier\'s 10000: range';
	$r = $post->(json => {domain => 'ok.de', environment => 'dev'});
	is_deeply $fields->($r), ['environment:invalid'], 'environment dev: invalid';
	$r = $post->(json => {domain => 'ok.de', description => 'x' x 501});
	is_deeply $fields->($r), ['description:too_long'], 'description of 501 bytes: too_long';
	$r = $post->(json => {domain => 'ok.de', description => "bell\x07"});
	is_deeply $fields->($r), ['description:invalid'], 'control characters: invalid';
	$r = $post->(json => {domain => 'ok.de', usageLimit => 100, key => 'cb_prod_x'});
	is_deeply $fields->($r), [qw(key:invalid usageLimit:invalid)], 'unknown fields are named';

	$r = $post->(json => {domain => 'ok500.de', description => 'd' x 500, usage_limit => 100});
	is $r->{status}, 201, '500 bytes of description and usage_limit 100 are fine';
	is $r->{json}{description}, 'd' x 500, 'kept';
	is $r->{json}{usage_limit}, 100, 'usage_limit kept';
	$r = $post->(json => {domain => 'nulls.de', description => undef, usage_limit => undef, environment => undef});
	is $r->{status}, 201, 'nulls count as absent';
	is $r->{json}{description}, undef, 'no description';

	$r = $post->(body => '{"domain": ', headers => {%{bearer($u->{access})}, 'Content-Type' => 'application/json'});
	is $r->{status}, 400, 'malformed JSON: 400';
	is $r->{json}{error}{code}, 'malformed_json';
	$r = $post->(body => 'domain=x.de', headers => {%{bearer($u->{access})}, 'Content-Type' => 'application/x-www-form-urlencoded'});
	is $r->{status}, 415, 'not JSON: 415';
	$r = $post->(json => ['x.de']);
	is $r->{status}, 400, 'an array: 400';
};

subtest 'usage_limit: default and ceiling by tier' => sub {
	my %want = (basic => 10000, premium => 50000, enterprise => 1000000);
	for my $tier (qw(basic premium enterprise)) {
		my $u = CarBot::Keys::user($t, $tier);
		is create($u)->{json}{usage_limit}, $want{$tier}, "$tier: default $want{$tier}";
		is create($u, usage_limit => $want{$tier})->{status}, 201, "$tier: $want{$tier} allowed";
		my $over = $want{$tier} + 1;
		is create($u, usage_limit => $over)->{status}, 400, "$tier: $over refused";
	}
};

subtest 'at most max_keys_per_user live keys' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my @k = map { create($u) } 1 .. 4;
	is_deeply [map { $_->{status} } @k], [201, 201, 201, 201], 'four keys';
	my $r = create($u);
	is $r->{status}, 409, 'the fifth: 409';
	is $r->{json}{error}{code}, 'key_limit_reached', 'key_limit_reached';
	$t->del("/api/v1/client-keys/$k[0]{id}", headers => bearer($u->{access}));
	is create($u)->{status}, 201, 'revoking one makes room';
};

subtest 'bearer authentication: missing, tampered, expired, foreign tokens get 401' => sub {
	my $u = CarBot::Keys::user($t);
	my $body = {domain => CarBot::Keys::domain()};
	is $t->post('/api/v1/client-keys', json => $body)->{status}, 401, 'no token';
	my $tampered = $u->{access};
	substr($tampered, -5, 3) = substr($tampered, -5, 3) eq 'AAA' ? 'BBB' : 'AAA';
	is $t->post('/api/v1/client-keys', json => $body, headers => bearer($tampered))->{status}, 401, 'tampered signature';
	my $expired = jwt({alg => 'HS256', typ => 'JWT'},
	                  CarBot::Auth::claims($u->{id}, $u->{email}, iat => time - 2000, exp => time - 100), $SECRET);
	my $r = $t->get('/api/v1/client-keys', headers => bearer($expired));
	is $r->{status}, 401, 'expired';
	is $r->{json}{error}{code}, 'unauthorized';
	my $forged = jwt({alg => 'HS256', typ => 'JWT'}, CarBot::Auth::claims($u->{id}, $u->{email}), 'x' x 40);
	is $t->get('/api/v1/client-keys', headers => bearer($forged))->{status}, 401, 'signed with another secret';
	is $t->get('/api/v1/client-keys', headers => {Authorization => 'Basic abc'})->{status}, 401, 'not a bearer token';
	is $t->get('/api/v1/client-keys', headers => bearer($u->{access}))->{status}, 200, 'the real token works';
};

subtest 'settings are checked at startup, naming the problem' => sub {
	my $check = sub {
		my (%keys) = @_;
		my $path = $t->write_conf(plugins => ['auth', 'keys'],
			plugin_conf => {auth => {jwt_secret => $SECRET}, keys => \%keys});
		return $t->run_carbotd(args => ['-t', '-c', $path], conf => 0);
	};
	my ($code, $out) = $check->();
	isnt $code, 0, 'no key_secret: refused';
	like $out, qr/key_secret/, 'names key_secret';
	($code, $out) = $check->(key_secret => 'short');
	isnt $code, 0, 'a short key_secret: refused';
	like $out, qr/key_secret is 5 bytes long/, 'says how long it is';
	($code, $out) = $check->(key_secret => $KEY_SECRET, domain_blocklist => 'ok.de, not a domain');
	isnt $code, 0, 'a bad blocklist entry: refused';
	like $out, qr/domain_blocklist: 'not a domain'/, 'names the entry';
	($code, $out) = $check->(key_secret => $KEY_SECRET, verification_url => 'ftp://x/{domain}');
	isnt $code, 0, 'a verification_url that is not http(s): refused';
	($code, $out) = $check->(key_secret => $KEY_SECRET, cache_ttl => 301);
	isnt $code, 0, 'cache_ttl over the spec\'s five minutes: refused';
	($code, $out) = $check->(key_secret => $KEY_SECRET);
	is $code, 0, 'a good configuration passes' or diag $out;
};

done_testing;
