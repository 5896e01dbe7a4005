# Access tokens: their claims, and the bearer authenticator's refusals of
# every kind of bad token.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Auth;

my $t = CarBot::Auth::server();
my $me = '/api/v1/auth/me';
my $u = CarBot::Auth::register($t);

sub me_with {
	my ($token) = @_;
	return $t->get($me, headers => bearer($token));
}

sub refused {
	my ($token, $name) = @_;
	my $r = me_with($token);
	is $r->{status}, 401, "$name: 401";
	is $r->{json}{error}{code}, 'unauthorized', "$name: code unauthorized";
	like $r->{headers}{'www-authenticate'} // '', qr/^Bearer\b/, "$name: WWW-Authenticate: Bearer";
}

subtest 'the access token carries exactly the spec\'s claims plus iss and sv' => sub {
	my ($h, $c) = jwt_parts($u->{access});
	is $h->{alg}, 'HS256', 'signed HS256';
	is_deeply [sort keys %$c], [sort qw(sub email tier permissions iat exp type iss sv)], 'claim names';
	is $c->{sub}, $u->{id}, 'sub is the user id';
	is $c->{email}, $u->{email}, 'email';
	is $c->{tier}, 'basic', 'tier';
	# only auth is enabled here: it declares no permission a tier holds
	is_deeply $c->{permissions}, [], 'permissions basic holds among the declared ones (none here)';
	is $c->{type}, 'access', 'type access';
	is $c->{iss}, 'carbot', 'iss';
	is $c->{exp} - $c->{iat}, 900, '15 minutes by default';
	ok abs($c->{iat} - time) < 30, 'iat is now';
};

subtest 'a valid token is accepted, with RateLimit headers' => sub {
	my $r = me_with($u->{access});
	is $r->{status}, 200, 'status 200';
	is $r->{json}{user}{id}, $u->{id}, 'the token\'s user';
	unlike $r->{content}, qr/password|\$2b\$/i, 'no hash in /me';
	ok defined $r->{headers}{'ratelimit-limit'}, 'RateLimit-Limit';
	ok defined $r->{headers}{'ratelimit-remaining'}, 'RateLimit-Remaining';
	ok defined $r->{headers}{'ratelimit-reset'}, 'RateLimit-Reset';
	my $forged = jwt({alg => 'HS256', typ => 'JWT'}, CarBot::Auth::claims($u->{id}, $u->{email}), $SECRET);
	is me_with($forged)->{status}, 200, 'a token made in Perl with the secret is accepted (so the forgeries below fail for their one fault)';
	my $r2 = $t->get($me, headers => {Authorization => "bearer $u->{access}"});
	is $r2->{status}, 200, 'the scheme name is case-insensitive';
};

subtest 'no token, another scheme or garbage: 401' => sub {
	my $r = $t->get($me);
	is $r->{status}, 401, 'no Authorization: 401';
	is $r->{json}{error}{code}, 'unauthorized', 'code unauthorized';
	like $r->{headers}{'www-authenticate'}, qr/^Bearer/, 'WWW-Authenticate: Bearer';
	$r = $t->get($me, headers => {Authorization => 'Basic dXNlcjpwYXNz'});
	is $r->{status}, 401, 'Basic auth: 401';
	$r = $t->get($me, headers => {Authorization => 'Bearer'});
	is $r->{status}, 401, 'Bearer without a token: 401';
	refused('not-a-jwt', 'garbage');
	refused('a.b.c', 'three dots of garbage');
	refused($u->{refresh}, 'a refresh token used as access token');
};

subtest 'tampered, re-signed or unsigned tokens: 401' => sub {
	my ($h64, $c64, $s64) = split /\./, $u->{access};
	my $claims = CarBot::Auth::claims($u->{id}, $u->{email});

	my $admin = CarBot::Auth::claims($u->{id}, $u->{email}, tier => 'enterprise', permissions => ['*:*']);
	my (undef, $c2) = split /\./, jwt({alg => 'HS256'}, $admin, 'x');
	refused("$h64.$c2.$s64", 'claims swapped under the old signature');
	my $flipped = $s64;
	substr($flipped, 5, 1) = substr($flipped, 5, 1) eq 'A' ? 'B' : 'A';
	refused("$h64.$c64.$flipped", 'a changed signature');
	refused("$h64.$c64.", 'the signature removed');
	refused("$h64.$c64", 'no signature part');
	refused(jwt({alg => 'HS256', typ => 'JWT'}, $claims, 'another-secret-' . ('z' x 40)), 'signed with another secret');
	refused(jwt({alg => 'none', typ => 'JWT'}, $claims, ''), 'alg none, empty signature');
	refused(jwt({alg => 'none', typ => 'JWT'}, $claims, '') . 'x', 'alg none, junk signature');
	refused(jwt({alg => 'NONE'}, $claims, ''), 'alg NONE');
	refused(jwt({alg => 'HS512', typ => 'JWT'}, $claims, $SECRET), 'HS512 with the right secret');
	refused(jwt({typ => 'JWT'}, $claims, $SECRET), 'no alg at all');
};

subtest 'wrong type, issuer, expiry or subject: 401' => sub {
	my @c = ($u->{id}, $u->{email});
	my $now = time;
	my %bad = (
		'type refresh' => {type => 'refresh'},
		'type missing' => {type => undef},
		'iss of someone else' => {iss => 'evil'},
		'iss missing' => {iss => undef},
		'exp in the past' => {iat => $now - 1000, exp => $now - 100},
		'exp missing' => {exp => undef},
		'exp as a string' => {exp => "" . ($now + 900)},
		'iat an hour ahead' => {iat => $now + 3600, exp => $now + 4500},
		'sub not a UUID' => {sub => "1' OR '1'='1"},
		'sub of nobody' => {sub => '00000000-0000-4000-8000-000000000000'},
		'sub missing' => {sub => undef},
	);
	for my $name (sort keys %bad) {
		my $claims = CarBot::Auth::claims(@c, %{$bad{$name}});
		delete $claims->{$_} for grep { !defined $claims->{$_} } keys %$claims;
		refused(jwt({alg => 'HS256', typ => 'JWT'}, $claims, $SECRET), $name);
	}
};

subtest 'a token is bound to its sub: nobody reads or changes another\'s account' => sub {
	my $a = CarBot::Auth::register($t, firstName => 'Alice');
	my $b = CarBot::Auth::register($t, firstName => 'Bob');
	is me_with($a->{access})->{json}{user}{first_name}, 'Alice', 'Alice sees Alice';
	is me_with($b->{access})->{json}{user}{first_name}, 'Bob', 'Bob sees Bob';
	my $r = $t->patch($me, json => {firstName => 'Mallory'}, headers => bearer($a->{access}));
	is $r->{status}, 200, 'Alice renames herself';
	is me_with($b->{access})->{json}{user}{first_name}, 'Bob', 'Bob is untouched';
	$r = $t->patch($me, json => {id => $b->{id}, firstName => 'X'}, headers => bearer($a->{access}));
	is $r->{status}, 400, 'naming another id in the body is refused';
	$r = $t->get("$me?id=$b->{id}", headers => bearer($a->{access}));
	is $r->{json}{user}{id}, $a->{id}, 'a query parameter does not choose the user';
	my (undef, $claims) = jwt_parts($a->{access});
	$claims->{sub} = $b->{id};
	refused(jwt({alg => 'HS256'}, $claims, 'guess-' . ('g' x 40)), 'Alice\'s token with Bob\'s sub');
};

subtest 'access_ttl and issuer are settings' => sub {
	my $t2 = CarBot::Auth::server(auth => {access_ttl => 60, issuer => 'carbot-test'});
	my $v = CarBot::Auth::register($t2);
	my (undef, $c) = jwt_parts($v->{access});
	is $c->{exp} - $c->{iat}, 60, 'exp - iat = access_ttl';
	is $c->{iss}, 'carbot-test', 'iss from the setting';
	is $v->{json}{tokens}{expires_in}, 60, 'expires_in follows';
	my $other = jwt({alg => 'HS256'}, CarBot::Auth::claims($v->{id}, $v->{email}, iss => 'carbot'), $SECRET);
	is $t2->get($me, headers => bearer($other))->{status}, 401, 'iss "carbot" is now refused';
	my $same = jwt({alg => 'HS256'}, CarBot::Auth::claims($v->{id}, $v->{email}, iss => 'carbot-test'), $SECRET);
	is $t2->get($me, headers => bearer($same))->{status}, 200, 'iss "carbot-test" is accepted';
};

done_testing;
