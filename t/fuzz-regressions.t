# Crashes the fuzzers (fuzz/, make fuzz) found, as behaviour through the API.
# Each input is also kept in fuzz/corpus/NAME/regress-*, which every fuzz
# run replays first.
use strict;
use utf8;
use warnings;
use lib 't/lib';
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;

my $t = CarBot::Keys::server();
my $u = CarBot::Keys::user($t, 'premium');

# fuzz/corpus/domain/regress-upper-alabel: "Xn--" escaped the A-label check
# (it looked for lower-case "xn--" before lower-casing), so a key could be
# bound to "xn--9.adqe", which is no domain and which the same check refused
# once lower-case.
subtest 'an A-label in capitals is checked like one in lower case' => sub {
	for my $bad ('Xn--9.adqe', 'XN--9.adqe', 'shop.XN--zz') {
		my $r = CarBot::Keys::create($t, $u, domain => $bad);
		is $r->{status}, 400, "$bad: 400";
		like $r->{content}, qr/internationalised domain/i, '... not a valid internationalised name';
	}
	is CarBot::Keys::create($t, $u, domain => 'xn--9.adqe')->{status}, 400, 'lower case: 400 as before';
	my $ok = CarBot::Keys::create($t, $u, domain => 'XN--MLLER-KFZ-Q9A.DE');
	is $ok->{status}, 201, 'a valid A-label in capitals is accepted';
	is $ok->{domain}, 'xn--mller-kfz-q9a.de', '... stored in lower case';
	is CarBot::Keys::create($t, $u, domain => 'Müller-KFZ.de')->{status}, 409,
	  'and it is the same domain as its U-label';
};

done_testing;
