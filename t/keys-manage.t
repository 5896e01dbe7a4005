# Managing client keys: the paginated, filtered, masked listing; reading,
# changing, revoking and rotating one; other users' keys are 404 on every
# route; permissions by tier (the spec's map, read strictly).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;

# verification goes to a closed port: the check runs and fails fast
my $t = CarBot::Keys::server(keys => {verification_url => 'http://127.0.0.1:1/{domain}'});

sub create { CarBot::Keys::create($t, @_) }
sub list {
	my ($u, $query) = @_;
	return $t->get('/api/v1/client-keys' . ($query // ''), headers => bearer($u->{access}));
}
sub path { "/api/v1/client-keys/$_[0]" . ($_[1] // '') }

subtest 'listing: the spec\'s pagination object, newest first, masked' => sub {
	my $u = CarBot::Keys::user($t);
	my @k = map { create($u, domain => "page$_.example.de") } 1 .. 5;
	my $r = list($u, '?limit=2');
	is $r->{status}, 200, 'answers 200';
	is_deeply $r->{json}{pagination}, {page => 1, limit => 2, total => 5, has_more => JSON::PP::true},
		'page 1 of 5 by 2';
	is_deeply [map { $_->{domain} } @{$r->{json}{keys}}], ['page5.example.de', 'page4.example.de'],
		'newest first';
	$r = list($u, '?limit=2&page=3');
	is_deeply [map { $_->{domain} } @{$r->{json}{keys}}], ['page1.example.de'], 'the last page';
	ok !$r->{json}{pagination}{has_more}, 'has_more false on the last page';
	$r = list($u, '?limit=2&page=4');
	is_deeply $r->{json}{keys}, [], 'past the end: empty';
	is $r->{json}{pagination}{total}, 5, 'total still 5';
	$r = list($u);
	is $r->{json}{pagination}{limit}, 20, 'limit 20 by default';
	is scalar @{$r->{json}{keys}}, 5, 'all five';
	is list($u, '?limit=100')->{status}, 200, 'limit 100 is fine';
	my $all = join '', map { $_->{key} } @k;
	for my $k (@k) {
		my $hex = substr $k->{key}, 8;
		unlike $r->{content}, qr/$hex/, 'no key in the listing';
	}
	my %masked = map { $_->{id} => $_->{masked_key} } @{$r->{json}{keys}};
	is $masked{$k[0]{id}}, "cb_prod_\x{2026}" . substr($k[0]{key}, -4), 'masked: cb_prod_…last4';
	ok !grep({ exists $_->{key} } @{$r->{json}{keys}}), 'no key field';
	my $keys0 = $r->{json}{keys}[0];
	for my $f (qw(id domain is_active current_usage usage_limit last_used_at created_at)) {
		ok exists $keys0->{$f}, "the spec's field $f";
	}
};

subtest 'pagination bounds: limit 0, 101, page 0, non-integers: 400' => sub {
	my $u = CarBot::Keys::user($t);
	for my $q (qw(limit=0 limit=101 limit=-1 limit=abc limit=1.5 limit= limit=1e2 limit=%2B5
	              page=0 page=-1 page=x page=2.0 page= page=1000001 page=99999999999999999999
	              active=maybe active=1 active=)) {
		my $r = list($u, "?$q");
		is $r->{status}, 400, "$q: 400";
		my ($field) = $q =~ /^(\w+)/;
		is $r->{json}{error}{details}[0]{field}, $field, "$q: names $field";
	}
	my $r = list($u, '?limit=0&page=0');
	is scalar @{$r->{json}{error}{details}}, 2, 'both problems at once';
	is list($u, '?page=1000000')->{status}, 200, 'a far page is just empty';
};

subtest 'filters: active and domain' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $a = create($u, domain => 'filter-a.example.de');
	my $b = create($u, domain => 'filter-b.example.de');
	my $c = create($u, domain => "f\x{fc}lter.example.de");
	$t->patch(path($b->{id}), headers => bearer($u->{access}), json => {is_active => JSON::PP::false});
	$t->del(path($c->{id}), headers => bearer($u->{access}));
	my $ids = sub { [sort map { $_->{id} } @{$_[0]{json}{keys}}] };
	is_deeply $ids->(list($u, '?active=true')), [$a->{id}], 'active=true: only the live one';
	is_deeply $ids->(list($u, '?active=false')), [sort $b->{id}, $c->{id}], 'active=false: switched off and revoked';
	is list($u, '?active=false')->{json}{pagination}{total}, 2, 'total counts the filter';
	is_deeply $ids->(list($u, '?domain=FILTER-A.example.de')), [$a->{id}], 'domain, normalised';
	is_deeply $ids->(list($u, '?domain=f%C3%BClter.example.de')), [$c->{id}], 'domain as IDN';
	is_deeply $ids->(list($u, '?domain=example.de')), [], 'exact match only';
	is list($u, '?domain=http://x')->{status}, 400, 'a bad domain filter: 400';
	my %status = map { $_->{id} => $_->{status} } @{list($u)->{json}{keys}};
	is_deeply [@status{$a->{id}, $b->{id}, $c->{id}}], [qw(active inactive revoked)], 'status of each';
};

subtest 'GET one key; unknown and malformed ids: 404' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = create($u, description => 'Workshop site');
	my $r = $t->get(path($k->{id}), headers => bearer($u->{access}));
	is $r->{status}, 200;
	is $r->{json}{id}, $k->{id};
	is $r->{json}{description}, 'Workshop site';
	is $r->{json}{current_usage}, 0, 'no usage yet';
	my $missing = $t->get(path('00000000-0000-4000-8000-000000000000'), headers => bearer($u->{access}));
	is $missing->{status}, 404, 'unknown id: 404';
	is $missing->{json}{error}{code}, 'not_found', 'not_found';
	is $t->get(path('not-a-uuid'), headers => bearer($u->{access}))->{status}, 404, 'not a UUID: 404';
	# percent-encoded: HTTP::Tiny 0.080 of perl 5.36.0-7+deb12u4 refuses raw ' ; and spaces
	is $t->get(path("x%27%3B%20DROP%20TABLE%20client_keys%3B%20--"), headers => bearer($u->{access}))->{status}, 404,
		'SQL in the id: 404';
};

subtest 'PATCH: description, is_active, usage_limit' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = create($u, description => 'old');
	my $p = sub { $t->patch(path($k->{id}), headers => bearer($u->{access}), json => $_[0]) };
	my $r = $p->({description => 'new', usage_limit => 2000});
	is $r->{status}, 200, 'answers 200';
	is $r->{json}{description}, 'new', 'description changed';
	is $r->{json}{usage_limit}, 2000, 'usage_limit changed';
	ok $r->{json}{is_active}, 'is_active untouched';
	$r = $p->({is_active => JSON::PP::false});
	ok !$r->{json}{is_active}, 'switched off';
	is $r->{json}{status}, 'inactive', 'status inactive';
	is $r->{json}{description}, 'new', 'description untouched';
	$r = $p->({description => undef, is_active => JSON::PP::true});
	is $r->{json}{description}, undef, 'null clears the description';
	is $r->{json}{status}, 'active', 'on again';
	is $p->({description => ''})->{json}{description}, undef, '"" clears it too';
	is $t->get(path($k->{id}), headers => bearer($u->{access}))->{json}{usage_limit}, 2000, 'stored';

	my $fields = sub { [sort map { "$_->{field}:$_->{issue}" } @{$_[0]{json}{error}{details}}] };
	is_deeply $fields->($p->({})), ['body:missing'], 'nothing to change: 400';
	is_deeply $fields->($p->({domain => 'other.de'})), ['domain:invalid'], 'domain cannot change';
	is_deeply $fields->($p->({environment => 'test'})), ['environment:invalid'], 'nor the environment';
	is_deeply $fields->($p->({is_active => 'yes', usage_limit => 'many'})),
		[qw(is_active:type usage_limit:type)], 'types';
	is_deeply $fields->($p->({usage_limit => 50001})), ['usage_limit:range'], 'above premium\'s 50000';
	is_deeply $fields->($p->({usage_limit => 99})), ['usage_limit:range'], 'below 100';
	is_deeply $fields->($p->({description => 'x' x 501})), ['description:too_long'], 'description too long';
	is_deeply $fields->($p->({id => 'x', key => 'y'})), [qw(id:invalid key:invalid)], 'unknown fields';
	is $p->({usage_limit => 50000})->{status}, 200, 'premium\'s ceiling is fine';
};

subtest 'DELETE revokes: 204, kept as revoked, idempotent, no more changes' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = create($u);
	my $r = $t->del(path($k->{id}), headers => bearer($u->{access}));
	is $r->{status}, 204, 'answers 204';
	ok !length($r->{content} // ''), 'no body';
	my $g = $t->get(path($k->{id}), headers => bearer($u->{access}));
	is $g->{json}{status}, 'revoked', 'shown as revoked';
	ok $g->{json}{revoked_at}, 'revoked_at';
	ok !$g->{json}{is_active}, 'not active';
	is $t->del(path($k->{id}), headers => bearer($u->{access}))->{status}, 204, 'again: 204';
	is $t->sql("SELECT revoked_at = (SELECT revoked_at FROM client_keys WHERE id = :'p1') FROM client_keys WHERE id = :'p1'",
	           $k->{id})->[0][0], 't', 'revoked_at unchanged';
	$r = $t->patch(path($k->{id}), headers => bearer($u->{access}), json => {is_active => JSON::PP::true});
	is $r->{status}, 409, 'PATCH of a revoked key: 409';
	is $r->{json}{error}{code}, 'key_revoked';
	is $t->post(path($k->{id}, '/rotate'), headers => bearer($u->{access}))->{status}, 409, 'rotate: 409';
	is CarBot::Keys::validate($t, $k->{key}, "https://$k->{domain}")->{status}, 'revoked',
		'the validation service refuses it';
};

subtest 'rotate: a new key shown once, the old one dead at once' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = create($u);
	my $origin = "https://$k->{domain}";
	is CarBot::Keys::validate($t, $k->{key}, $origin)->{status}, 'ok', 'the key works (and is cached)';
	my $r = $t->post(path($k->{id}, '/rotate'), headers => bearer($u->{access}));
	is $r->{status}, 200, 'answers 200';
	like $r->{json}{key}, qr/^cb_prod_[0-9a-f]{32}$/, 'a new key';
	isnt $r->{json}{key}, $k->{key}, 'a different one';
	is $r->{json}{id}, $k->{id}, 'same id';
	is $r->{json}{masked_key}, "cb_prod_\x{2026}" . substr($r->{json}{key}, -4), 'mask of the new key';
	ok $r->{json}{rotated_at}, 'rotated_at';
	is $r->{json}{verification_token}, $k->{json}{verification_token}, 'the verification token stays';
	like $r->{headers}{'cache-control'}, qr/no-store/, 'no-store';
	is CarBot::Keys::validate($t, $k->{key}, $origin)->{status}, 'unknown', 'the old key: refused at once';
	is CarBot::Keys::validate($t, $r->{json}{key}, $origin)->{status}, 'ok', 'the new key works';
	my $g = $t->get(path($k->{id}), headers => bearer($u->{access}));
	ok !exists $g->{json}{key}, 'not shown again';
	my $test = create($u, environment => 'test', domain => 'localhost');
	$r = $t->post(path($test->{id}, '/rotate'), headers => bearer($u->{access}));
	like $r->{json}{key}, qr/^cb_test_/, 'a test key stays a test key';
};

subtest 'another user\'s key: 404 on every route, and untouched' => sub {
	my $owner = CarBot::Keys::user($t, 'enterprise');
	my $other = CarBot::Keys::user($t, 'enterprise');
	my $k = create($owner, description => 'mine');
	my $h = bearer($other->{access});
	my @calls = (
		['GET', path($k->{id})],
		['PATCH', path($k->{id}), json => {description => 'stolen'}],
		['DELETE', path($k->{id})],
		['POST', path($k->{id}, '/rotate')],
		['POST', path($k->{id}, '/verify-domain')],
	);
	for my $c (@calls) {
		my ($m, $p, @rest) = @$c;
		my $r = $t->req($m, $p, headers => $h, @rest);
		is $r->{status}, 404, "$m $p: 404";
		is $r->{json}{error}{code}, 'not_found', 'not_found, as for a key that does not exist';
	}
	is_deeply [map { $_->{id} } @{list($other)->{json}{keys}}], [], 'not in the other\'s listing';
	my $g = $t->get(path($k->{id}), headers => bearer($owner->{access}));
	is $g->{json}{description}, 'mine', 'unchanged';
	is $g->{json}{status}, 'active', 'not revoked';
	is CarBot::Keys::validate($t, $k->{key}, "https://$k->{domain}")->{status}, 'ok', 'not rotated';
};

subtest 'permissions by tier: every tier manages, rotates and revokes its own keys' => sub {
	my %can = (
		basic => [201, 200, 200, 200, 200, 422, 204],
		premium => [201, 200, 200, 200, 200, 422, 204],
		enterprise => [201, 200, 200, 200, 200, 422, 204],
	);
	for my $tier (qw(basic premium enterprise)) {
		my $u = CarBot::Keys::user($t, $tier);
		my $h = bearer($u->{access});
		my $k = create($u);
		my @got = ($k->{status},
			list($u)->{status},
			$t->get(path($k->{id}), headers => $h)->{status},
			$t->patch(path($k->{id}), headers => $h, json => {description => 'd'})->{status},
			$t->post(path($k->{id}, '/rotate'), headers => $h)->{status},
			# nothing answers at the domain: the check runs and fails
			$t->post(path($k->{id}, '/verify-domain'), headers => $h)->{status},
			$t->del(path($k->{id}), headers => $h)->{status});
		is_deeply \@got, $can{$tier}, "$tier: create, list, get, patch, rotate, verify, delete";
	}
	# a leaked key must be stoppable by its owner on any plan (issue 14)
	my $u = CarBot::Keys::user($t);
	my $h = bearer($u->{access});
	my $k = create($u);
	my $off = $t->patch(path($k->{id}), headers => $h, json => {is_active => JSON::PP::false});
	is $off->{status}, 200, 'basic switches its key off';
	isnt CarBot::Keys::validate($t, $k->{key}, "https://$k->{domain}")->{status}, 'ok',
	  'and the key no longer works';
	my $rot = $t->post(path($k->{id}, '/rotate'), headers => $h);
	is $rot->{status}, 200, 'basic rotates its key';
	my $k2 = create($u);
	is $t->del(path($k2->{id}), headers => $h)->{status}, 204, 'basic revokes a key';
	isnt CarBot::Keys::validate($t, $k2->{key}, "https://$k2->{domain}")->{status}, 'ok',
	  'the revoked key no longer works';
	my $other = CarBot::Keys::user($t);
	is $t->del(path(create($other)->{id}), headers => $h)->{status}, 404,
	  'but never another user\'s key';
};

done_testing;
