# GET /api/v1/landing-pages/subdomain-check: the dashboard's availability
# check as the owner types a subdomain. The same rules as creating a page,
# answered as a reason; only a request without a question is a 400.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;

my $API = '/api/v1/landing-pages/subdomain-check';
my $t = CarBot::Landing::server();
my $u = CarBot::Landing::premium($t);
my $h = bearer($u->{access});

sub check {
	my ($q, %o) = @_;
	return $t->get(defined $q ? "$API?subdomain=$q" : $API, headers => $o{headers} // $h);
}

subtest 'a free name is available, with its host' => sub {
	my $r = check('meine-werkstatt-42');
	is $r->{status}, 200, 'status 200' or diag $r->{content};
	is_deeply $r->{json}, {subdomain => 'meine-werkstatt-42', available => JSON::PP::true,
	                       reason => undef, message => undef,
	                       host => "meine-werkstatt-42.$CarBot::Landing::BASE"}, 'the answer';
};

subtest 'upper case is compared lower-cased, as creating stores it' => sub {
	my $r = check('Meine-Werkstatt');
	is $r->{json}{subdomain}, 'meine-werkstatt', 'lower-cased';
	ok $r->{json}{available}, 'available';
};

subtest 'a name taken by any owner is not available; a free one becomes taken on create' => sub {
	my $sub = CarBot::Landing::subdomain();
	ok check($sub)->{json}{available}, 'free before';
	my $other = CarBot::Landing::premium($t);
	my $c = CarBot::Landing::create($t, $other, subdomain => $sub);
	is $c->{status}, 201, 'another owner creates it' or diag $c->{content};
	my $r = check(uc $sub);
	is $r->{status}, 200, 'status 200';
	ok !$r->{json}{available}, 'not available';
	is $r->{json}{reason}, 'taken', 'reason taken';
	is $r->{json}{host}, "$sub.$CarBot::Landing::BASE", 'the host it has';
	my $mine = CarBot::Landing::create($t, $u, subdomain => 'x' . $sub);
	is check('x' . $sub)->{json}{reason}, 'taken', "the caller's own page takes it too";
};

subtest 'the rules of creating a page, each with its reason' => sub {
	my %cases = (
		'ab' => 'too_short',
		('a' x 64) => 'too_long',
		'-werkstatt' => 'invalid',
		'werkstatt-' => 'invalid',
		'werk_statt' => 'invalid',
		'werk.statt' => 'invalid',
		'w%C3%BCrzburg' => 'invalid',   # ü: not a-z
		'www' => 'reserved',
		'admin' => 'reserved',
		'API' => 'reserved',
	);
	for my $q (sort keys %cases) {
		my $r = check($q);
		is $r->{status}, 200, "$q: 200";
		ok !$r->{json}{available}, "$q: not available";
		is $r->{json}{reason}, $cases{$q}, "$q: $cases{$q}";
		like $r->{json}{message} // '', qr/\w/, "$q: a message for people";
		ok !exists $r->{json}{host}, "$q: no host for a name that cannot be one";
	}
	# what the check calls reserved, creating refuses (one source of rules)
	my $c = CarBot::Landing::create($t, $u, subdomain => 'www');
	is $c->{status}, 400, 'creating www is refused too';
};

subtest 'bad requests: no parameter, empty, oversized, twice-encoded junk' => sub {
	my $r = check(undef);
	is $r->{status}, 400, 'no parameter: 400';
	is $r->{json}{error}{details}[0]{field}, 'subdomain', 'naming the parameter';
	is check('')->{json}{reason}, 'too_short', 'empty: answered as too short';
	$r = check('a' x 256);
	is $r->{status}, 400, 'over 255 characters: 400';
	is $r->{json}{error}{details}[0]{issue}, 'too_long', '... too_long';
	$r = check('%FF%FE');
	is $r->{status}, 400, 'not UTF-8: 400';
};

subtest 'who may ask' => sub {
	is check('frei-1', headers => {})->{status}, 401, 'no token: 401';
	my $basic = CarBot::Landing::premium($t, 'basic');
	is check('frei-1', headers => bearer($basic->{access}))->{status}, 403,
		'basic plan (no landing pages): 403';
};

subtest 'the literal segment does not shadow a page id, nor the reverse' => sub {
	my $p = CarBot::Landing::create($t, $u);
	is $p->{status}, 201, 'a page' or diag $p->{content};
	is $t->get("/api/v1/landing-pages/$p->{json}{id}", headers => $h)->{status}, 200,
		'GET /{id} still answers';
	is $t->post($API, headers => $h, json => {})->{status}, 405, 'POST to the check: 405';
};

done_testing;
