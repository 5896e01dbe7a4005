# GET /api/v1/conversations/search (plugins/chat/conv_search.c): the
# dashboard's conversation filters on top of the list's key/from/to and
# cursors: intent and has_lead, and has_lead on every row.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Auth;
use CarBot::Chat;

my $t = CarBot::Chat::server();
my $o = CarBot::Chat::owner($t);
my $h = bearer($o->{user}{access});
sub search { my ($q, %o) = @_; return $t->get("/api/v1/conversations/search$q", headers => $o{headers} // $h) }

# three conversations: a price question, an appointment that became a lead, a greeting
my %conv;
for my $kind ('price', 'lead', 'hello') {
	my $sid = CarBot::Chat::init($t, $o)->{json}{session_id};
	my @msgs = $kind eq 'price' ? ('Was kostet ein Ölwechsel?')
	         : $kind eq 'lead' ? ('Ich möchte einen Termin', 'Erika Mustermann', '0171 2345678', 'VW Golf', 'Inspektion', 'morgen')
	         : ('Hallo');
	my $c;
	$c = CarBot::Chat::chat($t, $o, $sid, $_) for @msgs;
	is $c->{status}, 200, "$kind conversation" or diag $c->{content};
	$conv{$kind} = $c->{json}{conversation_id};
}

subtest 'no filter: all three, newest first, with has_lead' => sub {
	my $r = search('');
	is $r->{status}, 200, 'status 200';
	my @c = @{$r->{json}{conversations}};
	is_deeply [map { $_->{id} } @c], [@conv{qw(hello lead price)}], 'all three, newest first';
	is_deeply [map { $_->{has_lead} ? 1 : 0 } @c], [0, 1, 0], 'has_lead per row';
	ok exists $c[0]{started_at} && exists $c[0]{message_count}, 'the list fields';
	ok !defined $r->{json}{next_cursor}, 'one page';
};

subtest 'intent' => sub {
	is_deeply [map { $_->{id} } @{search('?intent=price')->{json}{conversations}}], [$conv{price}], 'price';
	is_deeply [map { $_->{id} } @{search('?intent=appointment')->{json}{conversations}}], [$conv{lead}], 'appointment';
	is_deeply search('?intent=emergency')->{json}{conversations}, [], 'none';
	for my $bad ('Price', 'price;drop', '', 'x' x 41) {
		is search('?intent=' . $bad)->{status}, 400, "intent '$bad': 400";
	}
};

subtest 'has_lead' => sub {
	is_deeply [map { $_->{id} } @{search('?has_lead=true')->{json}{conversations}}], [$conv{lead}], 'true';
	is_deeply [map { $_->{id} } @{search('?has_lead=false')->{json}{conversations}}], [@conv{qw(hello price)}], 'false';
	is search('?has_lead=1')->{json}{conversations}[0]{id}, $conv{lead}, '1 is true';
	is search('?has_lead=yes')->{status}, 400, 'yes: 400';
	is_deeply search('?has_lead=true&intent=price')->{json}{conversations}, [], 'filters combine';
};

subtest 'pagination, key, dates as the list has them' => sub {
	my $p1 = search('?limit=2');
	is scalar @{$p1->{json}{conversations}}, 2, 'two';
	ok $p1->{json}{next_cursor}, 'a cursor';
	my $p2 = search('?limit=2&cursor=' . $p1->{json}{next_cursor});
	is_deeply [map { $_->{id} } @{$p2->{json}{conversations}}], [$conv{price}], 'the rest';
	is search('?limit=0')->{status}, 400, 'limit 0: 400';
	is search('?limit=101')->{status}, 400, 'limit 101: 400';
	is search('?cursor=garbage')->{status}, 400, 'bad cursor: 400';
	is search('?from=yesterday')->{status}, 400, 'bad date: 400';
	is search('?from=2026-02-30')->{status}, 400, 'impossible date: 400';
	is scalar @{search("?key=$o->{key_id}")->{json}{conversations}}, 3, 'own key';
	is_deeply search('?from=2999-01-01')->{json}{conversations}, [], 'future from: none';
};

subtest 'another owner sees nothing; auth is required' => sub {
	my $other = CarBot::Chat::owner($t);
	my $r = search('', headers => bearer($other->{user}{access}));
	is $r->{status}, 200, 'another owner: 200';
	is_deeply $r->{json}{conversations}, [], '... and none of these';
	is search("?key=$o->{key_id}", headers => bearer($other->{user}{access}))->{status}, 404, "another owner's key: 404";
	is search('?key=not-a-uuid')->{status}, 404, 'a malformed key: 404';
	is search('', headers => {})->{status}, 401, 'no token: 401';
	(my $tampered = $o->{user}{access}) =~ s/.$/$& eq 'A' ? 'B' : 'A'/e;
	is search('', headers => bearer($tampered))->{status}, 401, 'tampered token: 401';
	my $expired = jwt({alg => 'HS256', typ => 'JWT'},
	                  CarBot::Auth::claims($o->{user}{id}, $o->{user}{email}, iat => time - 2000, exp => time - 1000), $SECRET);
	is search('', headers => bearer($expired))->{status}, 401, 'expired token: 401';
};

done_testing;
