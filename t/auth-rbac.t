# Permissions declared by the plugin whose routes need them (SDK 1.6
# cb_permission, with the tiers that grant them), the operator role admin
# (the only source of admin:* permissions), and the per-tier API rate limit
# of the bearer authenticator.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Auth;

# The testkit plugin's routes GET /t/perm/N each need the N-th permission:
# the bearer authenticator guards another plugin's routes.
my @perms = qw(create:own_landing_pages read:own_keys delete:own_keys read:templates
               admin:system create:own_analytics read:own_analytics);
# testkit declares them as a plugin would (auth declares admin:system,
# operators only)
my $declare = join ',', 'create:own_landing_pages=premium enterprise',
	'read:own_keys=basic premium enterprise', 'delete:own_keys=basic premium enterprise',
	'read:templates=premium enterprise', 'create:own_analytics=enterprise',
	'read:own_analytics=basic premium enterprise';
my $t = CarBot::Auth::server(test_plugins => ['testkit'],
	plugin_conf => {testkit => {permissions => (join ',', @perms), declare => $declare}});

sub allowed {
	my ($token) = @_;
	my %ok;
	for my $i (1 .. @perms) {
		my $r = $t->get("/t/perm/$i", headers => bearer($token));
		$ok{$perms[$i - 1]} = $r->{status};
	}
	return \%ok;
}

sub expect {
	my (@yes) = @_;
	my %y = map { $_ => 1 } @yes;
	return {map { $_ => $y{$_} ? 200 : 403 } @perms};
}

subtest 'basic holds what the declarations grant basic' => sub {
	my $u = CarBot::Auth::register($t);
	is_deeply allowed($u->{access}), expect(qw(read:own_keys delete:own_keys read:own_analytics)),
	  'allowed and refused';
	my $r = $t->get('/t/perm/1', headers => bearer($u->{access}));
	is $r->{status}, 403, 'a premium permission: 403';
	is $r->{json}{error}{code}, 'forbidden', 'code forbidden';
	like $r->{json}{error}{message}, qr/create:own_landing_pages/, 'names the permission';
	ok defined $r->{headers}{'ratelimit-limit'}, 'RateLimit headers on a 403 too';
	$r = $t->get('/t/perm/2', headers => bearer($u->{access}));
	is_deeply [@{$r->{json}}{qw(user_id tier role)}], [$u->{id}, 'basic', 'user'],
	  'the handler sees user.id, user.tier and user.role';
	is $t->get('/t/perm/1')->{status}, 401, 'no token on a permission route: 401 before 403';
};

subtest 'premium: what the declarations grant premium' => sub {
	my $u = CarBot::Auth::register($t);
	CarBot::Auth::set_tier($t, $u->{id}, 'premium');
	# The token still says basic: the tier is read from the user row.
	my (undef, $c) = jwt_parts($u->{access});
	is $c->{tier}, 'basic', 'the token was issued for basic';
	is_deeply allowed($u->{access}),
	  expect(qw(create:own_landing_pages read:own_keys delete:own_keys read:templates
	            read:own_analytics)),
	  'a tier change takes effect on the next request';
	my $l = CarBot::Auth::login($t, $u->{email}, $PASSWORD);
	(undef, $c) = jwt_parts($l->{access});
	is $c->{tier}, 'premium', 'a new token says premium';
	is_deeply $c->{permissions}, ['create:own_landing_pages', 'read:own_keys', 'delete:own_keys',
	                              'read:templates', 'read:own_analytics'],
	  'with the declared permissions premium holds, in declaration order';
};

subtest 'enterprise holds every tier permission but no operator power' => sub {
	my $u = CarBot::Auth::register($t);
	CarBot::Auth::set_tier($t, $u->{id}, 'enterprise');
	is_deeply allowed($u->{access}), expect(grep { !/^admin:/ } @perms), 'all but admin:system';
	my $r = $t->get('/t/perm/5', headers => bearer($u->{access}));
	is $r->{status}, 403, 'the operator route (admin:system): 403 for enterprise';
	is $r->{json}{error}{code}, 'forbidden', 'forbidden';
	my $l = CarBot::Auth::login($t, $u->{email}, $PASSWORD);
	my (undef, $c) = jwt_parts($l->{access});
	ok !(grep { /^admin:|^\*/ } @{$c->{permissions}}), 'its token lists no admin: and no wildcard';
	is scalar @{$c->{permissions}}, 6, 'but the six tier permissions';
};

subtest 'the operator role admin has *:* whatever the tier' => sub {
	my $u = CarBot::Auth::register($t);
	$t->sql("UPDATE users SET role = 'admin' WHERE id = :'p1'", $u->{id});
	is_deeply allowed($u->{access}), expect(@perms), 'everything';
	my $l = CarBot::Auth::login($t, $u->{email}, $PASSWORD);
	my (undef, $c) = jwt_parts($l->{access});
	is_deeply $c->{permissions}, ['*:*'], 'its token says *:*';
	$t->sql("UPDATE users SET role = 'user' WHERE id = :'p1'", $u->{id});
	is $t->get('/t/perm/5', headers => bearer($l->{access}))->{status}, 403,
	  'losing the role takes effect at once, whatever the token says';
};

subtest 'a forged token claiming more permissions gains nothing' => sub {
	my $u = CarBot::Auth::register($t);
	my $tok = jwt({alg => 'HS256'}, CarBot::Auth::claims($u->{id}, $u->{email}, tier => 'enterprise',
	                                                      permissions => ['*:*']), $SECRET);
	is $t->get('/t/perm/1', headers => bearer($tok))->{status}, 403,
	  'even correctly signed, the claims do not decide: the user row does';
};

subtest 'another plugin\'s route declares a permission and needs no auth code' => sub {
	my $t3 = CarBot::Test->new(plugins => ['auth'], test_plugins => ['testkit'],
	                           plugin_conf => {auth => {jwt_secret => $SECRET, bcrypt_cost => 4},
	                                           testkit => {bearer_route => 'on',
	                                                       declare => 'read:things=enterprise'}});
	my $u = CarBot::Auth::register($t3);
	my $r = $t3->get('/t/private', headers => bearer($u->{access}));
	is $r->{status}, 403, 'testkit\'s GET /t/private (read:things) for basic: 403';
	ok defined $r->{headers}{'ratelimit-remaining'}, 'with RateLimit headers';
	is $t3->get('/t/private')->{status}, 401, 'without a token: 401';
	CarBot::Auth::set_tier($t3, $u->{id}, 'enterprise');
	$r = $t3->get('/t/private', headers => bearer($u->{access}));
	is $r->{status}, 200, 'for enterprise (declared read:things=enterprise): 200';
	ok defined $r->{headers}{'ratelimit-limit'}, 'RateLimit headers on the handler\'s answer';
};

# carbotd -t on a config of auth + testkit with testkit settings %tk.
my $chk = CarBot::Test->new(start => 0);
sub check_tk {
	my (%tk) = @_;
	my $path = $chk->write_conf(plugins => ['auth'], test_plugins => ['testkit'],
		plugin_conf => {auth => {jwt_secret => $SECRET, bcrypt_cost => 4}, testkit => \%tk});
	return $chk->run_carbotd(args => ['-t', '-c', $path]);
}

subtest 'a route naming an undeclared permission stops startup with one line' => sub {
	my ($code, $out) = check_tk(permissions => 'read:nobody');
	is $code, 1, 'exit 1';
	my @lines = grep { length } split /\n/, $out;
	is scalar @lines, 1, 'one line' or diag $out;
	like $lines[0], qr{testkit\.so: route GET /t/perm/1 of plugin 'testkit' needs permission 'read:nobody', which no enabled plugin declares},
	  'naming route, plugin and permission';
	($code, $out) = check_tk(permissions => 'read:nobody', declare => 'read:nobody=basic');
	is $code, 0, 'declared: valid' or diag $out;
};

subtest 'no tier may be granted an admin: permission' => sub {
	my ($code, $out) = check_tk(declare => 'admin:billing=enterprise');
	is $code, 1, 'exit 1';
	like $out, qr{permission 'admin:billing': admin permissions come from the operator role only},
	  'says why';
	($code, $out) = check_tk(declare => 'admin:users=');
	is $code, 1, 'declaring a permission auth declared already: exit 1';
	like $out, qr{permission 'admin:users' is declared by plugin 'auth' already}, 'names the other plugin';
	($code, $out) = check_tk(declare => 'Read-Things=basic');
	is $code, 1, 'a malformed name: exit 1';
	like $out, qr{permission 'Read-Things': not action:resource}, 'says why';
};

# ---- rate limits per tier
my $rt = CarBot::Auth::server(auth => {rate_basic => 3, rate_premium => 3, rate_enterprise => 5,
                                       rate_window => 60});

sub me { return $rt->get('/api/v1/auth/me', headers => bearer($_[0])) }

subtest 'basic: the limit counts every request, then 429 with Retry-After' => sub {
	my $u = CarBot::Auth::register($rt);
	my @rem;
	for (1 .. 3) {
		my $r = me($u->{access});
		is $r->{status}, 200, "request $_: 200";
		is $r->{headers}{'ratelimit-limit'}, 3, 'RateLimit-Limit 3';
		push @rem, $r->{headers}{'ratelimit-remaining'};
		ok $r->{headers}{'ratelimit-reset'} <= 60, 'RateLimit-Reset within the window';
	}
	is_deeply \@rem, [2, 1, 0], 'RateLimit-Remaining counts down';
	my $r = me($u->{access});
	is $r->{status}, 429, 'the 4th: 429';
	is $r->{json}{error}{code}, 'rate_limited', 'code rate_limited';
	ok $r->{headers}{'retry-after'} > 0 && $r->{headers}{'retry-after'} <= 60, 'Retry-After within the window';
	is $r->{headers}{'ratelimit-remaining'}, 0, 'RateLimit-Remaining 0';
	my $v = CarBot::Auth::register($rt);
	is me($v->{access})->{status}, 200, 'another user has a count of his own';
	is $rt->post('/api/v1/auth/login', json => {email => $u->{email}, password => $PASSWORD})->{status}, 200,
	  'public routes are not affected';
};

subtest 'premium: successful responses do not count (skipSuccessfulRequests)' => sub {
	my $u = CarBot::Auth::register($rt);
	CarBot::Auth::set_tier($rt, $u->{id}, 'premium');
	for my $i (1 .. 8) {
		my $r = me($u->{access});
		is $r->{status}, 200, "success $i of 8 with a limit of 3";
	}
	for my $i (1 .. 3) {
		my $r = $rt->patch('/api/v1/auth/me', json => {tier => 'enterprise'}, headers => bearer($u->{access}));
		is $r->{status}, 400, "failing request $i: 400";
	}
	my $r = me($u->{access});
	is $r->{status}, 429, 'failures count: after 3 the next request is 429';
	is $r->{headers}{'ratelimit-limit'}, 3, 'the premium limit (3 here)';
};

subtest 'enterprise gets its own limit and skips successes' => sub {
	my $u = CarBot::Auth::register($rt);
	CarBot::Auth::set_tier($rt, $u->{id}, 'enterprise');
	my $r;
	$r = me($u->{access}) for 1 .. 7;
	is $r->{status}, 200, '7 successes with a limit of 5';
	is $r->{headers}{'ratelimit-limit'}, 5, 'RateLimit-Limit 5';
};

subtest 'with Redis down authenticated requests still pass (ratelimit_on_redis_down=open)' => sub {
	my $u = CarBot::Auth::register($rt);
	$rt->stop_redis;
	my $r = me($u->{access});
	is $r->{status}, 200, '/me answers';
	$rt->start_redis;
};

done_testing;
